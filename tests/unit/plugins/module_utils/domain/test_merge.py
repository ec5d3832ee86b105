# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""merge: a spec put into libvirt's own tree keeps everything the spec does not own.

The "before" tree is libvirt's inactive XML of a domain that libvirt_domain defined on
this machine's qemu:///system, to which `virsh desc`, `virsh metadata`, `virsh
schedinfo` and a hand edit (watchdog, rng, seclabel) added what other tools add
(tests/unit/fixtures/domains/qemu-system-domain-with-extras.xml).
"""

from __future__ import absolute_import, division, print_function

import difflib
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (
    compare, merge, profiles, schema, spec)
from unit_helpers import read_fixture

BEFORE = read_fixture("domains", "qemu-system-domain-with-extras.xml")
NET_MAC, UDP_MAC = "52:54:00:c0:0e:d1", "52:54:00:b6:be:e2"
UDP = {"udp": {"remote_address": "127.0.0.1", "remote_port": 40001,
               "local_address": "127.0.0.1", "local_port": 40002}}
SPEC = {"name": "merge-capture", "memory": "192MiB", "domain_type": "qemu",
        "disks": [{"path": "/var/lib/libvirt/images/merge-capture.qcow2"}, {"device": "cdrom"}],
        "nics": [{"network": "default"}, UDP],
        "channels": [{"name": "org.virtops.0"}]}


def wanted(kvm_host, **changes):
    raw = dict(SPEC)
    raw.update(changes)
    one = spec.validate([raw])[0]
    return profiles.select(kvm_host.caps, one, "qcow2", kvm_host.domcaps).build(one).format_dom()


def merged_text(kvm_host, **changes):
    merge.keep_prefixes(BEFORE)
    return ET.tostring(merge.merged(ET.fromstring(BEFORE), wanted(kvm_host, **changes)), encoding="unicode")


def diff_lines(before, after):
    return [line for line in difflib.unified_diff(compare.canonical(before).splitlines(),
                                                  compare.canonical(after).splitlines(), lineterm="")
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def interfaces(xml):
    return [(i.get("type"), i.find("mac").get("address") if i.find("mac") is not None else None,
             i.find("address").get("slot") if i.find("address") is not None else None)
            for i in ET.fromstring(xml).findall("devices/interface")]


def test_the_unchanged_spec_is_contained_and_merges_to_the_same_tree(kvm_host):
    assert compare.contains(ET.fromstring(BEFORE), wanted(kvm_host))
    assert diff_lines(BEFORE, merged_text(kvm_host)) == []


def test_a_memory_change_changes_two_lines_and_keeps_every_extra(kvm_host):
    after = merged_text(kvm_host, memory="256MiB")
    assert diff_lines(BEFORE, after) == [
        '-  <memory unit="KiB">196608</memory>', '-  <currentMemory unit="KiB">196608</currentMemory>',
        '+  <memory unit="KiB">262144</memory>', '+  <currentMemory unit="KiB">262144</currentMemory>']
    root = ET.fromstring(after)
    assert root.findtext("description") == "kept by the merge"
    assert root.find("{http://example.org/virtops-test/}owner", None) is None  # inside <metadata>
    assert root.find("metadata/{http://example.org/virtops-test/}owner").text == "ops"
    assert root.find("cputune/shares").text == "2048"
    assert root.find("seclabel").get("type") == "none"
    assert root.find("devices/watchdog").get("model") == "i6300esb"
    assert root.find("devices/rng/backend").text == "/dev/urandom"
    assert root.findtext("uuid") == ET.fromstring(BEFORE).findtext("uuid")


def test_metadata_keeps_its_namespace_prefix(kvm_host):
    text = merged_text(kvm_host, memory="256MiB")
    assert 'xmlns:vt="http://example.org/virtops-test/"' in text and "<vt:owner>ops</vt:owner>" in text


def test_pci_addresses_and_controllers_survive(kvm_host):
    before = ET.fromstring(BEFORE)
    after = ET.fromstring(merged_text(kvm_host, vcpus=2))

    def addresses(root):
        return sorted(ET.tostring(a, encoding="unicode").strip() for a in root.iter("address"))
    assert addresses(after) == addresses(before)
    assert len(after.findall("devices/controller")) == len(before.findall("devices/controller"))


def test_removing_the_first_nic_keeps_the_second_nics_mac_and_slot(kvm_host):
    after = merged_text(kvm_host, nics=[UDP])
    assert interfaces(after) == [("udp", UDP_MAC, "0x03")]


def test_a_new_nic_is_added_without_mac_for_libvirt_to_choose(kvm_host):
    after = merged_text(kvm_host, nics=[{"network": "default"}, UDP, {"bridge": "br0"}])
    assert interfaces(after) == [("network", NET_MAC, "0x02"), ("udp", UDP_MAC, "0x03"), ("bridge", None, None)]


def test_an_explicit_mac_names_its_nic(kvm_host):
    # The spec lists the NICs the other way round and names one by its MAC.
    after = merged_text(kvm_host, nics=[dict(UDP, mac=UDP_MAC.upper()), {"network": "default"}])
    assert sorted(interfaces(after)) == sorted([("network", NET_MAC, "0x02"), ("udp", UDP_MAC, "0x03")])


def test_an_explicit_mac_of_another_nic_is_not_given_twice(kvm_host):
    """The spec's second NIC claims the MAC of libvirt's first: the first NIC, now without
    an identity of its own, is matched by its source and keeps its own MAC."""
    after = merged_text(kvm_host, nics=[{"network": "default"}, dict(UDP, mac=NET_MAC)])
    macs = [nic[1] for nic in interfaces(after)]
    assert macs.count(NET_MAC) == 1


def test_a_nic_moved_to_a_bridge_keeps_mac_and_slot_and_drops_the_old_source(kvm_host):
    after = merged_text(kvm_host, nics=[{"bridge": "br0", "mac": NET_MAC}, UDP])
    iface = ET.fromstring(after).findall("devices/interface")[0]
    assert iface.get("type") == "bridge"
    assert iface.find("source").attrib == {"bridge": "br0"}
    assert (iface.find("mac").get("address"), iface.find("address").get("slot")) == (NET_MAC, "0x02")


def test_a_disk_is_matched_by_target_and_its_source_replaced(kvm_host):
    after = merged_text(kvm_host, disks=[{"path": "/var/lib/libvirt/images/other.qcow2"}, {"device": "cdrom"}])
    disk = ET.fromstring(after).find("devices/disk")
    assert disk.find("source").attrib == {"file": "/var/lib/libvirt/images/other.qcow2"}
    assert disk.find("address").get("slot") == "0x05"


def test_a_removed_disk_goes_and_the_rest_keep_their_addresses(kvm_host):
    after = ET.fromstring(merged_text(kvm_host, disks=[{"device": "cdrom"}]))
    disks = after.findall("devices/disk")
    assert [d.get("device") for d in disks] == ["cdrom"]
    assert disks[0].find("address").get("type") == "drive"


def test_kernel_boot_added_then_removed(kvm_host):
    boot = {"kernel": "/var/lib/images/vmlinuz", "initrd": "/var/lib/images/initrd.img", "cmdline": "console=ttyS0"}
    with_kernel = merged_text(kvm_host, **boot)
    assert ET.fromstring(with_kernel).findtext("os/kernel") == boot["kernel"]
    root = merge.merged(ET.fromstring(with_kernel), wanted(kvm_host))
    assert [c.tag for c in root.find("os")] == ["type", "boot"]


@pytest.mark.parametrize("changes", [{}, {"memory": "256MiB"}, {"nics": [UDP]}, {"disks": [{"device": "cdrom"}]},
                                     {"nics": [{"network": "default"}, UDP, {"bridge": "br0"}]}])
def test_every_merged_tree_is_valid_for_libvirts_schema(kvm_host, changes):
    schema.validate_domain_xml(merged_text(kvm_host, **changes), "domains[0]")


def test_raw_xml_inherits_uuid_and_each_nics_mac_by_source():
    before = ET.fromstring(BEFORE)
    raw = ET.fromstring("<domain type='qemu'><name>merge-capture</name><devices>"
                        "<interface type='udp'><source address='127.0.0.1' port='40001'>"
                        "<local address='127.0.0.1' port='40002'/></source></interface>"
                        "<interface type='bridge'><source bridge='br0'/></interface>"
                        "</devices></domain>")
    root = merge.inherit_identity(raw, before)
    assert root.findtext("uuid") == before.findtext("uuid")
    macs = [i.find("mac").get("address") if i.find("mac") is not None else None
            for i in root.findall("devices/interface")]
    # The udp NIC is the udp NIC; the bridge NIC is new, though a NIC (the network one)
    # is left over: without a MAC of its own it takes the place of the first left.
    assert macs == [UDP_MAC, NET_MAC]
