# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A corpus of bad host network models: each error names the path of the bad value."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model

HOST = ["mgmt0", "eth1", "eth2", "enp130s0f1"]
BOND = {"name": "bond0", "slaves": ["eth1", "eth2"]}


@pytest.mark.parametrize("raw, path, message", [
    ({"bonds": [dict(BOND, slaves=["eth1", "eth9"])]}, "host_network_bonds[0].slaves[1]",
     "eth9 is neither an interface of this host nor defined here"),
    ({"bonds": [dict(BOND, slaves=[])]}, "host_network_bonds[0].slaves", "a bond needs at least one slave"),
    ({"bonds": [dict(BOND, mode="lacp")]}, "host_network_bonds[0].mode", "must be one of balance-rr"),
    ({"bonds": [dict(BOND, primary="eth3")]}, "host_network_bonds[0].primary", "eth3 is not one of the slaves"),
    ({"bonds": [BOND], "bridges": [{"name": "br0", "ports": ["eth1"]}]}, "host_network_bridges[0].ports[0]",
     "eth1 is already used at host_network_bonds[0].slaves[0]"),
    ({"bridges": [{"name": "br0", "ports": ["eth1"]}, {"name": "br0", "ports": ["eth2"]}]},
     "host_network_bridges[1].name", "br0 is already defined at host_network_bridges[0]"),
    ({"vlans": [{"id": 0, "link": "eth1"}]}, "host_network_vlans[0].id", "must be between 1 and 4094, got 0"),
    ({"vlans": [{"id": 4095, "link": "eth1"}]}, "host_network_vlans[0].id", "must be between 1 and 4094, got 4095"),
    ({"vlans": [{"link": "eth1"}]}, "host_network_vlans[0].id", "is required"),
    ({"vlans": [{"id": 5, "link": "bond7"}]}, "host_network_vlans[0].link", "bond7 is neither"),
    ({"bridges": [{"name": "cloudbr-management", "ports": []}]}, "host_network_bridges[0].name",
     "cloudbr-management is 18 characters; Linux allows 15"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"address": "192.0.2.10"}}]},
     "host_network_bridges[0].ipv4.address", "must be an IPv4 address with a prefix"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"address": "192.0.2.300/24"}}]},
     "host_network_bridges[0].ipv4.address", "must be an IPv4 address with a prefix like 192.0.2.10/24"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"address": "192.0.2.255/24"}}]},
     "host_network_bridges[0].ipv4.address", "192.0.2.255 is the network's broadcast address"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"address": "192.0.2.10/24", "gateway": "198.51.100.1"}}]},
     "host_network_bridges[0].ipv4.gateway", "198.51.100.1 is not in 192.0.2.0/24"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"method": "dhcp", "address": "192.0.2.10/24"}}]},
     "host_network_bridges[0].ipv4.address", "only a static ipv4 takes an address"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv6": {"address": "192.0.2.10/24"}}]},
     "host_network_bridges[0].ipv6.address", "must be an IPv6 address with a prefix"),
    ({"bridges": [{"name": "br0", "ports": [], "colour": "red"}]}, "host_network_bridges[0].colour", "unknown option"),
    ({"routes": [{"to": "203.0.113.0/33", "via": "192.0.2.1", "dev": "mgmt0"}]}, "host_network_routes[0].to",
     "must be a network like 198.51.100.0/24"),
    ({"routes": [{"to": "203.0.113.0/24", "via": "192.0.2.1"}]}, "host_network_routes[0].dev",
     "is required: 192.0.2.1 is on no network of the model's bridges"),
    ({"bridges": [{"name": "cloudbr1", "ports": ["enp130s0f1"]}], "labels": {"guest": "cloudbr1"}},
     "host_network_labels.guest", "CloudStack's agent would name guest bridges brenp130s0f1-4094, 17 characters"),
    ({"labels": {"mgmt": "cloudbr0"}}, "host_network_labels.mgmt", "unknown option"),
    ({"bridge": []}, "host_network_bridge", "unknown option"),
    ({"bridges": [{"name": "br0", "ports": [], "stp": "sometimes"}]}, "host_network_bridges[0].stp",
     "must be a boolean, got 'sometimes'"),
    ({"nozeroconf": "perhaps"}, "host_network_nozeroconf", "must be a boolean, got 'perhaps'"),
    ({"bonds": [dict(BOND, slaves="eth1")]}, "host_network_bonds[0].slaves", "must be a list, got 'eth1'"),
    ({"vlans": [{"id": "5.5", "link": "eth1"}]}, "host_network_vlans[0].id", "must be an integer, got '5.5'"),
    ({"bridges": [{"name": "br0", "ports": [], "ipv4": {"method": "slaac"}}]}, "host_network_bridges[0].ipv4.method",
     "must be one of static, dhcp, none, got 'slaac'"),
], ids=lambda value: value if isinstance(value, str) and value.startswith("host_network") else None)
def test_bad_models_name_their_path(raw, path, message):
    with pytest.raises(SpecErrors) as info:
        model.validate(raw, HOST)
    found = [(e.path, e.message) for e in info.value.errors]
    assert any(p == path and message in m for p, m in found), found


def test_every_problem_is_reported_at_once():
    raw = {"bonds": [dict(BOND, slaves=["eth9"])], "vlans": [{"id": 9999, "link": "eth1"}]}
    with pytest.raises(SpecErrors) as info:
        model.validate(raw, HOST)
    assert [e.path for e in info.value.errors] == ["host_network_vlans[0].id", "host_network_bonds[0].slaves[0]"]


def test_control0_is_a_portless_link_local_bridge_and_labels_are_kept():
    out = model.validate({"control0": True, "labels": {"management": "mgmt0"}}, HOST)
    assert out["bridges"] == [{"name": "control0", "ports": [], "dns": [], "mtu": None, "stp": False,
                               "forward_delay": 0, "ipv6": None,
                               "ipv4": {"method": "static", "address": "169.254.0.1/16", "gateway": None}}]
    assert out["labels"] == {"management": "mgmt0"}


def test_without_a_prefix_paths_name_the_module_options():
    with pytest.raises(SpecErrors) as info:
        model.validate({"bonds": [{"name": "bond0", "slaves": ["eth9"]}]}, HOST, prefix="")
    assert [e.path for e in info.value.errors] == ["bonds[0].slaves[0]"]


def test_integers_and_booleans_are_taken_as_the_argument_spec_takes_them():
    # Role variables from an inventory or --extra-vars arrive as strings.
    out = model.validate({"vlans": [{"id": "42", "link": "eth1", "mtu": "9000"}],
                          "bridges": [{"name": "br0", "ports": [], "stp": "no", "forward_delay": "4"}],
                          "control0": "yes", "nozeroconf": "no"}, HOST)
    assert (out["vlans"][0]["id"], out["vlans"][0]["mtu"], out["vlans"][0]["name"]) == (42, 9000, "eth1.42")
    assert (out["bridges"][0]["stp"], out["bridges"][0]["forward_delay"]) == (False, 4)
    assert (out["control0"], out["nozeroconf"]) == (True, False)


@pytest.mark.parametrize("prefix", ["host-network", "9x", "eth0.5"])
def test_a_prefix_that_names_no_variable_is_refused(prefix):
    with pytest.raises(model.SpecError) as info:
        model.validate({}, HOST, prefix=prefix)
    assert info.value.path == "error_prefix"
