# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Xen dom0 without HVM (Xen 4.17 under QEMU TCG, CPU Nehalem), as xen_host sees it:
its real libxl capabilities, domain capabilities, xl info and /proc + /sys, and the
boot modes and HVM verdict the facts give."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import facts
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.domain_capabilities import (
    DomainCapabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import (
    boot_modes, recommend)
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection
from unit_helpers import fixture_path, read_fixture

CAPS = ("local", "xen-dom0-nehalem-capabilities.xml")
DOMCAPS = ("local", "xen-dom0-nehalem-domcaps-x86_64-xen.xml")
XL_INFO = ("local", "xen-dom0-nehalem-xl-info.txt")
HOST_TREE = fixture_path("hosts", "xen-dom0-nehalem")


def load():
    caps = Capabilities.from_xml(read_fixture(*CAPS))
    return caps, facts.offline_domain_capabilities([read_fixture(*DOMCAPS)], caps)


def xl_info(argv):
    assert argv == ["xl", "info"]
    return 0, read_fixture(*XL_INFO), ""


def test_libxl_capabilities_offer_xen_pv_only():
    caps, _domcaps = load()
    assert caps.host.cpu.arch == "x86_64"
    assert caps.domain_types == ["xen"]
    assert sorted(set(g.os_type for g in caps.guests)) == ["xen"]
    assert boot_modes(caps) == ["pv"]


def test_domain_capabilities_of_the_pv_machine():
    dc = DomainCapabilities.from_xml(read_fixture(*DOMCAPS))
    assert (dc.domain, dc.arch, dc.machine) == ("xen", "x86_64", "xenpv")
    assert "xen" in dc.device_values("disk", "bus")


def test_recommendation_is_pv_with_xen_devices_and_qcow2():
    caps, domcaps = load()
    assert list(domcaps) == [("x86_64", "xen", "xen")]
    rec = recommend(caps, domcaps)
    assert (rec["domain_type"], rec["os_type"], rec["boot_mode"]) == ("xen", "xen", "pv")
    assert (rec["disk_bus"], rec["nic_model"], rec["channel_target"]) == ("xen", "netfront", "xen")
    assert rec["image_format"] == "qcow2"
    assert rec["machine"] == "xenpv"


def test_detection_on_the_dom0_tree_with_its_xl_info():
    hv = detection.detect(HOST_TREE, run_command=xl_info)
    assert (hv["type"], hv["role"]) == ("xen", "host")
    xen = hv["xen"]
    assert xen["dom0"] and xen["control_d"] and xen["xl_info"] and xen["xenfs_mounted"]
    assert xen["version"].startswith("4.17.")
    assert "hvm" not in xen["virt_caps"]
    assert not any(cap.startswith("hvm-") for cap in xen["xen_caps"])
    assert xen["hvm"] is False


def test_without_xl_info_the_verdict_comes_from_the_xen_caps():
    hv = detection.detect(HOST_TREE, run_command=lambda argv: (1, "", "xl: cannot open libxc handle"))
    assert hv["xen"]["xl_info"] is False
    assert hv["xen"]["control_d"] is True
    assert hv["xen"]["hvm"] is False


def test_offline_facts_of_the_dumps_list_pv_only():
    got, _warnings = facts.gather(capabilities_xml=read_fixture(*CAPS),
                                  domain_capabilities_xml=[read_fixture(*DOMCAPS)])
    assert got["hypervisor"]["type"] == "xen"
    assert got["libvirt"]["boot_modes"] == ["pv"]
    assert got["libvirt"]["recommended"]["boot_mode"] == "pv"


@pytest.mark.parametrize("xen_caps, virt_caps, expected", [
    (["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"], None, True),
    (["xen-3.0-x86_64"], None, False),
    # xl info's virt_caps, when there, has the last word.
    (["xen-3.0-x86_64", "hvm-3.0-x86_64"], ["pv", "pv_directio", "gnttab-v1"], False),
    (["xen-3.0-x86_64"], ["pv", "hvm", "hap", "shadow"], True),
])
def test_xen_offers_hvm(xen_caps, virt_caps, expected):
    assert detection.xen_offers_hvm(xen_caps, virt_caps) is expected


def test_a_xen_host_with_hvm_lists_both_boot_modes():
    caps = Capabilities.from_xml(read_fixture("capabilities", "caps-xen-x86_64-hvm.xml"))
    assert boot_modes(caps) == ["pv", "hvm"]


def test_boot_modes_skip_a_domain_type_the_host_cannot_use():
    caps = Capabilities.from_xml(read_fixture("local", "qemu-system-capabilities.xml"))
    assert boot_modes(caps) == ["hvm"]
    # kvm ruled out (a PVM /dev/kvm), qemu (TCG) still runs hvm guests.
    assert boot_modes(caps, {"kvm": {"usable": False, "reason": "PVM"}}) == ["hvm"]
