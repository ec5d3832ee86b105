# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run-state transitions: one table per wanted state, and the calls that carry them out.

The table is keyed on libvirt's own virDomainState values, so a state the table does not
know is an error, not a silent "nothing to do". Each action waits for the lifecycle event
that confirms it; a driver that sends a different one than QEMU is handled by waiting for
the event every driver sends and reading the state afterwards.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtCallError, UnknownStateError, WaitTimeoutError)

# virDomainState values (libvirt ABI).
NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = range(8)
STATE_NAMES = {NOSTATE: "nostate", RUNNING: "running", BLOCKED: "running", PAUSED: "paused",
               SHUTDOWN: "running", SHUTOFF: "shutoff", CRASHED: "crashed", PMSUSPENDED: "pmsuspended"}

SHUTDOWN_MODES = ("graceful", "force", "graceful_then_force")

# Wanted state -> {current state: actions}. A guest that is being shut down (SHUTDOWN) is
# still running; BLOCKED is running but waiting on a resource.
_RUNNING = {RUNNING: [], BLOCKED: [], SHUTDOWN: [], PAUSED: ["resume"], PMSUSPENDED: ["wakeup"],
            CRASHED: ["destroy", "start"], SHUTOFF: ["start"]}
_PAUSED = {RUNNING: ["suspend"], BLOCKED: ["suspend"], SHUTDOWN: ["suspend"], PAUSED: [],
           PMSUSPENDED: ["wakeup", "suspend"], CRASHED: ["destroy", "start_paused"],
           SHUTOFF: ["start_paused"]}
# A paused or suspended guest cannot answer ACPI: wake it first, unless forcing anyway.
_SHUTDOWN = {RUNNING: ["shutdown"], BLOCKED: ["shutdown"], SHUTDOWN: ["shutdown"],
             PAUSED: ["resume", "shutdown"], PMSUSPENDED: ["wakeup", "shutdown"],
             CRASHED: ["destroy"], SHUTOFF: []}
_SHUTDOWN_FORCED = dict(_SHUTDOWN)
_SHUTDOWN_FORCED.update({PAUSED: ["destroy"], PMSUSPENDED: ["destroy"]})
_ABSENT = dict((state, ["destroy", "undefine"]) for state in STATE_NAMES)
_ABSENT[SHUTOFF] = ["undefine"]
TABLES = {"running": _RUNNING, "paused": _PAUSED, "shutdown": _SHUTDOWN, "absent": _ABSENT}

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


def actions_for(want, state, persistent=True, shutdown_mode="graceful"):
    """The actions that take a domain in ``state`` to ``want``; raises on an unknown state."""
    if want == "present":
        return []
    table = _SHUTDOWN_FORCED if (want == "shutdown" and shutdown_mode == "force") else TABLES[want]
    if state not in table:
        raise UnknownStateError("the domain is in state %s (%s), which no transition to %s is known from"
                                % (state, STATE_NAMES.get(state, "unknown"), want))
    actions = list(table[state])
    if want == "absent" and not persistent:
        # A transient domain is gone once destroyed: there is no definition to remove.
        actions = [a for a in actions if a != "undefine"]
    return actions


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
            dom.undefineFlags(flags)
            return flags
        except libvirt.libvirtError as exc:
            if exc.get_error_code() not in refused:
                raise LibvirtCallError("undefineFlags", exc.get_error_message() or str(exc))
            last = exc
    raise LibvirtCallError("undefineFlags", last.get_error_message() or str(last))


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


def _identity(dev):
    if dev.tag == "disk":
        return (dev.find("target").get("dev") if dev.find("target") is not None else None)
    if dev.tag == "interface":
        return (dev.find("mac").get("address") if dev.find("mac") is not None else None)
    if dev.tag == "channel":
        return (dev.find("target").get("name") if dev.find("target") is not None else None)
    return None


def _scalar(root, path):
    node = root.find(path)
    if node is None:
        return None
    return ((node.text or "").strip(), node.get("unit"), node.get("mode"), node.findtext("model"))


def pending_until_restart(live_root, new_root):
    """What a running domain only sees at its next boot: the parts of its new definition
    that differ from what it runs with, by name (``memory``, ``devices/disk[vdb]``)."""
    pending = []
    for path in ("memory", "currentMemory", "vcpu", "cpu"):
        if _scalar(live_root, path) != _scalar(new_root, path):
            pending.append(path)
    for tag in ("disk", "interface", "channel"):
        live = set(_identity(d) for d in live_root.findall("devices/" + tag))
        new = set(_identity(d) for d in new_root.findall("devices/" + tag))
        for ident in sorted((live ^ new) - set([None])):
            pending.append("devices/%s[%s]" % (tag, ident))
    return pending
