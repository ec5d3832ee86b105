# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assemble ``ansible_facts.virtops`` from host evidence and libvirt capabilities."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.domain_capabilities import (
    DomainCapabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.query import (
    domcaps_key, fetch_domain_capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import (
    boot_modes, hypervisor_from_caps, recommend)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtConnectionError, LibvirtUnavailableError)
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection, names


def offline_domain_capabilities(texts, caps):
    """Key offline domain capability dumps the way live ones are keyed."""
    found = {}
    for index, text in enumerate(texts or []):
        dc = DomainCapabilities.from_xml(text, "domain_capabilities_xml[%d]" % index)
        os_type = _os_type_for(caps, dc)
        found[(dc.arch, dc.domain, os_type)] = dc
    return found


def _os_type_for(caps, dc):
    """The os type of the capabilities guest a domain-capabilities dump belongs to."""
    matches = [g for g in caps.guests if g.arch.name == dc.arch and dc.domain in g.domain_types]
    for guest in matches:
        if dc.machine and dc.machine in [m.name for m in guest.machines_for(dc.domain)]:
            return guest.os_type
    return matches[0].os_type if matches else None


def libvirt_facts(caps, domcaps, detection_facts=None, uri=None, conn_info=None, errors=None,
                  available=None):
    """``available``: True when a live connection answered, None for an offline dump."""
    info = conn_info or {}
    return {
        "uri": uri,
        "available": available,
        "version": info.get("version"),
        "driver": info.get("driver"),
        "hypervisor_version": info.get("hypervisor_version"),
        "host": caps.host_dict(),
        "guests": caps.guests_list(),
        "domain_types": caps.domain_types,
        "domain_capabilities": dict((domcaps_key(*k), v.to_dict()) for k, v in domcaps.items()),
        "domain_capabilities_errors": errors or {},
        "boot_modes": boot_modes(caps, detection_facts),
        "recommended": recommend(caps, domcaps, detection_facts),
    }


def _conn_info(conn):
    info = {"version": connection.version_string(conn.getLibVersion()),
            "driver": conn.getType().lower()}
    try:
        info["hypervisor_version"] = connection.version_string(conn.getVersion())
    except Exception:  # pylint: disable=broad-except
        # Drivers without a hypervisor version (lxc on some hosts) raise here.
        info["hypervisor_version"] = None
    return info


def gather(uri=None, capabilities_xml=None, domain_capabilities_xml=None,
           root="/", run_command=None, domain_capabilities=True, libvirt_module=None, resolve=None):
    """Return (facts, warnings) for ``ansible_facts.virtops``.

    - ``capabilities_xml`` given: offline analysis of a dump; nothing local is read.
    - remote ``uri``: only what the connection says; nothing local is read.
    - otherwise: local evidence plus the local (or default) libvirt URI. Without an
      explicit ``uri`` an unreachable daemon is a warning, not a failure, because a
      host with no libvirt (an OVM3 server, bare metal) is still a valid answer.
    """
    warnings = []
    if capabilities_xml is not None:
        caps = Capabilities.from_xml(capabilities_xml, "capabilities_xml")
        domcaps = offline_domain_capabilities(domain_capabilities_xml, caps)
        hv = hypervisor_from_caps(caps)
        hv["source"] = "capabilities_xml"
        lv = libvirt_facts(caps, domcaps, hv, conn_info={"driver": _driver_from(caps)})
        return {"hypervisor": hv, "libvirt": lv}, warnings

    hv = None if connection.is_remote(uri) else detection.detect(root, run_command)
    if hv is not None:
        hv["names"] = names.read(root, resolve)
    effective_uri = uri or connection.default_uri(hv["type"])
    try:
        conn = connection.open_connection(effective_uri, libvirt_module=libvirt_module)
    except (LibvirtConnectionError, LibvirtUnavailableError) as exc:
        # A host without libvirt, or without its Python binding yet (before kvm_host
        # installs it), is still described by its own evidence.
        if uri is not None:
            raise
        warnings.append("libvirt not reachable at the default URI: %s" % exc)
        return with_xen_verdict({"hypervisor": hv, "libvirt": {"uri": effective_uri, "available": False,
                                                               "error": str(exc)}}), warnings
    try:
        caps = Capabilities.from_xml(connection.call(conn, "getCapabilities"), "capabilities")
        domcaps, errors = (fetch_domain_capabilities(conn, caps) if domain_capabilities else ({}, {}))
        info = _conn_info(conn)
        effective_uri = conn.getURI() or effective_uri
    finally:
        conn.close()
    if hv is None:
        hv = hypervisor_from_caps(caps)
    else:
        hv["evidence"] = hv["evidence"] + hypervisor_from_caps(caps)["evidence"]
    return with_xen_verdict({"hypervisor": hv,
                             "libvirt": libvirt_facts(caps, domcaps, hv, effective_uri, info, errors,
                                                      available=True)}), warnings


def with_xen_verdict(facts):
    """A dom0's verdict also holds libvirt's answer, once libvirt was asked: xen_host
    verifies with ``xen.usable`` alone."""
    xen = (facts["hypervisor"] or {}).get("xen")
    if xen:
        xen["usable"], xen["reason"] = detection.xen_verdict(xen, facts["libvirt"])
    return facts


# What virConnectGetType() would have said, for dumps analysed offline.
DRIVER_FOR_DOMAIN_TYPE = {"kvm": "qemu", "qemu": "qemu", "xen": "xen", "test": "test",
                          "lxc": "lxc", "bhyve": "bhyve", "vz": "vz", "hvf": "qemu"}


def _driver_from(caps):
    for dtype in caps.domain_types:
        if dtype in DRIVER_FOR_DOMAIN_TYPE:
            return DRIVER_FOR_DOMAIN_TYPE[dtype]
    return None
