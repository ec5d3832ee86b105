# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The libvirt calls that change a domain, each confirmed by its lifecycle event.

define, undefine (with a ladder of flags drivers may refuse), start, stop, pause, resume,
wake and the graceful shutdown with its fallback: what planners and roles act through."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    ConcurrentChangeError, LibvirtCallError, WaitTimeoutError)


def inactive_secure(libvirt):
    """The persistent definition with its secrets: without them a definition that has a
    graphics password never compares equal, and a redefine would drop the password."""
    return libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE


def define(conn, libvirt, xml, server_validate):
    """defineXMLFlags(xml), validated by the daemon when ``server_validate``.

    Raises ConcurrentChangeError when another client defined the name meanwhile.
    """
    flags = getattr(libvirt, "VIR_DOMAIN_DEFINE_VALIDATE", 0) if server_validate else 0
    try:
        return connection.call(conn, "defineXMLFlags", xml, flags, what="defineXML")
    except LibvirtCallError as exc:
        if exc.code in (libvirt.VIR_ERR_OPERATION_FAILED, libvirt.VIR_ERR_DOM_EXIST) and "already exists" in exc.detail:
            raise ConcurrentChangeError(exc.detail)
        raise


# action -> (virDomain method, its arguments' libvirt constant names, event that confirms it).
# A start in the paused state is confirmed by "started": libxl never sends "suspended" for it.
# A wake-up from pmsuspended is a "started" event (detail: wakeup) in QEMU.
CALLS = {
    "start": ("create", (), "started"),
    "start_paused": ("createWithFlags", ("VIR_DOMAIN_START_PAUSED",), "started"),
    "resume": ("resume", (), "resumed"),
    "suspend": ("suspend", (), "suspended"),
    "destroy": ("destroy", (), "stopped"),
    "wakeup": ("pMWakeup", ("0",), "started"),
}


def wait(watcher, uuid, names, timeout, since):
    event = watcher.wait_for(uuid, names, timeout, since)
    if event is None:
        raise WaitTimeoutError("no %s event within %ss" % ("/".join(names), timeout))
    return event


def do(libvirt, dom, uuid, action, watcher, timeout, shutdown_mode, remove_nvram):
    """Carry out one action and return the events that confirmed it."""
    since = watcher.mark(uuid)
    if action in CALLS:
        method, constants, event = CALLS[action]
        args = [0 if name == "0" else getattr(libvirt, name) for name in constants]
        connection.call(dom, method, *args)
        return [wait(watcher, uuid, (event,), timeout, since)]
    if action == "shutdown":
        return shutdown(dom, uuid, watcher, timeout, shutdown_mode, since)
    if action == "undefine":
        undefine(libvirt, dom, remove_nvram)
        return []
    raise ValueError(action)


def undefine_ladder(libvirt, remove_nvram):
    """undefineFlags values to try in turn: every clean-up first, then fewer.

    Drivers refuse flags for what they do not have (libxl: managed save only; test: few),
    with VIR_ERR_INVALID_ARG or VIR_ERR_NO_SUPPORT; a flag dropped is a clean-up the driver
    has nothing for. The NVRAM choice is never dropped: it decides whether a file goes.
    """
    nvram = (libvirt.VIR_DOMAIN_UNDEFINE_NVRAM if remove_nvram
             else getattr(libvirt, "VIR_DOMAIN_UNDEFINE_KEEP_NVRAM", 0))
    optional = (getattr(libvirt, "VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA", 0),
                libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
                libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
    rungs = []
    for dropped in range(len(optional) + 1):
        flags = nvram
        for flag in optional[dropped:]:
            flags |= flag
        rungs.append(flags)
    rungs.append(0)
    out = []
    for flags in rungs:
        if flags not in out:
            out.append(flags)
    return out


def undefine(libvirt, dom, remove_nvram):
    refused = (libvirt.VIR_ERR_INVALID_ARG, libvirt.VIR_ERR_NO_SUPPORT)
    last = None
    for flags in undefine_ladder(libvirt, remove_nvram):
        try:
            connection.call(dom, "undefineFlags", flags)
            return flags
        except LibvirtCallError as exc:
            if exc.code not in refused:
                raise
            last = exc
    raise last


def shutdown(dom, uuid, watcher, timeout, shutdown_mode, since):
    if shutdown_mode == "force":
        connection.call(dom, "destroy")
        return [wait(watcher, uuid, ("stopped",), timeout, since)]
    connection.call(dom, "shutdown")
    event = watcher.wait_for(uuid, ("stopped",), timeout, since)
    if event is not None:
        return [event]
    if shutdown_mode != "graceful_then_force":
        raise WaitTimeoutError("the guest did not shut down within %ss (the request was sent); "
                               "raise timeout or set shutdown_mode: graceful_then_force" % timeout)
    since = watcher.mark(uuid)
    connection.call(dom, "destroy")
    forced = wait(watcher, uuid, ("stopped",), timeout, since)
    forced["forced"] = True
    return [forced]
