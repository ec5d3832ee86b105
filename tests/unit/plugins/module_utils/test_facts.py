# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""facts.gather() offline, live against libvirt's test:///default driver, and remote."""

from __future__ import absolute_import, division, print_function

import re
import sys

import libvirt
import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, facts
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtConnectionError, LibvirtUnavailableError)
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection
from unit_helpers import read_fixture

UNREACHABLE = "qemu+tcp://127.0.0.1:1/system"  # nothing listens on port 1
LOCAL_DOMCAPS = ["qemu-system-domcaps-x86_64-kvm.xml", "qemu-system-domcaps-x86_64-qemu.xml",
                 "qemu-system-domcaps-i686-qemu.xml"]
BARE_METAL = {"proc/cpuinfo": "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae vmx\n"}
KVM_HOST = dict(BARE_METAL, **{"dev/kvm": "", "proc/modules": "kvm_amd 155648 0 - Live 0x0\n"})


def must_not_run(args):
    raise AssertionError("run_command called with %r" % (args,))


def must_not_detect(*args, **kwargs):
    raise AssertionError("local host evidence was read")


def offline_local_qemu(tmp_path):
    return facts.gather(
        capabilities_xml=read_fixture("local", "qemu-system-capabilities.xml"),
        domain_capabilities_xml=[read_fixture("local", n) for n in LOCAL_DOMCAPS],
        root=str(tmp_path / "does-not-exist"), run_command=must_not_run)


def live_test_driver(make_tree, **kwargs):
    return facts.gather(uri="test:///default", root=make_tree(BARE_METAL),
                        run_command=must_not_run, **kwargs)


def test_offline_reads_nothing_local(tmp_path, monkeypatch):
    monkeypatch.setattr(detection, "detect", must_not_detect)
    monkeypatch.setattr(connection, "open_connection", must_not_detect)
    out, warnings = offline_local_qemu(tmp_path)
    assert warnings == []
    hv, lv = out["hypervisor"], out["libvirt"]
    assert (hv["type"], hv["role"], hv["source"]) == ("kvm", "host", "capabilities_xml")
    assert (lv["uri"], lv["driver"], lv["version"], lv["hypervisor_version"]) == (
        None, "qemu", None, None)
    assert sorted(lv["domain_capabilities"]) == ["i686/qemu/hvm", "x86_64/kvm/hvm",
                                                 "x86_64/qemu/hvm"]
    assert lv["domain_capabilities"]["x86_64/kvm/hvm"]["cpu_modes"]["host-model"]["models"] == [
        "Icelake-Server"]
    assert lv["domain_capabilities_errors"] == {}
    assert lv["host"]["memory_kib"] == 5204180
    assert lv["domain_types"] == ["qemu", "kvm"]
    assert lv["recommended"]["domain_type"] == "kvm"
    assert lv["recommended"]["disk_bus"] == "virtio"


def test_offline_facts_have_the_shape_of_live_ones(tmp_path, make_tree):
    offline = offline_local_qemu(tmp_path)[0]["libvirt"]
    live = live_test_driver(make_tree)[0]["libvirt"]
    assert set(offline) == set(live)
    # "available" says whether a live connection answered; a dump asked none.
    assert offline["available"] is None
    assert sorted(offline["host"]) == sorted(live["host"])
    assert sorted(offline["guests"][0]) == sorted(live["guests"][0])
    assert sorted(offline["recommended"]) == sorted(live["recommended"])
    for key in offline:
        if key in live and live[key] is not None and offline[key] is not None:
            assert type(offline[key]) is type(live[key]), key


def test_offline_without_domain_capabilities(tmp_path):
    out = facts.gather(capabilities_xml=read_fixture("capabilities", "caps-xen-x86_64-hvm.xml"),
                       root=str(tmp_path / "nope"), run_command=must_not_run)[0]
    assert out["libvirt"]["driver"] == "xen"
    assert out["libvirt"]["domain_capabilities"] == {}
    assert out["hypervisor"]["type"] == "xen"
    assert out["libvirt"]["recommended"]["os_type"] == "xen"


def test_live_test_driver(make_tree):
    out, warnings = live_test_driver(make_tree)
    assert warnings == []
    hv, lv = out["hypervisor"], out["libvirt"]
    assert lv["available"] is True
    assert (lv["uri"], lv["driver"]) == ("test:///default", "test")
    assert re.match(r"^\d+\.\d+\.\d+$", lv["version"])
    assert lv["version"] == connection.version_string(libvirt.getVersion())
    assert lv["hypervisor_version"] == "0.0.2"
    assert lv["recommended"]["domain_type"] == "test"
    assert (lv["host"]["arch"], lv["host"]["numa_cells"]) == ("i686", 2)
    assert [g["os_type"] for g in lv["guests"]] == ["hvm", "xen"]
    # The test driver has no virConnectGetDomainCapabilities: an error entry each.
    assert lv["domain_capabilities"] == {}
    assert sorted(lv["domain_capabilities_errors"]) == ["i686/test/hvm", "i686/test/xen"]
    assert "not supported" in lv["domain_capabilities_errors"]["i686/test/hvm"]
    assert (hv["type"], hv["role"], hv["source"]) == ("none", "none", "host")
    assert "libvirt_guest=i686/hvm/test" in hv["evidence"]


def test_live_without_domain_capabilities(make_tree):
    lv = live_test_driver(make_tree, domain_capabilities=False)[0]["libvirt"]
    assert (lv["domain_capabilities"], lv["domain_capabilities_errors"]) == ({}, {})


def test_remote_uri_failure_raises_and_reads_nothing_local(tmp_path, monkeypatch):
    monkeypatch.setattr(detection, "detect", must_not_detect)
    with pytest.raises(LibvirtConnectionError) as info:
        facts.gather(uri=UNREACHABLE, root=str(tmp_path / "nope"), run_command=must_not_run)
    assert info.value.uri == UNREACHABLE
    assert str(info.value).startswith("cannot connect to libvirt at %s: " % UNREACHABLE)
    assert "127.0.0.1:1" in info.value.detail


def test_explicit_local_uri_failure_raises(make_tree, tmp_path):
    uri = "qemu+unix:///system?socket=%s" % (tmp_path / "no-such.sock")
    with pytest.raises(LibvirtConnectionError) as info:
        facts.gather(uri=uri, root=make_tree(KVM_HOST))
    assert info.value.uri == uri


def test_unreachable_default_uri_is_a_warning(make_tree, monkeypatch):
    asked = []
    monkeypatch.setattr(connection, "default_uri", lambda hv_type: asked.append(hv_type) or UNREACHABLE)
    out, warnings = facts.gather(root=make_tree(KVM_HOST), run_command=must_not_run)
    assert asked == ["kvm"]
    assert len(warnings) == 1
    assert warnings[0].startswith("libvirt not reachable at the default URI: cannot connect to "
                                  "libvirt at %s: " % UNREACHABLE)
    assert out["libvirt"]["uri"] == UNREACHABLE
    assert out["libvirt"]["available"] is False
    assert "unable to connect to server at '127.0.0.1:1'" in out["libvirt"]["error"]
    assert (out["hypervisor"]["type"], out["hypervisor"]["source"]) == ("kvm", "host")
    assert out["hypervisor"]["kvm"]["vendor_module"] == "kvm_amd"


def test_missing_binding_is_a_warning_and_the_host_is_still_described(make_tree, monkeypatch):
    def no_binding():
        raise LibvirtUnavailableError("the libvirt Python binding ... is required: No module named 'libvirt'")
    monkeypatch.setattr(connection, "import_libvirt", no_binding)
    out, warnings = facts.gather(root=make_tree(KVM_HOST), run_command=must_not_run)
    assert warnings == ["libvirt not reachable at the default URI: the libvirt Python binding ... "
                        "is required: No module named 'libvirt'"]
    assert out["libvirt"]["available"] is False
    assert (out["hypervisor"]["type"], out["hypervisor"]["kvm"]["usable"]) == ("kvm", True)
    with pytest.raises(LibvirtUnavailableError):
        facts.gather(uri="qemu:///system", root=make_tree(KVM_HOST), run_command=must_not_run)


def test_binding_error_names_the_interpreter(monkeypatch):
    monkeypatch.setitem(sys.modules, "libvirt", None)
    monkeypatch.setattr(connection, "_BINDING", {})
    with pytest.raises(LibvirtUnavailableError) as info:
        connection.import_libvirt()
    assert "for its interpreter %s:" % sys.executable in str(info.value)
