# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""caps.query: the domain capabilities a connection is asked for."""

from __future__ import absolute_import, division, print_function

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import query
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import Capabilities
from unit_helpers import read_fixture


class XenConn(object):
    """Answers like libxl: HVM (xenfv) capabilities unless asked for another machine."""

    def __init__(self):
        self.calls = []

    def getDomainCapabilities(self, emulator, arch, machine, virttype, flags):
        self.calls.append((emulator, arch, machine, virttype))
        name = "domcaps-libxl-xenpv-x86_64.xml" if machine == "xenpv" else "domcaps-libxl-xenfv-x86_64.xml"
        return read_fixture("capabilities", name)


def test_fetch_domain_capabilities_asks_again_for_a_machine_the_os_type_offers():
    caps = Capabilities.from_xml(read_fixture("capabilities", "caps-xen-x86_64-hvm.xml"))
    conn = XenConn()
    found, errors = query.fetch_domain_capabilities(conn, caps)
    assert errors == {}
    assert sorted(found) == [("i686", "xen", "hvm"), ("x86_64", "xen", "hvm"), ("x86_64", "xen", "xen")]
    assert found[("x86_64", "xen", "xen")].machine == "xenpv"
    assert found[("x86_64", "xen", "hvm")].machine == "xenfv"
    qemu_dm = "/usr/lib64/xen/bin/qemu-dm"
    assert conn.calls[:2] == [(qemu_dm, "x86_64", None, "xen"), (qemu_dm, "x86_64", "xenpv", "xen")]
    assert len(conn.calls) == 4
