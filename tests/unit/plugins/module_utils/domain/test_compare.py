# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""compare: does libvirt's normalised XML already hold ours; canonical text and diffs."""

from __future__ import absolute_import, division, print_function

import copy
import xml.etree.ElementTree as ET

import pytest

from unit_helpers import unified_diff
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare

# What the test driver profile generates for a small guest (type and arch from test:///default).
OURS = """<domain type="test"><name>cmp1</name><memory unit="KiB">524288</memory>
<currentMemory unit="KiB">524288</currentMemory><vcpu>2</vcpu>
<os><type arch="i686">hvm</type><kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd.img</initrd>
<cmdline>console=ttyS0</cmdline></os><features><acpi /><apic /></features>
<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
<devices>
<disk type="file" device="disk"><driver name="qemu" type="qcow2" /><source file="/i/cmp1.qcow2" />
<target dev="vda" bus="virtio" /></disk>
<disk type="block" device="disk"><driver name="qemu" type="raw" /><source dev="/dev/vg0/cmp1" />
<target dev="vdb" bus="virtio" /></disk>
<disk type="file" device="cdrom"><driver name="qemu" type="raw" /><target dev="hda" bus="ide" /><readonly /></disk>
<interface type="bridge"><source bridge="br0" /><model type="virtio" /></interface>
<interface type="udp"><source address="127.0.0.1" port="5001"><local address="127.0.0.1" port="5000" /></source>
<model type="virtio" /></interface>
<channel type="unix"><target type="virtio" name="org.x.0" /></channel>
<channel type="unix"><target type="virtio" name="org.x.1" /></channel>
<serial type="pty"><target port="0" /></serial><console type="pty"><target type="serial" port="0" /></console>
<graphics type="vnc" autoport="yes" listen="127.0.0.1" />
</devices></domain>"""

# The same guest the way a QEMU host writes it back: UUID, machine, addresses, controllers,
# aliases, MACs, a default <cpu>, <boot>, video, memballoon...
LIBVIRT_LIKE = """<domain type='test'>
  <name>cmp1</name>
  <uuid>3c8b1a5e-2a0e-4f4e-9a57-0b8f8a6d8d21</uuid>
  <memory unit='KiB'>524288</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='i686' machine='pc-i440fx-7.2'>hvm</type>
    <kernel>/boot/vmlinuz</kernel>
    <initrd>/boot/initrd.img</initrd>
    <cmdline>console=ttyS0</cmdline>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='custom' match='exact' check='none'>
    <model fallback='forbid'>qemu32</model>
  </cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-i386</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/i/cmp1.qcow2'/>
      <target dev='vda' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
    </disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw'/>
      <source dev='/dev/vg0/cmp1'/>
      <target dev='vdb' bus='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='hda' bus='ide'/>
      <readonly/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='usb' index='0' model='piix3-uhci'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>
    </controller>
    <controller type='pci' index='0' model='pci-root'/>
    <controller type='ide' index='0'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/>
    </controller>
    <controller type='virtio-serial' index='0'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>
    </controller>
    <interface type='bridge'>
      <mac address='52:54:00:6c:3c:01'/>
      <source bridge='br0'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </interface>
    <interface type='udp'>
      <mac address='52:54:00:6c:3c:02'/>
      <source address='127.0.0.1' port='5001'>
        <local address='127.0.0.1' port='5000'/>
      </source>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
    <serial type='pty'>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'>
      <target type='virtio' name='org.x.0'/>
      <address type='virtio-serial' controller='0' bus='0' port='1'/>
    </channel>
    <channel type='unix'>
      <target type='virtio' name='org.x.1'/>
      <address type='virtio-serial' controller='0' bus='0' port='2'/>
    </channel>
    <input type='mouse' bus='ps2'/>
    <input type='keyboard' bus='ps2'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video>
      <model type='cirrus' vram='16384' heads='1' primary='yes'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </video>
    <memballoon model='virtio'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'/>
    </memballoon>
  </devices>
</domain>
"""


def tree(text):
    return ET.fromstring(text)


def edited(text, change):
    root = tree(text)
    change(root)
    return root


def drop(path, index=0):
    def change(root):
        parent = root.find(path.rsplit("/", 1)[0]) if "/" in path else root
        parent.remove(root.findall(path)[index])
    return change


def set_text(path, text):
    def change(root):
        root.find(path).text = text
    return change


def add_disk(root):
    disk = copy.deepcopy(root.find("devices/disk"))
    disk.find("source").set("file", "/i/extra.qcow2")
    disk.find("target").set("dev", "vdc")
    root.find("devices").insert(2, disk)


CHANGES = [
    ("memory", set_text("memory", "1048576")),
    ("vcpus", set_text("vcpu", "4")),
    ("disk-added", add_disk),
    ("disk-removed", drop("devices/disk", 1)),
    ("cdrom-removed", drop("devices/disk", 2)),
    ("kernel-removed", drop("os/kernel")),
    ("cmdline-removed", drop("os/cmdline")),
    ("channel-name", lambda r: r.findall("devices/channel")[1].find("target").set("name", "org.x.9")),
    ("channel-removed", drop("devices/channel")),
    ("nic-removed", drop("devices/interface", 1)),
    ("nic-bridge", lambda r: r.find("devices/interface/source").set("bridge", "br1")),
    ("udp-port", lambda r: r.find("devices/interface[@type='udp']/source/local").set("port", "6000")),
    ("disk-format", lambda r: r.find("devices/disk/driver").set("type", "raw")),
    ("serial-removed", drop("devices/serial")),
    ("graphics-removed", drop("devices/graphics")),
    ("readonly-removed", lambda r: r.findall("devices/disk")[2].remove(r.findall("devices/disk")[2].find("readonly"))),
    ("cdrom-inserted", lambda r: r.findall("devices/disk")[2].insert(1, ET.Element("source", {"file": "/i/x.iso"}))),
    ("bootloader-added", lambda r: r.insert(3, ET.Element("bootloader"))),
    ("type", lambda r: r.set("type", "kvm")),
]


def test_hand_made_libvirt_expansion_contains_ours():
    assert compare.contains(tree(LIBVIRT_LIKE), tree(OURS))
    # and not the other way round: libvirt's has more
    assert not compare.contains(tree(OURS), tree(LIBVIRT_LIKE))


@pytest.mark.parametrize("change", [c[1] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_a_change_on_either_side_is_seen(change):
    assert not compare.contains(tree(LIBVIRT_LIKE), edited(OURS, change))
    assert not compare.contains(edited(LIBVIRT_LIKE, change), tree(OURS))


def test_what_libvirt_adds_or_owns_is_not_a_change():
    def extras(root):
        root.find("devices").append(ET.Element("controller", {"type": "scsi", "index": "0"}))
        root.find("devices").append(ET.Element("console", {"type": "pty"}))
        root.find("os").append(ET.Element("boot", {"dev": "cdrom"}))
        root.find("cpu").find("model").text = "qemu64"
    assert compare.contains(edited(LIBVIRT_LIKE, extras), tree(OURS))


def test_the_real_libvirt_expansion_contains_ours(test_conn, libvirt_module):
    dom = test_conn.defineXML(OURS)
    try:
        actual = dom.XMLDesc(libvirt_module.VIR_DOMAIN_XML_INACTIVE)
        root = tree(actual)
        # libvirt did expand it: a UUID, MACs and controllers we never wrote.
        assert root.findtext("uuid")
        assert all(i.find("mac") is not None for i in root.findall("devices/interface"))
        assert root.find("devices/controller") is not None
        assert compare.contains(root, tree(OURS))
        for name, change in CHANGES:
            assert not compare.contains(root, edited(OURS, change)), name
        # Without direct kernel boot, defined for real over the same UUID.
        no_kernel = tree(OURS)
        for tag in ("kernel", "initrd", "cmdline"):
            no_kernel.find("os").remove(no_kernel.find("os/" + tag))
        uuid = ET.Element("uuid")
        uuid.text = root.findtext("uuid")
        no_kernel.insert(1, uuid)
        dom = test_conn.defineXML(ET.tostring(no_kernel, encoding="unicode"))
        after = tree(dom.XMLDesc(libvirt_module.VIR_DOMAIN_XML_INACTIVE))
        assert (after.find("os/kernel"), after.findtext("uuid")) == (None, uuid.text)
        assert compare.contains(after, no_kernel)
        assert not compare.contains(after, tree(OURS))
    finally:
        dom.undefine()


def test_canonical_equal_for_differently_formatted_equal_xml():
    one = "<domain type='test'><name>a</name><memory unit='KiB'>1024</memory><devices/></domain>"
    two = """<domain   type="test">
        <name>a</name>
            <memory unit="KiB">1024</memory>
        <devices>
        </devices>
    </domain>"""
    assert compare.canonical(one) == compare.canonical(two)
    assert compare.canonical(one).splitlines() == [
        '<domain type="test">', "  <name>a</name>", '  <memory unit="KiB">1024</memory>',
        "  <devices></devices>", "</domain>"]
    assert compare.canonical(one) != compare.canonical(one.replace("1024", "2048"))
    assert compare.canonical("") == "" and compare.canonical(None) == ""


def test_canonical_ignores_attribute_order_but_not_values():
    one = "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>"
    two = "<disk device='disk' type='file'><target bus='virtio' dev='vda'/></disk>"
    assert compare.canonical(one) == compare.canonical(two)
    assert compare.canonical(one) != compare.canonical(two.replace("vda", "vdb"))


def test_unified_diff_shows_the_changed_line():
    before = compare.canonical(LIBVIRT_LIKE)
    after = compare.canonical(LIBVIRT_LIKE.replace("<memory unit='KiB'>524288", "<memory unit='KiB'>1048576"))
    diff = unified_diff(before, after, "cmp1")
    lines = diff.splitlines()
    assert lines[:2] == ["--- cmp1 (before)", "+++ cmp1 (after)"]
    assert [line for line in lines if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-  <memory unit="KiB">524288</memory>', '+  <memory unit="KiB">1048576</memory>']
    assert unified_diff(before, before, "cmp1") == ""


def test_unified_diff_of_a_new_and_a_removed_domain():
    text = compare.canonical(OURS)
    created = unified_diff("", text, "cmp1")
    assert created.startswith("--- cmp1 (before)\n+++ cmp1 (after)\n@@ -0,0 +1,")
    assert "+  <name>cmp1</name>\n" in created
    removed = unified_diff(text, None, "cmp1")
    assert "-  <name>cmp1</name>\n" in removed
    assert [line for line in removed.splitlines() if line.startswith("+")] == ["+++ cmp1 (after)"]


def _devices(*controllers):
    return ET.fromstring("<domain><devices>%s</devices></domain>" % "".join(
        "<controller type='%s' index='%s'/>" % c for c in controllers))


def test_controllers_are_matched_by_type_and_index_not_position():
    ours = _devices(("virtio-serial", 0))
    # libvirt sorts controllers by type: a sata controller comes before virtio-serial.
    assert compare.contains(_devices(("sata", 0), ("virtio-serial", 0), ("usb", 0), ("pci", 0)), ours)
    assert not compare.contains(_devices(("sata", 0), ("usb", 0), ("pci", 0)), ours)
    assert not compare.contains(_devices(("virtio-serial", 1)), ours)
