# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-driver profiles: turn a validated spec into a DomainConfig for one host.

A profile states what differs between drivers (os type, features, console, loader,
which spec fields it accepts); everything else, the device family included, comes from
the host's capabilities through caps.recommend. Adding a profile (LXC, bhyve...) means
adding a class to PROFILES and touches no other profile.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import string

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import (
    PV_OS_TYPES, choose_guest, devices_for)
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.config import (
    ChannelConfig, ConsoleConfig, ControllerConfig, CPUConfig, DiskConfig, DomainConfig, GraphicsConfig,
    InterfaceConfig, OSConfig, QemuCommandlineConfig, SerialConfig)
from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import join
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError

TARGET_PREFIX = {"virtio": "vd", "xen": "xvd", "scsi": "sd", "sata": "sd", "usb": "sd", "ide": "hd"}
TARGET_PREFIX_RE = re.compile(r"^(xvd|vd|sd|hd)")
FORMAT_BY_SUFFIX = {".qcow2": "qcow2", ".raw": "raw", ".img": "raw", ".iso": "raw"}


class Profile(object):
    """What every driver shares; subclasses override the class attributes and hooks."""

    # Os types the driver stores under another name than its capabilities give.
    stored_os_types = {}

    name = None
    domain_types = ()
    os_types = ()
    features = ()
    console_target = "serial"
    console_with_serial = True
    accepts_bootloader = False
    accepts_cpu_model = False
    # Xen numbers xvdX, hdX and sdX of one letter as the same disk (HVM hands disks 0-3 to
    # QEMU as IDE index 0-3): such a profile gives out each letter once across prefixes.
    shared_disk_numbers = False
    # Whether the driver can add or remove a channel in a running domain.
    hotplug_channels = False
    # Whether the driver's guests use this machine's files and bridges when the URI is
    # local, so that a start can be checked for missing ones here first.
    uses_host_files = True
    # Device family entries this profile replaces (Xen HVM: no netfront).
    family_overrides = {}
    # Oldest (libvirt, hypervisor) versions with host <-> guest channels, as libvirt's
    # version numbers (major * 1000000 + minor * 1000 + micro); None: no minimum.
    channel_min_versions = (None, None)

    @classmethod
    def matches(cls, domain_type, os_type):
        return domain_type in cls.domain_types and os_type in cls.os_types

    def __init__(self, guest, domain_type, domcaps=None, image_format="qcow2"):
        self.guest = guest
        self.domain_type = domain_type
        self.domcaps = domcaps
        self.image_format = image_format
        self.family = devices_for(domain_type, guest.os_type, domcaps)
        self.family.update(self.family_overrides)
        self.disk_buses = domcaps.device_values("disk", "bus") if domcaps is not None else []

    # -- hooks -----------------------------------------------------------------------
    def os_config(self, spec):
        machine = spec.get("machine")
        if machine:
            machine = self.guest.canonical_machine(machine, self.domain_type)
        return OSConfig(os_type=self.stored_os_types.get(self.guest.os_type, self.guest.os_type),
                        arch=self.guest.arch.name, machine=machine, kernel=spec.get("kernel"),
                        initrd=spec.get("initrd"), cmdline=spec.get("cmdline"))

    @classmethod
    def capability_os_type(cls, os_type):
        """The capabilities' os type of a domain whose XML says ``os_type``."""
        for theirs, stored in cls.stored_os_types.items():
            if stored == os_type:
                return theirs
        return os_type

    # Buses for a cdrom in order of preference; the first the host offers wins.
    cdrom_buses = ()

    def cdrom_bus(self, spec):
        prefs = self.cdrom_preference(spec)
        offered = [bus for bus in prefs if not self.disk_buses or bus in self.disk_buses]
        return offered[0] if offered else (prefs[0] if prefs else self.family["disk_bus"])

    def cdrom_preference(self, spec):
        return self.cdrom_buses

    def machine_of(self, spec):
        """The machine the guest gets: the spec's, else the one libvirt defaults to."""
        return spec.get("machine") or (self.domcaps.machine if self.domcaps is not None else None) or ""

    def cpu(self, spec):
        """CPUConfig of a guest that names no CPU model, or None for the driver's default."""
        return None

    def channel_source(self, chan):
        """Host end of a channel: a unix socket for virtio-serial or a given path, else a pty."""
        if chan["type"] != "auto":
            return chan["type"]
        return "unix" if chan["path"] or self.family["channel_target"] == "virtio" else "pty"

    def controllers(self, spec):
        """Controllers every guest of this profile gets, whatever its devices."""
        return []

    def can_hotplug_channel(self, live_root):
        """Whether a channel can be added to the running domain ``live_root`` (<domain>)."""
        return self.hotplug_channels

    def channel(self, chan):
        """ChannelConfig for a validated channel spec ({name, type, path})."""
        return ChannelConfig(name=chan["name"], source_type=self.channel_source(chan),
                             target_type=self.family["channel_target"], path=chan["path"])

    # -- shared ----------------------------------------------------------------------
    def check(self, spec):
        path = spec["path"]
        if spec.get("bootloader") and not self.accepts_bootloader:
            raise SpecError(join(path, "bootloader"), "%s guests boot without a bootloader" % self.name)
        if spec.get("cpu_model") and not self.accepts_cpu_model:
            raise SpecError(join(path, "cpu_model"), "%s guests take no CPU model" % self.name)
        if self.domcaps is not None and self.domcaps.vcpu_max and spec["vcpus"] > self.domcaps.vcpu_max:
            raise SpecError(join(path, "vcpus"), "this host allows at most %d" % self.domcaps.vcpu_max)
        for index, disk in enumerate(spec["disks"]):
            bus = disk["bus"]
            if bus != "auto" and self.disk_buses and bus not in self.disk_buses:
                raise SpecError(join(path, "disks[%d].bus" % index),
                                "%s is not offered here (offered: %s)" % (bus, ", ".join(self.disk_buses)))

    def build(self, spec):
        """DomainConfig for ``spec``. An existing domain's UUID and MACs are merge.py's
        business: it matches each NIC by identity, never by position."""
        self.check(spec)
        cfg = DomainConfig()
        cfg.domain_type = self.domain_type
        cfg.name = spec["name"]
        cfg.memory_kib = spec["memory_kib"]
        cfg.vcpus = spec["vcpus"]
        cfg.os = self.os_config(spec)
        cfg.bootloader = spec.get("bootloader")
        cfg.features = list(self.features)
        cfg.cpu = CPUConfig(model=spec["cpu_model"]) if spec.get("cpu_model") else self.cpu(spec)
        cfg.on_poweroff, cfg.on_reboot, cfg.on_crash = "destroy", "restart", "destroy"
        cfg.devices.extend(self.controllers(spec))
        cfg.devices.extend(self.disks(spec))
        cfg.devices.extend(self.nics(spec))
        qemu_args = self.user_networking(spec)
        if qemu_args:
            cfg.qemu_commandline = QemuCommandlineConfig(qemu_args)
        for chan in spec["channels"]:
            cfg.devices.append(self.channel(chan))
        if spec["serial_console"]:
            if self.console_with_serial:
                cfg.devices.append(SerialConfig(spec.get("console_log")))
            cfg.devices.append(ConsoleConfig(self.console_target, spec.get("console_log")))
        if spec["graphics"] != "none":
            cfg.devices.append(GraphicsConfig(spec["graphics"]))
        return cfg

    def disks(self, spec):
        out, used = [], set(self._disk_key(d["target"]) for d in spec["disks"] if d["target"])
        for index, disk in enumerate(spec["disks"]):
            bus = disk["bus"]
            if bus == "auto":
                bus = self.cdrom_bus(spec) if disk["device"] == "cdrom" else self.family["disk_bus"]
            fmt = disk["format"]
            if fmt == "auto":
                suffix = os.path.splitext(disk["path"] or "")[1]
                # A block device holds no image format of its own: raw.
                fmt = "raw" if disk["type"] == "block" else \
                    FORMAT_BY_SUFFIX.get(suffix, "raw" if disk["device"] == "cdrom" else self.image_format)
            target = disk["target"] or self._next_target(TARGET_PREFIX.get(bus, "sd"), used,
                                                         join(spec["path"], "disks[%d]" % index))
            used.add(self._disk_key(target))
            out.append(DiskConfig(source_type="block" if disk["type"] == "block" else "file",
                                  device=disk["device"], path=disk["path"], driver_name="qemu",
                                  driver_type=fmt, target_dev=target, target_bus=bus,
                                  readonly=disk["readonly"] or disk["device"] == "cdrom"))
        return out

    def nics(self, spec):
        """<interface> devices; a NIC without a MAC gets libvirt's (or, redefined, its own)."""
        out = []
        for nic in (n for n in spec["nics"] if n["kind"] != "user"):
            mac = nic["mac"]
            model = nic["model"] if nic["model"] != "auto" else self.family["nic_model"]
            udp = nic["udp"]
            out.append(InterfaceConfig(
                net_type=nic["kind"], source=nic["source"], mac=mac, model=model,
                udp_local=(udp["local_address"], udp["local_port"]) if udp else None,
                udp_remote=(udp["remote_address"], udp["remote_port"]) if udp else None))
        return out

    def user_networking(self, spec):
        """QEMU arguments for the spec's user-mode NICs; drivers without them refuse."""
        for index, nic in enumerate(spec["nics"]):
            if nic["kind"] == "user":
                raise SpecError(join(spec["path"], "nics[%d].user" % index),
                                "%s guests have no user-mode networking" % self.name)
        return []

    def _disk_key(self, target):
        return TARGET_PREFIX_RE.sub("", target) if self.shared_disk_numbers else target

    def _next_target(self, prefix, used, path):
        for letter in string.ascii_lowercase:
            if self._disk_key(prefix + letter) not in used:
                return prefix + letter
        raise SpecError(path, "no target left: more than 26 disks on the %s bus; give target (for example %saa)"
                        % (prefix, prefix))


class QemuProfile(Profile):
    """KVM and plain QEMU (TCG): virtio devices, a serial console, an x86 machine."""

    name = "QEMU/KVM"
    domain_types = ("kvm", "qemu")
    os_types = ("hvm",)
    features = ("acpi", "apic")
    accepts_cpu_model = True
    hotplug_channels = True

    def cdrom_preference(self, spec):
        # q35 has no IDE; machines without the PC legacy (aarch64 virt, s390x) take SCSI,
        # which libvirt gives a controller for.
        if "q35" in self.machine_of(spec):
            return ("sata", "scsi")
        if self.guest.arch.name in ("x86_64", "i686"):
            return ("ide", "sata", "scsi")
        return ("scsi", "sata", "usb")

    def cpu(self, spec):
        # Under KVM the guest sees the host's CPU as closely as migration allows, where
        # the host offers that; TCG emulates its own default model.
        if self.domain_type == "kvm" and self.domcaps is not None and any(
                m.name == "host-model" and m.supported for m in self.domcaps.cpu_modes):
            return CPUConfig(mode="host-model")
        return None

    def controllers(self, spec):
        # QEMU cannot hot-plug a virtio-serial controller, only ports on one: every guest
        # gets the controller, so a channel can be added later without a restart.
        return [ControllerConfig("virtio-serial", 0)] if self.family["channel_target"] == "virtio" else []

    # libvirt 9.0 forwards host ports into user-mode networking only with passt, which
    # is not everywhere: QEMU's own -netdev user does it, passed through
    # <qemu:commandline>. The NIC gets a fixed PCI slot counted down from 0x1e, out of
    # the way of the slots libvirt hands out from the bottom up.
    USER_NIC_FIRST_SLOT = 0x1e

    def user_networking(self, spec):
        args = []
        users = [n for n in spec["nics"] if n["kind"] == "user"]
        for number, nic in enumerate(users):
            netdev = "virtops-user%d" % number
            forwards = "".join(self._user_options(nic["user"]))
            model = nic["model"] if nic["model"] not in ("auto", "virtio") else "virtio-net-pci"
            device = "%s,netdev=%s,addr=0x%x" % (model, netdev, self.USER_NIC_FIRST_SLOT - number)
            if nic["mac"]:
                device += ",mac=%s" % nic["mac"]
            args.extend(["-netdev", "user,id=%s%s" % (netdev, forwards), "-device", device])
        return args

    @staticmethod
    def _user_options(user):
        if user["net"]:
            yield ",net=%s" % user["net"]
        if user["restrict"]:
            # The guest then reaches only what is forwarded to it, DNS included.
            yield ",restrict=on"
        for fwd in user["forwards"]:
            yield ",hostfwd=%s:%s:%d-:%d" % (fwd["protocol"], fwd["host_address"], fwd["host_port"], fwd["guest_port"])

    def can_hotplug_channel(self, live_root):
        return self.hotplug_channels and any(
            c.get("type") == "virtio-serial" for c in live_root.findall("devices/controller"))


class TestDriverProfile(QemuProfile):
    """libvirt's in-process test driver, which stands in for QEMU in single-call tests."""

    name = "test driver"
    domain_types = ("test",)
    os_types = ("hvm",)
    hotplug_channels = False
    # Its guests run in libvirt's memory and never open a file or a bridge.
    uses_host_files = False
    # The test driver keeps no <qemu:commandline>, so it cannot take user-mode NICs.
    user_networking = Profile.user_networking


class XenPVProfile(Profile):
    """Xen paravirtualised guests: direct kernel or bootloader, PV console, xen devices."""

    name = "Xen PV"
    domain_types = ("xen",)
    # libxl channels: libvirt 2.3.0, Xen 4.5.
    channel_min_versions = (2003000, 4005000)
    os_types = PV_OS_TYPES
    # libvirt's capabilities call Xen PV "xen", and its domain XML keeps it as "linux"
    # (domain_conf.c converts it back for compatibility): write what it stores.
    stored_os_types = {"xen": "linux"}
    console_target = "xen"
    console_with_serial = False
    accepts_bootloader = True

    def check(self, spec):
        super(XenPVProfile, self).check(spec)
        # An existing guest keeps its own kernel or bootloader when the spec names neither.
        if not spec.get("kernel") and not spec.get("bootloader") and not spec.get("existing"):
            raise SpecError(join(spec["path"], "kernel"), "a Xen PV guest needs kernel or bootloader")


class XenHVMProfile(Profile):
    """Xen fully virtualised guests: firmware loader from capabilities, PV drivers on top."""

    name = "Xen HVM"
    domain_types = ("xen",)
    channel_min_versions = (2003000, 4005000)
    os_types = ("hvm",)
    features = ("acpi", "apic", "pae")
    shared_disk_numbers = True

    def os_config(self, spec):
        cfg = super(XenHVMProfile, self).os_config(spec)
        cfg.loader = self.guest.arch.loader
        return cfg

    cdrom_buses = ("ide",)
    # No netfront: an HVM guest without PV drivers would have no network. libvirt's
    # default emulated NIC is unplugged in favour of netfront by guests that have them.
    family_overrides = {"nic_model": None}


PROFILES = (QemuProfile, TestDriverProfile, XenPVProfile, XenHVMProfile)


def profile_class(domain_type, os_type):
    for cls in PROFILES:
        if cls.matches(domain_type, os_type):
            return cls
    return None


def store_os_type(root):
    """Raw XML's os type as the driver stores it (Xen PV: xen -> linux), in place."""
    node = root.find("os/type")
    if node is not None and node.text:
        cls = profile_class(root.get("type"), node.text.strip())
        if cls is not None:
            node.text = cls.stored_os_types.get(node.text.strip(), node.text.strip())
    return root


def for_domain(caps, domain_type, os_type, arch, domcaps_for=None):
    """The profile of an existing domain (its type, os type and arch), or None."""
    cls = profile_class(domain_type, os_type)
    if cls is None:
        return None
    os_type = cls.capability_os_type(os_type)
    guest = caps.guest_for(arch, os_type, domain_type)
    if guest is None:
        return None
    domcaps = domcaps_for(arch, domain_type, os_type) if domcaps_for else None
    return cls(guest, domain_type, domcaps)


def select(caps, spec, image_format="qcow2", domcaps_for=None, unusable=None):
    """The profile for ``spec`` on a host with capabilities ``caps``.

    ``domcaps_for(arch, domain_type, os_type)`` returns DomainCapabilities or None.
    ``unusable`` ({domain type: reason}) are never chosen by default; a spec that names
    one still gets it (a PVM host runs PVM-built kernels under ``kvm``).
    """
    path = spec["path"]
    boot, dtype, arch = spec["boot"], spec.get("domain_type"), spec.get("arch")
    archs = sorted(set(g.arch.name for g in caps.guests))
    if arch and arch not in archs:
        raise SpecError(join(path, "arch"), "%s is not offered here (offered: %s)" % (arch, ", ".join(archs)))
    dtypes = caps.domain_types
    if dtype and dtype not in dtypes:
        raise SpecError(join(path, "domain_type"), "%s is not offered here (offered: %s)" % (dtype, ", ".join(dtypes)))

    def accept(guest, domain_type):
        if dtype and domain_type != dtype:
            return False
        if boot == "pv" and guest.os_type not in PV_OS_TYPES:
            return False
        if boot == "hvm" and guest.os_type != "hvm":
            return False
        return profile_class(domain_type, guest.os_type) is not None

    guest, chosen = choose_guest(caps, arch, accept, None if dtype else unusable)
    if guest is None:
        raise SpecError(join(path, "boot"), "no %s guest of a supported driver is offered here for arch %s%s" % (
            {"auto": "", "pv": "PV", "hvm": "HVM"}[boot], arch or caps.host.cpu.arch,
            " and domain type %s" % dtype if dtype else ""))
    domcaps = domcaps_for(guest.arch.name, chosen, guest.os_type) if domcaps_for else None
    return profile_class(chosen, guest.os_type)(guest, chosen, domcaps, image_format)
