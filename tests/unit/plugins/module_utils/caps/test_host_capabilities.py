# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capabilities parsing of every real libvirt <capabilities> fixture."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import XMLParseError
from unit_helpers import fixture_names, read_fixture

HVM_QEMU_KVM = ["qemu", "kvm"]
QEMU = ["qemu"]
EMULATED_ONLY = ("armv6l", "armv7l", "aarch64", "microblaze", "microblazeel", "mips", "mipsel",
                 "sparc", "ppc", "riscv32", "riscv64")

# Per fixture, read from the XML: host arch, guests as (os_type, arch, domain types), the
# first guest's emulator, a machine of the first guest, NUMA cells, memory, secmodels.
EXPECTED = {
    "capabilities/caps-host-numa-secmodel-x86_64.xml": dict(
        arch="x86_64", guests=[], emulator=None, machine=None, cells=2,
        memory_kib=12572412 + 12582908, secmodels=["none", "dac"]),
    "capabilities/caps-host-resctrl-mba-x86_64.xml": dict(
        arch="x86_64", guests=[], emulator=None, machine=None, cells=2,
        memory_kib=1048576 + 2097152, secmodels=[]),
    "capabilities/caps-qemu-aarch64.xml": dict(
        arch="aarch64", guests=[("hvm", "aarch64", HVM_QEMU_KVM)],
        emulator="/usr/bin/qemu-system-aarch64", machine=None, cells=0, memory_kib=None,
        secmodels=[]),
    "capabilities/caps-qemu-ppc64.xml": dict(
        arch="ppc64", guests=[("hvm", "ppc64", HVM_QEMU_KVM)],
        emulator="/usr/bin/qemu-system-ppc64", machine=None, cells=0, memory_kib=None,
        secmodels=[]),
    "capabilities/caps-qemu-s390x.xml": dict(
        arch="s390x", guests=[("hvm", "s390x", HVM_QEMU_KVM)],
        emulator="/usr/bin/qemu-system-s390x", machine=None, cells=0, memory_kib=None,
        secmodels=[]),
    "capabilities/caps-qemu-x86_64.xml": dict(
        arch="x86_64", guests=[("hvm", "x86_64", HVM_QEMU_KVM)],
        emulator="/usr/bin/qemu-system-x86_64", machine=None, cells=0, memory_kib=None,
        secmodels=[]),
    "capabilities/caps-qemu-kvm-x86_64-multiarch.xml": dict(
        arch="x86_64",
        guests=([("hvm", "i686", HVM_QEMU_KVM), ("hvm", "x86_64", HVM_QEMU_KVM)]
                + [("hvm", a, QEMU) for a in EMULATED_ONLY]
                + [("xen", "i686", ["kvm"]), ("xen", "x86_64", ["kvm"])]),
        emulator="/usr/bin/qemu-system-i386", machine="isapc", cells=1, memory_kib=None,
        secmodels=["selinux"]),
    "capabilities/caps-test-i686.xml": dict(
        arch="i686", guests=[("hvm", "i686", ["test"]), ("xen", "i686", ["test"])],
        emulator="/usr/bin/test-hv", machine=None, cells=2, memory_kib=None, secmodels=[]),
    "capabilities/caps-xen-x86_64-hvm.xml": dict(
        arch="x86_64",
        guests=[("xen", "x86_64", ["xen"]), ("hvm", "i686", ["xen"]), ("hvm", "x86_64", ["xen"])],
        emulator="/usr/lib64/xen/bin/qemu-dm", machine="xenpv", cells=0, memory_kib=None,
        secmodels=[]),
    "local/qemu-system-capabilities.xml": dict(
        arch="x86_64", guests=[("hvm", "i686", HVM_QEMU_KVM), ("hvm", "x86_64", HVM_QEMU_KVM)],
        emulator="/usr/bin/qemu-system-i386", machine="q35", cells=1, memory_kib=5204180,
        secmodels=["none", "dac"]),
    "local/xen-dom0-nehalem-capabilities.xml": dict(
        arch="x86_64", guests=[("xen", "x86_64", ["xen"])],
        emulator="/usr/lib/xen/bin/qemu-system-i386", machine="xenpv", cells=1,
        memory_kib=2097004, secmodels=[]),
    "local/test-default-capabilities.xml": dict(
        arch="i686", guests=[("hvm", "i686", ["test"]), ("xen", "i686", ["test"])],
        emulator="/usr/bin/test-hv", machine=None, cells=2, memory_kib=2097152 + 4194304,
        secmodels=["testSecurity"]),
}


def caps_fixture_files():
    return ["%s/%s" % (d, n) for d in ("capabilities", "local") for n in fixture_names(d)
            if "domcaps" not in n]


def parse(relpath):
    return Capabilities.from_xml(read_fixture(*relpath.split("/")), relpath)


def test_every_capabilities_fixture_has_expectations():
    assert sorted(caps_fixture_files()) == sorted(EXPECTED)


@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_fixture_known_values(relpath):
    want = EXPECTED[relpath]
    caps = parse(relpath)
    host = caps.host_dict()
    assert host["arch"] == want["arch"]
    assert [(g.os_type, g.arch.name, g.domain_types) for g in caps.guests] == want["guests"]
    assert host["numa_cells"] == want["cells"]
    assert host["memory_kib"] == want["memory_kib"]
    assert host["secmodels"] == want["secmodels"]
    guests = caps.guests_list()
    assert len(guests) == len(want["guests"])
    if guests:
        assert guests[0]["emulator"] == want["emulator"]
        assert (want["machine"] in guests[0]["machines"]) if want["machine"] else \
            guests[0]["machines"] == []


def test_host_numa_secmodel_cpu_details():
    caps = parse("capabilities/caps-host-numa-secmodel-x86_64.xml")
    host = caps.host_dict()
    assert host["uuid"] == "35383339-3134-5553-4531-30314e394a50"
    assert (host["cpu_model"], host["cpu_vendor"]) == ("Westmere", "Intel")
    assert host["cpu_topology"] == {"sockets": 1, "cores": 6, "threads": 2}
    assert len(host["cpu_features"]) == 20
    assert host["cpu_features"][0] == "rdtscp" and host["cpu_features"][-1] == "vme"
    assert host["migration_transports"] == ["tcp"]
    assert [c.cpus for c in caps.host.cells] == [12, 12]
    assert caps.domain_types == []


def test_local_qemu_host_and_machines():
    caps = parse("local/qemu-system-capabilities.xml")
    host = caps.host_dict()
    assert host["uuid"] == "4c61bba0-73c8-4d76-a80d-b4140790e157"
    assert (host["cpu_model"], host["cpu_vendor"]) == ("Broadwell", "Intel")
    assert host["cpu_topology"] == {"sockets": 1, "dies": 1, "cores": 2, "threads": 1}
    assert len(host["cpu_features"]) == 44 and "hypervisor" in host["cpu_features"]
    assert host["iommu"] is False
    assert host["migration_transports"] == ["tcp", "rdma"]
    x86 = caps.guests[1]
    assert len(x86.arch.machines) == 60
    by_name = dict((m.name, m) for m in x86.arch.machines)
    assert (by_name["q35"].canonical, by_name["q35"].max_cpus) == ("pc-q35-7.2", 288)
    assert by_name["pc"].canonical == "pc-i440fx-7.2"
    assert by_name["pc-i440fx-1.5"].deprecated is True
    assert by_name["pc-i440fx-7.2"].deprecated is False
    assert x86.to_dict()["features"] == ["acpi", "apic", "cpuselection", "deviceboot",
                                         "disksnapshot"]
    assert caps.domain_types == ["qemu", "kvm"]


def test_old_style_cpu_feature_flags():
    assert parse("capabilities/caps-test-i686.xml").host.cpu.features == ["pae", "nonpae"]
    assert parse("capabilities/caps-xen-x86_64-hvm.xml").host.cpu.features == ["svm"]


def test_xen_guests_loader_and_migration():
    caps = parse("capabilities/caps-xen-x86_64-hvm.xml")
    pv, hvm32, hvm64 = caps.guests_list()
    assert pv["loader"] is None and pv["machines"] == ["xenpv"]
    assert hvm32["loader"] == hvm64["loader"] == "/usr/lib/xen/boot/hvmloader"
    assert hvm32["machines"] == ["xenfv"] and hvm32["wordsize"] == 32
    assert hvm32["features"] == ["pae", "nonpae", "acpi", "apic"]
    assert caps.host_dict()["migration_transports"] == ["xenmigr"]


def test_multiarch_domain_overrides():
    caps = parse("capabilities/caps-qemu-kvm-x86_64-multiarch.xml")
    i686 = caps.guests[0]
    assert i686.emulator_for("kvm") == "/usr/bin/qemu-system-i386"
    assert [m.name for m in i686.machines_for("kvm")] == ["pc-0.11", "pc", "pc-0.10", "isapc"]
    assert [m.max_cpus for m in i686.machines_for("kvm")] == [255, 255, 255, 1]
    armv6l = caps.guests[2]
    assert len(armv6l.arch.machines) == 57
    virt = [m for m in armv6l.arch.machines if m.name == "virt"][0]
    assert (virt.canonical, virt.max_cpus) == ("virt-3.0", 512)
    assert caps.guests[-1].emulator_for("kvm") == "/usr/bin/xenner"
    assert caps.host.cells[0].cpus == 4
    assert caps.host_dict()["migration_transports"] == ["tcp", "rdma"]


INJECTIONS = [
    ("<host>", "<host futureAttr='1'><futureHostThing a='b'><deep/></futureHostThing>"),
    ("<cpu>", "<cpu mode='future'><futureCPU/>"),
    ("<cell id='0'>", "<cell id='0' futureAttr='x'><futureCellThing/>"),
    ("<arch name='x86_64'>", "<arch name='x86_64' newattr='x'><quantum>yes</quantum>"),
    ("<domain type='kvm'/>", "<domain type='kvm' flavour='new'><hint/></domain>"),
    ("<os_type>hvm</os_type>", "<os_type>hvm</os_type><futureGuestThing/>"),
    ("</capabilities>", "<futureTopLevel><x/></futureTopLevel></capabilities>"),
]


def test_domain_level_emulator_and_machines_override_the_arch_ones():
    # Older RHEL hosts list a separate qemu-kvm binary and machines under <domain type='kvm'>.
    text = read_fixture("capabilities", "caps-qemu-x86_64.xml").replace(
        "<domain type='kvm'/>",
        "<domain type='kvm'><emulator>/usr/libexec/qemu-kvm</emulator>"
        "<machine maxCpus='710'>pc-q35-rhel9.2.0</machine>"
        "<machine canonical='pc-q35-rhel9.2.0' maxCpus='710'>q35</machine></domain>")
    guest = Capabilities.from_xml(text).guests[0]
    assert guest.emulator_for("kvm") == "/usr/libexec/qemu-kvm"
    assert guest.emulator_for("qemu") == "/usr/bin/qemu-system-x86_64"
    assert [m.name for m in guest.machines_for("kvm")] == ["pc-q35-rhel9.2.0", "q35"]
    assert guest.machines_for("qemu") == []
    assert guest.to_dict()["emulator"] == "/usr/bin/qemu-system-x86_64"


def test_unknown_elements_and_attributes_are_ignored():
    original = read_fixture("local", "qemu-system-capabilities.xml")
    mutated = original
    for old, new in INJECTIONS:
        assert old in mutated
        mutated = mutated.replace(old, new)
    before, after = Capabilities.from_xml(original), Capabilities.from_xml(mutated)
    assert after.host_dict() == before.host_dict()
    assert after.guests_list() == before.guests_list()
    assert after.host_dict()["memory_kib"] == 5204180


@pytest.mark.parametrize("text, reason", [
    ("<capabilities><host></capabilities>", "not well-formed XML (mismatched tag: line 1"),
    ("<capabilities><host>", "not well-formed XML (no element found: line 1"),
    ("", "empty document"),
    ("  \n\t ", "empty document"),
    (read_fixture("capabilities", "domcaps-bhyve-uefi-x86_64.xml"),
     "root element is <domainCapabilities>, expected <capabilities>"),
    ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
     ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
     ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
     "<capabilities><host><uuid>&lol3;</uuid></host></capabilities>",
     "DOCTYPE and ENTITY declarations are not accepted"),
])
def test_bad_documents_raise_xml_parse_error(text, reason):
    with pytest.raises(XMLParseError) as info:
        Capabilities.from_xml(text, "capabilities_xml")
    assert str(info.value).startswith("capabilities_xml: ")
    assert reason in str(info.value)
    assert info.value.source == "capabilities_xml"
