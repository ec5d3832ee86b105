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

# virDomainEventType, by the suffix of its VIR_DOMAIN_EVENT_* constant. Values and detail
# names are read from the binding, so a libvirt that adds one needs no edit here.
EVENT_TYPES = ("defined", "undefined", "started", "suspended", "resumed", "stopped",
               "shutdown", "pmsuspended", "crashed")
_NAMES = {}


def _names(libvirt):
    """{event value: (name, {detail value: detail name})} from the binding's constants."""
    table = _NAMES.get(id(libvirt))
    if table is None:
        table = {}
        for event in EVENT_TYPES:
            prefix = "VIR_DOMAIN_EVENT_%s_" % event.upper()
            details = dict((getattr(libvirt, attr), attr[len(prefix):].lower()) for attr in dir(libvirt)
                           if attr.startswith(prefix) and not attr.endswith("_LAST"))
            value = getattr(libvirt, "VIR_DOMAIN_EVENT_" + event.upper(), None)
            if value is not None:
                table[value] = (event, details)
        _NAMES[id(libvirt)] = table
    return table


def event_names(libvirt, event, detail):
    """libvirt's names of a lifecycle event and its detail (``stopped``, ``destroyed``);
    a value this binding does not name comes back as its number."""
    name, details = _names(libvirt).get(event, (str(event), {}))
    return name, details.get(detail, str(detail))


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
        name, detail = event_names(self._libvirt, event, detail)
        self._record(dom.UUIDString(), {"event": name, "detail": detail, "at": time.time()})

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
