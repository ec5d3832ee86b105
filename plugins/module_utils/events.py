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

_LOOP = {"started": False}
_LOCK = threading.Lock()

# virDomainEventType names, by value.
EVENT_NAMES = ("defined", "undefined", "started", "suspended", "resumed", "stopped",
               "shutdown", "pmsuspended", "crashed")


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


class LifecycleWatcher(object):
    """Records lifecycle events of all domains on one connection from the moment it is made.

    Register it *before* acting on a domain, then ``wait_for`` the event: nothing that
    happens in between is lost.
    """

    def __init__(self, conn, libvirt):
        self._libvirt = libvirt
        self._cond = threading.Condition()
        self._events = {}
        self._conn = conn
        self._callback_id = conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._on_event, None)

    def _on_event(self, _conn, dom, event, detail, _opaque):
        with self._cond:
            name = EVENT_NAMES[event] if 0 <= event < len(EVENT_NAMES) else str(event)
            self._events.setdefault(dom.UUIDString(), []).append(
                {"event": name, "detail": detail, "at": time.time()})
            self._cond.notify_all()

    def mark(self, uuid):
        """Position in the domain's event list; wait_for looks only at later events."""
        with self._cond:
            return len(self._events.get(uuid, []))

    def wait_for(self, uuid, names, timeout, since=0):
        """The first event named in ``names`` after position ``since``, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events.get(uuid, [])[since:]:
                    if event["event"] in names:
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)

    def close(self):
        try:
            self._conn.domainEventDeregisterAny(self._callback_id)
        except self._libvirt.libvirtError:
            pass


class DeviceRemovedWatcher(object):
    """Records device-removed events (by device alias) of one domain.

    Hot-unplug can finish after ``detachDeviceFlags`` returns; the event says when.
    """

    def __init__(self, conn, libvirt, dom):
        self._libvirt = libvirt
        self._conn = conn
        self._cond = threading.Condition()
        self._aliases = []
        self._callback_id = conn.domainEventRegisterAny(
            dom, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, self._on_event, None)

    def _on_event(self, _conn, _dom, alias, _opaque):
        with self._cond:
            self._aliases.append(alias)
            self._cond.notify_all()

    def mark(self):
        with self._cond:
            return len(self._aliases)

    def wait_for(self, alias, timeout, since=0):
        """``alias`` once its removal event arrived after position ``since``, else None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while alias not in self._aliases[since:]:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return alias

    def close(self):
        try:
            self._conn.domainEventDeregisterAny(self._callback_id)
        except self._libvirt.libvirtError:
            pass
