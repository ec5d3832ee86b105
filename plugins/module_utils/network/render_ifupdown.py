# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debian/Ubuntu ifupdown: one file per interface under /etc/network/interfaces.d/.

Needs bridge-utils (bridge_*), ifenslave (bond-*) and vlan (name.vid) on the host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.network.model import HEADER

DIRECTORY = "/etc/network/interfaces.d"


def _ip_lines(family, ip):
    if ip is None or ip["method"] == "none":
        return None
    method = {"static": "static", "dhcp": "dhcp", "auto": "auto"}[ip["method"]]
    lines = ["iface {name} %s %s" % (family, method)]
    if ip["address"]:
        lines.append("    address %s" % ip["address"])
    if ip["gateway"]:
        lines.append("    gateway %s" % ip["gateway"])
    return lines


def _stanza(name, body, ipv4=None, ipv6=None, mtu=None, dns=(), routes=()):
    first = _ip_lines("inet", ipv4) or ["iface {name} inet manual"]
    lines = ["auto %s" % name] + [line.format(name=name) for line in first] + ["    " + b for b in body]
    if mtu:
        lines.append("    mtu %d" % mtu)
    if dns:
        lines.append("    dns-nameservers %s" % " ".join(dns))
    for route in routes:
        lines.append("    up ip route replace %s via %s dev %s" % (route["to"], route["via"], name))
        lines.append("    down ip route del %s via %s dev %s" % (route["to"], route["via"], name))
    six = _ip_lines("inet6", ipv6)
    if six:
        lines.append("")
        lines.extend(line.format(name=name) for line in six)
    return "\n".join(lines) + "\n"


def render(model, macs=None):
    """{path: content} for every interface the model names (ports and slaves included)."""
    macs = macs or {}
    files = {}
    routes_by_dev = {}
    for route in model["routes"]:
        routes_by_dev.setdefault(route["dev"], []).append(route)
    members = {}
    for bond in model["bonds"]:
        for slave in bond["slaves"]:
            members[slave] = ["bond-master %s" % bond["name"]]
    for bridge in model["bridges"]:
        for port in bridge["ports"]:
            members.setdefault(port, [])
    for name, body in members.items():
        if any(v["name"] == name for v in model["vlans"]) or any(b["name"] == name for b in model["bonds"]):
            continue
        files["%s/%s" % (DIRECTORY, name)] = HEADER + _stanza(name, body)
    for bond in model["bonds"]:
        body = ["bond-slaves %s" % " ".join(bond["slaves"]), "bond-mode %s" % bond["mode"],
                "bond-miimon %d" % bond["miimon"]]
        if bond["primary"]:
            body.append("bond-primary %s" % bond["primary"])
        files["%s/%s" % (DIRECTORY, bond["name"])] = HEADER + _stanza(bond["name"], body, mtu=bond["mtu"])
    for vlan in model["vlans"]:
        body = ["vlan-raw-device %s" % vlan["link"]]
        files["%s/%s" % (DIRECTORY, vlan["name"])] = HEADER + _stanza(vlan["name"], body, mtu=vlan["mtu"])
    for bridge in model["bridges"]:
        body = ["bridge_ports %s" % (" ".join(bridge["ports"]) or "none"),
                "bridge_stp %s" % ("on" if bridge["stp"] else "off"),
                "bridge_fd %d" % bridge["forward_delay"]]
        uplink = bridge["ports"][0] if bridge["ports"] else None
        if uplink and macs.get(uplink):
            # The bridge keeps its uplink's MAC: DHCP leases and ARP entries do not move.
            body.append("bridge_hw %s" % macs[uplink])
        files["%s/%s" % (DIRECTORY, bridge["name"])] = HEADER + _stanza(
            bridge["name"], body, bridge["ipv4"], bridge["ipv6"], bridge["mtu"], bridge["dns"],
            routes_by_dev.get(bridge["name"], ()))
    return files
