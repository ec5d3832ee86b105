# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt domain XML, one small class per element, with no policy inside.

Which bus, which os type, PV or HVM is decided by the profiles (profiles.py); these
classes only turn attributes into XML and back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import (
    XMLElement, int_or_none, text_of, to_kib)


def _sub(parent, tag, text=None, **attrs):
    node = ET.SubElement(parent, tag, dict((k, str(v)) for k, v in attrs.items() if v is not None))
    if text is not None:
        node.text = str(text)
    return node


class DomainElement(XMLElement):
    """One element of a domain's XML, with no policy: what it holds and how it is written."""

    def format_dom(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def to_xml(self):
        return ET.tostring(self.format_dom(), encoding="unicode")


class OSConfig(DomainElement):
    root_name = "os"

    def __init__(self, os_type=None, arch=None, machine=None, kernel=None, initrd=None,
                 cmdline=None, loader=None, loader_readonly=None, loader_type=None, boot_devs=None):
        self.os_type = os_type
        self.arch = arch
        self.machine = machine
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.loader = loader
        self.loader_readonly = loader_readonly
        self.loader_type = loader_type
        self.boot_devs = list(boot_devs or [])

    def format_dom(self):
        node = ET.Element("os")
        _sub(node, "type", self.os_type, arch=self.arch, machine=self.machine)
        if self.loader:
            _sub(node, "loader", self.loader, readonly=self.loader_readonly, type=self.loader_type)
        for tag in ("kernel", "initrd", "cmdline"):
            if getattr(self, tag):
                _sub(node, tag, getattr(self, tag))
        for dev in self.boot_devs:
            _sub(node, "boot", dev=dev)
        return node

    def parse_dom(self, node):
        typ = node.find("type")
        if typ is not None:
            self.os_type = (typ.text or "").strip() or None
            self.arch = typ.get("arch")
            self.machine = typ.get("machine")
        self.loader = text_of(node, "loader")
        loader = node.find("loader")
        if loader is not None:
            self.loader_readonly, self.loader_type = loader.get("readonly"), loader.get("type")
        self.kernel = text_of(node, "kernel")
        self.initrd = text_of(node, "initrd")
        self.cmdline = text_of(node, "cmdline")
        self.boot_devs = [b.get("dev") for b in node.findall("boot")]


class CPUConfig(DomainElement):
    root_name = "cpu"

    def __init__(self, mode=None, model=None):
        self.mode = mode
        self.model = model

    def format_dom(self):
        if self.model:
            node = ET.Element("cpu", {"mode": "custom", "match": "exact"})
            _sub(node, "model", self.model, fallback="allow")
            return node
        return ET.Element("cpu", {"mode": self.mode})

    def parse_dom(self, node):
        self.mode = node.get("mode")
        self.model = text_of(node, "model")


class DiskConfig(DomainElement):
    root_name = "disk"

    def __init__(self, source_type="file", device="disk", path=None, driver_name=None,
                 driver_type=None, target_dev=None, target_bus=None, readonly=False):
        self.source_type = source_type
        self.device = device
        self.path = path
        self.driver_name = driver_name
        self.driver_type = driver_type
        self.target_dev = target_dev
        self.target_bus = target_bus
        self.readonly = readonly

    def format_dom(self):
        node = ET.Element("disk", {"type": self.source_type, "device": self.device})
        if self.driver_name or self.driver_type:
            _sub(node, "driver", name=self.driver_name, type=self.driver_type)
        if self.path:
            _sub(node, "source", **{"file" if self.source_type == "file" else "dev": self.path})
        _sub(node, "target", dev=self.target_dev, bus=self.target_bus)
        if self.readonly:
            _sub(node, "readonly")
        return node

    def parse_dom(self, node):
        self.source_type = node.get("type")
        self.device = node.get("device", "disk")
        driver = node.find("driver")
        if driver is not None:
            self.driver_name, self.driver_type = driver.get("name"), driver.get("type")
        source = node.find("source")
        if source is not None:
            self.path = source.get("file") or source.get("dev")
        target = node.find("target")
        if target is not None:
            self.target_dev, self.target_bus = target.get("dev"), target.get("bus")
        self.readonly = node.find("readonly") is not None


class InterfaceConfig(DomainElement):
    root_name = "interface"

    def __init__(self, net_type="bridge", source=None, mac=None, model=None,
                 udp_local=None, udp_remote=None):
        self.net_type = net_type
        self.source = source
        self.mac = mac
        self.model = model
        # (address, port) pairs of a point-to-point <interface type='udp'>.
        self.udp_local = udp_local
        self.udp_remote = udp_remote

    def format_dom(self):
        node = ET.Element("interface", {"type": self.net_type})
        if self.mac:
            _sub(node, "mac", address=self.mac)
        if self.net_type == "udp":
            src = _sub(node, "source", address=self.udp_remote[0], port=self.udp_remote[1])
            _sub(src, "local", address=self.udp_local[0], port=self.udp_local[1])
        elif self.net_type in ("bridge", "network"):
            _sub(node, "source", **{self.net_type: self.source})
        if self.model:
            _sub(node, "model", type=self.model)
        return node

    def parse_dom(self, node):
        self.net_type = node.get("type")
        mac = node.find("mac")
        self.mac = mac.get("address") if mac is not None else None
        source = node.find("source")
        if source is not None:
            self.source = source.get("bridge") or source.get("network")
            local = source.find("local")
            if self.net_type == "udp" and local is not None:
                self.udp_remote = (source.get("address"), int_or_none(source.get("port")))
                self.udp_local = (local.get("address"), int_or_none(local.get("port")))
        model = node.find("model")
        self.model = model.get("type") if model is not None else None


class ChannelConfig(DomainElement):
    """The host <-> guest channel: virtio-serial on KVM, a Xen PV channel on Xen."""

    root_name = "channel"

    def __init__(self, name=None, source_type="unix", target_type="virtio", path=None):
        self.name = name
        self.source_type = source_type
        self.target_type = target_type
        self.path = path

    def format_dom(self):
        node = ET.Element("channel", {"type": self.source_type})
        # Without a path libvirt picks the socket itself and keeps no <source> in the
        # inactive XML; writing one would make every run look like a change.
        if self.source_type == "unix" and self.path:
            _sub(node, "source", mode="bind", path=self.path)
        _sub(node, "target", type=self.target_type, name=self.name)
        return node

    def parse_dom(self, node):
        self.source_type = node.get("type")
        source = node.find("source")
        self.path = source.get("path") if source is not None else None
        target = node.find("target")
        if target is not None:
            self.target_type, self.name = target.get("type"), target.get("name")


class _CharDevConfig(DomainElement):
    """A character device: a pty, or with ``log_path`` a file the output is written to."""

    def __init__(self, log_path=None):
        self.log_path = log_path

    def _chardev(self):
        node = ET.Element(self.root_name, {"type": "file" if self.log_path else "pty"})
        if self.log_path:
            _sub(node, "source", path=self.log_path)
        return node

    def _parse_source(self, node):
        source = node.find("source")
        self.log_path = source.get("path") if node.get("type") == "file" and source is not None else None


class SerialConfig(_CharDevConfig):
    """<serial>: the emulated serial port the console of an emulated machine sits on."""

    root_name = "serial"

    def format_dom(self):
        node = self._chardev()
        _sub(node, "target", port=0)
        return node

    def parse_dom(self, node):
        self._parse_source(node)


class ConsoleConfig(_CharDevConfig):
    """<console>: on the serial port (``serial``) or Xen's PV console (``xen``)."""

    root_name = "console"

    def __init__(self, target_type="serial", log_path=None):
        super(ConsoleConfig, self).__init__(log_path)
        self.target_type = target_type

    def format_dom(self):
        node = self._chardev()
        _sub(node, "target", type=self.target_type, port=0)
        return node

    def parse_dom(self, node):
        self._parse_source(node)
        target = node.find("target")
        self.target_type = target.get("type") if target is not None else None


QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
ET.register_namespace("qemu", QEMU_NS)


class QemuCommandlineConfig(DomainElement):
    """<qemu:commandline>: arguments libvirt passes to QEMU as they are."""

    root_name = "{%s}commandline" % QEMU_NS

    def __init__(self, args=None):
        self.args = list(args or [])

    def format_dom(self):
        node = ET.Element(self.root_name)
        for arg in self.args:
            ET.SubElement(node, "{%s}arg" % QEMU_NS, {"value": arg})
        return node

    def parse_dom(self, node):
        self.args = [a.get("value") for a in node.findall("{%s}arg" % QEMU_NS)]


class ControllerConfig(DomainElement):
    """A controller we ask for by type and index (libvirt adds the rest it needs)."""

    root_name = "controller"

    def __init__(self, controller_type=None, index=0):
        self.controller_type = controller_type
        self.index = index

    def format_dom(self):
        return ET.Element("controller", {"type": self.controller_type, "index": str(self.index)})

    def parse_dom(self, node):
        self.controller_type = node.get("type")
        self.index = int_or_none(node.get("index"))


class GraphicsConfig(DomainElement):
    root_name = "graphics"

    def __init__(self, graphics_type="vnc", listen="127.0.0.1"):
        self.graphics_type = graphics_type
        self.listen = listen

    def format_dom(self):
        return ET.Element("graphics", {"type": self.graphics_type, "autoport": "yes",
                                       "listen": self.listen})

    def parse_dom(self, node):
        self.graphics_type = node.get("type")
        self.listen = node.get("listen")


class DomainConfig(DomainElement):
    root_name = "domain"

    def __init__(self):
        self.domain_type = None
        self.name = None
        self.uuid = None
        self.memory_kib = None
        self.vcpus = None
        self.os = OSConfig()
        self.bootloader = None
        self.features = []
        self.cpu = None
        self.on_poweroff = None
        self.on_reboot = None
        self.on_crash = None
        self.devices = []
        self.extra_elements = []
        self.qemu_commandline = None

    def format_dom(self):
        root = ET.Element("domain", {"type": self.domain_type})
        _sub(root, "name", self.name)
        if self.uuid:
            _sub(root, "uuid", self.uuid)
        _sub(root, "memory", self.memory_kib, unit="KiB")
        _sub(root, "currentMemory", self.memory_kib, unit="KiB")
        _sub(root, "vcpu", self.vcpus)
        if self.bootloader:
            _sub(root, "bootloader", self.bootloader)
        root.append(self.os.format_dom())
        if self.features:
            feats = _sub(root, "features")
            for feat in self.features:
                _sub(feats, feat)
        if self.cpu is not None:
            root.append(self.cpu.format_dom())
        for event in ("on_poweroff", "on_reboot", "on_crash"):
            if getattr(self, event):
                _sub(root, event, getattr(self, event))
        devices = _sub(root, "devices")
        for dev in self.devices:
            devices.append(dev.format_dom())
        root.extend(self.extra_elements)
        if self.qemu_commandline is not None and self.qemu_commandline.args:
            root.append(self.qemu_commandline.format_dom())
        return root

    def parse_dom(self, node):
        self.domain_type = node.get("type")
        self.name = text_of(node, "name")
        self.uuid = text_of(node, "uuid")
        mem = node.find("memory")
        if mem is not None:
            self.memory_kib = to_kib((mem.text or "").strip(), mem.get("unit", "KiB"))
        self.vcpus = int_or_none(text_of(node, "vcpu"))
        os_node = node.find("os")
        if os_node is not None:
            self.os = OSConfig.from_dom(os_node)
        self.bootloader = text_of(node, "bootloader")
        features = node.find("features")
        self.features = [child.tag for child in features] if features is not None else []
        cpu = node.find("cpu")
        self.cpu = CPUConfig.from_dom(cpu) if cpu is not None else None
        for event in ("on_poweroff", "on_reboot", "on_crash"):
            setattr(self, event, text_of(node, event))
        qemu = node.find(QemuCommandlineConfig.root_name)
        self.qemu_commandline = QemuCommandlineConfig.from_dom(qemu) if qemu is not None else None
        devices = node.find("devices")
        parsers = {"disk": DiskConfig, "interface": InterfaceConfig, "channel": ChannelConfig,
                   "graphics": GraphicsConfig, "controller": ControllerConfig,
                   "serial": SerialConfig, "console": ConsoleConfig}
        self.devices = []
        if devices is not None:
            for child in devices:
                if child.tag in parsers:
                    self.devices.append(parsers[child.tag].from_dom(child))

    def devices_of(self, cls):
        return [d for d in self.devices if isinstance(d, cls)]
