# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which packages dpkg lists as installed, read from its database in a test tree."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.host import packages
from unit_helpers import build_tree

# Stanzas in dpkg's format (Debian 12): installed, removed with its configuration kept,
# and unpacked but not configured (an interrupted install).
STATUS = """Package: dpkg
Essential: yes
Status: install ok installed
Architecture: amd64
Version: 1.21.22
Conffiles:
 /etc/alternatives/README 7be88b21f7e386c8d5a8790c2461c92b

Package: libvirt0
Status: install ok installed
Multi-Arch: same
Architecture: amd64
Version: 9.0.0-4+deb12u2
Description: library for interfacing with different virtualization systems
 Package: not-a-stanza-start

Package: vlan
Status: deinstall ok config-files
Architecture: amd64

Package: bridge-utils
Status: install ok unpacked
Architecture: amd64
"""


@pytest.fixture
def root(tmp_path):
    return build_tree(str(tmp_path), {packages.STATUS: STATUS})


def test_only_packages_in_state_installed_count(root):
    assert packages.installed(root) == {"dpkg", "libvirt0"}


def test_missing_keeps_the_order_asked_and_reads_architecture_qualifiers(root):
    assert packages.missing(["vlan", "libvirt0:amd64", "bridge-utils", "dpkg", "ifenslave"], root) == [
        "vlan", "bridge-utils", "ifenslave"]


def test_nothing_is_missing_where_there_is_no_dpkg(tmp_path):
    assert packages.installed(str(tmp_path)) is None
    assert packages.missing(["vlan"], str(tmp_path)) == []


@pytest.mark.parametrize("bad", ["Bridge-Utils", "vlan=2.0", "-o", "a", "vlan;reboot", "", 3])
def test_what_apt_would_not_take_as_a_name_is_refused_by_its_path(bad):
    with pytest.raises(SpecError, match=r"^kvm_host_packages\[1\]: want a Debian package name"):
        packages.check_names(["qemu-utils", bad], "kvm_host")


def test_real_names_pass():
    packages.check_names(["qemu-system-x86", "libvirt0:amd64", "g++", "libstdc++6", "python3.11"])


def test_every_bad_name_is_reported_each_by_its_path():
    with pytest.raises(SpecErrors) as info:
        packages.check_names(["Bad", "qemu-utils", "vlan;reboot", 3], "kvm_host")
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("kvm_host_packages[0]", "want a Debian package name, got 'Bad'"),
        ("kvm_host_packages[2]", "want a Debian package name, got 'vlan;reboot'"),
        ("kvm_host_packages[3]", "want a Debian package name, got 3")]


def test_without_a_prefix_the_path_is_the_option():
    with pytest.raises(SpecErrors) as info:
        packages.check_names(["ok", "-o"])
    assert [e.path for e in info.value.errors] == ["packages[1]"]


def test_a_prefix_that_names_no_variable_is_refused():
    with pytest.raises(SpecError) as info:
        packages.check_names(["vlan"], "kvm-host")
    assert info.value.path == "error_prefix"
