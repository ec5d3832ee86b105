# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry plans out in order, through the service layer.

A failure part-way raises StepError, and the results list then holds what every domain
already got, the failing one included."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare, lifecycle, redefine, service
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.results import result_of
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import ConcurrentChangeError, StepError, VirtopsError


def apply(conn, libvirt, plans, watcher, timeout=120, shutdown_mode="graceful", remove_nvram=False,
          results=None):
    """Carry out ``plans`` in order.

    ``results`` (appended to) holds every domain's entry as it goes, so on a StepError it
    tells what was done: the failing domain's entry has its completed ``steps``, its
    ``changed`` and ``failed_step``.
    """
    results = [] if results is None else results
    for item in plans:
        result = result_of(item, False, changed=False)
        results.append(result)
        results[-1] = _apply_one(conn, libvirt, item, watcher, timeout, shutdown_mode, remove_nvram, result)
    return results


def _define_fresh(conn, libvirt, item, result):
    """Define ``item``, planning it again if another client changed the domain meanwhile.

    Returns the plan that was carried out (``item`` or a fresh one) and the domain.
    """
    def replan(old):
        if old.planner is None:
            raise ConcurrentChangeError("%s: another client changed the domain after it was planned" % old.name)
        fresh = old.planner.again(old)
        result.update(result_of(fresh, False, changed=result["changed"]))
        return fresh
    done, dom = redefine.define(conn, libvirt, item.name, item, replan)
    return done, (dom if done.define else done.dom)


def _apply_one(conn, libvirt, item, watcher, timeout, shutdown_mode, remove_nvram, result):
    if not item.changes:
        # Nothing to do: what plan() read is the answer, without asking libvirt again.
        if item.dom is None:
            return result_of(item, False, after_xml="", changed=False, state="absent")
        return result_of(item, False, after_xml=item.before, changed=False,
                         state=lifecycle.reported(item.state_before))
    step = "define"
    try:
        dom, after_xml = item.dom, item.before
        if item.define:
            item, dom = _define_fresh(conn, libvirt, item, result)
            if item.define:
                # Starting, stopping or autostart do not touch the inactive XML: read it once.
                after_xml = redefine.read(libvirt, dom)
                # A new domain is a change; an existing one changed only if libvirt's XML did.
                result["changed"] = result["changed"] or item.dom is None or not item.persistent or \
                    compare.canonical(after_xml) != compare.canonical(item.before)
                result["steps"].append("define")
            else:
                after_xml = item.before
            result["xml"] = after_xml
        uuid = dom.UUIDString() if dom is not None else None
        for action in item.actions:
            step = action
            # The request itself is the change: a shutdown that then times out was sent.
            result["changed"] = True
            result["events"].extend(service.do(libvirt, dom, uuid, action, watcher, timeout,
                                               shutdown_mode, remove_nvram))
            result["steps"].append(action)
        if item.autostart is not None:
            step = "autostart"
            connection.call(dom, "setAutostart", 1 if item.autostart else 0)
            result["changed"] = True
            result["steps"].append("autostart")
        if item.spec["state"] == "absent":
            state = "absent"
            after_xml = ""
        elif item.actions:
            step = "state"
            state = lifecycle.reported(lifecycle.state_name(libvirt, connection.call(dom, "state")[0]))
        else:
            # define and autostart leave the run state as plan() read it.
            state = lifecycle.reported(item.state_before)
    except VirtopsError as exc:
        result["failed_step"] = step
        raise StepError(item.path, item.name, step, exc)
    final = result_of(item, False, after_xml=after_xml, changed=result["changed"],
                      events=result["events"], state=state)
    final["steps"] = result["steps"]
    return final
