# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  xml:
    description:
      - A complete libvirt domain XML to define instead of a structured spec. The
        existing domain's UUID and NIC MACs are kept when the XML has none.
    type: str
  state:
    description:
      - V(present) defines the domain and leaves it as it is; V(running), V(shutdown) and
        V(paused) also bring it to that state; V(absent) stops and undefines it (with its
        managed save image and snapshot metadata).
    type: str
    default: present
    choices: [present, running, shutdown, paused, absent]
  memory:
    description:
      - Memory as MiB (an integer) or a size with a unit (V(512MiB), V(2GiB), V(1048576KiB)).
      - Required to define a domain from a spec. From 16 MiB to 16 TiB.
    type: raw
  vcpus:
    description: Number of virtual CPUs (1 when omitted), from 1 to 4096.
    type: int
  arch:
    description: Guest architecture; defaults to the host's.
    type: str
  boot:
    description:
      - V(auto) takes what the host recommends (PV on Xen, HVM elsewhere); V(pv) or
        V(hvm) ask for one explicitly and fail if the host offers none.
      - Defaults to V(auto).
    type: str
    choices: [auto, hvm, pv]
  domain_type:
    description:
      - The libvirt domain type (V(kvm), V(qemu), V(xen), ...); defaults to the best one
        the host offers. V(qemu) forces plain emulation (TCG).
      - On a local URI the default skips V(kvm) where this machine's C(/dev/kvm) cannot
        run an unmodified guest (PVM, no vmx/svm, no vendor module, no access), as
        M(virtops.hypervisor.hypervisor_facts) reports in C(kvm.usable) and C(kvm.reason).
        Naming V(kvm) here still gets it.
    type: str
  machine:
    description: Machine type (V(pc), V(q35), ...); libvirt's default when omitted.
    type: str
  cpu_model:
    description: A named CPU model (for example V(qemu64)); QEMU/KVM only.
    type: str
  kernel:
    description: Kernel for direct kernel boot (absolute path on the host).
    type: str
  initrd:
    description: Initrd for direct kernel boot.
    type: str
  cmdline:
    description: Kernel command line for direct kernel boot.
    type: str
  bootloader:
    description: Bootloader for Xen PV guests (for example C(/usr/bin/pygrub)).
    type: str
  disks:
    description: Disks and CD-ROMs, in order.
    type: list
    elements: dict
    suboptions:
      path:
        description: Image file or block device (absolute path); a CD-ROM may have none.
        type: str
      type:
        description: V(file), V(block), or V(auto) (block below C(/dev/)).
        type: str
        choices: [auto, file, block]
        default: auto
      format:
        description:
          - V(qcow2), V(raw), or V(auto) (a block device is raw; a file's format comes
            from its suffix, else the host's recommended image format).
        type: str
        choices: [auto, qcow2, raw]
        default: auto
      device:
        description: V(disk) or V(cdrom).
        type: str
        choices: [disk, cdrom]
        default: disk
      bus:
        description:
          - V(auto) (the host's paravirtual bus, virtio or xen; for a cdrom, a bus the
            host offers for the machine), or a bus by name; checked against the domain
            capabilities.
        type: str
        choices: [auto, virtio, xen, scsi, sata, ide, usb]
        default: auto
      target:
        description: Device name in the guest (V(vda), V(xvdb), ...); assigned in order when omitted.
        type: str
      readonly:
        description: Attach read-only (CD-ROMs always are).
        type: bool
  nics:
    description: Network interfaces, in order; each needs exactly one of O(nics[].bridge), O(nics[].network),
      O(nics[].udp) or O(nics[].user).
    type: list
    elements: dict
    suboptions:
      bridge:
        description: Host bridge to attach to.
        type: str
      network:
        description: libvirt network to attach to.
        type: str
      udp:
        description: A point-to-point link tunnelled over UDP (both addresses default to 127.0.0.1).
        type: dict
        suboptions:
          local_address:
            description: Local address.
            type: str
          local_port:
            description: Local port.
            type: int
          remote_address:
            description: Remote address.
            type: str
          remote_port:
            description: Remote port.
            type: int
      user:
        description:
          - QEMU user-mode networking (QEMU/KVM guests only), with host ports forwarded into
            the guest, e.g. SSH to a test VM through 127.0.0.1. Nothing on the host network
            changes.
          - Rendered as C(-netdev user) in C(<qemu:commandline>) (libvirt forwards ports
            natively only with passt); the NIC sits in a fixed PCI slot from C(0x1e) down.
        type: dict
        suboptions:
          net:
            description:
              - The user network as an IPv4 network of at least /27, for example
                V(198.51.100.0/24); QEMU's V(10.0.2.0/24) when omitted. QEMU's host is
                C(.2), its DNS C(.3) and the guest's DHCP address C(.15).
            type: str
          restrict:
            description:
              - Cut the guest off from everything but its forwarded ports (QEMU
                C(restrict=on)), with no outbound connection and no DNS.
              - Host services reach a restricted guest only by its forwards, or over an
                SSH connection's own forwards. QEMU's C(guestfwd) is not offered, because
                under libvirt's seccomp sandbox its per-connection command kills QEMU.
            type: bool
            default: false
          forwards:
            description: Host to guest port forwards.
            type: list
            elements: dict
            suboptions:
              host_address:
                description: Host address to listen on; V(127.0.0.1) when omitted.
                type: str
              host_port:
                description: Host port (needed).
                type: int
              guest_port:
                description: Guest port (needed).
                type: int
              protocol:
                description: The protocol forwarded.
                type: str
                choices: [tcp, udp]
                default: tcp
      mac:
        description: MAC address; an existing domain's MAC is kept when omitted.
        type: str
      model:
        description:
          - V(auto) (virtio on KVM, netfront on Xen PV, libvirt's emulated default on Xen
            HVM), or a model by name.
        type: str
        choices: [auto, virtio, netfront, e1000, e1000e, rtl8139]
        default: auto
  channels:
    description:
      - Host <-> guest channels (virtio-serial on KVM, Xen PV channels on Xen); the target
        type comes from the host.
    type: list
    elements: dict
    suboptions:
      name:
        description: Channel name as the guest sees it.
        type: str
      type:
        description: Host end, V(unix) (socket), V(pty), or V(auto).
        type: str
        choices: [auto, unix, pty]
        default: auto
      path:
        description: Socket path on the host; libvirt chooses one when omitted.
        type: str
  graphics:
    description: V(none) (default) or V(vnc) (listening on 127.0.0.1).
    type: str
    choices: [none, vnc]
  serial_console:
    description: Give the guest a pty console (serial on HVM, the PV console on Xen PV). Defaults to true.
    type: bool
  console_log:
    description:
      - Write the guest console to this file on the host instead of a pty (useful to
        keep boot logs of test and CI guests).
    type: str
  autostart:
    description: Start the domain with the host; left as it is when omitted.
    type: bool
"""

    # The suboptions of each O(domains) item: the single-domain options, by reference,
    # with their types and choices so that ansible-doc shows them in place.
    DOMAINS = r"""
options:
  domains:
    suboptions:
      name:
        description: Name of the domain. Required in every item.
        type: str
      xml:
        description: As O(xml) for a single domain.
        type: str
      memory:
        description: As O(memory) for a single domain.
        type: raw
      vcpus:
        description: As O(vcpus) for a single domain.
        type: int
      arch:
        description: As O(arch) for a single domain.
        type: str
      boot:
        description: As O(boot) for a single domain.
        type: str
        choices: [auto, hvm, pv]
      domain_type:
        description: As O(domain_type) for a single domain.
        type: str
      machine:
        description: As O(machine) for a single domain.
        type: str
      cpu_model:
        description: As O(cpu_model) for a single domain.
        type: str
      kernel:
        description: As O(kernel) for a single domain.
        type: str
      initrd:
        description: As O(initrd) for a single domain.
        type: str
      cmdline:
        description: As O(cmdline) for a single domain.
        type: str
      bootloader:
        description: As O(bootloader) for a single domain.
        type: str
      disks:
        description: As O(disks) for a single domain, with the same suboptions.
        type: list
        elements: dict
      nics:
        description: As O(nics) for a single domain, with the same suboptions.
        type: list
        elements: dict
      channels:
        description: As O(channels) for a single domain, with the same suboptions.
        type: list
        elements: dict
      graphics:
        description: As O(graphics) for a single domain.
        type: str
        choices: [none, vnc]
      serial_console:
        description: As O(serial_console) for a single domain.
        type: bool
      console_log:
        description: As O(console_log) for a single domain.
        type: str
      autostart:
        description: As O(autostart) for a single domain.
        type: bool
      state:
        description: As O(state) for a single domain.
        type: str
        choices: [present, running, shutdown, paused, absent]
        default: present
"""
