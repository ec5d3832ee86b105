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
    configuration just written.
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
      - Units to restart when this call changed anything (not in check mode). Units it
        masked are stopped first.
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
        writes. libvirtd is restarted when any of it changed.
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
  error_prefix:
    description:
      - Prefix of the names errors give O(libvirt) keys; the C(kvm_host) role sets
        V(kvm_host), so errors name its variables (C(kvm_host_listen_addr)).
    type: str
    default: ""
attributes:
  check_mode:
    description: Plans only; the result says what a real run would change.
    support: full
  diff_mode:
    description: Every file and drop-in, before and after.
    support: full
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
restarted:
  description: Units restarted (empty when nothing changed, and in check mode).
  returned: always
  type: list
  elements: str
errors:
  description: Every bad value as C({path, msg}).
  returned: on bad input
  type: list
  elements: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors, VirtopsError, error_list
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostconf import libvirt, plan as hostplan


def argument_spec():
    return dict(
        files=dict(type="list", elements="dict", default=[]),
        mask=dict(type="list", elements="str", default=[]),
        dropins=dict(type="list", elements="dict", default=[]),
        restart=dict(type="list", elements="str", default=[]),
        libvirt=dict(type="dict", options=dict(
            listen_tcp=dict(type="bool", default=True), listen_tls=dict(type="bool", default=False),
            listen_addr=dict(type="str", default=""),
            tcp_port=dict(type="int", default=16509), tls_port=dict(type="int", default=16514),
            auth_tcp=dict(type="str", default="none", choices=list(libvirt.AUTH)),
            auth_tls=dict(type="str", default="none", choices=list(libvirt.AUTH)),
            tls_key_file=dict(type="path", default="/etc/pki/libvirt/private/serverkey.pem"),
            tls_cert_file=dict(type="path", default="/etc/pki/libvirt/servercert.pem"),
            tls_ca_file=dict(type="path", default="/etc/pki/CA/cacert.pem"),
            security_driver=dict(type="str", default="none", choices=list(libvirt.SECURITY_DRIVERS)),
            user=dict(type="str", default="root"), group=dict(type="str", default="root"),
            vnc_listen=dict(type="str", default="0.0.0.0"),
        )),
        error_prefix=dict(type="str", default=""),
    )


def systemctl(module, *args):
    rc, out, err = module.run_command([module.get_bin_path("systemctl", required=True)] + list(args))
    if rc != 0:
        raise VirtopsError("systemctl %s failed: %s" % (" ".join(args), (err or out).strip()))


def run_units(module, plan):
    """Reload, stop what was just masked, restart: what the written files need."""
    if not os.path.isdir("/run/systemd/system"):
        if plan.units_changed or plan.restart:
            module.warn("systemd is not running here: nothing was reloaded, stopped or restarted")
        return []
    if plan.units_changed:
        systemctl(module, "daemon-reload")
    if plan.mask:
        systemctl(module, "stop", *plan.mask)
    for unit in plan.restart:
        systemctl(module, "restart", unit)
    return list(plan.restart)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        plan = hostplan.compute(module.params)
    except SpecErrors as exc:
        module.fail_json(msg=str(exc), errors=error_list(exc))
    except VirtopsError as exc:
        module.fail_json(msg=str(exc))
    result = dict(changed=plan.changed, restarted=[], **plan.summary())
    if module._diff:
        result["diff"] = plan.diff()
    if module.check_mode or not plan.changed:
        module.exit_json(**result)
    try:
        hostplan.apply(plan)
        result["restarted"] = run_units(module, plan)
    except (OSError, IOError, VirtopsError) as exc:
        module.fail_json(msg="host_config: %s" % exc, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
