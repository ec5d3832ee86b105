# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw XML in libvirt's stored form: an unchanged raw XML makes no define call.

The stored side is what QEMU's driver keeps for the raw XML below (machine alias
expanded from this machine's capabilities fixture, MAC and UUID in lower case, PCI
addresses with libvirt's hex widths).
"""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import pipeline, rawxml, spec

RAW = """<domain type='qemu'>
  <name>raw-pc</name>
  <uuid>0B9A4A8E-2C1D-4C5E-9F61-1E2D3C4B5A69</uuid>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:AA:BB:0C'/>
      <source bridge='br0'/>
      <address type='pci' domain='0' bus='0' slot='0xb' function='0'/>
    </interface>
  </devices>
</domain>"""
STORED = """<domain type='qemu'>
  <name>raw-pc</name>
  <uuid>0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69</uuid>
  <memory unit='KiB'>65536</memory>
  <currentMemory unit='KiB'>65536</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='bridge'>
      <mac address='52:54:00:aa:bb:0c'/>
      <source bridge='br0'/>
      <model type='rtl8139'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x0b' function='0x0'/>
    </interface>
  </devices>
</domain>"""


class StoredDomain(object):
    def __init__(self, xml):
        self.xml = xml

    def name(self):
        return "raw-pc"

    def XMLDesc(self, flags):
        return self.xml

    def UUIDString(self):
        return "0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69"


class CountingConn(object):
    """One shut-off domain as libvirt stored it; counts define calls."""

    def __init__(self, stored):
        self.dom = StoredDomain(stored)
        self.defined = []

    def listAllDomains(self, flags):
        return [] if flags else [self.dom]

    def lookupByName(self, name):
        return self.dom

    def defineXMLFlags(self, xml, flags):
        self.defined.append(xml)
        return self.dom


def test_raw_xml_is_rewritten_as_libvirt_stores_it(kvm_host):
    root = rawxml.as_stored(ET.fromstring(RAW), kvm_host.caps)
    assert root.find("os/type").get("machine") == "pc-i440fx-7.2"
    assert root.findtext("uuid") == "0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69"
    assert root.find("devices/interface/mac").get("address") == "52:54:00:aa:bb:0c"
    assert root.find("devices/interface/address").attrib == {
        "type": "pci", "domain": "0x0000", "bus": "0x00", "slot": "0x0b", "function": "0x0"}
    assert (root.findtext("memory"), root.find("memory").get("unit")) == ("65536", "KiB")


@pytest.mark.parametrize("machine", ["pc-q35-5.2", "no-such-machine"])
def test_a_machine_that_is_no_alias_is_kept(kvm_host, machine):
    root = rawxml.as_stored(ET.fromstring(RAW.replace("machine='pc'", "machine='%s'" % machine)), kvm_host.caps)
    assert root.find("os/type").get("machine") == machine


def test_an_unchanged_raw_xml_makes_no_define_call(libvirt_module, kvm_host):
    conn = CountingConn(STORED)
    entries = pipeline.run(conn, libvirt_module, spec.validate([{"xml": RAW}]), kvm_host)
    assert conn.defined == []
    assert (entries[0]["changed"], entries[0]["actions"], entries[0]["steps"]) == (False, [], [])


def test_a_changed_raw_xml_is_defined_once(libvirt_module, kvm_host):
    conn = CountingConn(STORED)
    changed = RAW.replace("<memory unit='MiB'>64</memory>", "<memory unit='MiB'>65</memory>")
    pipeline.run(conn, libvirt_module, spec.validate([{"xml": changed}]), kvm_host, validate=False)
    assert len(conn.defined) == 1
