# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of host_network's options: the module's argument spec is built from it,
and a test holds to it the module's documentation (down to each item's keys), the
host_network role's defaults and argument specs (``host_network_<option>``), and the
keys and defaults ``model.validate`` takes.

The argument spec keeps the table's top level only. The items of the model are checked
by ``model.validate``, which names every bad value by the role's variable
(``host_network_bonds[0].slaves[1]``) and reports them all at once; Ansible's own check of
suboptions would stop at the first and name the module's option.

A new key of the model is one entry here, its check and use in ``model.py`` and the
renderers, and its description in the module's documentation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model

RENDERERS = ("auto", "ifupdown", "ifcfg", "netplan")
PHASES = ("plan", "apply", "confirm", "wait")
IPV4_METHODS = ("static", "dhcp", "none")
IPV6_METHODS = ("static", "dhcp", "auto", "none")


def _ip(methods):
    return dict(method=dict(type="str", choices=list(methods)), address=dict(type="str"),
                gateway=dict(type="str"))


BRIDGE_OPTIONS = dict(
    name=dict(type="str"),
    ports=dict(type="list", elements="str"),
    ipv4=dict(type="dict", options=_ip(IPV4_METHODS)),
    ipv6=dict(type="dict", options=_ip(IPV6_METHODS)),
    dns=dict(type="list", elements="str"),
    mtu=dict(type="int"),
    stp=dict(type="bool", default=False),
    forward_delay=dict(type="int", default=0),
)
BOND_OPTIONS = dict(
    name=dict(type="str"),
    slaves=dict(type="list", elements="str"),
    mode=dict(type="str", choices=list(model.BOND_MODES), default="active-backup"),
    miimon=dict(type="int", default=100),
    primary=dict(type="str"),
    mtu=dict(type="int"),
)
VLAN_OPTIONS = dict(id=dict(type="int"), link=dict(type="str"), name=dict(type="str"), mtu=dict(type="int"))
ROUTE_OPTIONS = dict(to=dict(type="str"), via=dict(type="str"), dev=dict(type="str"))
LABEL_OPTIONS = dict((label, dict(type="str")) for label in model.LABELS)

# The model, and how it is written and applied: the role passes each as host_network_<option>.
ROLE_OPTIONS = dict(
    bridges=dict(type="list", elements="dict", default=[], options=BRIDGE_OPTIONS),
    bonds=dict(type="list", elements="dict", default=[], options=BOND_OPTIONS),
    vlans=dict(type="list", elements="dict", default=[], options=VLAN_OPTIONS),
    routes=dict(type="list", elements="dict", default=[], options=ROUTE_OPTIONS),
    control0=dict(type="bool", default=False),
    nozeroconf=dict(type="bool", default=True),
    labels=dict(type="dict", default={}, options=LABEL_OPTIONS),
    renderer=dict(type="str", choices=list(RENDERERS), default="auto"),
    purge=dict(type="bool", default=False),
    deadline=dict(type="int", default=90),
)
# The module's own: the role sets packages and error_prefix itself; the action plugin sets phase and txn.
MODULE_OPTIONS = dict(
    packages=dict(type="list", elements="str", default=[]),
    error_prefix=dict(type="str", default=""),
    phase=dict(type="str", choices=list(PHASES), default="plan"),
    txn=dict(type="str"),
)
OPTIONS = dict(ROLE_OPTIONS, **MODULE_OPTIONS)

# The role's variable of each option of ROLE_OPTIONS is this prefix, "_" and its name.
ROLE_PREFIX = "host_network"


def argument_spec():
    """host_network's argument spec: the table without the items' keys (see above)."""
    return copy.deepcopy(dict((name, dict((k, v) for k, v in spec.items() if k != "options"))
                              for name, spec in OPTIONS.items()))
