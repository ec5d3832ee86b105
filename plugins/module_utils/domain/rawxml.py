# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw domain XML rewritten the way libvirt stores it, as a spec's XML is built.

libvirt keeps sizes in KiB, Xen PV's os type as ``linux``, a machine alias (``pc``) as
the versioned machine it stands for (``pc-i440fx-7.2``), MAC addresses and UUIDs in lower
case and PCI addresses with fixed hex widths. Raw XML that says the same in another
spelling must compare equal to what libvirt holds, or every rerun would define it again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare, profiles

# PCI address attribute -> how libvirt writes it (virPCIDeviceAddressFormat).
PCI_FORMATS = (("domain", "0x%04x"), ("bus", "0x%02x"), ("slot", "0x%02x"), ("function", "0x%x"))


def as_stored(root, caps=None):
    """``root`` (a <domain>) in libvirt's stored form, in place; ``caps`` (Capabilities)
    gives the machine aliases of the host."""
    compare.normalise_units(root)
    profiles.store_os_type(root)
    if caps is not None:
        _canonical_machine(root, caps)
    for node in root.iter("mac"):
        if node.get("address"):
            node.set("address", node.get("address").lower())
    uuid = root.find("uuid")
    if uuid is not None and uuid.text:
        uuid.text = uuid.text.strip().lower()
    for node in root.iter("address"):
        if node.get("type") == "pci":
            _pci(node)
    return root


def _canonical_machine(root, caps):
    node = root.find("os/type")
    if node is None or not node.get("machine"):
        return
    domain_type, os_type = root.get("type"), (node.text or "").strip()
    cls = profiles.profile_class(domain_type, os_type)
    if cls is not None:
        os_type = cls.capability_os_type(os_type)
    # Without an arch libvirt gives the guest the host's.
    arch = node.get("arch") or caps.host.cpu.arch
    guest = caps.guest_for(arch, os_type, domain_type)
    if guest is not None:
        node.set("machine", guest.canonical_machine(node.get("machine"), domain_type))


def _pci(node):
    for name, form in PCI_FORMATS:
        value = node.get(name)
        if value is None:
            continue
        try:
            node.set(name, form % int(value, 0))
        except ValueError:
            continue  # libvirt's schema check names it
