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
  - On a failure part-way, the result still has C(changed) and every domain's entry so
    far, with its completed C(steps) and C(failed_step); the message names the domain and
    the step, for example C(domains[3] (s-1-VM) start ...).
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
  description: One entry per domain, in the order given.
  returned: always
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
      description: The actions carried out, in order; on a failure, those done before it.
      type: list
      elements: str
    failed_step:
      description: The action that failed (only in a failed result).
      type: str
      returned: on failure
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
errors:
  description: On failure, every problem as C(path) (V(domains[2].disks[0].bus)) and C(msg).
  returned: on failure
  type: list
  elements: dict
  sample: [{path: "domains[2].disks[0].bus", msg: "must be one of auto, virtio, ..."}]
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, events, options
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.cache import HostCapabilities
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import executor, lifecycle, option_table, planner, secrets, spec
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.results import diff_for, result_of
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError, error_list
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection

DOMAIN_OPTIONS = option_table.DOMAIN_OPTIONS


def trim(result, return_xml):
    """XML only where it tells something: a changed domain, or when asked for."""
    if not (return_xml or result["changed"]):
        result.pop("xml", None)
    return result


def main():
    argument_spec = dict(DOMAIN_OPTIONS)
    argument_spec.update(
        uri=dict(type="str"),
        # Items are checked by spec.validate, which names bad values by their path.
        domains=dict(type="list", elements="dict"),
        validate=dict(type="bool", default=True),
        return_xml=dict(type="bool", default=False),
        timeout=dict(type="int", default=120),
        shutdown_mode=dict(type="str", choices=list(lifecycle.SHUTDOWN_MODES), default="graceful"),
        remove_nvram=dict(type="bool", default=False),
    )
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("domains", key) for key in DOMAIN_OPTIONS],
        required_one_of=[("name", "domains", "xml")],
        supports_check_mode=True,
    )
    params = module.params
    if params["domains"] is not None:
        raw, base = params["domains"], "domains"
    else:
        raw, base = [dict((k, params[k]) for k in DOMAIN_OPTIONS)], None
    # Secrets inside domains[] (no argument spec marks them) are masked like no_log ones,
    # in the echoed arguments too; returned XML is masked by the masker below.
    module.no_log_values.update(secrets.secret_values(raw))
    masker = secrets.Masker()

    try:
        options.check_bounds(params, {"timeout": options.TIMEOUT})
        specs = spec.validate(raw, base)
        libvirt = connection.import_libvirt()
        # Events are only delivered if the loop exists before the connection is opened.
        # Only a run state can need them; without the loop every libvirt call is cheaper.
        if any(s["state"] != "present" for s in specs):
            events.start_event_loop(libvirt)
        # Only this machine's own evidence can say that its /dev/kvm runs no ordinary
        # guest (PVM): a remote host is taken at its capabilities' word.
        local = None if connection.is_remote(params["uri"]) else detection.detect()
        uri = params["uri"] or connection.default_uri(local["type"])
        conn = connection.open_connection(uri, libvirt_module=libvirt)
    except VirtopsError as exc:
        module.fail_json(msg=str(exc), errors=error_list(exc))

    results, watcher = [], None
    try:
        host = HostCapabilities(conn, local)
        plans = planner.plan(conn, libvirt, specs, host, validate=params["validate"],
                             shutdown_mode=params["shutdown_mode"],
                             server_validation=connection.is_remote(uri),
                             local=not connection.is_remote(uri) and not uri.startswith("test:"))
        if module.check_mode:
            results = [result_of(p, True) for p in plans]
        else:
            if any(p.actions for p in plans):
                watcher = events.LifecycleWatcher(conn, libvirt)
            executor.apply(conn, libvirt, plans, watcher, params["timeout"],
                           params["shutdown_mode"], params["remove_nvram"], results)
    except VirtopsError as exc:
        for result in results:
            result.pop("diff", None)
            masker.result(result)
            trim(result, params["return_xml"])
        # What was done before the failure is still done: say so.
        module.fail_json(msg=str(exc), uri=uri, changed=any(r["changed"] for r in results),
                         domains=results, errors=error_list(exc))
    finally:
        if watcher is not None:
            watcher.close()
        conn.close()

    # How long after libvirt's event this module returns: the cost of waiting by events.
    returned = time.time()
    for result in results:
        for event in result["events"]:
            event["to_return_s"] = round(returned - event["at"], 6)
    changed = any(r["changed"] for r in results)
    diffs = [r.pop("diff") for r in results]
    for result in results:
        masker.result(result)
        trim(result, params["return_xml"])
    extra = {}
    if module._diff:
        extra["diff"] = [masker.result({"diff": diff_for(d)})["diff"]
                         for d, r in zip(diffs, results) if r["changed"]]
    module.exit_json(changed=changed, uri=uri, domains=results, **extra)


if __name__ == "__main__":
    main()
