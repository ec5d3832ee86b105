# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""netplan: one YAML file under /etc/netplan/ for networkd.

Written by hand in block style (no YAML library on the host is assumed); every scalar is
quoted the same way, so the file is stable from run to run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.virtops.hypervisor.plugins.module_utils.network.model import HEADER

PATH = "/etc/netplan/60-virtops.yaml"


def _addresses(bridge):
    out = []
    for ip in (bridge["ipv4"], bridge["ipv6"]):
        if ip and ip["method"] == "static" and ip["address"]:
            out.append(ip["address"])
    return out


def _tree(model, macs):
    ethernets, bonds, vlans, bridges = {}, {}, {}, {}
    defined = set(b["name"] for b in model["bonds"]) | set(v["name"] for v in model["vlans"]) | \
        set(b["name"] for b in model["bridges"])
    for bond in model["bonds"]:
        for slave in bond["slaves"]:
            ethernets[slave] = {"dhcp4": False}
        params = {"mode": bond["mode"], "mii-monitor-interval": bond["miimon"]}
        if bond["primary"]:
            params["primary"] = bond["primary"]
        bonds[bond["name"]] = {"interfaces": list(bond["slaves"]), "parameters": params}
        if bond["mtu"]:
            bonds[bond["name"]]["mtu"] = bond["mtu"]
    for vlan in model["vlans"]:
        vlans[vlan["name"]] = {"id": vlan["id"], "link": vlan["link"]}
        if vlan["mtu"]:
            vlans[vlan["name"]]["mtu"] = vlan["mtu"]
    for bridge in model["bridges"]:
        for port in bridge["ports"]:
            if port not in defined:
                ethernets.setdefault(port, {"dhcp4": False})
        item = {"interfaces": list(bridge["ports"]),
                "parameters": {"stp": bridge["stp"], "forward-delay": bridge["forward_delay"]}}
        ipv4, ipv6 = bridge["ipv4"], bridge["ipv6"]
        item["dhcp4"] = bool(ipv4 and ipv4["method"] == "dhcp")
        if ipv6:
            item["dhcp6"] = ipv6["method"] == "dhcp"
            item["accept-ra"] = ipv6["method"] == "auto"
        if _addresses(bridge):
            item["addresses"] = _addresses(bridge)
        routes = [{"to": "default", "via": ip["gateway"]} for ip in (ipv4, ipv6) if ip and ip["gateway"]]
        routes += [{"to": r["to"], "via": r["via"]} for r in model["routes"] if r["dev"] == bridge["name"]]
        if routes:
            item["routes"] = routes
        if bridge["dns"]:
            item["nameservers"] = {"addresses": list(bridge["dns"])}
        if bridge["mtu"]:
            item["mtu"] = bridge["mtu"]
        uplink = bridge["ports"][0] if bridge["ports"] else None
        if uplink and macs.get(uplink):
            item["macaddress"] = macs[uplink]
        bridges[bridge["name"]] = item
    network = {"version": 2, "renderer": "networkd"}
    for key, value in (("ethernets", ethernets), ("bonds", bonds), ("vlans", vlans), ("bridges", bridges)):
        if value:
            network[key] = value
    return {"network": network}


def _emit(value, indent, out):
    pad = "  " * indent
    if isinstance(value, dict):
        for key in value:
            item = value[key]
            if isinstance(item, (dict, list)) and item:
                out.append("%s%s:" % (pad, key))
                _emit(item, indent + 1, out)
            else:
                out.append("%s%s: %s" % (pad, key, _scalar(item)))
    else:
        for item in value:
            if isinstance(item, dict):
                first = True
                for key in item:
                    out.append("%s%s %s: %s" % (pad, "-" if first else " ", key, _scalar(item[key])))
                    first = False
            else:
                out.append("%s- %s" % (pad, _scalar(item)))


def _scalar(value):
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def render(model, macs=None):
    """{path: content}: the one netplan file."""
    out = []
    _emit(_tree(model, macs or {}), 0, out)
    return {PATH: HEADER + "\n".join(out) + "\n"}
