# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the profiles write compares equal to what libvirt stores for it.

The "stored" side is libvirt's own output: its libxl driver's test data for Xen PV
(tests/unit/fixtures/domains/SOURCES.md) and this machine's capabilities for QEMU's
machine aliases. A profile that wrote a form libvirt normalises away would redefine the
domain on every run, and check mode would report a change forever.
"""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare, profiles, spec
from unit_helpers import read_fixture

PV_CMDLINE = ET.fromstring(read_fixture("domains", "libvirt-xlconfig-paravirt-cmdline.xml"))
PV_CHANNEL = ET.fromstring(read_fixture("domains", "libvirt-xlconfig-channel-pty.xml"))


def built(host, **raw):
    one = spec.validate([raw])[0]
    return profiles.select(host.caps, one, "qcow2", host.domcaps).build(one).format_dom()


def test_xen_pv_os_is_written_as_libvirt_stores_it(xen_host):
    root = built(xen_host, name="XenGuest2", memory=592896 // 1024, kernel="/tmp/vmlinuz",
                 initrd="/tmp/initrd", cmdline="root=/dev/xvda1 console=hvc0")
    assert compare.contains(PV_CMDLINE.find("os"), root.find("os"))


def test_xen_pv_disk_compares_equal_to_libvirts(xen_host):
    root = built(xen_host, name="XenGuest2", memory=579, kernel="/tmp/vmlinuz",
                 disks=[{"path": "/dev/HostVG/XenGuest2", "type": "file", "format": "raw"}])
    assert compare.contains(PV_CMDLINE.find("devices/disk"), root.find("devices/disk"))


def test_xen_pv_bootloader_guest_with_channel_compares_equal(xen_host):
    root = built(xen_host, name="XenGuest1", memory=512, bootloader="/usr/bin/pygrub",
                 channels=[{"name": "org.qemu.guest_agent.0", "type": "pty"}])
    assert compare.contains(PV_CHANNEL.find("os"), root.find("os"))
    assert root.findtext("bootloader") == PV_CHANNEL.findtext("bootloader")
    assert compare.contains(PV_CHANNEL.find("devices/channel"), root.find("devices/channel"))


def test_the_channel_profile_of_libvirts_pv_domain_is_xen_pv(xen_host):
    """libvirt_channel looks the profile up from the domain's own XML ("linux")."""
    os_type = PV_CHANNEL.find("os/type")
    profile = profiles.for_domain(xen_host.caps, PV_CHANNEL.get("type"), os_type.text, os_type.get("arch"),
                                  xen_host.domcaps)
    assert isinstance(profile, profiles.XenPVProfile)
    assert profile.family["channel_target"] == "xen"


def test_machine_alias_is_written_as_the_machine_it_stands_for(kvm_host):
    for alias, canonical in (("q35", "pc-q35-7.2"), ("pc", "pc-i440fx-7.2")):
        root = built(kvm_host, name="m", memory=128, machine=alias, domain_type="qemu")
        assert root.find("os/type").get("machine") == canonical
        # What libvirt keeps after defining it (pc-q35-7.2) is then contained.
        stored = ET.fromstring("<os><type arch='x86_64' machine='%s'>hvm</type><boot dev='hd'/></os>" % canonical)
        assert compare.contains(stored, root.find("os"))


def test_a_versioned_machine_is_kept_as_given(kvm_host):
    root = built(kvm_host, name="m", memory=128, machine="pc-q35-5.2", domain_type="qemu")
    assert root.find("os/type").get("machine") == "pc-q35-5.2"
