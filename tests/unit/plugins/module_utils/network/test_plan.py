# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning against a directory tree laid out as a host: what changes, and what not."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import plan

MAIN = """source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

allow-hotplug mgmt0
iface mgmt0 inet dhcp
"""
MODEL = {"bonds": [{"name": "bond0", "slaves": ["eth1", "eth2"]}],
         "bridges": [{"name": "cloudbr0", "ports": ["mgmt0"], "ipv4": {"method": "dhcp"}}],
         "control0": True}


def write(path, text):
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, "w") as handle:
        handle.write(text)


@pytest.fixture
def host(tmp_path):
    root = str(tmp_path)
    for index, name in enumerate(["lo", "mgmt0", "eth1", "eth2"]):
        write(os.path.join(root, "sys/class/net", name, "address"), "52:54:00:ab:00:%02x\n" % index)
    write(os.path.join(root, "etc/network/interfaces"), MAIN)
    os.makedirs(os.path.join(root, "etc/network/interfaces.d"))
    return root


def apply_files(root, planned):
    for path, text in planned.writes.items():
        write(plan.under(root, path), text)
    for path in planned.removes:
        os.remove(plan.under(root, path))


def test_a_first_run_writes_every_file_and_cycles_what_the_model_names(host):
    planned = plan.compute(MODEL, "ifupdown", root=host)
    assert planned.changed
    assert sorted(planned.writes) == ["/etc/network/interfaces", "/etc/network/interfaces.d/bond0",
                                      "/etc/network/interfaces.d/cloudbr0", "/etc/network/interfaces.d/control0",
                                      "/etc/network/interfaces.d/eth1", "/etc/network/interfaces.d/eth2",
                                      "/etc/network/interfaces.d/mgmt0"]
    assert planned.up == ["bond0", "cloudbr0", "control0"]
    assert planned.down == ["control0", "cloudbr0", "bond0", "eth1", "eth2", "mgmt0"]
    assert planned.before["/etc/network/interfaces.d/bond0"] is None


def test_the_main_file_keeps_what_the_model_does_not_own(host):
    main = plan.compute(MODEL, "ifupdown", root=host).writes["/etc/network/interfaces"]
    assert "iface lo inet loopback" in main.splitlines()
    assert "# virtops host_network owns: iface mgmt0 inet dhcp" in main.splitlines()
    assert "allow-hotplug mgmt0" not in main.splitlines()


def test_the_bridge_takes_its_uplinks_mac(host):
    text = plan.compute(MODEL, "ifupdown", root=host).writes["/etc/network/interfaces.d/cloudbr0"]
    assert "bridge_hw 52:54:00:ab:00:01" in text


def test_a_second_run_changes_nothing_and_touches_no_interface(host):
    apply_files(host, plan.compute(MODEL, "ifupdown", root=host))
    again = plan.compute(MODEL, "ifupdown", root=host)
    assert not again.changed
    assert (again.writes, again.removes, again.up, again.down) == ({}, [], [], [])


def test_interfaces_the_first_run_made_do_not_change_the_second(host):
    model = dict(MODEL, vlans=[{"id": 200, "link": "bond0"}],
                 bridges=[{"name": "cloudbr1", "ports": ["bond0.200"], "ipv4": {"method": "none"}}])
    apply_files(host, plan.compute(model, "ifupdown", root=host))
    for name in ("bond0", "bond0.200", "cloudbr1", "control0"):
        write(os.path.join(host, "sys/class/net", name, "address"), "52:54:00:ab:00:01\n")
    again = plan.compute(model, "ifupdown", root=host)
    assert again.writes == {}
    assert "bridge_hw" not in plan.read(plan.under(host, "/etc/network/interfaces.d/cloudbr1"))


def test_purge_removes_only_files_this_module_wrote(host):
    apply_files(host, plan.compute(MODEL, "ifupdown", root=host))
    write(os.path.join(host, "etc/network/interfaces.d/cloudbr9"), "auto cloudbr9\n")
    smaller = dict(MODEL, control0=False)
    assert plan.compute(smaller, "ifupdown", root=host).removes == []
    purged = plan.compute(smaller, "ifupdown", purge=True, root=host)
    assert purged.removes == ["/etc/network/interfaces.d/control0"]


@pytest.mark.parametrize("current, written", [
    (None, None),
    ("NETWORKING=yes\n", "NETWORKING=yes\nNOZEROCONF=yes\n"),
    ("NOZEROCONF=\n", "NOZEROCONF=yes\n"),
    ("NOZEROCONF=no\n", None),
])
def test_nozeroconf_is_written_only_when_missing_or_empty(host, current, written):
    if current is not None:
        write(os.path.join(host, "etc/sysconfig/network"), current)
    planned = plan.compute({"nozeroconf": True}, "ifupdown", root=host)
    assert planned.writes.get("/etc/sysconfig/network") == written


def test_a_bad_model_reads_no_configuration_file(host, monkeypatch):
    real = plan.read

    def read(path):
        # The host's interfaces are read to validate against; its files are not.
        if "/sys/class/net/" not in path:
            pytest.fail("read %s" % path)
        return real(path)
    monkeypatch.setattr(plan, "read", read)
    with pytest.raises(SpecErrors) as info:
        plan.compute({"bonds": [{"name": "bond0", "slaves": ["eth9"]}]}, "ifupdown", root=host)
    assert "host_network_bonds[0].slaves[0]" in str(info.value)


def test_the_renderer_is_what_the_host_runs(host):
    assert plan.detect_renderer(lambda name: "/usr/sbin/" + name, root=host) == "ifupdown"
    assert plan.detect_renderer(lambda name: None, root=host) is None
    os.makedirs(os.path.join(host, "etc/netplan"))
    assert plan.detect_renderer(lambda name: "/usr/sbin/" + name, root=host) == "netplan"
