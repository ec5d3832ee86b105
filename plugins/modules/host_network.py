#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: host_network
short_description: Bridges, bonds, VLANs, routes, control0 and NOZEROCONF, applied with a rollback
version_added: "0.1.0"
description:
  - Renders one declarative model of a hypervisor host's network for ifupdown, ifcfg or
    netplan, and applies it so that losing the controller undoes it.
  - The action plugin of the same name does the whole transaction in one task. It plans
    (check mode stops here, with a diff of every file), starts an applier on the host that
    outlives the SSH session, reconnects over a new connection to confirm, and fails with
    what was lost if it cannot, after which the host has restored its files and
    interfaces by itself.
  - Interfaces the model does not name are left alone (CloudStack's agent makes its own
    C(cloud0) and C(br<pif>-<vlan>) bridges), unless O(purge) removes files this module
    wrote earlier that the model no longer names.
options:
  bridges:
    description:
      - Bridges; each has C(name), C(ports), C(ipv4) (C(method) V(static), V(dhcp) or V(none),
        C(address) with prefix, C(gateway)), C(ipv6) (the same, with V(auto)), C(dns), C(mtu),
        C(stp) (off by default) and C(forward_delay) (0 by default).
      - A bridge's MAC is its first port's, so leases and ARP do not move with the IP.
    type: list
    elements: dict
  bonds:
    description: Bonds; each has C(name), C(slaves), C(mode) (V(active-backup) by default), C(miimon), C(primary), C(mtu).
    type: list
    elements: dict
  vlans:
    description: VLAN interfaces; each has C(id) (1-4094), C(link) (a NIC or bond), C(name) (C(<link>.<id>) by default), C(mtu).
    type: list
    elements: dict
  routes:
    description: Routes; each has C(to), C(via) and C(dev) (the bridge whose network holds C(via) by default).
    type: list
    elements: dict
  control0:
    description: A bridge C(control0) with 169.254.0.1/16 and no port, as OVM3's system VMs need.
    type: bool
    default: false
  nozeroconf:
    description:
      - Where C(/etc/sysconfig/network) exists, write C(NOZEROCONF=yes) if the value is
        missing or empty. Any other value is kept (CloudStack's OVM3 plugin writes C(no)).
    type: bool
    default: true
  labels:
    description:
      - CloudStack traffic labels (C(management), C(guest), C(public), C(storage)) to device
        names; returned as facts. The guest label's physical interface must leave room
        for the agent's C(br<pif>-4094) bridges (15 characters).
    type: dict
  renderer:
    description: V(auto) (netplan, else ifupdown, else ifcfg, by what the host has), or one by name.
    type: str
    choices: [auto, ifupdown, ifcfg, netplan]
    default: auto
  purge:
    description: Remove files this module wrote earlier that the model no longer names.
    type: bool
    default: false
  deadline:
    description:
      - Seconds the host waits for the controller's confirmation before it rolls back by
        itself, from 10 to 600.
    type: int
    default: 90
  packages:
    description:
      - Debian packages the ifupdown renderer needs (the role passes C(bridge-utils),
        C(ifenslave) and C(vlan)). Where the renderer is ifupdown and dpkg does not list
        one as installed, the action plugin installs it with apt in the same task, after
        the whole model is checked and before anything is written. On a host already set
        up apt is not run at all.
      - In check mode nothing is installed; RV(packages) lists what would be.
    type: list
    elements: str
    default: []
  error_prefix:
    description:
      - Prefix of the paths that errors name. Empty by default (C(bonds[0].slaves[1]));
        the M(virtops.hypervisor.host_network) role sets V(host_network), so errors name
        its variables (C(host_network_bonds[0].slaves[1])).
    type: str
    default: ""
  phase:
    description:
      - Internal, set by the action plugin of the same name; do not set it.
      - V(plan) computes only; V(apply) starts the applier; V(confirm) confirms over a
        new connection; V(wait) waits for the applier to finish and returns its status.
    type: str
    choices: [plan, apply, confirm, wait]
    default: plan
  txn:
    description: Internal, set by the action plugin.
    type: str
attributes:
  action:
    description: The action plugin runs the whole transaction (plan, apply, confirm over a new connection) in one task.
    support: full
  check_mode:
    description: Plans only; the diff shows every file that would be written or removed.
    support: full
  diff_mode:
    description: The files, before and after.
    support: full
notes:
  - The renderer's tools must be on the host (ifupdown with bridge-utils, ifenslave and
    vlan on Debian); O(packages) installs them.
  - Each real run with changes keeps its snapshot (the files it replaced, the links,
    addresses and routes before) and the applier's log and final state under
    C(/run/virtops-host-network/<transaction>/), which is a tmpfs on systemd hosts and
    so is gone after the next reboot; the transaction id is in RV(transaction).
author:
  - virtops maintainers (@virtops)
"""

EXAMPLES = r"""
- name: A bond with a VLAN bridged into cloudbr1, and the management IP on cloudbr0
  virtops.hypervisor.host_network:
    bonds: [{name: bond0, slaves: [eth1, eth2], primary: eth1}]
    vlans: [{id: 200, link: bond0}]
    bridges:
      - {name: cloudbr0, ports: [mgmt0], ipv4: {method: dhcp}}
      - {name: cloudbr1, ports: [bond0.200], ipv4: {address: 203.0.113.11/24}}
    control0: true
    labels: {management: cloudbr0, guest: cloudbr1}
"""

RETURN = r"""
packages:
  description: Packages of O(packages) installed, or in check mode to be installed.
  returned: always
  type: list
  elements: str
  sample: [bridge-utils, vlan]
renderer:
  description: The renderer used.
  returned: always
  type: str
  sample: ifupdown
files:
  description: Files written (or, in check mode, to be written) and removed.
  returned: always
  type: dict
  sample: {written: [/etc/network/interfaces.d/bond0], removed: []}
interfaces:
  description: The interfaces taken down (C(down)) and brought up (C(up)), in order; empty when nothing changed.
  returned: always
  type: dict
  sample: {down: [cloudbr1, bond0.200, bond0, eth1, eth2], up: [bond0, bond0.200, cloudbr1]}
labels:
  description: The CloudStack traffic labels, also set as the fact C(virtops_network_labels).
  returned: always
  type: dict
  sample: {management: cloudbr0, guest: cloudbr1}
transaction:
  description:
    - The applier's record after a real run with changes. C(state) is V(committed) or
      V(rolled_back); C(log) holds every command it ran with its exit code.
  returned: when changed and not in check mode
  type: dict
errors:
  description: Every bad value as C({path, msg}).
  returned: on a bad model
  type: list
  elements: dict
"""

import uuid

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import options
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors, VirtopsError, error_list
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import packages as debs
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model, plan as netplan, transaction

DEADLINE = (10, 600)


def argument_spec():
    return dict(
        bridges=dict(type="list", elements="dict"), bonds=dict(type="list", elements="dict"),
        vlans=dict(type="list", elements="dict"), routes=dict(type="list", elements="dict"),
        control0=dict(type="bool", default=False), nozeroconf=dict(type="bool", default=True),
        labels=dict(type="dict"),
        renderer=dict(type="str", choices=["auto", "ifupdown", "ifcfg", "netplan"], default="auto"),
        purge=dict(type="bool", default=False), deadline=dict(type="int", default=90),
        packages=dict(type="list", elements="str", default=[]),
        error_prefix=dict(type="str", default=""),
        phase=dict(type="str", choices=["plan", "apply", "confirm", "wait"], default="plan"),
        txn=dict(type="str"),
    )


def compute(module, params):
    options.check_bounds(params, {"deadline": DEADLINE})
    if not (params["error_prefix"] == "" or model.NAME_RE.match(params["error_prefix"])):
        raise VirtopsError("error_prefix: must be a variable name, got %r" % params["error_prefix"])
    renderer = params["renderer"]
    if renderer == "auto":
        renderer = netplan.detect_renderer(module.get_bin_path)
        if renderer is None:
            raise VirtopsError("renderer: this host has neither netplan, ifupdown nor ifcfg network scripts")
    debs.check_names(params["packages"], params["error_prefix"])
    raw = dict((k, params[k]) for k in model.TOP_KEYS if params[k] is not None)
    return netplan.compute(raw, renderer, params["purge"], prefix=params["error_prefix"])


def transaction_phase(module, params):
    txn = params["txn"] or ""
    if not (len(txn) == 32 and txn.isalnum()):
        module.fail_json(msg="txn: the action plugin's transaction id is required")
    if params["phase"] == "confirm":
        answer = transaction.confirm(txn, params["deadline"])
        module.exit_json(changed=False, answer=answer, status=transaction.read_status(txn))
    module.exit_json(changed=False, status=transaction.wait(txn))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if params["phase"] in ("confirm", "wait"):
        transaction_phase(module, params)
    try:
        plan = compute(module, params)
    except SpecErrors as exc:
        module.fail_json(msg=str(exc), errors=error_list(exc))
    except VirtopsError as exc:
        module.fail_json(msg=str(exc))
    to_install = debs.missing(params["packages"]) if plan.renderer == "ifupdown" else []
    if to_install and params["phase"] == "apply" and not module.check_mode:
        # The model is checked: the action plugin installs them and calls again.
        module.exit_json(changed=False, missing_packages=to_install)
    result = {"changed": plan.changed or bool(to_install), "packages": to_install, "renderer": plan.renderer,
              "files": {"written": sorted(plan.writes), "removed": plan.removes},
              "interfaces": {"down": plan.down, "up": plan.up}, "labels": plan.model["labels"],
              "ansible_facts": {"virtops_network_labels": plan.model["labels"]}}
    if module._diff:
        result["diff"] = plan.diff()
    if params["phase"] == "plan" or module.check_mode or not plan.changed:
        module.exit_json(**result)
    try:
        result["transaction"] = transaction.start(plan, uuid.uuid4().hex, params["deadline"])
    except OSError as exc:
        module.fail_json(msg="could not start the applier on the host: %s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
