# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host network model: bridges, bonds, VLANs, routes, control0, NOZEROCONF and the
CloudStack traffic labels, validated before anything is rendered or touched.

Pure Python with no Ansible import: the ifcfg renderer runs on the controller for OVM3
servers, whose own Python cannot run modules. Errors name the path of the bad value with
the caller's prefix (``host_network_bonds[0].slaves[1]: ...``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker, join
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors

# Linux IFNAMSIZ is 16 with the terminating NUL.
MAX_NAME = 15
# CloudStack's KVM agent names guest bridges br<pif>-<vlan>, up to br<pif>-4094.
AGENT_BRIDGE = "br%s-4094"
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")
LABELS = ("management", "guest", "public", "storage")
CONTROL0 = {"name": "control0", "address": "169.254.0.1/16"}
# Every file a renderer writes starts with HEADER; purge removes only files that carry it.
MANAGED = "Managed by virtops.hypervisor host_network"
HEADER = "# %s; edits are overwritten.\n" % MANAGED
TOP_KEYS = ("bridges", "bonds", "vlans", "routes", "control0", "nozeroconf", "labels")


class _Check(Checker):
    """Checker with the network's own kinds of value: interface names and addresses."""

    def name(self, value, path):
        if not isinstance(value, str) or not NAME_RE.match(value):
            self.fail(path, "must be an interface name (letters, digits, '_', '.', '-'), got %r" % (value,))
            return None
        if len(value) > MAX_NAME:
            self.fail(path, "%s is %d characters; Linux allows %d" % (value, len(value), MAX_NAME))
        return value

    def names(self, value, path):
        return [self.name(item, "%s[%d]" % (path, index)) for index, item in enumerate(self.listing(value, path))]

    def interface_address(self, value, path, version):
        try:
            iface = ipaddress.ip_interface(value if isinstance(value, str) else "")
        except ValueError:
            self.fail(path, "must be an IPv%d address with a prefix like %s, got %r"
                      % (version, "192.0.2.10/24" if version == 4 else "2001:db8::10/64", value))
            return None
        if iface.version != version or "/" not in value:
            self.fail(path, "must be an IPv%d address with a prefix, got %r" % (version, value))
            return None
        special = (iface.network.network_address, iface.network.broadcast_address)
        if version == 4 and iface.network.prefixlen < 31 and iface.ip in special:
            self.fail(path, "%s is the network's %s address" % (
                iface.ip, "network" if iface.ip == iface.network.network_address else "broadcast"))
        return str(iface)

    def address(self, value, path):
        try:
            return str(ipaddress.ip_address(value if isinstance(value, str) else ""))
        except ValueError:
            self.fail(path, "must be an IP address, got %r" % (value,))
            return None


def _ip(check, raw, path, version):
    key = "ipv%d" % version
    if raw is None:
        return None
    if not check.mapping(raw, ("method", "address", "gateway"), path):
        return None
    methods = ("static", "dhcp", "none") if version == 4 else ("static", "dhcp", "auto", "none")
    method = check.choice(raw.get("method"), methods, path + ".method",
                          default="static" if raw.get("address") else ("dhcp" if version == 4 else "auto"))
    out = {"method": method, "address": None, "gateway": None}
    if method == "static":
        if raw.get("address") is None:
            check.fail(path + ".address", "is required for a static %s" % key)
        else:
            out["address"] = check.interface_address(raw["address"], path + ".address", version)
    elif raw.get("address") is not None:
        check.fail(path + ".address", "only a static %s takes an address" % key)
    if raw.get("gateway") is not None:
        out["gateway"] = check.address(raw["gateway"], path + ".gateway")
        if out["gateway"] and out["address"] and \
                ipaddress.ip_address(out["gateway"]) not in ipaddress.ip_interface(out["address"]).network:
            check.fail(path + ".gateway", "%s is not in %s" % (out["gateway"], ipaddress.ip_interface(out["address"]).network))
    return out


def validate(raw, host_interfaces=(), prefix="host_network"):
    """The normalised model of ``raw`` ({bridges, bonds, vlans, routes, control0, nozeroconf,
    labels}); ``host_interfaces`` are the names this host already has (its NICs)."""
    check = _Check(prefix)
    if not isinstance(raw, dict):
        raise SpecErrors([SpecError(prefix or "model", "must be a mapping, got %r" % (raw,))])
    for key in sorted(set(raw) - set(TOP_KEYS)):
        check.fail(check.option(key), "unknown option; allowed: %s" % ", ".join(TOP_KEYS))
    model = {"bonds": [], "vlans": [], "bridges": [], "routes": [],
             "control0": check.boolean(raw.get("control0"), check.option("control0"), default=False),
             "nozeroconf": check.boolean(raw.get("nozeroconf"), check.option("nozeroconf"), default=True),
             "labels": {}}
    for index, bond in enumerate(check.listing(raw.get("bonds"), check.option("bonds"))):
        path = check.option("bonds", index)
        if not check.mapping(bond, ("name", "mode", "miimon", "primary", "slaves", "mtu"), path):
            continue
        item = {"name": check.name(bond.get("name"), path + ".name"),
                "mode": check.choice(bond.get("mode"), BOND_MODES, path + ".mode", default="active-backup"),
                "miimon": check.integer(bond.get("miimon"), path + ".miimon", 0, 100000, default=100),
                "primary": bond.get("primary"),
                "slaves": check.names(bond.get("slaves"), path + ".slaves"),
                "mtu": check.integer(bond.get("mtu"), path + ".mtu", 68, 65535)}
        if not item["slaves"]:
            check.fail(path + ".slaves", "a bond needs at least one slave")
        if item["primary"] is not None and item["primary"] not in item["slaves"]:
            check.fail(path + ".primary", "%s is not one of the slaves (%s)" % (item["primary"], ", ".join(
                s for s in item["slaves"] if s)))
        model["bonds"].append(item)
    for index, vlan in enumerate(check.listing(raw.get("vlans"), check.option("vlans"))):
        path = check.option("vlans", index)
        if not check.mapping(vlan, ("id", "link", "name", "mtu"), path):
            continue
        vid = check.integer(vlan.get("id"), path + ".id", 1, 4094, required=True)
        link = check.name(vlan.get("link"), path + ".link")
        name = vlan.get("name") or ("%s.%s" % (link, vid) if link and vid else None)
        model["vlans"].append({"id": vid, "link": link, "name": check.name(name, path + ".name") if name else None,
                               "mtu": check.integer(vlan.get("mtu"), path + ".mtu", 68, 65535)})
    for index, bridge in enumerate(check.listing(raw.get("bridges"), check.option("bridges"))):
        path = check.option("bridges", index)
        if not check.mapping(bridge, ("name", "ports", "ipv4", "ipv6", "dns", "mtu", "stp", "forward_delay"), path):
            continue
        item = {"name": check.name(bridge.get("name"), path + ".name"),
                "ports": check.names(bridge.get("ports"), path + ".ports"),
                "ipv4": _ip(check, bridge.get("ipv4"), path + ".ipv4", 4),
                "ipv6": _ip(check, bridge.get("ipv6"), path + ".ipv6", 6),
                "dns": [check.address(d, "%s.dns[%d]" % (path, i))
                        for i, d in enumerate(check.listing(bridge.get("dns"), path + ".dns"))],
                "mtu": check.integer(bridge.get("mtu"), path + ".mtu", 68, 65535),
                "stp": check.boolean(bridge.get("stp"), path + ".stp", default=False),
                "forward_delay": check.integer(bridge.get("forward_delay"), path + ".forward_delay", 0, 30, default=0)}
        model["bridges"].append(item)
    if model["control0"]:
        model["bridges"].append({"name": CONTROL0["name"], "ports": [], "dns": [], "mtu": None, "stp": False,
                                 "forward_delay": 0, "ipv6": None,
                                 "ipv4": {"method": "static", "address": CONTROL0["address"], "gateway": None}})
    for index, route in enumerate(check.listing(raw.get("routes"), check.option("routes"))):
        path = check.option("routes", index)
        if not check.mapping(route, ("to", "via", "dev"), path):
            continue
        try:
            to = str(ipaddress.ip_network(route.get("to") if isinstance(route.get("to"), str) else ""))
        except ValueError:
            check.fail(path + ".to", "must be a network like 198.51.100.0/24, got %r" % (route.get("to"),))
            to = None
        via = check.address(route.get("via"), path + ".via")
        dev = check.name(route["dev"], path + ".dev") if route.get("dev") else _dev_for(model, via)
        if dev is None and via is not None:
            check.fail(path + ".dev", "is required: %s is on no network of the model's bridges" % via)
        model["routes"].append({"to": to, "via": via, "dev": dev})
    labels = raw.get("labels") or {}
    if check.mapping(labels, LABELS, check.option("labels")):
        for key, device in labels.items():
            if device is not None and key in LABELS:
                check.name(device, join(check.option("labels"), key))
        model["labels"] = dict((k, v) for k, v in labels.items() if v)
    _check_references(check, model, set(host_interfaces))
    check.raise_errors()
    return model


def _check_references(check, model, host):
    """Every port, slave and link exists exactly once; names are unique; derived names fit."""
    defined = {}
    for kind in ("bonds", "vlans", "bridges"):
        for index, item in enumerate(model[kind]):
            if item["name"] is None:
                continue
            if item["name"] in defined:
                check.fail(check.option(kind, index) + ".name", "%s is already defined at %s" % (item["name"], defined[item["name"]]))
            else:
                defined[item["name"]] = check.option(kind, index)
    known = host | set(defined)
    used = {}

    def use(name, path):
        if name is None:
            return
        if name not in known:
            check.fail(path, "%s is neither an interface of this host nor defined here" % name)
        elif name in used:
            check.fail(path, "%s is already used at %s" % (name, used[name]))
        else:
            used[name] = path
    for index, bond in enumerate(model["bonds"]):
        for i, slave in enumerate(bond["slaves"]):
            use(slave, "%s.slaves[%d]" % (check.option("bonds", index), i))
    for index, bridge in enumerate(model["bridges"]):
        for i, port in enumerate(bridge["ports"]):
            use(port, "%s.ports[%d]" % (check.option("bridges", index), i))
    for index, vlan in enumerate(model["vlans"]):
        if vlan["link"] is not None and vlan["link"] not in known:
            check.fail(check.option("vlans", index) + ".link", "%s is neither an interface of this host nor defined here"
                       % vlan["link"])
    guest = model["labels"].get("guest")
    if guest:
        # The agent bridges the guest label's physical interface per guest VLAN.
        pif = _physical_of(model, guest)
        if pif and len(AGENT_BRIDGE % pif) > MAX_NAME:
            check.fail(check.option("labels") + ".guest", "CloudStack's agent would name guest bridges %s, %d characters; "
                       "Linux allows %d (apache/cloudstack #10884)" % (AGENT_BRIDGE % pif, len(AGENT_BRIDGE % pif), MAX_NAME))


def _physical_of(model, device):
    """The interface under ``device`` that the agent takes for guest VLANs (a bridge's
    first port, through VLANs, down to the NIC or bond)."""
    seen = set()
    while device and device not in seen:
        seen.add(device)
        bridge = next((b for b in model["bridges"] if b["name"] == device), None)
        vlan = next((v for v in model["vlans"] if v["name"] == device), None)
        if bridge is not None and bridge["ports"]:
            device = bridge["ports"][0]
        elif vlan is not None:
            device = vlan["link"]
        else:
            return device
    return device


def _dev_for(model, via):
    """The model's bridge whose IPv4 network holds ``via``, or None."""
    if via is None:
        return None
    for bridge in model["bridges"]:
        ip = bridge["ipv4"]
        if ip and ip["address"] and ipaddress.ip_address(via) in ipaddress.ip_interface(ip["address"]).network:
            return bridge["name"]
    return None
