# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One connection's capabilities, read once; its domain capabilities asked for on demand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import Capabilities
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.recommend import recommend, unusable_domain_types
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.query import domain_capabilities_for
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError


class CapabilitiesCache(object):
    """One connection's capabilities (``caps``, a parsed Capabilities document), read once,
    with what follows from them; domain capabilities on demand, each asked for once.

    ``detection`` is the ``hypervisor`` facts of this machine when the connection is
    local: its KVM verdict rules out a ``kvm`` that cannot run ordinary guests.
    """

    def __init__(self, conn, detection=None):
        self.conn = conn
        self.caps = Capabilities.from_xml(connection.call(conn, "getCapabilities"), "capabilities")
        self._domcaps = {}
        self.recommended = recommend(self.caps, detection=detection)
        self.unusable = unusable_domain_types(detection)

    def domcaps(self, arch, domain_type, os_type):
        key = (arch, domain_type, os_type)
        if key not in self._domcaps:
            guest = self.caps.guest_for(arch, os_type, domain_type)
            try:
                self._domcaps[key] = domain_capabilities_for(self.conn, guest, domain_type)
            except LibvirtCallError:
                # Drivers without domain capabilities (test) are checked by libvirt alone.
                self._domcaps[key] = None
        return self._domcaps[key]
