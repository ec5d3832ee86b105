# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a spec owns of an existing domain: the parts it names, and nothing else.

A spec for a new domain owns all of it. For an existing domain, a key the spec leaves
out keeps the domain's current value:

- ``memory`` owns <memory> and <currentMemory>; ``vcpus`` owns <vcpu>; ``cpu_model``
  owns <cpu>;
- ``disks`` owns every <disk>, ``nics`` every <interface> (and the user-mode NICs in
  <qemu:commandline>), ``channels`` every <channel>, ``graphics`` every <graphics>,
  ``serial_console``/``console_log`` the <serial> and <console>;
- ``kernel``, ``initrd``, ``cmdline`` and ``bootloader`` own those elements;
- what the host decides (domain type, arch, machine, os type) is taken from the existing
  domain unless ``domain_type``, ``arch``, ``machine`` or ``boot`` are given.

So ``{name: x, state: running}`` converges the run state only, and ``libvirt_domain``
leaves a channel that ``libvirt_channel`` added alone unless its spec has ``channels``.
To remove every device of a kind, give the key an empty list (``channels: []``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.compare import (
    OWNED_CHILDREN, QEMU_NS)

COMMANDLINE = "{%s}commandline" % QEMU_NS

# spec key -> (parent tag, child tags) of OWNED_CHILDREN it owns.
CHILDREN_BY_KEY = {
    "disks": ("devices", ("disk",)),
    "nics": ("devices", ("interface",)),
    "channels": ("devices", ("channel",)),
    "graphics": ("devices", ("graphics",)),
    "serial_console": ("devices", ("serial",)),
    "console_log": ("devices", ("serial",)),
    "kernel": ("os", ("kernel",)),
    "initrd": ("os", ("initrd",)),
    "cmdline": ("os", ("cmdline",)),
    "bootloader": ("domain", ("bootloader",)),
}
# spec key -> top-level elements of the built XML it owns.
ELEMENTS_BY_KEY = {
    "memory": ("memory", "currentMemory"),
    "vcpus": ("vcpu",),
    "cpu_model": ("cpu",),
}
# Device kinds no spec key owns, written only for new domains.
UNNAMED_DEVICES = ("console",)
HOST_VALUES = ("domain_type", "arch", "machine", "boot")


def owned_children(given):
    """OWNED_CHILDREN narrowed to what the keys in ``given`` own (None: everything)."""
    if given is None:
        return OWNED_CHILDREN
    mine = set()
    for key, (parent, children) in CHILDREN_BY_KEY.items():
        if key in given:
            mine.update((parent, child) for child in children)
    if "nics" in given:
        mine.add(("domain", COMMANDLINE))
    out = {}
    for parent, children in OWNED_CHILDREN.items():
        if parent in ("devices", "os", "domain"):
            # Only what a given key names: the loader, host devices and filesystems of an
            # existing domain are none of the spec's business.
            out[parent] = tuple(c for c in children if (parent, c) in mine)
        else:
            out[parent] = children
    return out


def prune(root, given):
    """Drop from the built XML what an existing domain keeps because the spec does not name it."""
    if given is None:
        return root
    for key, tags in ELEMENTS_BY_KEY.items():
        if key not in given:
            for tag in tags:
                for node in root.findall(tag):
                    root.remove(node)
    devices = root.find("devices")
    owned = owned_children(given)
    if devices is not None:
        for node in list(devices):
            if node.tag in OWNED_CHILDREN["devices"] and node.tag not in owned["devices"]:
                devices.remove(node)
            elif node.tag in UNNAMED_DEVICES and "serial" not in owned["devices"]:
                devices.remove(node)
    os_node = root.find("os")
    if os_node is not None:
        for node in list(os_node):
            if node.tag in OWNED_CHILDREN["os"] and node.tag not in owned["os"] and node.tag != "loader":
                os_node.remove(node)
    for node in list(root):
        if node.tag in OWNED_CHILDREN["domain"] and node.tag not in owned["domain"]:
            root.remove(node)
    return root


def with_host_values(spec, before_root):
    """``spec`` with the existing domain's domain type, arch, machine and boot mode where
    the spec names none, so an omitted key does not flip ``qemu`` to ``kvm``."""
    if before_root is None:
        return spec
    out = dict(spec, existing=True)
    if out.get("memory_kib") is None:
        # Built only to be pruned: the domain keeps its own.
        out["memory_kib"] = int(before_root.findtext("memory") or 0) or 16 * 1024
    os_type = before_root.find("os/type")
    if not out.get("domain_type"):
        out["domain_type"] = before_root.get("type")
    if os_type is not None:
        if not out.get("arch"):
            out["arch"] = os_type.get("arch")
        if not out.get("machine"):
            out["machine"] = os_type.get("machine")
        if out.get("boot", "auto") == "auto" and "boot" not in (spec.get("given") or ()):
            text = (os_type.text or "").strip()
            out["boot"] = "hvm" if text == "hvm" else ("pv" if text in ("xen", "linux", "xenpvh") else "auto")
    return out
