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
  - The whole model is checked before anything is read or written, and every bad value
    is named by its path (C(bonds[0].slaves[1])), or by the role's variable with
    O(error_prefix) (C(host_network_bonds[0].slaves[1])).
  - This documentation is the one description of the model; the
    C(virtops.hypervisor.host_network) role passes each option as its variable
    C(host_network_<option>).
extends_documentation_fragment:
  - virtops.hypervisor.failure
options:
  bridges:
    description:
      - Bridges. A bridge's MAC is its first port's, so leases and ARP do not move with the IP.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The bridge's name (at most 15 characters, as every interface name here).
        type: str
      ports:
        description: Its ports (NICs, bonds or VLAN interfaces); none for a bridge with no uplink.
        type: list
        elements: str
      ipv4:
        description: Its IPv4 configuration; none when absent.
        type: dict
        suboptions:
          method:
            description: V(static) when O(bridges[].ipv4.address) is given, else V(dhcp).
            type: str
            choices: [static, dhcp, none]
          address:
            description: An address with its prefix (C(203.0.113.11/24)); only with V(static).
            type: str
          gateway:
            description: The default gateway, in the address's network.
            type: str
      ipv6:
        description: Its IPv6 configuration; none when absent.
        type: dict
        suboptions:
          method:
            description: V(static) when O(bridges[].ipv6.address) is given, else V(auto).
            type: str
            choices: [static, dhcp, auto, none]
          address:
            description: An address with its prefix (C(2001:db8::10/64)); only with V(static).
            type: str
          gateway:
            description: The default gateway.
            type: str
      dns:
        description: Name servers (IP addresses).
        type: list
        elements: str
      mtu:
        description: MTU, from 68 to 65535.
        type: int
      stp:
        description: Spanning tree.
        type: bool
        default: false
      forward_delay:
        description: Forward delay in seconds, from 0 to 30.
        type: int
        default: 0
  bonds:
    description: Bonds.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The bond's name.
        type: str
      slaves:
        description: Its slaves (at least one).
        type: list
        elements: str
      mode:
        description: The bonding mode.
        type: str
        choices: [balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb]
        default: active-backup
      miimon:
        description: Link monitoring interval in milliseconds, from 0 to 100000.
        type: int
        default: 100
      primary:
        description: The preferred slave, one of O(bonds[].slaves).
        type: str
      mtu:
        description: MTU, from 68 to 65535.
        type: int
  vlans:
    description: VLAN interfaces.
    type: list
    elements: dict
    default: []
    suboptions:
      id:
        description: The VLAN id, from 1 to 4094; required.
        type: int
      link:
        description: The NIC or bond it is on.
        type: str
      name:
        description: Its name; C(<link>.<id>) by default.
        type: str
      mtu:
        description: MTU, from 68 to 65535.
        type: int
  routes:
    description: Routes.
    type: list
    elements: dict
    default: []
    suboptions:
      to:
        description: The destination network (C(198.51.100.0/24)).
        type: str
      via:
        description: The gateway.
        type: str
      dev:
        description: The device; by default the bridge whose network holds O(routes[].via).
        type: str
  control0:
    description:
      - A bridge C(control0) with 169.254.0.1/16 and no port, as OVM3's system VMs need; on
        KVM the CloudStack agent makes its own C(cloud0) instead.
    type: bool
    default: false
  nozeroconf:
    description:
      - Where C(/etc/sysconfig/network) exists, write C(NOZEROCONF=yes) if the value is
        missing or empty. Any other value is kept (CloudStack's OVM3 plugin writes C(no)),
        so the role and the manager never flap.
    type: bool
    default: true
  labels:
    description:
      - CloudStack traffic labels to device names; returned, and set as the fact
        C(virtops_network_labels), for the KVM agent's C(*.network.device) keys and for
        enrolment.
    type: dict
    default: {}
    suboptions:
      management:
        description: The management network's device.
        type: str
      guest:
        description:
          - The guest network's device. Its physical interface must leave room for the
            agent's C(br<pif>-4094) bridges (15 characters).
        type: str
      public:
        description: The public network's device.
        type: str
      storage:
        description: The storage network's device.
        type: str
  renderer:
    description: V(auto) (netplan, else ifupdown, else ifcfg, by what the host runs), or one by name.
    type: str
    choices: [auto, ifupdown, ifcfg, netplan]
    default: auto
  purge:
    description: Remove files this module wrote earlier for interfaces the model no longer names.
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
  description: Every bad value as C({path, msg}); one entry with a null C(path) for a failure that is not about one value.
  returned: on failure
  type: list
  elements: dict
done:
  description:
    - What was carried out before the failure. Bad input fails before anything is
      touched, so it is empty then. A transaction that was started but not confirmed
      lists its progress from the applier's record (RV(transaction)); that it was
      started, each command the applier ran with its exit code, and the files the
      rollback restored.
  returned: on failure
  type: list
  elements: str
"""

import uuid

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import checks, failure, options
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import packages
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model, option_table, plan, transaction

DEADLINE = (10, 600)


def argument_spec():
    return option_table.argument_spec()


def compute(module, params):
    options.check_bounds(params, {"deadline": DEADLINE})
    checks.checked_prefix(params["error_prefix"])
    renderer = params["renderer"]
    if renderer == "auto":
        renderer = plan.detect_renderer(module.get_bin_path)
        if renderer is None:
            raise VirtopsError("renderer: this host has neither netplan, ifupdown nor ifcfg network scripts")
    packages.check_names(params["packages"], params["error_prefix"])
    raw = dict((k, params[k]) for k in model.TOP_KEYS if params[k] is not None)
    return plan.compute(raw, renderer, params["purge"], prefix=params["error_prefix"])


def transaction_phase(module, params):
    txn = params["txn"] or ""
    if not (len(txn) == 32 and txn.isalnum()):
        failure.fail(module, SpecError("txn", "the action plugin's transaction id is required"))
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
        network_plan = compute(module, params)
    except VirtopsError as exc:
        failure.fail(module, exc)
    to_install = packages.missing(params["packages"]) if network_plan.renderer == "ifupdown" else []
    if to_install and params["phase"] == "apply" and not module.check_mode:
        # The model is checked: the action plugin installs them and calls again.
        module.exit_json(changed=False, missing_packages=to_install)
    result = {"changed": network_plan.changed or bool(to_install), "packages": to_install,
              "renderer": network_plan.renderer,
              "files": {"written": sorted(network_plan.writes), "removed": network_plan.removes},
              "interfaces": {"down": network_plan.down, "up": network_plan.up}, "labels": network_plan.model["labels"],
              "ansible_facts": {"virtops_network_labels": network_plan.model["labels"]}}
    if module._diff:
        result["diff"] = network_plan.diff()
    if params["phase"] == "plan" or module.check_mode or not network_plan.changed:
        module.exit_json(**result)
    try:
        result["transaction"] = transaction.start(network_plan, uuid.uuid4().hex, params["deadline"])
    except OSError as exc:
        # Nothing of the network was touched: the applier never ran.
        failure.fail(module, VirtopsError("could not start the applier on the host: %s" % exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
