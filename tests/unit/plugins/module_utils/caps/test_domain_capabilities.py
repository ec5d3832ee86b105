# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Domain capabilities parsing of every real libvirt <domainCapabilities> fixture."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.domain_capabilities import (
    DomainCapabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import XMLParseError
from unit_helpers import fixture_names, read_fixture

QEMU_X86 = "/usr/bin/qemu-system-x86_64"
FAKE_FW = ["/obviously/fake/firmware1.fd", "/obviously/fake/firmware2.fd"]
LOCAL_BUSES = ["ide", "fdc", "scsi", "virtio", "usb", "sata"]

# Read from the XML: path, domain, machine, arch, vcpu max, iothreads, disk buses, loader
# paths, number of usable custom CPU models and the host-model model.
EXPECTED = {
    "capabilities/domcaps-bhyve-uefi-x86_64.xml": dict(
        path="/usr/sbin/bhyve", domain="bhyve", machine=None, arch="x86_64", vcpu_max=None,
        iothreads=False, buses=["virtio", "sata"], loader=["/foo/bar", "/foo/baz"],
        custom=0, host_model=[]),
    "capabilities/domcaps-libxl-xenfv-x86_64.xml": dict(
        path=QEMU_X86, domain="xen", machine="xenfv", arch="x86_64", vcpu_max=128,
        iothreads=False, buses=["ide", "scsi", "xen"],
        loader=["/usr/lib/xen/boot/hvmloader", "/usr/lib/xen/boot/ovmf.bin"],
        custom=0, host_model=[]),
    "capabilities/domcaps-libxl-xenpv-x86_64.xml": dict(
        path=QEMU_X86, domain="xen", machine="xenpv", arch="x86_64", vcpu_max=512,
        iothreads=False, buses=["ide", "scsi", "xen"], loader=[], custom=0, host_model=[]),
    "capabilities/domcaps-qemu-kvm-q35-x86_64.xml": dict(
        path=QEMU_X86, domain="kvm", machine="pc-q35-2.12", arch="x86_64", vcpu_max=288,
        iothreads=True, buses=["fdc", "scsi", "virtio", "usb", "sata"],
        loader=["/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF32_CODE.fd",
                "/usr/share/OVMF/OVMF_CODE.fd"],
        custom=20, host_model=["Haswell-noTSX"]),
    "capabilities/domcaps-qemu-kvm-s390x.xml": dict(
        path="/usr/bin/qemu-system-s390x", domain="kvm", machine="s390-ccw-virtio-10.0",
        arch="s390x", vcpu_max=248, iothreads=True, buses=["scsi", "virtio", "usb", "nvme"],
        loader=FAKE_FW, custom=78, host_model=["gen16a-base"]),
    "capabilities/domcaps-qemu-kvm-virt-aarch64.xml": dict(
        path="/usr/bin/qemu-system-aarch64", domain="kvm", machine="virt-10.0",
        arch="aarch64", vcpu_max=512, iothreads=True,
        buses=["scsi", "virtio", "usb", "sata", "nvme"], loader=FAKE_FW, custom=47,
        host_model=[]),
    "local/qemu-system-domcaps-i686-qemu.xml": dict(
        path="/usr/bin/qemu-system-i386", domain="qemu", machine="pc-i440fx-7.2", arch="i686",
        vcpu_max=255, iothreads=True, buses=LOCAL_BUSES,
        loader=["/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_CODE.secboot.fd"],
        custom=9, host_model=["Opteron_G2"]),
    "local/qemu-system-domcaps-x86_64-kvm.xml": dict(
        path=QEMU_X86, domain="kvm", machine="pc-i440fx-7.2", arch="x86_64", vcpu_max=255,
        iothreads=True, buses=LOCAL_BUSES, loader=["/usr/share/OVMF/OVMF_CODE_4M.fd"],
        custom=4, host_model=["Icelake-Server"]),
    "local/xen-dom0-nehalem-domcaps-x86_64-xen.xml": dict(
        path=QEMU_X86, domain="xen", machine="xenpv", arch="x86_64", vcpu_max=512,
        iothreads=False, buses=["ide", "scsi", "xen"], loader=[], custom=0, host_model=[]),
    "local/qemu-system-domcaps-x86_64-qemu.xml": dict(
        path=QEMU_X86, domain="qemu", machine="pc-i440fx-7.2", arch="x86_64", vcpu_max=255,
        iothreads=True, buses=LOCAL_BUSES, loader=["/usr/share/OVMF/OVMF_CODE_4M.fd"],
        custom=18, host_model=["EPYC"]),
}


def parse(relpath):
    return DomainCapabilities.from_xml(read_fixture(*relpath.split("/")), relpath)


def test_every_domcaps_fixture_has_expectations():
    found = ["%s/%s" % (d, n) for d in ("capabilities", "local") for n in fixture_names(d)
             if "domcaps" in n]
    assert sorted(found) == sorted(EXPECTED)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_fixture_known_values(relpath):
    want = EXPECTED[relpath]
    dc = parse(relpath)
    out = dc.to_dict()
    assert (out["path"], out["domain_type"], out["machine"], out["arch"]) == (
        want["path"], want["domain"], want["machine"], want["arch"])
    assert (out["vcpu_max"], out["iothreads"]) == (want["vcpu_max"], want["iothreads"])
    assert dc.device_values("disk", "bus") == want["buses"]
    assert out["devices"]["disk"]["supported"] is True
    assert out["os"]["loader"]["paths"] == want["loader"]
    modes = out["cpu_modes"]
    assert sorted(modes) == ["custom", "host-model", "host-passthrough", "maximum"]
    assert len(modes["custom"]["models"]) == want["custom"]
    assert modes["host-model"]["models"] == want["host_model"]


def test_q35_details():
    out = parse("capabilities/domcaps-qemu-kvm-q35-x86_64.xml").to_dict()
    assert out["os"]["enums"] == {"firmware": ["bios", "efi"]}
    assert out["os"]["loader"]["enums"]["secure"] == ["yes", "no"]
    custom = out["cpu_modes"]["custom"]["models"]
    assert "Westmere" in custom and "phenom" not in custom  # usable='no' is left out
    assert out["devices"]["rng"]["enums"]["backendModel"] == ["random", "egd"]
    assert out["features"]["sev"]["supported"] is True
    assert out["features"]["gic"] == {"supported": False, "enums": {}}


def test_aarch64_details():
    dc = parse("capabilities/domcaps-qemu-kvm-virt-aarch64.xml")
    assert dc.os.enums["firmware"] == ["efi"]
    assert dc.cpu_modes[2].name == "host-model" and dc.cpu_modes[2].supported is False
    assert "a64fx" in dc.to_dict()["cpu_modes"]["custom"]["models"]  # usable='unknown' kept
    assert dc.device_values("channel", "type") == ["pty", "unix"]
    assert dc.device_values("interface", "backendType") == ["default", "passt"]
    assert dc.features["gic"].values("version") == ["3"]
    assert dc.device_values("redirdev", "bus") == []  # supported='no'


def test_libxl_and_bhyve_details():
    pv = parse("capabilities/domcaps-libxl-xenpv-x86_64.xml")
    assert pv.os.loader.supported is False
    assert pv.device_values("hostdev", "pciBackend") == ["xen"]
    assert pv.device_values("video", "modelType") == ["vga", "cirrus", "xen"]
    bhyve = parse("capabilities/domcaps-bhyve-uefi-x86_64.xml")
    assert bhyve.to_dict()["devices"]["graphics"] == {"supported": False, "enums": {}}
    assert bhyve.os.loader.values("type") == ["pflash"]
    assert bhyve.device_values("nosuchdevice", "bus") == []


def test_values_of_an_unsupported_device_are_not_offered():
    text = read_fixture("capabilities", "domcaps-bhyve-uefi-x86_64.xml")
    assert "<disk supported='yes'>" in text
    dc = DomainCapabilities.from_xml(text.replace("<disk supported='yes'>", "<disk supported='no'>"))
    assert dc.devices["disk"].values("bus") == ["virtio", "sata"]
    assert dc.device_values("disk", "bus") == []


def test_unknown_devices_features_and_attributes():
    original = read_fixture("local", "qemu-system-domcaps-x86_64-kvm.xml")
    injections = [
        ("<devices>", "<devices><teleporter supported='yes' since='99.0'>"
                      "<enum name='model'><value>warp</value></enum><note>x</note></teleporter>"),
        ("<disk supported='yes'>", "<disk supported='yes' futureAttr='1'><futureChild/>"),
        ("<features>", "<features><quantumSafe supported='no'/>"),
        ("<os supported='yes'>", "<os supported='yes'><futureOsThing/>"),
        ("</domainCapabilities>", "<futureTop><x/></futureTop></domainCapabilities>"),
    ]
    mutated = original
    for old, new in injections:
        assert old in mutated
        mutated = mutated.replace(old, new)
    before = DomainCapabilities.from_xml(original).to_dict()
    after = DomainCapabilities.from_xml(mutated).to_dict()
    # A device or feature this code has never heard of is read like the known ones.
    assert after["devices"].pop("teleporter") == {
        "supported": True, "enums": {"model": ["warp"]}, "attributes": {"since": "99.0"}}
    assert after["features"].pop("quantumSafe") == {"supported": False, "enums": {}}
    assert after["devices"]["disk"].pop("attributes") == {"futureAttr": "1"}
    assert after == before


@pytest.mark.parametrize("text, reason", [
    ("<domainCapabilities><path>x</domainCapabilities>", "not well-formed XML (mismatched tag"),
    ("", "empty document"),
    (b"", "empty document"),
    (read_fixture("local", "test-default-capabilities.xml"),
     "root element is <capabilities>, expected <domainCapabilities>"),
    ("<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
     "<domainCapabilities><path>&b;</path></domainCapabilities>",
     "DOCTYPE and ENTITY declarations are not accepted"),
])
def test_bad_documents_raise_xml_parse_error(text, reason):
    with pytest.raises(XMLParseError) as info:
        DomainCapabilities.from_xml(text, "domain_capabilities_xml[0]")
    assert str(info.value).startswith("domain_capabilities_xml[0]: ")
    assert reason in str(info.value)
