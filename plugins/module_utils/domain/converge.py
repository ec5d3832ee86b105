# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge many domains over one connection: plan everything first, then apply.

``plan()`` reads and validates and changes nothing; ``apply()`` carries the plans out.
Check mode runs ``plan()`` and reports it, so check mode and the real run share the
same decisions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import recommend
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare, merge, profiles, schema
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.spec import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.facts import domain_capabilities_for
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtCallError, SpecError, VirtopsError)

SHUTDOWN_MODES = ("graceful", "force", "graceful_then_force")

# virDomainState values.
RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = 1, 2, 3, 4, 5, 6, 7
# virCheckFlags' message; libxl and test accept few undefine flags (libxl: managed save only).
UNSUPPORTED_FLAGS_RE = re.compile(r"unsupported flags \(0x([0-9a-fA-F]+)\)")
STATE_NAMES = {0: "nostate", 1: "running", 2: "running", 3: "paused", 4: "running",
               5: "shutoff", 6: "crashed", 7: "pmsuspended"}


class WaitTimeoutError(VirtopsError):
    pass


class Host(object):
    """One host's capabilities, read once per connection; domain capabilities on demand."""

    def __init__(self, conn):
        self.conn = conn
        self.caps = Capabilities.from_xml(connection.call(conn, "getCapabilities"), "capabilities")
        self._domcaps = {}
        self.recommended = recommend(self.caps)

    def domcaps(self, arch, domain_type, os_type):
        key = (arch, domain_type, os_type)
        if key not in self._domcaps:
            guest = next((g for g in self.caps.guests if g.arch.name == arch
                          and g.os_type == os_type and domain_type in g.domain_types), None)
            try:
                self._domcaps[key] = domain_capabilities_for(self.conn, guest, domain_type)
            except LibvirtCallError:
                # Drivers without domain capabilities (test) are checked by libvirt alone.
                self._domcaps[key] = None
        return self._domcaps[key]


class Plan(object):
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        self.path = spec["path"]
        self.dom = None
        self.before = ""
        self.desired_root = None
        self._desired = None
        self.define = False
        self.actions = []
        self.autostart = None
        self.state_before = None
        self.validated = False

    @property
    def desired(self):
        """The XML to define, serialised once and only if someone asks for it."""
        if self._desired is None and self.desired_root is not None:
            self._desired = ET.tostring(self.desired_root, encoding="unicode")
        return self._desired

    @property
    def changes(self):
        return bool(self.define or self.actions or self.autostart is not None)


class Inventory(object):
    """Every domain on the connection, listed in two calls rather than one lookup per spec.

    A domain that is not active is shut off, so only active ones cost a ``state()`` call.
    """

    def __init__(self, conn, libvirt):
        self.domains = dict((d.name(), d) for d in connection.call(conn, "listAllDomains", 0))
        active = connection.call(conn, "listAllDomains", libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
        self.active = set(d.name() for d in active)

    def lookup(self, name):
        return self.domains.get(name)

    def state(self, name):
        if name not in self.active:
            return SHUTOFF
        return connection.call(self.domains[name], "state")[0]


def _state_actions(spec, state):
    active = state in (RUNNING, BLOCKED, SHUTDOWN, PAUSED, PMSUSPENDED, CRASHED)
    want = spec["state"]
    if want == "running":
        if state == PAUSED:
            return ["resume"]
        return [] if active else ["start"]
    if want == "paused":
        if state == PAUSED:
            return []
        return ["suspend"] if active else ["start_paused"]
    if want == "shutdown":
        return ["shutdown"] if active else []
    return []


def plan(conn, libvirt, specs, host, validate=True):
    """Read every domain and decide what to do; raise before anything is changed."""
    plans, errors = [], []
    inventory = Inventory(conn, libvirt)
    for spec in specs:
        item = Plan(spec)
        try:
            _plan_one(conn, libvirt, item, host, inventory, validate)
        except SpecError as exc:
            errors.append(exc)
            continue
        plans.append(item)
    if errors:
        raise SpecErrors(errors)
    return plans


def _plan_one(conn, libvirt, item, host, inventory, validate):
    spec = item.spec
    item.dom = inventory.lookup(spec["name"])
    if item.dom is not None:
        item.before = connection.call(item.dom, "XMLDesc", libvirt.VIR_DOMAIN_XML_INACTIVE)
        item.state_before = inventory.state(spec["name"])
    if spec["state"] == "absent":
        if item.dom is not None:
            if item.state_before != SHUTOFF:
                item.actions.append("destroy")
            item.actions.append("undefine")
        return
    # libvirt's own XML, parsed once for the identity to keep and for the comparison.
    before_root = ET.fromstring(item.before) if item.dom is not None else None
    merge.keep_prefixes(item.before)
    if spec.get("xml") is not None:
        # Compared in the form libvirt stores, so unchanged raw XML costs no define.
        raw = profiles.store_os_type(compare.normalise_units(ET.fromstring(spec["xml"])))
        item.desired_root = merge.inherit_identity(raw, before_root)
        item.define = before_root is None or not compare.contains(before_root, item.desired_root)
    else:
        profile = profiles.select(host.caps, spec, host.recommended["image_format"] or "qcow2",
                                  host.domcaps)
        wanted = profile.build(spec).format_dom()
        item.define = before_root is None or not compare.contains(before_root, wanted)
        # A redefine edits libvirt's own tree: what the spec does not own survives it,
        # and the UUID and each NIC's MAC stay with it.
        item.desired_root = merge.merged(before_root, wanted) if item.define and before_root is not None \
            else wanted
    # Only XML that will be defined needs the schema: what libvirt already holds, and
    # contains, is valid. plan() runs before apply(), so this is still before any change.
    if validate and item.define:
        schema.validate_domain_xml(item.desired, spec["path"])
        item.validated = True
    item.actions.extend(_state_actions(spec, item.state_before if item.dom is not None else SHUTOFF))
    if spec["autostart"] is not None:
        current = bool(connection.call(item.dom, "autostart")) if item.dom is not None else False
        if current != spec["autostart"]:
            item.autostart = spec["autostart"]


def result_of(item, check_mode, after_xml=None, changed=None, events=None, state=None):
    """The module's entry for one domain.

    ``diff`` holds the XML as read (libvirt's) or planned; ``diff_for`` puts it into
    canonical form, which only changed domains in diff mode need to pay for.
    """
    if after_xml is None:
        after_xml = "" if "undefine" in item.actions else (item.desired if item.define else item.before)
    actions = (["define"] if item.define else []) + list(item.actions)
    if item.autostart is not None:
        actions.append("autostart" if item.autostart else "no_autostart")
    return {
        "name": item.name,
        "changed": item.changes if changed is None else changed,
        "actions": actions,
        "state": state,
        "xml": after_xml,
        "diff": {"before": item.before, "after": after_xml,
                 "before_header": "%s (libvirt)" % item.name,
                 "after_header": "%s (%s)" % (item.name, "planned" if check_mode else "libvirt")},
        "events": events or [],
    }


def diff_for(raw):
    """An entry's ``diff`` with both sides in canonical form, for Ansible's diff output."""
    out = dict(raw)
    out["before"] = compare.canonical(raw["before"])
    out["after"] = compare.canonical(raw["after"])
    return out


def define(conn, libvirt, xml, validated, what):
    """defineXMLFlags(xml); ``what`` names the step in the error if libvirt refuses."""
    # Our RelaxNG check ran in plan(); asking libvirt to validate again costs ~15 ms a
    # domain, so libvirt validates only when ours was skipped.
    flags = 0 if validated else getattr(libvirt, "VIR_DOMAIN_DEFINE_VALIDATE", 0)
    try:
        return conn.defineXMLFlags(xml, flags)
    except libvirt.libvirtError as exc:
        raise LibvirtCallError(what, exc.get_error_message())


def apply(conn, libvirt, plans, watcher, timeout=120, shutdown_mode="graceful", remove_nvram=False,
          results=None):
    """Carry out ``plans`` in order; ``results`` (appended to) shows how far it got on error."""
    results = [] if results is None else results
    for item in plans:
        results.append(_apply_one(conn, libvirt, item, watcher, timeout, shutdown_mode, remove_nvram))
    return results


def _apply_one(conn, libvirt, item, watcher, timeout, shutdown_mode, remove_nvram):
    if not item.changes:
        # Nothing to do: what plan() read is the answer, without asking libvirt again.
        if item.dom is None:
            return result_of(item, False, after_xml="", changed=False, state="absent")
        return result_of(item, False, after_xml=item.before, changed=False,
                         state=STATE_NAMES.get(item.state_before, "unknown"))
    dom, events, changed = item.dom, [], False
    after_xml = item.before
    if item.define:
        dom = define(conn, libvirt, item.desired, item.validated, "%s: defineXML" % item.path)
        # Starting, stopping or autostart do not touch the inactive XML: read it once.
        after_xml = connection.call(dom, "XMLDesc", libvirt.VIR_DOMAIN_XML_INACTIVE)
        # A new domain is a change; an existing one changed only if libvirt's XML did.
        changed = item.dom is None or compare.canonical(after_xml) != compare.canonical(item.before)
    uuid = dom.UUIDString() if dom is not None else None
    for action in item.actions:
        events.extend(_do(libvirt, dom, uuid, action, watcher, timeout, shutdown_mode, remove_nvram, item.path))
        changed = True
    if item.autostart is not None:
        connection.call(dom, "setAutostart", 1 if item.autostart else 0)
        changed = True
    if "undefine" in item.actions:
        return result_of(item, False, after_xml="", changed=changed, events=events, state="absent")
    if item.actions:
        state = connection.call(dom, "state")[0]
    else:
        # define and autostart leave the run state as plan() read it.
        state = SHUTOFF if item.state_before is None else item.state_before
    return result_of(item, False, after_xml=after_xml, changed=changed, events=events,
                     state=STATE_NAMES.get(state, "unknown"))


# action -> (virDomain method, its arguments' libvirt constant names, event that confirms it)
LIFECYCLE_ACTIONS = {
    "start": ("create", (), "started"),
    "start_paused": ("createWithFlags", ("VIR_DOMAIN_START_PAUSED",), "suspended"),
    "resume": ("resume", (), "resumed"),
    "suspend": ("suspend", (), "suspended"),
    "destroy": ("destroy", (), "stopped"),
}


def _wait(watcher, uuid, names, timeout, since, path):
    event = watcher.wait_for(uuid, names, timeout, since)
    if event is None:
        raise WaitTimeoutError("%s: no %s event within %ss" % (path, "/".join(names), timeout))
    return event


def _do(libvirt, dom, uuid, action, watcher, timeout, shutdown_mode, remove_nvram, path):
    since = watcher.mark(uuid)
    if action in LIFECYCLE_ACTIONS:
        method, constants, event = LIFECYCLE_ACTIONS[action]
        connection.call(dom, method, *[getattr(libvirt, name) for name in constants])
        return [_wait(watcher, uuid, (event,), timeout, since, path)]
    if action == "shutdown":
        return _shutdown(libvirt, dom, uuid, watcher, timeout, shutdown_mode, since, path)
    if action == "undefine":
        flags = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                 | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                 | getattr(libvirt, "VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA", 0)
                 | (libvirt.VIR_DOMAIN_UNDEFINE_NVRAM if remove_nvram
                    else getattr(libvirt, "VIR_DOMAIN_UNDEFINE_KEEP_NVRAM", 0)))
        _undefine(libvirt, dom, flags)
        return []
    raise ValueError(action)


def _undefine(libvirt, dom, flags):
    """undefineFlags, dropping the clean-up flags a driver rejects: it has nothing they clean."""
    try:
        dom.undefineFlags(flags)
    except libvirt.libvirtError as exc:
        unsupported = UNSUPPORTED_FLAGS_RE.search(exc.get_error_message() or "")
        if exc.get_error_code() != libvirt.VIR_ERR_INVALID_ARG or unsupported is None:
            raise LibvirtCallError("undefineFlags", exc.get_error_message() or str(exc))
        connection.call(dom, "undefineFlags", flags & ~int(unsupported.group(1), 16))


def _shutdown(libvirt, dom, uuid, watcher, timeout, shutdown_mode, since, path):
    if shutdown_mode == "force":
        connection.call(dom, "destroy")
        return [_wait(watcher, uuid, ("stopped",), timeout, since, path)]
    connection.call(dom, "shutdown")
    event = watcher.wait_for(uuid, ("stopped",), timeout, since)
    if event is not None:
        return [event]
    if shutdown_mode != "graceful_then_force":
        raise WaitTimeoutError("%s: the guest did not shut down within %ss; raise timeout or "
                               "set shutdown_mode: graceful_then_force" % (path, timeout))
    since = watcher.mark(uuid)
    connection.call(dom, "destroy")
    forced = _wait(watcher, uuid, ("stopped",), timeout, since, path)
    forced["forced"] = True
    return [forced]
