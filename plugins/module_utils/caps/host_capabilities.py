# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for libvirt's host capabilities document (virConnectGetCapabilities).

One small class per element. Elements a class does not know are left alone: the
document differs between drivers (qemu, libxl, lxc, test, bhyve, ...) and grows with
every libvirt release, and none of that may break fact gathering.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import (
    XMLElement, int_or_none, text_of, to_kib, yes_no)


class CapsMachine(XMLElement):
    root_name = "machine"

    def __init__(self):
        self.name = None
        self.canonical = None
        self.max_cpus = None
        self.deprecated = False

    def parse_dom(self, node):
        self.name = (node.text or "").strip() or None
        self.canonical = node.get("canonical")
        self.max_cpus = int_or_none(node.get("maxCpus"))
        self.deprecated = bool(yes_no(node.get("deprecated")))


class CapsGuestDomain(XMLElement):
    """<domain type='kvm'>, optionally overriding the arch's emulator and machines."""

    root_name = "domain"

    def __init__(self):
        self.type = None
        self.emulator = None
        self.machines = []

    def parse_dom(self, node):
        self.type = node.get("type")
        self.emulator = text_of(node, "emulator")
        self.machines = [CapsMachine.from_dom(m) for m in node.findall("machine")]


class CapsGuestArch(XMLElement):
    root_name = "arch"

    def __init__(self):
        self.name = None
        self.wordsize = None
        self.emulator = None
        self.loader = None
        self.machines = []
        self.domains = []

    def parse_dom(self, node):
        self.name = node.get("name")
        self.wordsize = int_or_none(text_of(node, "wordsize"))
        self.emulator = text_of(node, "emulator")
        self.loader = text_of(node, "loader")
        self.machines = [CapsMachine.from_dom(m) for m in node.findall("machine")]
        self.domains = [CapsGuestDomain.from_dom(d) for d in node.findall("domain")]


class CapsGuest(XMLElement):
    root_name = "guest"

    def __init__(self):
        self.os_type = None
        self.arch = None
        self.features = []

    def parse_dom(self, node):
        self.os_type = text_of(node, "os_type")
        arch = node.find("arch")
        self.arch = CapsGuestArch.from_dom(arch) if arch is not None else CapsGuestArch()
        feats = node.find("features")
        self.features = [f.tag for f in feats] if feats is not None else []

    @property
    def domain_types(self):
        return [d.type for d in self.arch.domains if d.type]

    def emulator_for(self, domain_type):
        for dom in self.arch.domains:
            if dom.type == domain_type and dom.emulator:
                return dom.emulator
        return self.arch.emulator

    def machines_for(self, domain_type=None):
        for dom in self.arch.domains:
            if dom.type == domain_type and dom.machines:
                return dom.machines
        return self.arch.machines

    def canonical_machine(self, name, domain_type=None):
        """The machine libvirt stores for ``name``: an alias (pc, q35) is kept as the
        versioned machine it stands for (pc-q35-7.2), so compare with that."""
        for machine in self.machines_for(domain_type):
            if machine.name == name and machine.canonical:
                return machine.canonical
        return name

    def to_dict(self):
        return {
            "arch": self.arch.name,
            "os_type": self.os_type,
            "wordsize": self.arch.wordsize,
            "domain_types": self.domain_types,
            "emulator": self.arch.emulator,
            "loader": self.arch.loader,
            "machines": [m.name for m in self.arch.machines if m.name],
            "features": self.features,
        }


class CapsHostCPU(XMLElement):
    root_name = "cpu"

    def __init__(self):
        self.arch = None
        self.model = None
        self.vendor = None
        self.features = []
        self.topology = {}

    def parse_dom(self, node):
        self.arch = text_of(node, "arch")
        self.model = text_of(node, "model")
        self.vendor = text_of(node, "vendor")
        # x86 lists <feature name='...'/>; other arches and old drivers use
        # <features><pae/></features>.
        names = [f.get("name") for f in node.findall("feature") if f.get("name")]
        flags = node.find("features")
        if flags is not None:
            names.extend(f.tag for f in flags)
        self.features = names
        topo = node.find("topology")
        if topo is not None:
            self.topology = dict((k, int_or_none(v)) for k, v in topo.attrib.items())


class CapsNUMACell(XMLElement):
    root_name = "cell"

    def __init__(self):
        self.id = None
        self.memory_kib = None
        self.cpus = 0

    def parse_dom(self, node):
        self.id = int_or_none(node.get("id"))
        mem = node.find("memory")
        if mem is not None:
            self.memory_kib = to_kib((mem.text or "").strip(), mem.get("unit", "KiB"))
        cpus = node.find("cpus")
        if cpus is not None:
            self.cpus = int_or_none(cpus.get("num")) or len(cpus.findall("cpu"))


class CapsHost(XMLElement):
    root_name = "host"

    def __init__(self):
        self.uuid = None
        self.cpu = CapsHostCPU()
        self.cells = []
        self.secmodels = []
        self.migration_transports = []
        self.iommu = None

    def parse_dom(self, node):
        self.uuid = text_of(node, "uuid")
        cpu = node.find("cpu")
        if cpu is not None:
            self.cpu = CapsHostCPU.from_dom(cpu)
        self.cells = [CapsNUMACell.from_dom(c) for c in node.findall("topology/cells/cell")]
        self.secmodels = [text_of(s, "model") for s in node.findall("secmodel")
                          if text_of(s, "model")]
        self.migration_transports = [
            (t.text or "").strip() for t in node.findall("migration_features/uri_transports/uri_transport")]
        iommu = node.find("iommu")
        if iommu is not None:
            self.iommu = yes_no(iommu.get("support"))

    @property
    def memory_kib(self):
        sizes = [c.memory_kib for c in self.cells if c.memory_kib is not None]
        return sum(sizes) if sizes else None


class Capabilities(XMLElement):
    root_name = "capabilities"

    def __init__(self):
        self.host = CapsHost()
        self.guests = []

    def parse_dom(self, node):
        host = node.find("host")
        if host is not None:
            self.host = CapsHost.from_dom(host)
        self.guests = [CapsGuest.from_dom(g) for g in node.findall("guest")]

    def guest_for(self, arch, os_type, domain_type):
        """The guest entry offering ``domain_type`` for (``arch``, ``os_type``), or None."""
        return next((g for g in self.guests if g.arch.name == arch and g.os_type == os_type
                     and domain_type in g.domain_types), None)

    @property
    def domain_types(self):
        seen = []
        for guest in self.guests:
            for dtype in guest.domain_types:
                if dtype not in seen:
                    seen.append(dtype)
        return seen

    def host_dict(self):
        cpu = self.host.cpu
        return {
            "uuid": self.host.uuid,
            "arch": cpu.arch,
            "cpu_model": cpu.model,
            "cpu_vendor": cpu.vendor,
            "cpu_features": cpu.features,
            "cpu_topology": cpu.topology,
            "numa_cells": len(self.host.cells),
            "memory_kib": self.host.memory_kib,
            "secmodels": self.host.secmodels,
            "iommu": self.host.iommu,
            "migration_transports": self.host.migration_transports,
        }

    def guests_list(self):
        return [g.to_dict() for g in self.guests]
