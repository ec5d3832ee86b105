# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the domain tests: capabilities fixtures and libvirt's in-process test driver.

test:///default keeps its state in this process for as long as a connection to it is
open; every test module gets ONE connection (module scope), so what one module defines
is gone when the next one starts.
"""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import facts
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from unit_helpers import read_fixture

KVM = ("local", "qemu-system-capabilities.xml",
       ("qemu-system-domcaps-x86_64-kvm.xml", "qemu-system-domcaps-x86_64-qemu.xml",
        "qemu-system-domcaps-i686-qemu.xml"))
XEN = ("capabilities", "caps-xen-x86_64-hvm.xml",
       ("domcaps-libxl-xenpv-x86_64.xml", "domcaps-libxl-xenfv-x86_64.xml"))


class FixtureHost(object):
    """Capabilities and domain capabilities of a fixture host, shaped like caps.cache.CapabilitiesCache."""

    def __init__(self, subdir, caps_name, domcaps_names):
        self.caps = Capabilities.from_xml(read_fixture(subdir, caps_name))
        self.domcaps_by_key = facts.offline_domain_capabilities(
            [read_fixture(subdir, n) for n in domcaps_names], self.caps)
        self.asked = []

    def domcaps(self, arch, domain_type, os_type):
        self.asked.append((arch, domain_type, os_type))
        return self.domcaps_by_key.get((arch, domain_type, os_type))


@pytest.fixture
def kvm_host():
    return FixtureHost(*KVM)


@pytest.fixture
def xen_host():
    return FixtureHost(*XEN)


@pytest.fixture
def test_host():
    return FixtureHost("local", "test-default-capabilities.xml", ())


@pytest.fixture
def aarch64_host():
    return FixtureHost("capabilities", "caps-qemu-aarch64.xml", ("domcaps-qemu-kvm-virt-aarch64.xml",))
