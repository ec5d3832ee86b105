# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""recommend() and hypervisor_from_caps() on real capabilities fixtures."""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import facts
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import (
    boot_mode_for, hypervisor_from_caps, recommend)
from unit_helpers import read_fixture

LOCAL_DOMCAPS = ["qemu-system-domcaps-x86_64-kvm.xml", "qemu-system-domcaps-x86_64-qemu.xml",
                 "qemu-system-domcaps-i686-qemu.xml"]
XEN_DOMCAPS = ["domcaps-libxl-xenpv-x86_64.xml", "domcaps-libxl-xenfv-x86_64.xml"]


def load(subdir, caps_name, domcaps_names=()):
    """(caps, domcaps keyed by (arch, domain type, os type) the way facts.py keys them)."""
    caps = Capabilities.from_xml(read_fixture(subdir, caps_name))
    texts = [read_fixture(subdir, n) for n in domcaps_names]
    return caps, facts.offline_domain_capabilities(texts, caps)


def without_bus(text, bus):
    root = ET.fromstring(text)
    enum = root.find("devices/disk/enum[@name='bus']")
    for value in enum.findall("value"):
        if value.text == bus:
            enum.remove(value)
    return ET.tostring(root, encoding="unicode")


def test_local_qemu_host_recommends_kvm_virtio_qcow2():
    caps, domcaps = load("local", "qemu-system-capabilities.xml", LOCAL_DOMCAPS)
    assert sorted(domcaps) == [("i686", "qemu", "hvm"), ("x86_64", "kvm", "hvm"),
                               ("x86_64", "qemu", "hvm")]
    assert recommend(caps, domcaps) == {
        "domain_type": "kvm", "os_type": "hvm", "boot_mode": "hvm", "arch": "x86_64",
        "disk_bus": "virtio", "nic_model": "virtio", "channel_target": "virtio",
        "image_format": "qcow2", "emulator": "/usr/bin/qemu-system-x86_64",
        "machine": "pc-i440fx-7.2", "loader": None}


def test_xen_host_recommends_pv_with_xen_devices():
    caps, domcaps = load("capabilities", "caps-xen-x86_64-hvm.xml", XEN_DOMCAPS)
    assert sorted(domcaps) == [("x86_64", "xen", "hvm"), ("x86_64", "xen", "xen")]
    assert domcaps[("x86_64", "xen", "xen")].machine == "xenpv"
    assert recommend(caps, domcaps) == {
        "domain_type": "xen", "os_type": "xen", "boot_mode": "pv", "arch": "x86_64",
        "disk_bus": "xen", "nic_model": "netfront", "channel_target": "xen",
        "image_format": "qcow2", "emulator": "/usr/lib64/xen/bin/qemu-dm",
        "machine": "xenpv", "loader": None}


def test_ovm3_detection_asks_for_raw_images():
    caps, domcaps = load("capabilities", "caps-xen-x86_64-hvm.xml", XEN_DOMCAPS)
    plain = recommend(caps, domcaps)
    ovm3 = recommend(caps, domcaps, {"type": "ovm3", "role": "host"})
    assert ovm3["image_format"] == "raw"
    assert dict(ovm3, image_format="qcow2") == plain


@pytest.mark.parametrize("subdir, name", [("capabilities", "caps-test-i686.xml"),
                                          ("local", "test-default-capabilities.xml")])
def test_test_driver(subdir, name):
    caps, domcaps = load(subdir, name)
    out = recommend(caps, domcaps)
    assert (out["domain_type"], out["arch"], out["emulator"]) == ("test", "i686", "/usr/bin/test-hv")


@pytest.mark.parametrize("name, arch", [("caps-qemu-aarch64.xml", "aarch64"),
                                        ("caps-qemu-ppc64.xml", "ppc64"),
                                        ("caps-qemu-s390x.xml", "s390x")])
def test_non_x86_hosts_get_their_own_arch(name, arch):
    caps = load("capabilities", name)[0]
    out = recommend(caps)
    assert (out["arch"], out["domain_type"], out["disk_bus"]) == (arch, "kvm", "virtio")
    assert out["emulator"] == "/usr/bin/qemu-system-%s" % arch


def test_aarch64_with_its_domain_capabilities():
    caps, domcaps = load("capabilities", "caps-qemu-aarch64.xml")
    domcaps = facts.offline_domain_capabilities(
        [read_fixture("capabilities", "domcaps-qemu-kvm-virt-aarch64.xml")], caps)
    assert list(domcaps) == [("aarch64", "kvm", "hvm")]
    out = recommend(caps, domcaps)
    assert (out["arch"], out["domain_type"], out["os_type"]) == ("aarch64", "kvm", "hvm")
    assert (out["disk_bus"], out["nic_model"], out["machine"]) == ("virtio", "virtio", None)


def test_domain_level_emulator_and_machine_are_recommended():
    text = read_fixture("capabilities", "caps-qemu-x86_64.xml").replace(
        "<domain type='kvm'/>",
        "<domain type='kvm'><emulator>/usr/libexec/qemu-kvm</emulator>"
        "<machine maxCpus='710'>pc-q35-rhel9.2.0</machine>"
        "<machine canonical='pc-q35-rhel9.2.0' maxCpus='710'>q35</machine></domain>")
    out = recommend(Capabilities.from_xml(text))
    assert (out["domain_type"], out["emulator"], out["machine"]) == (
        "kvm", "/usr/libexec/qemu-kvm", "pc-q35-rhel9.2.0")


def test_no_guests_means_no_recommendation():
    caps = load("capabilities", "caps-host-numa-secmodel-x86_64.xml")[0]
    out = recommend(caps, {}, {"type": "kvm"})
    assert sorted(out) == ["arch", "boot_mode", "channel_target", "disk_bus", "domain_type",
                           "emulator", "image_format", "loader", "machine", "nic_model",
                           "os_type"]
    assert set(out.values()) == {None}


def test_disk_bus_falls_back_when_virtio_is_not_offered():
    caps = Capabilities.from_xml(read_fixture("local", "qemu-system-capabilities.xml"))
    text = without_bus(read_fixture("local", "qemu-system-domcaps-x86_64-kvm.xml"), "virtio")
    domcaps = facts.offline_domain_capabilities([text], caps)
    assert domcaps[("x86_64", "kvm", "hvm")].device_values("disk", "bus") == [
        "ide", "fdc", "scsi", "usb", "sata"]
    out = recommend(caps, domcaps)
    assert out["disk_bus"] == "scsi"
    assert (out["nic_model"], out["channel_target"]) == ("virtio", "virtio")


def test_disk_bus_falls_back_when_xen_is_not_offered():
    caps = Capabilities.from_xml(read_fixture("capabilities", "caps-xen-x86_64-hvm.xml"))
    text = without_bus(read_fixture("capabilities", "domcaps-libxl-xenpv-x86_64.xml"), "xen")
    out = recommend(caps, facts.offline_domain_capabilities([text], caps))
    assert (out["disk_bus"], out["nic_model"]) == ("scsi", "netfront")


def test_disk_bus_outside_the_fallback_list_is_still_an_offered_one():
    caps = Capabilities.from_xml(read_fixture("local", "qemu-system-capabilities.xml"))
    text = read_fixture("local", "qemu-system-domcaps-x86_64-kvm.xml")
    for bus in ("ide", "fdc", "scsi", "virtio", "sata"):
        text = without_bus(text, bus)
    out = recommend(caps, facts.offline_domain_capabilities([text], caps))
    assert out["disk_bus"] == "usb"


@pytest.mark.parametrize("subdir, name, hv_type, role", [
    ("capabilities", "caps-xen-x86_64-hvm.xml", "xen", "host"),
    ("local", "qemu-system-capabilities.xml", "kvm", "host"),
    ("capabilities", "caps-qemu-kvm-x86_64-multiarch.xml", "kvm", "host"),
    ("local", "test-default-capabilities.xml", "none", "none"),
    ("capabilities", "caps-host-numa-secmodel-x86_64.xml", "none", "none"),
])
def test_hypervisor_from_caps(subdir, name, hv_type, role):
    hv = hypervisor_from_caps(Capabilities.from_xml(read_fixture(subdir, name)))
    assert (hv["type"], hv["role"], hv["source"]) == (hv_type, role, "libvirt")


def test_hypervisor_from_caps_evidence_lists_guests():
    hv = hypervisor_from_caps(Capabilities.from_xml(read_fixture("capabilities", "caps-xen-x86_64-hvm.xml")))
    assert hv["evidence"] == ["libvirt_guest=x86_64/xen/xen", "libvirt_guest=i686/hvm/xen",
                              "libvirt_guest=x86_64/hvm/xen"]


@pytest.mark.parametrize("os_type, mode", [("hvm", "hvm"), ("xen", "pv"), ("xenpvh", "pv"),
                                           ("linux", "pv"), ("exe", None)])
def test_boot_mode_for(os_type, mode):
    assert boot_mode_for(os_type) == mode


def test_pv_os_type_under_kvm_is_not_preferred():
    # xenner offers os_type xen with domain type kvm: a KVM host still wants hvm/virtio.
    caps = load("capabilities", "caps-qemu-kvm-x86_64-multiarch.xml")[0]
    out = recommend(caps)
    assert (out["domain_type"], out["os_type"], out["boot_mode"]) == ("kvm", "hvm", "hvm")
    assert (out["disk_bus"], out["nic_model"], out["channel_target"]) == ("virtio", "virtio", "virtio")


def test_test_driver_prefers_hvm_over_its_xen_guest():
    caps = load("local", "test-default-capabilities.xml")[0]
    out = recommend(caps)
    assert (out["domain_type"], out["os_type"], out["disk_bus"]) == ("test", "hvm", "virtio")
