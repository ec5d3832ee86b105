# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt_domain's whole run: validate, connect, plan, carry out, report.

``converge()`` is what the module calls and what tests call; ``run()`` is its part after
the connection is open, for callers (tests) that keep a connection of their own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, events, options
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import cache
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (
    executor, lifecycle, option_table, planner, results, secrets, spec)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection


SHUTDOWN_MODES = lifecycle.SHUTDOWN_MODES


def secret_values(params):
    """The secrets among the module's options (in ``domains[]`` too), for no_log."""
    return secrets.secret_values(raw_specs(params)[0])


class Progress(object):
    """What a run got done, for its failure result: the URI and every domain's entry."""

    def __init__(self):
        self.uri = None
        self.domains = []

    @property
    def changed(self):
        return any(r["changed"] for r in self.domains)


def raw_specs(params):
    """(the raw specs, the base of their error paths) of the module's parameters."""
    if params.get("domains") is not None:
        return params["domains"], "domains"
    return [dict((k, params.get(k)) for k in option_table.DOMAIN_OPTIONS)], None


def run(conn, libvirt, specs, host, check_mode=False, validate=True, shutdown_mode="graceful", timeout=120,
        remove_nvram=False, server_validation=False, local=False, done=None, watcher=None):
    """Plan validated ``specs`` and, unless ``check_mode``, carry the plans out.

    Returns one entry per domain (each with its raw ``diff``). ``done`` (appended to)
    holds the entries as they are carried out, so that after a failure it says what was
    done. ``watcher``: a LifecycleWatcher the caller keeps open on ``conn`` (libvirt
    takes one per connection), else one is opened for the run.
    """
    plans = planner.plan(conn, libvirt, specs, host, validate=validate, shutdown_mode=shutdown_mode,
                         server_validation=server_validation, local=local)
    if check_mode:
        return [results.result_of(p, True) for p in plans]
    done = [] if done is None else done
    own = watcher is None and any(p.actions for p in plans)
    if own:
        watcher = events.LifecycleWatcher(conn, libvirt)
    try:
        return executor.apply(conn, libvirt, plans, watcher, timeout, shutdown_mode, remove_nvram, done)
    finally:
        if own:
            watcher.close()


def converge(params, check_mode=False, diff=False, progress=None, masker=None):
    """The module's result for ``params`` (its options).

    Raises VirtopsError: for bad input before anything changed; for a failure part-way
    with ``progress`` (a Progress) holding the entries of the domains dealt with so far,
    masked like a result's.
    """
    masker = masker or secrets.Masker()
    progress = Progress() if progress is None else progress
    options.check_bounds(params, {"timeout": options.TIMEOUT})
    raw, base = raw_specs(params)
    specs = spec.validate(raw, base)
    libvirt = connection.import_libvirt()
    # Events are only delivered if the loop exists before the connection is opened.
    # Only a run state can need them; without the loop every libvirt call is cheaper.
    if any(s["state"] != "present" for s in specs):
        events.start_event_loop(libvirt)
    remote = connection.is_remote(params.get("uri"))
    # Only this machine's own evidence can say that its /dev/kvm runs no ordinary
    # guest (PVM): a remote host is taken at its capabilities' word.
    local = None if remote else detection.detect()
    uri = params.get("uri") or connection.default_uri(local["type"])
    remote = connection.is_remote(uri)
    conn = connection.open_connection(uri, libvirt_module=libvirt)
    progress.uri = uri
    try:
        host = cache.CapabilitiesCache(conn, local)
        entries = run(conn, libvirt, specs, host, check_mode, params.get("validate", True),
                      params.get("shutdown_mode") or "graceful", params.get("timeout") or 120,
                      params.get("remove_nvram", False), server_validation=remote, local=not remote,
                      done=progress.domains)
    except VirtopsError:
        for entry in progress.domains:
            entry.pop("diff", None)
            masker.result(entry)
            trim(entry, params.get("return_xml"))
        raise
    finally:
        conn.close()
    return report(entries, uri, params.get("return_xml"), diff, masker)


def trim(entry, return_xml):
    """XML only where it tells something: a changed domain, or when asked for."""
    if not (return_xml or entry["changed"]):
        entry.pop("xml", None)
    return entry


def report(entries, uri, return_xml=False, diff=False, masker=None):
    """The module's result from the domains' entries, secrets masked."""
    masker = masker or secrets.Masker()
    # How long after libvirt's event this module returns: the cost of waiting by events.
    returned = time.time()
    for entry in entries:
        for event in entry["events"]:
            event["to_return_s"] = round(returned - event["at"], 6)
    diffs = [entry.pop("diff") for entry in entries]
    for entry in entries:
        masker.result(entry)
        trim(entry, return_xml)
    out = {"changed": any(e["changed"] for e in entries), "uri": uri, "domains": entries}
    if diff:
        out["diff"] = [masker.result({"diff": results.diff_for(d)})["diff"]
                       for d, e in zip(diffs, entries) if e["changed"]]
    return out
