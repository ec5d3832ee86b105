# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does libvirt's normalised XML already say what we want, and what did a change change?

libvirt fills in defaults (controllers, PCI addresses, machine versions, consoles), so
"already as wanted" means: every element and attribute we generate is present with the
same value in libvirt's inactive XML, and the device kinds we manage appear exactly as
often as we ask for. ``changed`` after a real run compares libvirt's XML before and after.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.config import QEMU_NS
from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import UNIT_FACTORS

# Children we own outright: an extra one in libvirt's XML means the domain differs.
OWNED_CHILDREN = {
    "devices": ("disk", "interface", "channel", "graphics", "serial", "filesystem", "hostdev"),
    "os": ("kernel", "initrd", "cmdline", "loader"),
    # Flags by presence: a writable disk or an ejected cdrom is one element fewer.
    "disk": ("readonly", "source"),
    # <cpu> is not owned: libvirt adds a default model for plain emulation.
    "domain": ("bootloader", "{%s}commandline" % QEMU_NS),
    "{%s}commandline" % QEMU_NS: ("{%s}arg" % QEMU_NS,),
}


# Children libvirt sorts its own way (controllers by type, then index): matched by these
# attributes rather than by position.
KEYED_CHILDREN = {"controller": ("type", "index")}


# Scaled integers libvirt keeps in KiB whatever unit they were given in.
KIB_ELEMENTS = ("memory", "currentMemory", "maxMemory", "memtune/hard_limit", "memtune/soft_limit",
                "memtune/swap_hard_limit", "memtune/min_guarantee")


def normalise_units(root):
    """Rewrite ``root``'s sizes as libvirt stores them (KiB, rounded up), in place, so
    raw XML that says 512 MiB compares equal to libvirt's 524288 KiB."""
    for path in KIB_ELEMENTS:
        node = root.find(path)
        if node is None:
            continue
        factor = UNIT_FACTORS.get((node.get("unit") or "KiB").lower())
        try:
            number = int((node.text or "").strip())
        except ValueError:
            continue  # libvirt's schema check names it
        if factor is None:
            continue
        node.text = str(-(-number * factor // 1024))
        node.set("unit", "KiB")
    return root


def _text(node):
    return (node.text or "").strip()


def contains(actual, desired, owned=None):
    """True when ``desired`` (our XML) is a sub-tree of ``actual`` (libvirt's).

    ``owned`` (default OWNED_CHILDREN) says which kinds of children must match in number:
    a spec that does not name a kind leaves the domain's as they are.
    """
    owned = OWNED_CHILDREN if owned is None else owned
    if actual.tag != desired.tag:
        return False
    for key, value in desired.attrib.items():
        if actual.get(key) != value:
            return False
    if _text(desired) and _text(desired) != _text(actual):
        return False
    wanted, present = {}, {}
    for child in desired:
        wanted.setdefault(child.tag, []).append(child)
    for child in actual:
        present.setdefault(child.tag, []).append(child)
    for tag in owned.get(desired.tag, ()):
        if len(wanted.get(tag, [])) != len(present.get(tag, [])):
            return False
    for tag, children in wanted.items():
        have = present.get(tag, [])
        if len(have) < len(children):
            return False
        keys = KEYED_CHILDREN.get(tag)
        if keys:
            for mine in children:
                key = tuple(mine.get(k) for k in keys)
                theirs = [c for c in have if tuple(c.get(k) for k in keys) == key]
                if len(theirs) != 1 or not contains(theirs[0], mine, owned):
                    return False
            continue
        # libvirt keeps the order of devices of one kind, so compare position by position.
        for mine, theirs in zip(children, have):
            if not contains(theirs, mine, owned):
                return False
    return True


def canonical(xml_text):
    """libvirt XML in a canonical form, so equal definitions compare equal as text."""
    if not xml_text:
        return ""
    root = ET.fromstring(xml_text)
    for node in root.iter():
        if node.text is not None and not node.text.strip():
            node.text = None
        if node.tail is not None and not node.tail.strip():
            node.tail = None
    if hasattr(ET, "indent"):  # Python >= 3.9
        ET.indent(root)
    return ET.canonicalize(ET.tostring(root, encoding="unicode"))
