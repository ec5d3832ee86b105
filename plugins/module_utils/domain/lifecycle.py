# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run-state transitions: one table per wanted state, and what a restart would bring.

The tables are keyed on the names of libvirt's virDomainState values, which ``state_name``
reads from the binding's own ``VIR_DOMAIN_*`` constants: no copy of the ABI lives here.
A state the table does not know is an error, not a silent "nothing to do".
``service.py`` carries the actions out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import UnknownStateError

# virDomainState, by the suffix of its VIR_DOMAIN_* constant.
_STATES = ("NOSTATE", "RUNNING", "BLOCKED", "PAUSED", "SHUTDOWN", "SHUTOFF", "CRASHED", "PMSUSPENDED")
NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = (s.lower() for s in _STATES)
STATE_NAMES = tuple(s.lower() for s in _STATES)
# What results report: a guest that is blocked or being shut down is still running.
_REPORTED = {BLOCKED: RUNNING, SHUTDOWN: RUNNING}

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


def state_name(libvirt, code):
    """The name of libvirt's state ``code`` (``virDomainGetState``), e.g. ``"paused"``."""
    for state in _STATES:
        if getattr(libvirt, "VIR_DOMAIN_" + state, None) == code:
            return state.lower()
    return "unknown state %r" % (code,)


def reported(state):
    """The state a result reports for an internal state name; ``None`` means shut off."""
    return _REPORTED.get(state, state) if state is not None else SHUTOFF


def actions_for(want, state, persistent=True, shutdown_mode="graceful"):
    """The actions that take a domain in ``state`` to ``want``; raises on an unknown state."""
    if want == "present":
        return []
    table = _SHUTDOWN_FORCED if (want == "shutdown" and shutdown_mode == "force") else TABLES[want]
    if state not in table:
        raise UnknownStateError("the domain is in %s, which no transition to %s is known from"
                                % (state if state.startswith("unknown") else "state " + state, want))
    actions = list(table[state])
    if want == "absent" and not persistent:
        # A transient domain is gone once destroyed: there is no definition to remove.
        actions = [a for a in actions if a != "undefine"]
    return actions


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
