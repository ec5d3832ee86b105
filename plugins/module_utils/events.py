# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait for domain lifecycle changes through libvirt's events, never by polling.

libvirt delivers events through the default event loop implementation; it has to be
registered before the connection is opened, and run in a thread of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection

_LOOP = {"started": False}
_LOCK = threading.Lock()

# virDomainEventType names, by value.
EVENT_NAMES = ("defined", "undefined", "started", "suspended", "resumed", "stopped",
               "shutdown", "pmsuspended", "crashed")
# Per event, its virDomainEvent*DetailType names by value (libvirt-domain.h).
DETAIL_NAMES = {
    "defined": ("added", "updated", "renamed", "from_snapshot"),
    "undefined": ("removed", "renamed"),
    "started": ("booted", "migrated", "restored", "from_snapshot", "wakeup"),
    "suspended": ("paused", "migrated", "ioerror", "watchdog", "restored", "from_snapshot",
                  "api_error", "postcopy", "postcopy_failed"),
    "resumed": ("unpaused", "migrated", "from_snapshot", "postcopy", "postcopy_failed"),
    "stopped": ("shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from_snapshot"),
    "shutdown": ("finished", "guest", "host"),
    "pmsuspended": ("memory", "disk"),
    "crashed": ("panicked", "crashloaded"),
}


def detail_name(event, detail):
    """libvirt's name of an event's detail (``destroyed``), or the number if it is new."""
    names = DETAIL_NAMES.get(event, ())
    return names[detail] if 0 <= detail < len(names) else str(detail)


def start_event_loop(libvirt):
    """Register and run libvirt's default event loop once per process."""
    with _LOCK:
        if _LOOP["started"]:
            return
        libvirt.virEventRegisterDefaultImpl()

        def run():
            while True:
                libvirt.virEventRunDefaultImpl()

        thread = threading.Thread(target=run, name="libvirt-events")
        thread.daemon = True
        thread.start()
        _LOOP["started"] = True


class _EventLog(object):
    """Events of one kind, kept per key from the moment of registration.

    Register *before* acting on a domain, then wait: nothing that happens in between
    is lost. Waiters block on a condition the event loop thread notifies.
    """

    def __init__(self, conn, libvirt, dom, event_id, callback):
        self._libvirt = libvirt
        self._conn = conn
        self._cond = threading.Condition()
        self._events = {}
        self._callback_id = connection.call(conn, "domainEventRegisterAny", dom, event_id, callback, None)

    def _record(self, key, entry):
        with self._cond:
            self._events.setdefault(key, []).append(entry)
            self._cond.notify_all()

    def _mark(self, key):
        with self._cond:
            return len(self._events.get(key, []))

    def _wait(self, key, match, timeout, since):
        """The first entry of ``key`` after position ``since`` that ``match``es, or None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for entry in self._events.get(key, [])[since:]:
                    if match(entry):
                        return entry
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def close(self):
        try:
            self._conn.domainEventDeregisterAny(self._callback_id)
        except self._libvirt.libvirtError:
            pass


class LifecycleWatcher(_EventLog):
    """Lifecycle events of all domains on one connection, by domain UUID."""

    def __init__(self, conn, libvirt):
        super(LifecycleWatcher, self).__init__(conn, libvirt, None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               self._on_event)

    def _on_event(self, _conn, dom, event, detail, _opaque):
        name = EVENT_NAMES[event] if 0 <= event < len(EVENT_NAMES) else str(event)
        self._record(dom.UUIDString(), {"event": name, "detail": detail_name(name, detail), "at": time.time()})

    def mark(self, uuid):
        """Position in the domain's event list; wait_for looks only at later events."""
        return self._mark(uuid)

    def wait_for(self, uuid, names, timeout, since=0):
        """The first event named in ``names`` after position ``since``, or None on timeout."""
        return self._wait(uuid, lambda event: event["event"] in names, timeout, since)


class DeviceRemovedWatcher(_EventLog):
    """Device-removed events (by device alias) of one domain.

    Hot-unplug can finish after ``detachDeviceFlags`` returns; the event says when.
    """

    def __init__(self, conn, libvirt, dom):
        super(DeviceRemovedWatcher, self).__init__(conn, libvirt, dom, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                                   self._on_event)

    def _on_event(self, _conn, _dom, alias, _opaque):
        self._record(None, alias)

    def mark(self):
        return self._mark(None)

    def wait_for(self, alias, timeout, since=0):
        """``alias`` once its removal event arrived after position ``since``, else None."""
        return self._wait(None, lambda removed: removed == alias, timeout, since)
