# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Put what a spec says into libvirt's own tree of a domain, and nothing else.

A redefine starts from libvirt's current inactive XML, so what the spec does not own
survives it: ``<metadata>``, ``<description>``, ``<cputune>``, ``<seclabel>``, devices and
elements other tools added, and every device's ``<address>`` and ``<alias>`` (new PCI
addresses would rename NICs inside the guest). Devices are matched by identity, not by
position: a NIC by its MAC, then by its type and source; a disk by its target, then by
its source. A spec device that matches nothing is added (libvirt gives it a MAC and an
address); a device of a kind the spec owns that the spec no longer names is removed.

The result is the XML that will be defined, so a check-mode diff and the real run's
diff are the same by construction.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re
import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.compare import (
    KEYED_CHILDREN, OWNED_CHILDREN)

# Elements whose attributes are replaced as a whole: a NIC moved from a network to a
# bridge must not keep network='…' beside bridge='…'.
REPLACE_ATTRIBUTES = ("source",)


def _attr(path, name, fold=None):
    def key(node):
        child = node if path is None else node.find(path)
        value = None if child is None else child.get(name)
        return fold(value) if fold and value is not None else value
    return key


def _type_and_source(node):
    source = node.find("source")
    return (node.get("type"), tuple(sorted(source.attrib.items())) if source is not None else ())


# How a device is told apart, best evidence first; what matches nothing falls back to
# its position among the devices of its kind that are left.
IDENTITY = {
    "interface": (_attr("mac", "address", str.lower), _type_and_source),
    "disk": (_attr("target", "dev"), _type_and_source),
    "channel": (_attr("target", "name"),),
    "filesystem": (_attr("target", "dir"),),
    "graphics": (_attr(None, "type"),),
}


def _keyed(tag):
    keys = KEYED_CHILDREN.get(tag)
    if keys is None:
        return None
    return (lambda node: tuple(node.get(k) for k in keys),)


def _known(value):
    return value is not None and value != (None, ())


def match(tag, wanted, have):
    """Pairs (mine, theirs or None) for the spec's ``wanted`` children of one tag."""
    keys = IDENTITY.get(tag) or _keyed(tag)
    paired, free = {}, list(range(len(have)))
    for key in keys or ():
        for i, mine in enumerate(wanted):
            value = key(mine)
            if i in paired or not _known(value):
                continue
            j = next((j for j in free if key(have[j]) == value), None)
            if j is not None:
                paired[i] = j
                free.remove(j)
    if keys is None or tag in IDENTITY:
        # A device without an identity of its own (a NIC without a MAC) takes the place
        # of the first one left of its kind; one that names its identity and matched
        # nothing is new. Elements without identity rules pair by position.
        for i, mine in enumerate(wanted):
            if i in paired or not free or (keys and _known(keys[0](mine))):
                continue
            paired[i] = free.pop(0)
    return [(mine, have[paired[i]] if i in paired else None) for i, mine in enumerate(wanted)]


def merge_into(actual, desired, owned=None):
    """Merge ``desired`` (built from the spec) into ``actual`` (libvirt's), in place.

    ``owned`` (default OWNED_CHILDREN): the kinds of children whose unnamed ones go.
    """
    owned = OWNED_CHILDREN if owned is None else owned
    if desired.tag in REPLACE_ATTRIBUTES:
        actual.attrib.clear()
    actual.attrib.update(desired.attrib)
    if (desired.text or "").strip():
        actual.text = desired.text
    order, kept = [], set()
    for child in desired:
        if child.tag not in order:
            order.append(child.tag)
    for tag in order:
        for mine, theirs in match(tag, [c for c in desired if c.tag == tag], [c for c in actual if c.tag == tag]):
            if theirs is None:
                theirs = copy.deepcopy(mine)
                _insert(actual, theirs)
            else:
                merge_into(theirs, mine, owned)
            kept.add(id(theirs))
    # Of the kinds the spec owns, what it did not name goes (a tag it left out entirely too).
    mine = owned.get(desired.tag, ())
    for node in [c for c in actual if c.tag in mine and id(c) not in kept]:
        actual.remove(node)
    return actual


def _insert(parent, node):
    """After the last sibling of its kind, where libvirt would list it; else at the end."""
    last = None
    for index, child in enumerate(parent):
        if child.tag == node.tag:
            last = index
    if last is None:
        parent.append(node)
    else:
        parent.insert(last + 1, node)


def merged(actual_root, desired_root, owned=None):
    """A new tree: libvirt's ``actual_root`` with the spec's ``desired_root`` put in."""
    return merge_into(copy.deepcopy(actual_root), desired_root, owned)


def inherit_identity(root, actual_root):
    """Raw XML the user owns whole: give it the existing domain's UUID, and each NIC
    without a MAC the MAC of the NIC it is (by type and source, else by position)."""
    if actual_root is None:
        return root
    uuid = actual_root.find("uuid")
    if root.find("uuid") is None and uuid is not None and uuid.text:
        node = copy.deepcopy(uuid)
        node.tail = None
        root.insert(1, node)
    devices = root.find("devices")
    if devices is None:
        return root
    have = actual_root.findall("devices/interface")
    for mine, theirs in match("interface", devices.findall("interface"), have):
        mac = theirs.find("mac") if theirs is not None else None
        if mine.find("mac") is None and mac is not None:
            mine.insert(0, copy.deepcopy(mac))
    return root


XMLNS_RE = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)=["']([^"']+)["']""")


def keep_prefixes(xml_text):
    """ElementTree forgets namespace prefixes and writes ns0:, ns1:; libvirt keeps a
    <metadata> element's prefix as it was given. Registering the prefixes the domain's
    own XML uses makes a redefine write them back unchanged."""
    for prefix, uri in XMLNS_RE.findall(xml_text or ""):
        if re.match(r"ns\d+$", prefix):
            continue  # ElementTree reserves these; it writes them the same way itself
        try:
            ET.register_namespace(prefix, uri)
        except ValueError:
            pass
