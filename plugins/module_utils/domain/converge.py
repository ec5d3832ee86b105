# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Converge many domains over one connection: plan everything first, then apply.

``plan()`` reads and validates and changes nothing; ``apply()`` carries the plans out.
Check mode runs ``plan()`` and reports it, so check mode and the real run share the
same decisions. A failure part-way raises StepError, and the results list then holds
what every domain already got, the failing one included.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import (
    recommend, unusable_domain_types)
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (
    compare, lifecycle, merge, ownership, prechecks, profiles, schema)
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.spec import join_path
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.lifecycle import SHUTOFF, STATE_NAMES
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.spec import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.facts import domain_capabilities_for
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    ConcurrentChangeError, LibvirtCallError, SpecError, StepError, VirtopsError)

# How often a domain that another client defined or changed between our plan and our
# define is read and planned again before giving up.
REPLAN_LIMIT = 3


def inactive_secure(libvirt):
    """The persistent definition with its secrets: without them a definition that has a
    graphics password never compares equal, and a redefine would drop the password."""
    return libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE


class Host(object):
    """One host's capabilities, read once per connection; domain capabilities on demand.

    ``detection`` is the ``hypervisor`` facts of this machine when the connection is
    local: its KVM verdict rules out a ``kvm`` that cannot run ordinary guests.
    """

    def __init__(self, conn, detection=None):
        self.conn = conn
        self.caps = Capabilities.from_xml(connection.call(conn, "getCapabilities"), "capabilities")
        self._domcaps = {}
        self.recommended = recommend(self.caps, detection=detection)
        self.unusable = unusable_domain_types(detection)

    def domcaps(self, arch, domain_type, os_type):
        key = (arch, domain_type, os_type)
        if key not in self._domcaps:
            guest = self.caps.guest_for(arch, os_type, domain_type)
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
        self.persistent = True
        self.validated = False
        self.server_validate = False
        self.notes = []
        self.pending = []
        self.planner = None

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

    def persistent(self, name):
        # Only an active domain can be transient; an inactive one is a definition.
        if name not in self.active:
            return True
        return bool(connection.call(self.domains[name], "isPersistent"))


class OneDomain(Inventory):
    """The inventory of a single domain, read again when planning it again."""

    def __init__(self, conn, libvirt, name):  # pylint: disable=super-init-not-called
        try:
            dom = conn.lookupByName(name)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                raise LibvirtCallError("lookupByName(%s)" % name, exc.get_error_message())
            dom = None
        self.domains = {name: dom} if dom is not None else {}
        self.active = set([name]) if dom is not None and connection.call(dom, "isActive") else set()


class Planner(object):
    """What plan() needs to plan one domain, kept so apply() can plan it again."""

    def __init__(self, conn, libvirt, host, validate, shutdown_mode, server_validation, local=False):
        self.conn, self.libvirt, self.host = conn, libvirt, host
        self.validate, self.shutdown_mode = validate, shutdown_mode
        self.server_validation = server_validation
        self.local = local
        self.networks = set()

    def plan(self, spec, inventory):
        item = Plan(spec)
        _plan_one(self, item, inventory)
        return item

    def again(self, item):
        """The same spec planned against what libvirt holds now."""
        fresh = self.plan(item.spec, OneDomain(self.conn, self.libvirt, item.name))
        fresh.planner = self
        return fresh


def plan(conn, libvirt, specs, host, validate=True, shutdown_mode="graceful", server_validation=False,
         local=False):
    """Read every domain and decide what to do; raise before anything is changed.

    ``server_validation``: validate on the server (remote URIs) rather than against this
    machine's copy of libvirt's schema; a missing local schema falls back to it too.
    ``local``: the URI is this machine's, so files and bridges can be checked here.
    """
    plans, errors = [], []
    inventory = Inventory(conn, libvirt)
    planner = Planner(conn, libvirt, host, validate, shutdown_mode, server_validation, local)
    for spec in specs:
        try:
            item = planner.plan(spec, inventory)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        except SpecError as exc:
            errors.append(exc)
            continue
        except VirtopsError as exc:
            errors.append(SpecError(spec["path"] or spec["name"], str(exc)))
            continue
        item.planner = planner
        plans.append(item)
    if errors:
        raise SpecErrors(errors)
    return plans


def _plan_one(planner, item, inventory):
    spec, libvirt, host = item.spec, planner.libvirt, planner.host
    item.dom = inventory.lookup(spec["name"])
    if item.dom is not None:
        item.before = connection.call(item.dom, "XMLDesc", inactive_secure(libvirt))
        item.state_before = inventory.state(spec["name"])
        item.persistent = inventory.persistent(spec["name"])
    state = item.state_before if item.dom is not None else SHUTOFF
    if spec["state"] == "absent":
        if item.dom is not None:
            item.actions.extend(lifecycle.actions_for("absent", state, item.persistent))
        return
    # libvirt's own XML, parsed once for the identity to keep and for the comparison.
    before_root = ET.fromstring(item.before) if item.dom is not None else None
    merge.keep_prefixes(item.before)
    if spec.get("xml") is not None:
        # Compared in the form libvirt stores, so unchanged raw XML costs no define.
        raw = profiles.store_os_type(compare.normalise_units(ET.fromstring(spec["xml"])))
        clash = prechecks.uuid_clash(raw, before_root, spec["path"])
        if clash is not None:
            raise clash
        item.desired_root = merge.inherit_identity(raw, before_root)
        item.define = before_root is None or not compare.contains(before_root, item.desired_root)
        wanted = None
    else:
        if before_root is None and spec["memory_kib"] is None:
            raise SpecError(join_path(spec["path"], "memory"), "is required to define a domain")
        # Of an existing domain the spec owns what it names; the host-derived values it
        # does not name (domain type, arch, machine, boot) are the domain's own.
        given = set(spec.get("given") or ()) if before_root is not None else None
        owned = ownership.owned_children(given)
        build_spec = ownership.with_host_values(spec, before_root)
        profile = profiles.select(host.caps, build_spec, host.recommended["image_format"] or "qcow2",
                                  host.domcaps, host.unusable)
        wanted = ownership.prune(profile.build(build_spec).format_dom(), given)
        item.define = before_root is None or not compare.contains(before_root, wanted, owned)
        # A redefine edits libvirt's own tree: what the spec does not own survives it,
        # and the UUID and each NIC's MAC stay with it.
        item.desired_root = merge.merged(before_root, wanted, owned) if item.define and before_root is not None \
            else wanted
    if not item.persistent:
        # libvirt_domain converges definitions: defining a transient domain is what
        # makes it persistent, and the result says so.
        item.define = True
        if wanted is not None and item.desired_root is wanted:
            item.desired_root = merge.merged(before_root, wanted, owned)
        item.notes.append("the domain was transient; defining it made it persistent")
    # Only XML that will be defined needs the schema: what libvirt already holds, and
    # contains, is valid. plan() runs before apply(), so this is still before any change.
    if planner.validate and item.define:
        if planner.server_validation:
            item.server_validate = True
        else:
            try:
                schema.validate_domain_xml(item.desired, spec["path"])
                item.validated = True
            except schema.SchemaUnavailableError:
                # No local copy of libvirt's schemas: the daemon has its own.
                item.server_validate = True
    item.actions.extend(lifecycle.actions_for(spec["state"], state, item.persistent, planner.shutdown_mode))
    if item.define and item.dom is not None and state != SHUTOFF and not any(
            a in ("destroy", "shutdown") for a in item.actions):
        # The running guest keeps what it booted with until its next start.
        live = ET.fromstring(connection.call(item.dom, "XMLDesc", libvirt.VIR_DOMAIN_XML_SECURE))
        item.pending = lifecycle.pending_until_restart(live, item.desired_root)
    if spec.get("xml") is None and any(a in prechecks.STARTS for a in item.actions):
        problems = prechecks.spec_problems(planner.conn, libvirt, spec, planner.local, planner.networks)
        if problems:
            raise SpecErrors(problems)
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
        "steps": [],
        "notes": list(item.notes),
        "restart_required": bool(item.pending),
        "pending_until_restart": list(item.pending),
    }


def diff_for(raw):
    """An entry's ``diff`` with both sides in canonical form, for Ansible's diff output."""
    out = dict(raw)
    out["before"] = compare.canonical(raw["before"])
    out["after"] = compare.canonical(raw["after"])
    return out


def define(conn, libvirt, xml, server_validate):
    """defineXMLFlags(xml), validated by the daemon when ``server_validate``.

    Raises ConcurrentChangeError when another client defined the name meanwhile.
    """
    flags = getattr(libvirt, "VIR_DOMAIN_DEFINE_VALIDATE", 0) if server_validate else 0
    try:
        return conn.defineXMLFlags(xml, flags)
    except libvirt.libvirtError as exc:
        if exc.get_error_code() in (libvirt.VIR_ERR_OPERATION_FAILED, libvirt.VIR_ERR_DOM_EXIST) \
                and "already exists" in (exc.get_error_message() or ""):
            raise ConcurrentChangeError(exc.get_error_message())
        raise LibvirtCallError("defineXML", exc.get_error_message())


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


def _current(conn, libvirt, item):
    """libvirt's inactive XML of the domain now, or None."""
    inventory = OneDomain(conn, libvirt, item.name)
    dom = inventory.lookup(item.name)
    return None if dom is None else connection.call(dom, "XMLDesc", inactive_secure(libvirt))


def _define_fresh(conn, libvirt, item, result):
    """Define ``item``, planning it again if another client got there first.

    Returns the plan that was carried out (``item`` or a fresh one) and the domain.
    """
    for _attempt in range(REPLAN_LIMIT):
        now = _current(conn, libvirt, item)
        if (now or "") != (item.before or ""):
            item = item.planner.again(item)
            result.update(result_of(item, False, changed=result["changed"]))
            if not item.define:
                return item, item.dom
        try:
            return item, define(conn, libvirt, item.desired, item.server_validate)
        except ConcurrentChangeError:
            continue
    raise ConcurrentChangeError("another client kept changing the domain; gave up after %d plans" % REPLAN_LIMIT)


def _apply_one(conn, libvirt, item, watcher, timeout, shutdown_mode, remove_nvram, result):
    if not item.changes:
        # Nothing to do: what plan() read is the answer, without asking libvirt again.
        if item.dom is None:
            return result_of(item, False, after_xml="", changed=False, state="absent")
        return result_of(item, False, after_xml=item.before, changed=False,
                         state=STATE_NAMES.get(item.state_before, "unknown"))
    step = "define"
    try:
        dom, after_xml = item.dom, item.before
        if item.define:
            item, dom = _define_fresh(conn, libvirt, item, result) if item.planner else \
                (item, define(conn, libvirt, item.desired, item.server_validate))
            if item.define:
                # Starting, stopping or autostart do not touch the inactive XML: read it once.
                after_xml = connection.call(dom, "XMLDesc", inactive_secure(libvirt))
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
            result["events"].extend(lifecycle.do(libvirt, dom, uuid, action, watcher, timeout,
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
            state = STATE_NAMES.get(connection.call(dom, "state")[0], "unknown")
        else:
            # define and autostart leave the run state as plan() read it.
            state = STATE_NAMES.get(SHUTOFF if item.state_before is None else item.state_before, "unknown")
    except VirtopsError as exc:
        result["failed_step"] = step
        raise StepError(item.path, item.name, step, exc)
    final = result_of(item, False, after_xml=after_xml, changed=result["changed"],
                      events=result["events"], state=state)
    final["steps"] = result["steps"]
    return final
