# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KVM verdict over /proc and /sys trees captured on real machines (fixtures/hosts)."""

from __future__ import absolute_import, division, print_function

import os
import shutil

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import Capabilities
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import recommend
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection
from unit_helpers import fixture_path


def host_root(tmp_path, name, dev_kvm=True, drop=()):
    """A copy of fixtures/hosts/<name> with /dev/kvm as a plain file (it opens, no ioctl)."""
    root = tmp_path / name
    shutil.copytree(fixture_path("hosts", name), str(root))
    for rel in drop:
        shutil.rmtree(str(root / rel))
        modules = root / "proc" / "modules"
        if modules.exists():  # an unloaded module is in neither place
            name = rel.rsplit("/", 1)[1]
            lines = [line for line in modules.read_text().splitlines(True) if not line.startswith(name + " ")]
            modules.write_text("".join(lines))
    if dev_kvm:
        (root / "dev").mkdir()
        (root / "dev" / "kvm").write_text("")
    return str(root)


def test_pvm_dev_kvm_is_no_kvm_host(tmp_path):
    hv = detection.detect(host_root(tmp_path, "pvm-epyc"))
    kvm = hv["kvm"]
    assert kvm["accessible"] is True
    assert kvm["vendor_module"] == "kvm_pvm"
    assert kvm["hardware_virtualization"] is None
    assert kvm["usable"] is False
    assert "kvm_pvm" in kvm["reason"] and "PVM" in kvm["reason"]
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "guest", "unknown")
    assert "kvm_module=kvm_pvm" in hv["evidence"]
    assert "cpuinfo_flag=no vmx or svm" in hv["evidence"]


def test_emulated_svm_under_tcg_is_a_kvm_host(tmp_path):
    hv = detection.detect(host_root(tmp_path, "svm-tcg-qemu64"))
    kvm = hv["kvm"]
    assert (kvm["vendor_module"], kvm["hardware_virtualization"]) == ("kvm_amd", "svm")
    assert (kvm["usable"], kvm["reason"]) == (True, None)
    # No DMI in the capture: only the cpuinfo flag says it is a guest.
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("kvm", "host", "unknown")


def test_svm_without_its_vendor_module_has_no_dev_kvm(tmp_path):
    hv = detection.detect(host_root(tmp_path, "svm-tcg-qemu64", dev_kvm=False, drop=["sys/module/kvm_amd"]))
    kvm = hv["kvm"]
    assert (kvm["device"], kvm["vendor_module"], kvm["hardware_virtualization"]) == (None, None, "svm")
    assert kvm["usable"] is False
    assert kvm["reason"] == "the CPU has svm but kvm_amd is not loaded, so there is no /dev/kvm"
    assert hv["type"] == "none"


def test_dev_kvm_without_vendor_module_or_flags(tmp_path):
    hv = detection.detect(host_root(tmp_path, "pvm-epyc", drop=["sys/module/kvm_pvm"]))
    kvm = hv["kvm"]
    assert (kvm["vendor_module"], kvm["usable"]) == (None, False)
    assert "neither vmx nor svm" in kvm["reason"]


def test_permissions_make_a_kvm_host_unusable(tmp_path):
    root = host_root(tmp_path, "svm-tcg-qemu64", dev_kvm=False)
    os.mkdir(os.path.join(root, "dev"))
    os.symlink("/nonexistent/kvm-device", os.path.join(root, "dev", "kvm"))
    kvm = detection.detect(root)["kvm"]
    assert kvm["usable"] is False
    assert kvm["reason"].startswith("/dev/kvm does not open for this user: ")


def test_no_kvm_evidence_at_all_gives_no_kvm_facts(tmp_path):
    hv = detection.detect(host_root(tmp_path, "pvm-epyc", dev_kvm=False, drop=["sys/module/kvm_pvm"]))
    assert hv["kvm"] is None


@pytest.fixture(scope="module")
def qemu_caps():
    with open(fixture_path("local", "qemu-system-capabilities.xml")) as handle:
        return Capabilities.from_xml(handle.read(), "capabilities")


def test_recommendation_skips_kvm_that_runs_no_ordinary_guest(tmp_path, qemu_caps):
    assert "kvm" in qemu_caps.domain_types
    assert recommend(qemu_caps)["domain_type"] == "kvm"
    pvm = detection.detect(host_root(tmp_path, "pvm-epyc"))
    assert recommend(qemu_caps, detection=pvm)["domain_type"] == "qemu"
    svm = detection.detect(host_root(tmp_path, "svm-tcg-qemu64"))
    assert recommend(qemu_caps, detection=svm)["domain_type"] == "kvm"
