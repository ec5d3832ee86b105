#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: libvirt_domain
short_description: Converge libvirt guests for KVM and Xen from one structured spec
version_added: 0.1.0
description:
  - Defines, updates, starts, stops, pauses and removes one libvirt domain (O(name) and
    its spec) or many (O(domains)) in one call over one connection.
  - The host's capabilities choose the driver profile, device family and defaults
    (virtio on KVM/QEMU, xen devices and PV boot on Xen, the HVM loader from the
    capabilities); nothing branches on the URI.
  - The generated XML is validated against libvirt's RelaxNG schema before any change;
    a spec with any problem changes nothing, and every problem is named by its path
    (C(domains[3].disks[0].bus)).
  - Existing domains are updated in place; their UUID and NIC MAC addresses are kept.
    Whether anything changed is decided from libvirt's own normalised inactive XML.
  - Waiting for a guest to start or stop uses libvirt lifecycle events, bounded by
    O(timeout).
author:
  - virtops maintainers (@virtops)
extends_documentation_fragment:
  - virtops.hypervisor.libvirt_uri
  - virtops.hypervisor.domain_spec
  - virtops.hypervisor.domain_spec.domains
  - virtops.hypervisor.failure
options:
  uri:
    description:
      - Defaults to the URI that fits the local host (V(xen:///system) on Xen,
        V(qemu:///system) otherwise).
  name:
    description:
      - Name of the single domain to converge. Mutually exclusive with O(domains).
    type: str
  domains:
    description:
      - Several domains to converge in one call. Each item is a domain spec with the
        suboptions below, the same as the options of a single domain.
      - All items are validated before any of them is changed.
    type: list
    elements: dict
  validate:
    description:
      - Validate the generated XML against libvirt's RelaxNG schema before any change.
      - For a remote URI, or where this machine has no copy of libvirt's schemas, the
        daemon validates it instead, at define (VIR_DOMAIN_DEFINE_VALIDATE).
      - V(false) skips validation altogether.
    type: bool
    default: true
  return_xml:
    description:
      - Return every domain's XML in C(domains[].xml). By default only changed (or, in
        check mode, to be changed) domains carry it, which keeps CI logs short.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for each lifecycle event (started, stopped, ...).
      - From 1 to 86400 (a day); anything else is refused before any change.
    type: int
    default: 120
  shutdown_mode:
    description:
      - How O(state=shutdown) stops a running guest. V(graceful) asks the guest (ACPI, or
        the Xen control node) and fails after O(timeout); V(graceful_then_force) then
        pulls the plug; V(force) pulls it at once.
    type: str
    choices: [graceful, force, graceful_then_force]
    default: graceful
  remove_nvram:
    description:
      - With O(state=absent), also delete the domain's NVRAM file (UEFI variables).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Predicts from the same plan the real run carries out.
  diff_mode:
    support: full
    description: Shows libvirt's inactive XML before and after (planned XML in check mode).
notes:
  - Check mode compares the XML this module would define with libvirt's normalised XML
    of the existing domain. Sizes are compared in KiB and Xen PV's os type as libvirt
    stores it, so unchanged raw O(xml) in other units plans no define.
  - A redefine edits libvirt's current XML, so what the spec does not own (metadata,
    description, tuning, addresses, other tools' devices) survives; NICs are matched by
    MAC, then by type and source, disks by target, then by source.
  - "Run states, from each current state: O(state=running) resumes a paused guest, wakes a
    pmsuspended one and destroys then starts a crashed one; O(state=shutdown) resumes (or
    wakes) a paused (or pmsuspended) guest before the graceful request, which it could not
    answer, or destroys it under O(shutdown_mode=force), and destroys a crashed one;
    O(state=paused) from shut off starts it paused and waits for the started event."
  - A transient domain (running with no definition) given O(state=absent) is destroyed,
    and is then gone; any other state defines it, which makes it persistent, and the
    result's C(notes) says so.
  - Before any change, a guest the plan starts is checked for missing kernel, initrd and
    disk files and bridges (on a local URI) and libvirt networks; a definition alone may
    name what does not exist yet. Raw O(xml) whose C(<uuid>) differs from the existing
    domain's is refused.
  - On a failure part-way, the result still has C(changed), and C(done) holds every
    domain's entry so far (the shape of RV(domains)), with its completed C(steps) and
    C(failed_step); the message names the domain and the step, for example
    C(domains[3] (s-1-VM) start ...).
  - A domain another client defines or changes between this module's plan and its define
    is read and planned again, at most 3 times.
  - Definitions are read with their secrets (VIR_DOMAIN_XML_SECURE), so a graphics
    password compares equal; returned XML and diffs mask passwords and kernel command
    lines.
requirements:
  - lxml (for the schema validation)
"""

EXAMPLES = r"""
- name: A KVM guest, everything else from the host's capabilities
  virtops.hypervisor.libvirt_domain:
    name: web1
    memory: 2GiB
    vcpus: 2
    disks:
      - path: /var/lib/libvirt/images/web1.qcow2
    nics:
      - bridge: cloudbr0
    state: running

- name: A Xen PV system VM and an HVM one on the same Xen host, in one call
  virtops.hypervisor.libvirt_domain:
    uri: xen:///system
    domains:
      - name: s-1-VM
        memory: 512
        kernel: /var/lib/xen/boot/vmlinuz
        initrd: /var/lib/xen/boot/initrd.img
        cmdline: root=/dev/xvda1 console=hvc0
        disks: [{path: /var/lib/xen/images/s-1-VM.qcow2}]
        channels: [{name: org.apache.cloudstack.guest.0}]
        state: running
      - name: win1
        boot: hvm
        memory: 4GiB
        disks: [{path: /var/lib/xen/images/win1.raw}]

- name: Remove a guest and its NVRAM
  virtops.hypervisor.libvirt_domain:
    name: web1
    state: absent
    remove_nvram: true
"""

RETURN = r"""
domains:
  description:
    - One entry per domain, in the order given.
    - A failed run returns the entries of the domains dealt with so far as C(done).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Domain name.
      type: str
    changed:
      description: Whether this domain changed (or would, in check mode).
      type: bool
    actions:
      description: What was (or would be) done, in order (define, start, shutdown, destroy, undefine, autostart...).
      type: list
      elements: str
    state:
      description: The domain's state afterwards (running, paused, shutoff, absent); null in check mode.
      type: str
    xml:
      description:
        - libvirt's inactive XML afterwards (the planned XML in check mode), for changed
          domains or with O(return_xml).
        - Graphics passwords and the kernel command line are masked as C(********:<tag>),
          the tag keyed per run, so equal values show equal within one result.
      type: str
    steps:
      description: The actions carried out, in order; in C(done) of a failure, those done before it.
      type: list
      elements: str
    failed_step:
      description: The action that failed (only in C(done) of a failed result).
      type: str
    notes:
      description: What the run did beyond the spec (a transient domain made persistent).
      type: list
      elements: str
    restart_required:
      description: The domain runs and its new definition differs from what it booted with.
      type: bool
    pending_until_restart:
      description:
        - What the running guest only sees at its next boot (V(memory), V(vcpu),
          V(devices/disk[vdb]), ...).
      type: list
      elements: str
    events:
      description:
        - Lifecycle events waited for, by libvirt's names (C(event) V(started), C(detail)
          V(booted); V(stopped) with V(shutdown) or V(destroyed)), with the time (epoch
          seconds) they arrived (C(at)) and how long before the module returned
          (C(to_return_s)).
      type: list
      elements: dict
  sample:
    - name: web1
      changed: true
      actions: [define, start]
      steps: [define, start]
      state: running
      events: [{event: started, detail: booted, at: 1763690000.12}]
done:
  description:
    - On failure, the entries of RV(domains) for the domains dealt with so far, the
      failing one last, with its C(steps) and C(failed_step).
  returned: on failure
  type: list
  elements: dict
  sample:
    - {name: s-1-VM, changed: true, actions: [define, start], steps: [define], failed_step: start}
errors:
  description: On failure, every problem as C(path) (V(domains[2].disks[0].bus)) and C(msg).
  returned: on failure
  type: list
  elements: dict
  sample: [{path: "domains[2].disks[0].bus", msg: "must be one of auto, virtio, ..."}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import option_table, pipeline
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError


def main():
    argument_spec = dict(option_table.DOMAIN_OPTIONS)
    argument_spec.update(
        uri=dict(type="str"),
        # Items are checked by spec.validate, which names bad values by their path.
        domains=dict(type="list", elements="dict"),
        validate=dict(type="bool", default=True),
        return_xml=dict(type="bool", default=False),
        timeout=dict(type="int", default=120),
        shutdown_mode=dict(type="str", choices=list(pipeline.SHUTDOWN_MODES), default="graceful"),
        remove_nvram=dict(type="bool", default=False),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("domains", key) for key in option_table.DOMAIN_OPTIONS],
        required_one_of=[("name", "domains", "xml")],
        supports_check_mode=True,
    )
    # Secrets inside domains[] (no argument spec marks them) are masked like no_log ones,
    # in the echoed arguments too; returned XML is masked by the pipeline.
    module.no_log_values.update(pipeline.secret_values(module.params))
    progress = pipeline.Progress()
    try:
        result = pipeline.converge(module.params, module.check_mode, module._diff, progress)
    except VirtopsError as exc:
        # What was done before the failure is still done: each domain's entry says so.
        failure.fail(module, exc, done=progress.domains, changed=progress.changed, uri=progress.uri)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
