# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt_channel's whole run: check, connect, plan, carry out, send, report.

``converge()`` is what the module calls. Every option and every combination is checked
(``request.check``) before libvirt is even imported; the device is planned from the
domain's definition (``device.plan``) and, outside check mode, carried out through the
one redefine path of ``domain/``; ``send`` then writes the framed payload to the host end
libvirt reports and waits for the guest's acknowledgement.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, events
from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import device, hostend, request
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection


class Progress(object):
    """What a run got done, for its failure result: the device plan's completed steps."""

    def __init__(self):
        self.plan = None

    @property
    def done(self):
        return list(self.plan.done) if self.plan is not None else []


def converge(params, send, check_mode, diff, progress):
    """The module's result for ``params`` (``send`` is the payload option, unmasked).

    Raises the errors of ``errors.py``; ``progress`` then says what was already done.
    """
    uri = params["uri"] or connection.default_uri(detection.detect()["type"])
    wanted = request.check(params, send, uri)
    libvirt = connection.import_libvirt()
    # Device-removed events only arrive if the loop exists before the connection.
    events.start_event_loop(libvirt)
    conn = connection.open_connection(uri, libvirt_module=libvirt)
    watcher = None
    try:
        item = progress.plan = device.plan(conn, libvirt, wanted.domain, wanted.name, wanted.state,
                                           wanted.type, wanted.path, wanted.validate)
        request.send_target(item, wanted)

        kind, path = device.host_end(item.in_live)
        after_xml = item.desired_xml
        if not check_mode:
            if "detach_live" in item.actions:
                watcher = events.DeviceRemovedWatcher(conn, libvirt, item.dom)
            kind, path = device.apply(conn, libvirt, item, watcher, wanted.timeout)
            after_xml = device.persistent_xml(libvirt, item)
        sent = None
        if wanted.payload is not None:
            # No digest of the payload: from a log it would let anyone test guesses at a
            # low-entropy secret.
            sent = {"bytes": len(wanted.payload), "acknowledged": False}
            if not check_mode:
                kind, path = request.host_end_or_fail(kind, path, wanted)
                hostend.send(kind, path, wanted.payload, wanted.timeout)
                sent["acknowledged"] = True
    finally:
        if watcher is not None:
            watcher.close()
        conn.close()

    result = {
        "changed": item.changed or sent is not None,
        "uri": uri,
        "actions": item.actions,
        "restart_required": item.restart_required,
    }
    if wanted.state == "present":
        result["channel"] = {"name": wanted.name, "target_type": item.desired.target_type,
                             "source_type": item.desired.source_type, "path": path}
    if sent is not None:
        result["sent"] = sent
    if diff and item.changed:
        header = "%s %s (persistent)" % (wanted.domain, wanted.name)
        result["diff"] = {"before": item.xml(item.in_config), "after": after_xml,
                          "before_header": header, "after_header": header}
    return result
