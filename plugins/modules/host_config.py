#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: host_config
short_description: Keys in a hypervisor host's configuration files, systemd masks and drop-ins, in one call
version_added: "0.1.0"
description:
  - Sets and unsets keys in line-based configuration files (libvirtd.conf, qemu.conf,
    libxl.conf, xl.conf, C(/etc/default/*), CloudStack's agent.properties), writes whole
    files, masks systemd units and writes unit drop-ins, all planned and validated
    before anything is written.
  - A key is rewritten where it stands, or placed after the package's commented
    default, so the package's comments and keys this call does not name (for example
    those CloudStack's setup writes) are kept. A second run with the same input changes
    nothing.
  - When anything changed it reloads systemd (after a unit change), stops the units it
    has just masked, and restarts the units of O(restart), so a daemon runs with the
    configuration just written. It enables and starts the units of O(running) that are
    not, and then, with O(libvirt), checks that libvirtd accepts connections on its
    ports; so on a host already set up one call checks everything.
  - The C(kvm_host) and C(xen_host) roles of this collection do their configuration
    through it.
options:
  files:
    description:
      - Files to edit. Each has C(path) (absolute), and either C(content) (the whole
        file) or C(syntax) with C(set) (a mapping of keys to values) and C(unset) (keys to
        comment out).
      - C(syntax) V(libvirt) is libvirt's and Xen's C(key = value) (strings quoted,
        integers and booleans bare, lists in brackets); V(shell) is C(KEY="value"), as
        C(/etc/default) files are sourced; V(properties) is Java's C(key=value).
      - C(mode) is an octal string; a new file is V(0644) unless given, and an existing
        file keeps its mode and owner unless given.
    type: list
    elements: dict
    default: []
  mask:
    description: systemd units to mask (a link to C(/dev/null) in C(/etc/systemd/system)).
    type: list
    elements: str
    default: []
  dropins:
    description: systemd drop-ins, each with C(unit), C(name) (ending in C(.conf)) and C(content).
    type: list
    elements: dict
    default: []
  restart:
    description:
      - Units to restart when this call changed a file, a mask or a drop-in (not in check
        mode). Units it masked are stopped first.
    type: list
    elements: str
    default: []
  running:
    description:
      - Units that must be enabled and active; those that are not are enabled and
        started (after the restarts). A masked unit is an error.
      - In check mode a unit systemd does not know yet, because an earlier task is to
        install its package, is left out of the prediction; in a real run it is an error
        before anything is written.
    type: list
    elements: str
    default: []
  libvirt:
    description:
      - libvirtd listening as CloudStack's KVM agent needs it, in the traditional mode
        that C(cloudstack-setup-agent) leaves working (it masks libvirtd's sockets on
        every addHost and writes C(libvirtd_opts), which Debian 12's unit ignores);
        libvirtd's five sockets masked, C(LIBVIRTD_ARGS="--listen") in
        C(/etc/default/libvirtd) (which also drops Debian's C(--timeout 120)), the
        listen keys in C(libvirtd.conf), and the C(qemu.conf) keys CloudStack's setup
        writes. libvirtd is restarted when any of it changed, kept enabled and running,
        and then must accept a TCP connection on each port it listens on (once, not
        polled, as systemd's start returns when libvirtd reports that it accepts
        connections).
      - Every value is checked before anything is written; errors name the option, or
        C(<error_prefix>_<key>) with O(error_prefix).
    type: dict
    suboptions:
      listen_tcp:
        description: Plain TCP on O(libvirt.tcp_port).
        type: bool
        default: true
      listen_tls:
        description: TLS on O(libvirt.tls_port); the key, certificate and CA files must exist.
        type: bool
        default: false
      listen_addr:
        description: An IP address to listen on; all addresses when empty.
        type: str
        default: ""
      tcp_port:
        description: TCP port.
        type: int
        default: 16509
      tls_port:
        description: TLS port.
        type: int
        default: 16514
      auth_tcp:
        description: Authentication on the TCP port. V(none) is what CloudStack's setup writes without TLS.
        type: str
        default: none
        choices: [none, sasl, polkit]
      auth_tls:
        description: Authentication on the TLS port (the certificate is checked in any case).
        type: str
        default: none
        choices: [none, sasl, polkit]
      tls_key_file:
        description: Server key.
        type: path
        default: /etc/pki/libvirt/private/serverkey.pem
      tls_cert_file:
        description: Server certificate.
        type: path
        default: /etc/pki/libvirt/servercert.pem
      tls_ca_file:
        description: CA certificate.
        type: path
        default: /etc/pki/CA/cacert.pem
      security_driver:
        description: C(qemu.conf) C(security_driver). V(none), as CloudStack's setup writes, leaves guests unconfined by AppArmor.
        type: str
        default: none
        choices: [none, apparmor, selinux, dac]
      user:
        description: C(qemu.conf) C(user) QEMU runs as.
        type: str
        default: root
      group:
        description: C(qemu.conf) C(group) QEMU runs as.
        type: str
        default: root
      vnc_listen:
        description: C(qemu.conf) C(vnc_listen), an IP address; unchanged when empty.
        type: str
        default: 0.0.0.0
  packages:
    description:
      - Debian packages this configuration belongs to, installed with apt before anything
        is written when dpkg does not list them as installed. The action plugin of the
        same name does that in the same task, so on a host already set up the task is one
        remote call, and apt is not run at all.
      - Every other option is checked before anything is installed.
      - In check mode nothing is installed; RV(packages) lists what would be, and the
        prediction is made with those packages still missing.
      - Ignored where there is no dpkg database.
    type: list
    elements: str
    default: []
  install_recommends:
    description: Whether apt installs the recommended packages of O(packages) too.
    type: bool
    default: false
  error_prefix:
    description:
      - Prefix of the names errors give O(packages) and O(libvirt) keys; the C(kvm_host) role sets
        V(kvm_host), so errors name its variables (C(kvm_host_listen_addr)).
    type: str
    default: ""
attributes:
  action:
    description: The action plugin installs the missing O(packages) with apt and runs the module again, in one task.
    support: full
  check_mode:
    description: Plans only; the result says what a real run would change.
    support: full
  diff_mode:
    description: Every file and drop-in, before and after.
    support: full
extends_documentation_fragment:
  - virtops.hypervisor.failure
notes:
  - Without systemd as PID 1, units are masked and drop-ins written but nothing is
    reloaded, stopped or restarted; a warning says so.
author:
  - virtops maintainers (@virtops)
"""

EXAMPLES = r"""
- name: libvirtd listening on TCP 16509 in the traditional mode, as CloudStack's KVM agent needs it
  virtops.hypervisor.host_config:
    libvirt: {listen_tcp: true, tcp_port: 16509}

- name: Keys of a file, and a unit masked
  virtops.hypervisor.host_config:
    files:
      - path: /etc/libvirt/libxl.conf
        syntax: libvirt
        set: {autoballoon: 0}
      - path: /etc/default/libvirtd
        syntax: shell
        set: {LIBVIRTD_ARGS: --listen}
    mask: [libvirtd.socket]
    restart: [libvirtd.service]

- name: libvirtd after the Xen toolstack
  virtops.hypervisor.host_config:
    dropins:
      - {unit: libvirtd.service, name: virtops-xen.conf, content: "[Unit]\nAfter=xen.service\n"}
"""

RETURN = r"""
files:
  description: Files written, or in check mode to be written.
  returned: always
  type: list
  elements: str
  sample: [/etc/libvirt/libvirtd.conf]
units:
  description: Units masked, or to be masked.
  returned: always
  type: list
  elements: str
  sample: [libvirtd.socket]
dropins:
  description: Drop-ins written, or to be written.
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/libvirtd.service.d/virtops-xen.conf]
packages:
  description: Packages of O(packages) installed, or in check mode to be installed.
  returned: always
  type: list
  elements: str
  sample: [libvirt-daemon-system]
restarted:
  description: Units restarted (empty when nothing changed, and in check mode).
  returned: always
  type: list
  elements: str
enabled:
  description: Units of O(running) enabled, or to be enabled.
  returned: always
  type: list
  elements: str
started:
  description: Units of O(running) started, or to be started.
  returned: always
  type: list
  elements: str
listening:
  description: The C(address:port) endpoints of O(libvirt) that accepted a connection after the change.
  returned: always
  type: list
  elements: str
  sample: ["127.0.0.1:16509"]
errors:
  description: Every bad value as C({path, msg}); one entry with a null C(path) for a failure that is not about one value.
  returned: on failure
  type: list
  elements: dict
done:
  description:
    - What this call carried out before it failed, in order (C(wrote <path>),
      C(masked <unit>), C(reloaded systemd), C(stopped <unit>), C(enabled <unit>),
      C(restarted <unit>), C(started <unit>)); empty when it failed before changing anything.
  returned: on failure
  type: list
  elements: str
  sample: [wrote /etc/libvirt/libvirtd.conf, masked libvirtd.socket, reloaded systemd]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import checks, failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import packages
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import (
    libvirtd_listen, option_table, plan, systemd_units)


def argument_spec():
    return dict(
        files=dict(type="list", elements="dict", default=[]),
        mask=dict(type="list", elements="str", default=[]),
        dropins=dict(type="list", elements="dict", default=[]),
        restart=dict(type="list", elements="str", default=[]),
        running=dict(type="list", elements="str", default=[]),
        libvirt=option_table.argument_spec(),
        packages=dict(type="list", elements="str", default=[]),
        install_recommends=dict(type="bool", default=False),
        error_prefix=dict(type="str", default=""),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    reader = systemd_units.unit_states(module) if params["running"] or params["libvirt"] else None
    if reader is not None and not systemd_units.systemd_running():
        module.warn("systemd is not running here: the units of running are not checked")
        reader = None
    try:
        checks.checked_prefix(params["error_prefix"])
        packages.check_names(params["packages"], params["error_prefix"])
        host_plan = plan.compute(params, unit_states=reader)
        to_install = packages.missing(params["packages"])
        if to_install and not module.check_mode:
            # Everything is checked: the action plugin installs them and calls again.
            module.exit_json(changed=False, missing_packages=to_install)
        if host_plan.missing and not module.check_mode:
            raise VirtopsError("%s must run, but systemd does not know %s: is its package installed?" % (
                ", ".join(host_plan.missing), "it" if len(host_plan.missing) == 1 else "them"))
    except VirtopsError as exc:
        failure.fail(module, exc)
    result = dict(changed=host_plan.changed or bool(to_install), packages=to_install, restarted=[], listening=[],
                  **host_plan.summary())
    if module._diff:
        result["diff"] = host_plan.diff()
    if module.check_mode:
        module.exit_json(**result)
    done = []
    try:
        if host_plan.changed:
            plan.apply(host_plan, done=done)
            result["restarted"] = systemd_units.run_units(module, host_plan, done)
        result["listening"] = libvirtd_listen.check_listening(host_plan.listening)
    except (OSError, IOError, VirtopsError) as exc:
        del result["changed"]
        failure.fail(module, VirtopsError("host_config: %s" % exc), done=done, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
