# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Asking a libvirt connection for its domain capabilities."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.domain_capabilities import DomainCapabilities
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError


def domcaps_key(arch, domain_type, os_type):
    return "%s/%s/%s" % (arch, domain_type, os_type)


def domain_capabilities_for(conn, guest, dtype):
    """DomainCapabilities of one (guest, domain type); raises LibvirtCallError."""
    machines = [m.name for m in guest.machines_for(dtype) if m.name]
    xml = connection.call(conn, "getDomainCapabilities",
                          guest.emulator_for(dtype), guest.arch.name, None, dtype, 0)
    dc = DomainCapabilities.from_xml(xml, "domain capabilities")
    # A driver may default to a machine this os type does not offer (Xen answers for
    # HVM when asked about PV): ask again for one it does.
    if machines and dc.machine and dc.machine not in machines:
        xml = connection.call(conn, "getDomainCapabilities",
                              guest.emulator_for(dtype), guest.arch.name, machines[0], dtype, 0)
        dc = DomainCapabilities.from_xml(xml, "domain capabilities")
    return dc


def fetch_domain_capabilities(conn, caps):
    """Ask libvirt for the domain capabilities of every (arch, domain type, os type).

    Returns ({(arch, dtype, os_type): DomainCapabilities}, {key: error text}); drivers
    without the call (test, old ones) only leave an error entry.
    """
    found, errors = {}, {}
    for guest in caps.guests:
        for dtype in guest.domain_types:
            key = (guest.arch.name, dtype, guest.os_type)
            try:
                found[key] = domain_capabilities_for(conn, guest, dtype)
            except LibvirtCallError as exc:
                errors[domcaps_key(*key)] = exc.detail
    return found, errors
