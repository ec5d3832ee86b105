# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a client should use on a host, derived only from capabilities and detection.

The policy is a handful of tables instead of "if kvm" branches: which domain type to
prefer, which os type is the PV one, and which paravirtual device family goes with a
(domain type, os type) pair. A new driver is a new table row.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Hardware-assisted or native types first; plain emulation (qemu/TCG) only when nothing
# better is offered.
DOMAIN_TYPE_PREFERENCE = ("kvm", "xen", "hvf", "bhyve", "vz", "lxc", "test", "qemu")

# Per domain type, os types in order of preference (None: every other domain type).
# Xen guests are PV unless asked otherwise; elsewhere a PV os type is an oddity (xenner
# under KVM) and comes last. os types not listed sort after the listed ones.
OS_TYPE_PREFERENCE = {
    "xen": ("xen", "xenpvh", "hvm"),
    None: ("hvm", "exe", "xen", "xenpvh"),
}

PV_OS_TYPES = ("xen", "xenpvh", "linux")

# Paravirtual device families.
VIRTIO = {"disk_bus": "virtio", "nic_model": "virtio", "channel_target": "virtio"}
XEN = {"disk_bus": "xen", "nic_model": "netfront", "channel_target": "xen"}
NO_DEVICES = {"disk_bus": None, "nic_model": None, "channel_target": None}

# (domain type, os type) -> device family; None matches any os type.
DEVICE_FAMILIES = (
    ("xen", None, XEN),
    (None, "xen", XEN),
    (None, "xenpvh", XEN),
    (None, "linux", XEN),
    (None, "exe", NO_DEVICES),
    (None, None, VIRTIO),
)

# Buses to fall back on, in order, when domain capabilities say the family's is missing.
DISK_BUS_FALLBACK = ("virtio", "xen", "scsi", "sata", "ide", "fdc")


def _rank(value, order):
    return order.index(value) if value in order else len(order)


def device_family(domain_type, os_type):
    for dtype, otype, family in DEVICE_FAMILIES:
        if dtype in (None, domain_type) and otype in (None, os_type):
            return family
    return NO_DEVICES


def devices_for(domain_type, os_type, domcaps=None):
    """The device family, its disk bus checked against the domain capabilities if known."""
    family = dict(device_family(domain_type, os_type))
    buses = domcaps.device_values("disk", "bus") if domcaps is not None else []
    if buses and family["disk_bus"] and family["disk_bus"] not in buses:
        family["disk_bus"] = next((b for b in DISK_BUS_FALLBACK if b in buses), buses[0])
    return family


def boot_mode_for(os_type):
    if os_type in PV_OS_TYPES:
        return "pv"
    if os_type == "hvm":
        return "hvm"
    return None


def unusable_domain_types(detection):
    """{domain type: reason} for types libvirt offers that cannot run an ordinary guest.

    libvirt offers ``kvm`` whenever /dev/kvm opens, PVM's included, so only the host's
    own evidence (``hypervisor`` facts) can rule it out; without it nothing is ruled out.
    """
    kvm = (detection or {}).get("kvm") or {}
    if kvm and kvm.get("usable") is False:
        return {"kvm": kvm.get("reason")}
    return {}


def choose_guest(caps, host_arch=None, accept=None, unusable=None):
    """Pick (guest, domain_type) a new guest should use, or (None, None).

    ``accept(guest, domain_type)`` narrows the candidates (a requested boot mode or
    domain type); the host's own arch wins over emulated ones when no arch is given.
    Domain types in ``unusable`` are never chosen.
    """
    candidates = [(guest, dtype) for guest in caps.guests for dtype in guest.domain_types
                  if dtype not in (unusable or {}) and (accept is None or accept(guest, dtype))]
    if not candidates:
        return None, None
    arch = host_arch or caps.host.cpu.arch
    native = [c for c in candidates if c[0].arch.name == arch]
    pool = native or ([] if host_arch else candidates)
    if not pool:
        return None, None
    pool.sort(key=lambda c: (_rank(c[1], DOMAIN_TYPE_PREFERENCE),
                             _rank(c[0].os_type, OS_TYPE_PREFERENCE.get(c[1], OS_TYPE_PREFERENCE[None]))))
    return pool[0]


def boot_modes(caps, detection=None):
    """The boot modes (``pv``, ``hvm``) guests of the host's own arch can use here.

    A Xen host without VT-x/AMD-V offers only PV os types, so ``hvm`` is missing;
    domain types the host's evidence rules out (a PVM ``/dev/kvm``) do not count.
    """
    unusable = unusable_domain_types(detection)
    arch = caps.host.cpu.arch
    modes = set()
    for guest in caps.guests:
        if arch and guest.arch.name != arch:
            continue
        if any(dtype not in unusable for dtype in guest.domain_types):
            mode = boot_mode_for(guest.os_type)
            if mode:
                modes.add(mode)
    return sorted(modes, key=lambda m: _rank(m, ("pv", "hvm")))


def recommend(caps, domcaps=None, detection=None):
    """Return the ``recommended`` facts.

    ``domcaps`` maps (arch, domain_type, os_type) to DomainCapabilities (may be empty);
    ``detection`` is the ``hypervisor`` facts dict when the host itself was inspected.
    """
    guest, dtype = choose_guest(caps, unusable=unusable_domain_types(detection))
    if guest is None:
        return {"domain_type": None, "os_type": None, "boot_mode": None, "arch": None,
                "disk_bus": None, "nic_model": None, "channel_target": None,
                "image_format": None, "emulator": None, "machine": None, "loader": None}
    family = devices_for(dtype, guest.os_type, (domcaps or {}).get((guest.arch.name, dtype, guest.os_type)))
    machines = guest.machines_for(dtype)
    canonical = [m for m in machines if m.canonical]
    # The versioned machine the default alias stands for: libvirt stores that one.
    machine = (canonical[0].canonical if canonical else (machines[0].name if machines else None))
    # An OVM3 server's storage repositories take raw images only.
    hv_type = (detection or {}).get("type")
    image_format = None
    if family["disk_bus"]:
        image_format = "raw" if hv_type == "ovm3" else "qcow2"
    out = {
        "domain_type": dtype,
        "os_type": guest.os_type,
        "boot_mode": boot_mode_for(guest.os_type),
        "arch": guest.arch.name,
        "emulator": guest.emulator_for(dtype),
        "machine": machine,
        "loader": guest.arch.loader,
        "image_format": image_format,
    }
    out.update(family)
    return out


def hypervisor_from_caps(caps):
    """The ``hypervisor`` facts a libvirt connection alone can support (remote/offline)."""
    evidence = ["libvirt_guest=%s/%s/%s" % (g.arch.name, g.os_type, t)
                for g in caps.guests for t in g.domain_types]
    types = caps.domain_types
    if "xen" in types:
        hv_type = "xen"
    elif "kvm" in types:
        hv_type = "kvm"
    else:
        hv_type = "none"
    return {
        "type": hv_type,
        "role": "host" if hv_type != "none" else "none",
        "evidence": evidence,
        "source": "libvirt",
    }
