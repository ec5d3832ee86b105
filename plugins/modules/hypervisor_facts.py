#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hypervisor_facts
short_description: Detect what a host is (Xen dom0, KVM host, OVM3 server) and what libvirt offers there
version_added: 0.1.0
description:
  - Detects from the host's own evidence whether it is a Xen dom0, a KVM host, an Oracle
    VM 3 server, a guest, or none of these (C(/sys/hypervisor), C(/proc/xen),
    C(xl info), C(/dev/kvm), kernel modules, C(/etc/ovs-release), the ovs-agent
    configuration, DMI and cpuinfo). Every fact lists the evidence it came from.
  - Reads libvirt's host and domain capabilities over O(uri), local or remote, or from
    dumps given as O(capabilities_xml) and O(domain_capabilities_xml).
  - Recommends what a client should use on the host (domain type, os type, PV or HVM
    boot, disk bus, NIC model, guest channel target, image format), derived only from
    the capabilities and the detection.
  - Returns everything under C(ansible_facts.virtops).
author:
  - virtops maintainers (@virtops)
extends_documentation_fragment:
  - virtops.hypervisor.libvirt_uri
  - virtops.hypervisor.failure
options:
  uri:
    description:
      - Without O(uri), the host is inspected locally and libvirt is asked at the URI
        that fits the detection (V(xen:///system) on Xen and OVM3, V(qemu:///system)
        otherwise); if no daemon answers there, the facts say so and a warning is
        returned instead of a failure.
      - With O(uri), a connection failure fails the module.
  capabilities_xml:
    description:
      - A host capabilities document (as from C(virsh capabilities)) to analyse offline,
        for example dumps collected from a fleet and kept in git.
      - No libvirt connection is made and nothing local is read; the facts land under
        the same C(virtops.libvirt) keys as live ones.
    type: str
  domain_capabilities_xml:
    description:
      - Domain capabilities documents (as from C(virsh domcapabilities)) that belong to
        O(capabilities_xml).
    type: list
    elements: str
  domain_capabilities:
    description:
      - Ask a live connection for the domain capabilities of every guest architecture
        and domain type it offers.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
  facts:
    support: full
    description: Everything is returned under C(ansible_facts.virtops).
notes:
  - A Xen dom0 whose xenfs is not mounted on C(/proc/xen) is still detected as a host,
    from the dom0 feature bit in C(/sys/hypervisor/properties/features).
  - A KVM host that is itself a virtual machine is a host when C(/dev/kvm) opens.
"""

EXAMPLES = r"""
- name: Detect the hypervisor and read libvirt capabilities
  virtops.hypervisor.hypervisor_facts:

- name: Show what a new guest should use here
  ansible.builtin.debug:
    var: ansible_facts.virtops.libvirt.recommended

- name: Ask a remote Xen host, reading nothing local
  virtops.hypervisor.hypervisor_facts:
    uri: xen+ssh://root@xen1.example.com/system

- name: Analyse a capabilities dump kept in git
  virtops.hypervisor.hypervisor_facts:
    capabilities_xml: "{{ lookup('ansible.builtin.file', 'dumps/host42-capabilities.xml') }}"
    domain_capabilities_xml:
      - "{{ lookup('ansible.builtin.file', 'dumps/host42-domcaps-x86_64-kvm.xml') }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts about the host.
  returned: always
  type: dict
  contains:
    virtops:
      description: All facts of this collection.
      type: dict
      contains:
        hypervisor:
          description:
            - What this machine hosts (C(type) V(kvm), V(xen), V(ovm3) or V(none)) and its
              C(role) (V(host), V(guest), V(none)), with C(evidence), C(guest_of), and the
              C(xen) (version, dom0, xenfs_mounted, xen_caps, virt_caps), C(kvm) and
              C(ovm3) (release, agent_port) details, each with its own evidence.
            - C(xen) also has C(control_d) (C(/proc/xen/capabilities) says so),
              C(xl_info) (C(xl info) succeeded) and C(hvm) (Xen can run HVM guests, from V(hvm)
              in C(virt_caps), else an C(hvm-*) ABI in C(xen_caps); false without
              VT-x/AMD-V).
            - C(xen) has the verdict C(usable) (a working dom0, with C(control_d), C(xl info)
              answered and, once libvirt was asked, V(xen:///system) answered with the
              V(xen) driver) with C(reason) when it is false, naming every check that
              failed, and C(xl_info_error) when C(xl info) failed.
            - C(kvm) has C(device), C(accessible) (it opens for this user),
              C(api_version), C(vendor_module) (V(kvm_intel), V(kvm_amd), V(kvm_hv),
              V(kvm_pr), V(kvm_pvm) or null), C(hardware_virtualization) (V(vmx), V(svm)
              or null, from the CPU flags as C(virt-host-validate) reads them), and the
              verdict C(usable) with C(reason) when it is false. C(type) is V(kvm) only
              when C(usable), so a PVM C(/dev/kvm), which runs only PVM-built guest
              kernels, is no KVM host.
            - C(recommended) skips the V(kvm) domain type when C(usable) is false.
            - C(names) (when the machine was inspected) has C(hostname), the kernel's
              host name, and C(fqdn), what C(hostname --fqdn) gives (the canonical name
              the host name resolves to; CloudStack's agent setup needs it), or null with
              C(fqdn_error) saying why.
            - C(source) is V(host) when the machine was inspected, V(libvirt) for a remote
              URI and V(capabilities_xml) for an offline dump.
          type: dict
          returned: always
          sample:
            type: xen
            role: host
            evidence: [sys_hypervisor_type=xen, sys_hypervisor_features_dom0=true]
        libvirt:
          description:
            - C(uri), C(version), C(driver), C(hypervisor_version), C(available).
            - C(host) (arch, cpu_model, cpu_vendor, cpu_features, numa_cells, memory_kib, ...).
            - C(guests), one per guest os type and arch (arch, os_type, domain_types,
              emulator, loader, machines).
            - C(domain_capabilities) keyed C(arch/domain_type/os_type), and
              C(domain_capabilities_errors) for those the driver could not report.
            - C(recommended) (domain_type, os_type, boot_mode, disk_bus, nic_model,
              channel_target, image_format, arch, emulator, machine, loader).
            - C(boot_modes), the boot modes (V(pv), V(hvm)) guests of the host's arch can
              use with a usable domain type; a Xen host without VT-x/AMD-V lists V(pv)
              only.
          type: dict
          returned: always
          sample:
            uri: qemu:///system
            driver: qemu
            recommended:
              domain_type: kvm
              os_type: hvm
              boot_mode: hvm
              disk_bus: virtio
              nic_model: virtio
              channel_target: virtio
              image_format: qcow2
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.virtops.hypervisor.plugins.module_utils import facts, failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError


def main():
    module = AnsibleModule(
        argument_spec=dict(
            uri=dict(type="str"),
            capabilities_xml=dict(type="str"),
            domain_capabilities_xml=dict(type="list", elements="str"),
            domain_capabilities=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("uri", "capabilities_xml")],
        required_by={"domain_capabilities_xml": "capabilities_xml"},
        supports_check_mode=True,
    )

    def run_command(argv):
        """(rc, out, err) of ``argv``, its program found on the PATH; None without it."""
        program = module.get_bin_path(argv[0])
        if program is None:
            return None
        return module.run_command([program] + list(argv[1:]))

    try:
        result, warnings = facts.gather(
            uri=module.params["uri"],
            capabilities_xml=module.params["capabilities_xml"],
            domain_capabilities_xml=module.params["domain_capabilities_xml"],
            run_command=run_command,
            domain_capabilities=module.params["domain_capabilities"],
        )
    except VirtopsError as exc:
        failure.fail(module, exc)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, ansible_facts={"virtops": result})


if __name__ == "__main__":
    main()
