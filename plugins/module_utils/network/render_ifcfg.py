# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EL and Oracle VM 3 ifcfg files under /etc/sysconfig/network-scripts/.

Standard library only: the OVM3 role renders on the controller and pushes with ``raw``,
since an OVM3 server's Python cannot run modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.virtops.hypervisor.plugins.module_utils.network.model import HEADER

DIRECTORY = "/etc/sysconfig/network-scripts"


def _file(pairs):
    return HEADER + "".join('%s=%s\n' % (k, _quote(v)) for k, v in pairs if v is not None)


def _quote(value):
    value = str(value)
    return '"%s"' % value if any(c in value for c in ' \t"$') else value


def _ip(ip):
    if ip is None or ip["method"] in ("none",):
        return [("BOOTPROTO", "none")]
    if ip["method"] == "dhcp":
        return [("BOOTPROTO", "dhcp")]
    iface = ipaddress.ip_interface(ip["address"])
    return [("BOOTPROTO", "none"), ("IPADDR", str(iface.ip)), ("PREFIX", iface.network.prefixlen),
            ("GATEWAY", ip["gateway"])]


def render(model, macs=None):
    """{path: content}: ifcfg-<name> per interface, route-<dev> per device with routes."""
    macs = macs or {}
    files = {}
    base = [("ONBOOT", "yes"), ("NM_CONTROLLED", "no")]
    port_of = {}
    for bridge in model["bridges"]:
        for port in bridge["ports"]:
            port_of[port] = bridge["name"]
    for bond in model["bonds"]:
        for slave in bond["slaves"]:
            files["%s/ifcfg-%s" % (DIRECTORY, slave)] = _file(
                [("DEVICE", slave)] + base + [("BOOTPROTO", "none"), ("MASTER", bond["name"]), ("SLAVE", "yes")])
        opts = "mode=%s miimon=%d" % (bond["mode"], bond["miimon"])
        if bond["primary"]:
            opts += " primary=%s" % bond["primary"]
        files["%s/ifcfg-%s" % (DIRECTORY, bond["name"])] = _file(
            [("DEVICE", bond["name"]), ("TYPE", "Bond"), ("BONDING_MASTER", "yes"), ("BONDING_OPTS", opts)] + base
            + [("BOOTPROTO", "none"), ("BRIDGE", port_of.get(bond["name"])), ("MTU", bond["mtu"])])
    for vlan in model["vlans"]:
        files["%s/ifcfg-%s" % (DIRECTORY, vlan["name"])] = _file(
            [("DEVICE", vlan["name"]), ("VLAN", "yes"), ("PHYSDEV", vlan["link"]), ("VLAN_ID", vlan["id"])] + base
            + [("BOOTPROTO", "none"), ("BRIDGE", port_of.get(vlan["name"])), ("MTU", vlan["mtu"])])
    defined = set(b["name"] for b in model["bonds"]) | set(v["name"] for v in model["vlans"])
    for port, bridge in sorted(port_of.items()):
        if port not in defined:
            files["%s/ifcfg-%s" % (DIRECTORY, port)] = _file(
                [("DEVICE", port)] + base + [("BOOTPROTO", "none"), ("BRIDGE", bridge)])
    for bridge in model["bridges"]:
        uplink = bridge["ports"][0] if bridge["ports"] else None
        pairs = [("DEVICE", bridge["name"]), ("TYPE", "Bridge")] + base + _ip(bridge["ipv4"])
        pairs += [("STP", "on" if bridge["stp"] else "off"), ("DELAY", bridge["forward_delay"]),
                  ("MTU", bridge["mtu"]), ("MACADDR", macs.get(uplink) if uplink else None)]
        for index, dns in enumerate(bridge["dns"], 1):
            pairs.append(("DNS%d" % index, dns))
        six = bridge["ipv6"]
        if six and six["method"] != "none":
            pairs += [("IPV6INIT", "yes"), ("IPV6_AUTOCONF", "yes" if six["method"] == "auto" else "no"),
                      ("DHCPV6C", "yes" if six["method"] == "dhcp" else None), ("IPV6ADDR", six["address"]),
                      ("IPV6_DEFAULTGW", six["gateway"])]
        files["%s/ifcfg-%s" % (DIRECTORY, bridge["name"])] = _file(pairs)
    routes = {}
    for route in model["routes"]:
        routes.setdefault(route["dev"], []).append("%s via %s dev %s\n" % (route["to"], route["via"], route["dev"]))
    for dev, lines in routes.items():
        files["%s/route-%s" % (DIRECTORY, dev)] = HEADER + "".join(lines)
    return files


def nozeroconf(current):
    """The new /etc/sysconfig/network text, or None to leave it as it is.

    Any non-empty NOZEROCONF already keeps the 169.254/16 route away, and CloudStack's OVM3
    plugin writes "no": only a missing or empty value becomes "yes", so the two never flap.
    """
    lines = (current or "").splitlines(True)
    for index, line in enumerate(lines):
        key, _sep, value = line.strip().partition("=")
        if key.strip() == "NOZEROCONF":
            if value.strip().strip("\"'"):
                return None
            lines[index] = "NOZEROCONF=yes\n"
            return "".join(lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + "NOZEROCONF=yes\n"
