# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ensure or remove one named host <-> guest channel of a domain.

``plan()`` reads the domain's persistent and live XML and decides, changing nothing;
``apply()`` carries the plan out. Check mode reports the plan, so both share one path.
The channel's target type (virtio or xen) and host end (unix or pty) come from the
domain's profile, which reads them from the host's capabilities.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare, profiles, redefine
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import cache
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import spec
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    ChannelUnsupportedError, DomainNotFoundError, LibvirtCallError, SpecError, VirtopsError)


def check_name(name, path="name"):
    problem = spec.channel_name_problem(name)
    if problem:
        raise SpecError(path, problem)


def find_channel(root, name):
    """The <channel> element of ``root`` (a <domain>) whose target is named ``name``."""
    for node in root.findall("devices/channel"):
        target = node.find("target")
        if target is not None and target.get("name") == name:
            return node
    return None


def host_end(node):
    """(kind, path) of a live channel's host end: ('unix', socket) or ('pty', /dev/pts/N)."""
    if node is None:
        return None, None
    kind = node.get("type")
    source = node.find("source")
    path = source.get("path") if source is not None else None
    if kind == "pty" and not path:
        path = node.get("tty")
    return kind, path


class ChannelPlan(object):
    def __init__(self, name, state):
        self.name = name
        self.state = state
        self.dom = None
        self.active = False
        self.profile = None
        self.desired = None          # ChannelConfig, for state=present
        self.in_config = None        # <channel> in the persistent XML
        self.in_live = None          # <channel> in the running domain
        self.actions = []            # detach_config, attach_config, detach_live, attach_live
        self.restart_required = False
        self.config_xml = None       # the new persistent definition, if it changes
        self.redefinition = None     # domain.redefine's plan of that definition
        self.change = None           # the edit it is made with (ConfigEdit)
        self.validate = True
        self.validated = False
        self.server_validate = False
        # Actions carried out so far: on a failure they are what already changed.
        self.done = []

    @property
    def changed(self):
        return bool(self.actions)

    def xml(self, node):
        """``node`` alone: without the whitespace that follows it in libvirt's document."""
        if node is None:
            return ""
        node = copy.copy(node)
        node.tail = None
        return ET.tostring(node, encoding="unicode")

    @property
    def desired_xml(self):
        return self.desired.to_xml() if self.desired is not None else ""


def _fits(node, desired_root):
    return node is not None and compare.contains(node, desired_root)


def plan(conn, libvirt, domain, name, state, chan_type="auto", path=None, validate=True):
    """Decide what to do for channel ``name`` of ``domain``; raise before any change."""
    check_name(name)
    item = ChannelPlan(name, state)
    try:
        item.dom = connection.call(conn, "lookupByName", domain, what="lookupByName(%s)" % domain)
    except LibvirtCallError as exc:
        if exc.code == libvirt.VIR_ERR_NO_DOMAIN:
            raise DomainNotFoundError("domain %s: no such domain (define it first, e.g. with libvirt_domain)" % domain)
        raise
    # Read with its secrets, through the one reader of definitions that are defined again.
    config_root = ET.fromstring(redefine.read(libvirt, item.dom))
    item.active = bool(connection.call(item.dom, "isActive"))
    live_root = ET.fromstring(connection.call(item.dom, "XMLDesc", 0)) if item.active else None
    item.in_config = find_channel(config_root, name)
    item.in_live = find_channel(live_root, name) if live_root is not None else None

    host = cache.CapabilitiesCache(conn)
    os_node = config_root.find("os/type")
    item.profile = profiles.for_domain(host.caps, config_root.get("type"), (os_node.text or "").strip(),
                                       os_node.get("arch"), host.domcaps)
    if item.profile is None or not item.profile.family["channel_target"]:
        raise ChannelUnsupportedError("domain %s: its driver (%s, %s guest) has no host <-> guest channel"
                                      % (domain, config_root.get("type"), (os_node.text or "").strip()))
    _check_versions(conn, item.profile, domain)

    desired_root = None
    if state == "present":
        item.desired = item.profile.channel({"name": name, "type": chan_type, "path": path})
        desired_root = item.desired.format_dom()
        if item.active and not _fits(item.in_live, desired_root):
            if item.profile.can_hotplug_channel(live_root):
                if item.in_live is not None:
                    item.actions.append("detach_live")
                item.actions.append("attach_live")
            else:
                item.restart_required = True
    elif item.in_live is not None:
        if item.profile.hotplug_channels:
            item.actions.append("detach_live")
        else:
            item.restart_required = True
    # The persistent definition changes by redefining it: every driver can do that,
    # while attaching a <channel> with AFFECT_CONFIG is not offered by all (libxl, test).
    item.change = ConfigEdit(name, desired_root)
    item.validate = validate
    item.redefinition = redefine.edit(libvirt, item.dom, item.change, validate, "name")
    item.actions[:0] = item.redefinition.steps
    item.config_xml = item.redefinition.desired
    item.validated = item.redefinition.validated
    item.server_validate = item.redefinition.server_validate
    return item


class ConfigEdit(object):
    """The channel's edit of a persistent definition: put ``desired_root`` in (or, when it
    is None, take the channel out) and touch nothing else. Called again on a fresh
    reading when another client changed the domain between plan and apply."""

    def __init__(self, name, desired_root):
        self.name = name
        self.desired_root = desired_root

    def __call__(self, root):
        steps = []
        devices = root.find("devices")
        if devices is None:
            devices = ET.SubElement(root, "devices")
        have = find_channel(root, self.name)
        if self.desired_root is not None and _fits(have, self.desired_root):
            return steps
        if have is not None:
            steps.append("detach_config")
            devices.remove(have)
        if self.desired_root is not None:
            steps.append("attach_config")
            devices.append(copy.deepcopy(self.desired_root))
        return steps


def _check_versions(conn, profile, domain):
    min_libvirt, min_hyp = profile.channel_min_versions
    if min_libvirt and connection.call(conn, "getLibVersion") < min_libvirt:
        raise ChannelUnsupportedError("domain %s: %s channels need libvirt >= %s" % (
            domain, profile.name, connection.version_string(min_libvirt)))
    if min_hyp and connection.call(conn, "getVersion") < min_hyp:
        raise ChannelUnsupportedError("domain %s: %s channels need hypervisor version >= %s" % (
            domain, profile.name, connection.version_string(min_hyp)))


def apply(conn, libvirt, item, watcher=None, timeout=30):
    """Carry out ``item.actions``; return the live host end (kind, path) afterwards.

    The running domain is changed first: if the hypervisor refuses, the persistent
    definition is still as it was.
    """
    live = libvirt.VIR_DOMAIN_AFFECT_LIVE
    if "detach_live" in item.actions:
        alias = item.in_live.find("alias")
        since = watcher.mark() if watcher is not None else None
        connection.call(item.dom, "detachDeviceFlags", item.xml(item.in_live), live,
                        what="%s: detach_live" % item.name)
        item.done.append("detach_live")
        if watcher is not None and alias is not None:
            _wait_removed(libvirt, item, watcher, alias.get("name"), since, timeout)
    if "attach_live" in item.actions:
        try:
            connection.call(item.dom, "attachDeviceFlags", item.desired_xml, live, what="%s: attach_live" % item.name)
            item.done.append("attach_live")
        except LibvirtCallError as exc:
            if exc.code not in _unsupported(libvirt):
                raise
            # The profile expected hot-plug; this driver build says no.
            item.actions.remove("attach_live")
            item.restart_required = True
    if item.redefinition.define:
        replan = redefine.again(libvirt, item.dom, item.change, item.validate, "name")
        try:
            done, _dom = redefine.define(conn, libvirt, item.dom.name(), item.redefinition, replan)
        except VirtopsError as exc:
            raise LibvirtCallError("%s: define the domain with the channel %s" % (item.dom.name(), item.name),
                                   getattr(exc, "detail", str(exc)))
        item.redefinition = done
        item.done.extend(done.steps)
    if not item.active:
        return None, None
    return host_end(find_channel(ET.fromstring(connection.call(item.dom, "XMLDesc", 0)), item.name))


def persistent_xml(libvirt, item):
    """The channel's element in the persistent XML as libvirt now has it, or ''."""
    root = ET.fromstring(redefine.read(libvirt, item.dom))
    return item.xml(find_channel(root, item.name))


def _unsupported(libvirt):
    return tuple(getattr(libvirt, code) for code in (
        "VIR_ERR_OPERATION_UNSUPPORTED", "VIR_ERR_NO_SUPPORT", "VIR_ERR_CONFIG_UNSUPPORTED",
        "VIR_ERR_ARGUMENT_UNSUPPORTED") if hasattr(libvirt, code))


def _wait_removed(libvirt, item, watcher, alias, since, timeout):
    """QEMU may finish an unplug after detachDeviceFlags returns: wait for its event."""
    live = ET.fromstring(connection.call(item.dom, "XMLDesc", 0))
    if find_channel(live, item.name) is None:
        return
    if watcher.wait_for(alias, timeout, since) is None:
        raise LibvirtCallError("%s: detach_live" % item.name,
                               "no device-removed event for %s within %ss" % (alias, timeout))
