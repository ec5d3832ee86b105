# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read every domain and decide what to do, changing nothing.

Check mode reports the plans; the executor carries the same plans out, so both share
one set of decisions."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (
    compare, lifecycle, merge, ownership, prechecks, profiles, rawxml, redefine, schema)
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.lifecycle import SHUTOFF
from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import join
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError, SpecError, SpecErrors, VirtopsError


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
        self.libvirt = libvirt
        self.domains = dict((d.name(), d) for d in connection.call(conn, "listAllDomains", 0))
        active = connection.call(conn, "listAllDomains", libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
        self.active = set(d.name() for d in active)

    def lookup(self, name):
        return self.domains.get(name)

    def state(self, name):
        if name not in self.active:
            return SHUTOFF
        return lifecycle.state_name(self.libvirt, connection.call(self.domains[name], "state")[0])

    def persistent(self, name):
        # Only an active domain can be transient; an inactive one is a definition.
        if name not in self.active:
            return True
        return bool(connection.call(self.domains[name], "isPersistent"))


class OneDomain(Inventory):
    """The inventory of a single domain, read again when planning it again."""

    def __init__(self, conn, libvirt, name):  # pylint: disable=super-init-not-called
        try:
            dom = connection.call(conn, "lookupByName", name, what="lookupByName(%s)" % name)
        except LibvirtCallError as exc:
            if exc.code != libvirt.VIR_ERR_NO_DOMAIN:
                raise
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
    ``local``: the URI is this machine's, so files and bridges can be checked here where
    the driver's profile says its guests use them.
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
        item.before = redefine.read(libvirt, item.dom)
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
    profile = None
    if spec.get("xml") is not None:
        # Another tool's <metadata> keeps the prefix the raw XML gives it.
        merge.keep_prefixes(spec["xml"])
        # Compared in the form libvirt stores, so unchanged raw XML costs no define.
        raw = rawxml.as_stored(ET.fromstring(spec["xml"]), host.caps)
        clash = prechecks.uuid_clash(raw, before_root, spec["path"])
        if clash is not None:
            raise clash
        item.desired_root = merge.inherit_identity(raw, before_root)
        item.define = before_root is None or not compare.contains(before_root, item.desired_root)
        wanted = None
    else:
        if before_root is None and spec["memory_kib"] is None:
            raise SpecError(join(spec["path"], "memory"), "is required to define a domain")
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
        # The driver's profile says whether its guests use this machine's files at all.
        local = planner.local and profile.uses_host_files
        problems = prechecks.spec_problems(planner.conn, libvirt, spec, local, planner.networks)
        if problems:
            raise SpecErrors(problems)
    if spec["autostart"] is not None:
        current = bool(connection.call(item.dom, "autostart")) if item.dom is not None else False
        if current != spec["autostart"]:
            item.autostart = spec["autostart"]
