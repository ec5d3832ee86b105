# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What applying a model would change on this host: files to write or remove, and the
interfaces to take down and bring up. Computing it changes nothing, so check mode and
the real run share it.

``root`` prefixes every path read, so tests plan against a directory tree; the paths in
a plan are always the host's own (``/etc/network/interfaces.d/bond0``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.hostfiles import read, under
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import (
    model, render_ifcfg, render_ifupdown, render_netplan)

RENDERERS = {"ifupdown": render_ifupdown, "ifcfg": render_ifcfg, "netplan": render_netplan}
DIRECTORIES = {"ifupdown": render_ifupdown.DIRECTORY, "ifcfg": render_ifcfg.DIRECTORY,
               "netplan": os.path.dirname(render_netplan.PATH)}
MAIN_INTERFACES = "/etc/network/interfaces"
SYSCONFIG_NETWORK = "/etc/sysconfig/network"


def host_interfaces(root="/"):
    """{name: mac} of this host's interfaces (loopback left out)."""
    base = under(root, "/sys/class/net")
    out = {}
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        if name == "lo":
            continue
        out[name] = (read(os.path.join(base, name, "address")) or "").strip() or None
    return out


def detect_renderer(which, root="/"):
    """ifupdown, netplan or ifcfg, by what this host runs its network with."""
    if os.path.isdir(under(root, "/etc/netplan")) and which("netplan"):
        return "netplan"
    if os.path.exists(under(root, MAIN_INTERFACES)) and which("ifup"):
        return "ifupdown"
    if os.path.isdir(under(root, render_ifcfg.DIRECTORY)):
        return "ifcfg"
    return None


_STANZA_START = re.compile(r"^(auto|allow-[\w-]+|iface|mapping|source|source-directory|rename)\b")
OWNED_MARK = "# virtops host_network owns: "


def strip_owned_stanzas(text, names):
    """/etc/network/interfaces without the stanzas of interfaces the model now owns
    (ifupdown refuses an interface defined twice), commented out so nothing is lost."""
    out, owned = [], False
    for line in (text or "").splitlines(True):
        word = line.split()
        if _STANZA_START.match(line):
            owned = False
            if word[0] == "iface" and len(word) > 1 and word[1] in names:
                owned = True
            elif (word[0] == "auto" or word[0].startswith("allow-")) and any(w in names for w in word[1:]):
                rest = [w for w in word[1:] if w not in names]
                out.append(OWNED_MARK + line)
                if rest:
                    out.append("%s %s\n" % (word[0], " ".join(rest)))
                continue
        if owned:
            out.append(OWNED_MARK + line if line.strip() else line)
        else:
            out.append(line)
    return "".join(out)


class NetworkPlan(object):
    """Files to write ({path: text}) and remove, what they held, and the interfaces to
    cycle. ``changed`` is true exactly when a file differs: an unchanged model touches
    no interface."""

    def __init__(self, renderer, network):
        self.renderer = renderer
        self.model = network
        self.writes = {}
        self.removes = []
        self.before = {}
        self.up = []
        self.down = []

    @property
    def changed(self):
        return bool(self.writes or self.removes)

    def diff(self):
        return [{"before_header": path, "after_header": path, "before": self.before.get(path) or "",
                 "after": self.writes.get(path, "")} for path in sorted(set(self.writes) | set(self.removes))]

    def to_dict(self):
        return {"renderer": self.renderer, "writes": self.writes, "removes": self.removes,
                "before": self.before, "up": self.up, "down": self.down}


def _owned_and_members(network):
    owned, members = set(), set()
    for kind in ("bonds", "vlans", "bridges"):
        owned.update(item["name"] for item in network[kind])
    for bond in network["bonds"]:
        members.update(bond["slaves"])
    for bridge in network["bridges"]:
        members.update(bridge["ports"])
    return owned, members


def compute(raw, renderer, purge=False, prefix="host_network", root="/"):
    """The NetworkPlan of ``raw`` for this host; raises SpecErrors before reading a file."""
    interfaces = host_interfaces(root)
    network = model.validate(raw, interfaces, prefix)
    plan = NetworkPlan(renderer, network)
    owned, members = _owned_and_members(network)
    # A bridge is pinned to its uplink's MAC only where the uplink is a NIC of the host's
    # own: bonds and VLANs the model makes take theirs from their slaves, and appear only
    # after the first run, which would then change the file a second time.
    macs = dict((name, mac) for name, mac in interfaces.items() if name not in owned)
    files = RENDERERS[renderer].render(network, macs)
    if renderer == "ifupdown":
        main = read(under(root, MAIN_INTERFACES))
        stripped = strip_owned_stanzas(main, owned | members)
        if main is not None and stripped != main:
            files[MAIN_INTERFACES] = stripped
    if network["nozeroconf"] and os.path.exists(under(root, SYSCONFIG_NETWORK)):
        new = render_ifcfg.nozeroconf(read(under(root, SYSCONFIG_NETWORK)))
        if new is not None:
            files[SYSCONFIG_NETWORK] = new
    for path in sorted(files):
        current = read(under(root, path))
        if current != files[path]:
            plan.before[path] = current
            plan.writes[path] = files[path]
    if purge:
        directory = DIRECTORIES[renderer]
        local = under(root, directory)
        for name in sorted(os.listdir(local)) if os.path.isdir(local) else []:
            path = os.path.join(directory, name)
            current = read(under(root, path))
            if path not in files and current and model.MANAGED in current:
                plan.before[path] = current
                plan.removes.append(path)
    if plan.changed:
        # Everything the model names goes down with the old files (bridges, then VLANs,
        # bonds and their members) and comes up with the new ones in the other order.
        # Interfaces the model does not name are left alone.
        plan.up = ([b["name"] for b in network["bonds"]] + [v["name"] for v in network["vlans"]]
                   + [b["name"] for b in network["bridges"]])
        plan.down = list(reversed(plan.up)) + sorted(members - owned)
    return plan
