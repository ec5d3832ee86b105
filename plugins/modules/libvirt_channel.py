#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: libvirt_channel
short_description: Ensure, remove and use the private host <-> guest channel of a libvirt domain
version_added: 0.1.0
description:
  - Ensures that a domain has (or has not) a named private channel between host and guest,
    a virtio-serial port on KVM/QEMU (C(<channel type='unix'>) with C(<target type='virtio'>)),
    a Xen PV channel on Xen (C(<target type='xen'>), libvirt >= 2.3.0 and Xen >= 4.5).
    The target type and the host end come from the domain's driver profile, which reads
    the host's capabilities; the caller only names the channel.
  - The persistent definition is always changed. A running domain is also changed live
    (hot-plug) where the driver allows it (QEMU/KVM); otherwise the result says
    RV(restart_required).
  - With O(send), writes a payload (the boot configuration of a system VM) through the
    channel to the guest-side reader shipped in this collection (C(files/virtops-channel-read))
    and waits for the guest to acknowledge the exact bytes (their SHA-256), bounded by
    O(timeout).
author:
  - virtops maintainers (@virtops)
extends_documentation_fragment:
  - virtops.hypervisor.libvirt_uri
  - virtops.hypervisor.failure
options:
  uri:
    description:
      - Defaults to the URI that fits the local host (V(xen:///system) on Xen,
        V(qemu:///system) otherwise).
      - With a remote URI the XML part works; O(send) does not, because the channel's
        host end is a socket or pty on the hypervisor host. Run the task there instead
        (for example with C(delegate_to)).
  domain:
    description:
      - Name of an existing domain.
    type: str
    required: true
  name:
    description:
      - Name of the channel, as the guest sees it (C(/dev/virtio-ports/NAME) on KVM, the
        xenstore name of a PV console on Xen). 1-127 letters, digits, C(.), C(_) or C(-).
    type: str
    required: true
    aliases: [channel]
  state:
    description:
      - V(present) ensures the channel, V(absent) removes it by its name; O(type) and
        O(path) are refused with V(absent), since they would be ignored.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - Host end of the channel. V(auto) picks a unix socket for virtio and a pty for Xen.
    type: str
    choices: [auto, unix, pty]
    default: auto
  path:
    description:
      - Socket path for a V(unix) host end. Without it libvirt chooses one per run of
        the domain (reported as RV(channel.path)).
      - An absolute path without C(.) or C(..) components, at most 107 bytes (a unix
        socket's limit); refused with O(type=pty).
    type: path
  send:
    description:
      - Payload to write to the running guest, a string as it is or a mapping written as
        C(key=value) lines in order. Never logged.
      - Requires O(state=present), a running domain, and a local URI.
      - Sending is an action, so a task with O(send) reports a change every time it sends.
    type: raw
  timeout:
    description:
      - Seconds to wait for the guest's acknowledgement of O(send), and for a hot-unplug
        to complete.
      - From 1 to 86400 (a day); anything else is refused before any change.
    type: int
    default: 30
  validate:
    description:
      - Validate the domain's definition with the channel against libvirt's RelaxNG schema
        before any change; where this machine has no copy of the schemas, the daemon
        validates it at define. V(false) skips validation altogether.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Reports the planned attach/detach steps and whether a payload would be sent; sends nothing.
  diff_mode:
    support: full
    description: Shows the channel's element of the persistent XML before and after.
notes:
  - Every option, and every combination of options, is checked before anything is read
    or changed; all problems are reported together in C(errors), each by its option.
  - The persistent definition is read with its secrets (a graphics password) and edited
    in place, so everything but the channel survives it (metadata, other tools' devices,
    PCI addresses, MACs). A domain another client changes between this module's plan and
    its define is read and edited again, at most 3 times.
  - The guest side is C(files/virtops-channel-read) in this collection; see
    C(docs/guest-channel.md) for the frame format and how to bake it into an image.
seealso:
  - module: virtops.hypervisor.libvirt_domain
"""

EXAMPLES = r"""
- name: Give the system VM its configuration channel (hot-plugged when it runs)
  virtops.hypervisor.libvirt_channel:
    domain: s-1-VM
    name: org.virtops.config.0

- name: Send it its boot configuration and wait for the guest to acknowledge
  virtops.hypervisor.libvirt_channel:
    domain: s-1-VM
    name: org.virtops.config.0
    send:
      template: domP
      name: s-1-VM
      eth0ip: 169.254.3.7
      authorized_key: "{{ lookup('file', 'id_ed25519.pub') }}"
    timeout: 120

- name: Remove the channel
  virtops.hypervisor.libvirt_channel:
    domain: s-1-VM
    name: org.virtops.config.0
    state: absent
"""

RETURN = r"""
actions:
  description: Steps taken (or, in check mode, planned), in order.
  returned: always
  type: list
  elements: str
  sample: [attach_config, attach_live]
restart_required:
  description: The running domain does not have the persistent definition's channel
    (or still has a removed one), because the driver cannot hot-plug channels.
  returned: always
  type: bool
channel:
  description: The channel as the domain has it afterwards (in check mode, as planned).
  returned: when O(state=present)
  type: dict
  contains:
    name: {description: Channel name., type: str}
    target_type: {description: V(virtio) or V(xen)., type: str}
    source_type: {description: V(unix) or V(pty)., type: str}
    path:
      description: Host end of the running domain's channel (socket or pty), if it runs.
      type: str
  sample: {name: org.virtops.config.0, target_type: virtio, source_type: unix,
           path: /var/lib/libvirt/qemu/channel/target/domain-3-s-1-VM/org.virtops.config.0}
done:
  description: On failure, the steps (as in RV(actions)) carried out before it.
  returned: on failure
  type: list
  elements: str
  sample: [attach_live]
sent:
  description: What O(send) wrote, if anything; the payload itself is never returned.
  returned: when O(send) is set
  type: dict
  contains:
    bytes: {description: Payload size., type: int}
    acknowledged: {description: The guest acknowledged it (false in check mode)., type: bool}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import converge, request
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError


def _leaves(value):
    """Every string a nested value holds, as Ansible collects them for no_log."""
    if isinstance(value, dict):
        return set().union(*([_leaves(v) for v in value.values()] or [set()]))
    if isinstance(value, (list, tuple)):
        return set().union(*([_leaves(v) for v in value] or [set()]))
    return set([str(value)]) if value is not None else set()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            uri=dict(type="str"),
            domain=dict(type="str", required=True),
            name=dict(type="str", required=True, aliases=["channel"]),
            state=dict(type="str", choices=list(request.STATES), default="present"),
            type=dict(type="str", choices=list(request.TYPES), default="auto"),
            path=dict(type="path"),
            send=dict(type="raw", no_log=True),
            timeout=dict(type="int", default=30),
            validate=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    # Ansible made every leaf of ``send`` a no_log value, which masks unrelated output
    # that happens to equal one (a domain named like a value). The payload is never
    # returned, so hide the option itself instead and keep the rest readable.
    send = params["send"]
    if send is not None:
        module.no_log_values.difference_update(_leaves(send))
        params["send"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    progress = converge.Progress()
    try:
        result = converge.converge(params, send, module.check_mode, module._diff, progress)
    except VirtopsError as exc:
        # What was carried out before the failure is still done.
        failure.fail(module, exc, done=progress.done)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
