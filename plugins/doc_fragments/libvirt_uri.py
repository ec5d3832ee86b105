# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options:
  uri:
    description:
      - libvirt connection URI, local (V(qemu:///system), V(xen:///system)) or remote
        (V(qemu+ssh://root@host/system), V(xen+ssh://root@host/system), V(qemu+tls://host/system)).
      - A remote URI is only ever talked to through libvirt; nothing on the machine
        running the module is read to describe it.
    type: str
requirements:
  - libvirt-python (the C(libvirt) Python binding) on the host that runs the module
"""
