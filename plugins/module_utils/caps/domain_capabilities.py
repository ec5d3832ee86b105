# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for libvirt's domain capabilities (virConnectGetDomainCapabilities).

The <devices> and <features> children all share one shape, ``supported='yes|no'`` plus
``<enum name='...'><value>...</value></enum>`` lists, so one generic class reads every
one of them, including those added by libvirt releases newer than this code.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import (
    XMLElement, int_or_none, text_of, yes_no)


def _enums(node):
    return dict((e.get("name"), [(v.text or "").strip() for v in e.findall("value")])
                for e in node.findall("enum") if e.get("name"))


class DomCapsEnumSet(XMLElement):
    """Any element made of a ``supported`` flag and named enums (a device, a feature)."""

    def __init__(self):
        self.supported = None
        self.enums = {}
        self.attributes = {}

    def parse_dom(self, node):
        self.supported = yes_no(node.get("supported"))
        self.enums = _enums(node)
        self.attributes = dict((k, v) for k, v in node.attrib.items() if k != "supported")

    def values(self, name):
        return self.enums.get(name, [])

    def to_dict(self):
        out = {"supported": self.supported, "enums": self.enums}
        if self.attributes:
            out["attributes"] = self.attributes
        return out


class DomCapsLoader(DomCapsEnumSet):
    root_name = "loader"

    def __init__(self):
        super(DomCapsLoader, self).__init__()
        self.paths = []

    def parse_dom(self, node):
        super(DomCapsLoader, self).parse_dom(node)
        self.paths = [(v.text or "").strip() for v in node.findall("value")]

    def to_dict(self):
        out = super(DomCapsLoader, self).to_dict()
        out["paths"] = self.paths
        return out


class DomCapsOS(DomCapsEnumSet):
    root_name = "os"

    def __init__(self):
        super(DomCapsOS, self).__init__()
        self.loader = None

    def parse_dom(self, node):
        super(DomCapsOS, self).parse_dom(node)
        loader = node.find("loader")
        self.loader = DomCapsLoader.from_dom(loader) if loader is not None else None

    def to_dict(self):
        out = super(DomCapsOS, self).to_dict()
        out["loader"] = self.loader.to_dict() if self.loader else None
        return out


class DomCapsCPUMode(XMLElement):
    root_name = "mode"

    def __init__(self):
        self.name = None
        self.supported = None
        self.models = []

    def parse_dom(self, node):
        self.name = node.get("name")
        self.supported = yes_no(node.get("supported"))
        self.models = [(m.text or "").strip() for m in node.findall("model")
                       if m.get("usable", "yes") != "no"]


class DomainCapabilities(XMLElement):
    root_name = "domainCapabilities"

    def __init__(self):
        self.path = None
        self.domain = None
        self.machine = None
        self.arch = None
        self.vcpu_max = None
        self.iothreads = None
        self.os = None
        self.cpu_modes = []
        self.devices = {}
        self.features = {}

    def parse_dom(self, node):
        self.path = text_of(node, "path")
        self.domain = text_of(node, "domain")
        self.machine = text_of(node, "machine")
        self.arch = text_of(node, "arch")
        vcpu = node.find("vcpu")
        self.vcpu_max = int_or_none(vcpu.get("max")) if vcpu is not None else None
        iothreads = node.find("iothreads")
        self.iothreads = yes_no(iothreads.get("supported")) if iothreads is not None else None
        os_node = node.find("os")
        self.os = DomCapsOS.from_dom(os_node) if os_node is not None else None
        self.cpu_modes = [DomCapsCPUMode.from_dom(m) for m in node.findall("cpu/mode")]
        self.devices = self._children(node.find("devices"))
        self.features = self._children(node.find("features"))

    @staticmethod
    def _children(parent):
        if parent is None:
            return {}
        return dict((child.tag, DomCapsEnumSet.from_dom(child)) for child in parent)

    def device_values(self, device, enum):
        """Values of one device enum, e.g. ('disk', 'bus'); [] when not reported."""
        dev = self.devices.get(device)
        if dev is None or dev.supported is False:
            return []
        return dev.values(enum)

    def to_dict(self):
        return {
            "path": self.path,
            "domain_type": self.domain,
            "machine": self.machine,
            "arch": self.arch,
            "vcpu_max": self.vcpu_max,
            "iothreads": self.iothreads,
            "os": self.os.to_dict() if self.os else None,
            "cpu_modes": dict((m.name, {"supported": m.supported, "models": m.models})
                              for m in self.cpu_modes if m.name),
            "devices": dict((k, v.to_dict()) for k, v in self.devices.items()),
            "features": dict((k, v.to_dict()) for k, v in self.features.items()),
        }
