# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every renderer against golden files (fixtures/network/<case>/<renderer>/...).

Set VIRTOPS_REGENERATE=1 to rewrite the golden files after a deliberate change; the diff
then shows in review what the hosts will get.
"""

from __future__ import absolute_import, division, print_function

import os

import pytest
import yaml

from ansible_collections.virtops.hypervisor.plugins.module_utils.network import (
    model, render_ifcfg, render_ifupdown, render_netplan)
from unit_helpers import fixture_path

MACS = {"mgmt0": "52:54:00:ee:00:01", "eth1": "52:54:00:ab:01:01", "eth2": "52:54:00:ab:01:02"}
HOST = ["mgmt0", "eth1", "eth2"]

CASES = {
    # What the Molecule scenario converges: a bond over the two links, VLAN 200 bridged
    # into cloudbr1, the management IP on cloudbr0, control0.
    "cloudstack-kvm": {
        "bonds": [{"name": "bond0", "mode": "active-backup", "slaves": ["eth1", "eth2"], "primary": "eth1"}],
        "vlans": [{"id": 200, "link": "bond0"}],
        "bridges": [
            {"name": "cloudbr0", "ports": ["mgmt0"],
             "ipv4": {"address": "192.0.2.10/24", "gateway": "192.0.2.1"}, "dns": ["192.0.2.53"]},
            {"name": "cloudbr1", "ports": ["bond0.200"], "ipv4": {"address": "198.51.100.11/24"}, "mtu": 1500}],
        "routes": [{"to": "203.0.113.0/24", "via": "198.51.100.1"}],
        "control0": True,
        "labels": {"management": "cloudbr0", "guest": "cloudbr1"},
    },
    "dhcp-bridge-ipv6": {
        "bridges": [{"name": "cloudbr0", "ports": ["mgmt0"], "ipv4": {"method": "dhcp"},
                     "ipv6": {"address": "2001:db8::10/64", "gateway": "2001:db8::1"}}],
    },
}
RENDERERS = {"ifupdown": render_ifupdown, "ifcfg": render_ifcfg, "netplan": render_netplan}


def golden(case, renderer, path):
    return fixture_path("network", case, renderer, path.lstrip("/"))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_renderers_match_their_golden_files(case, renderer):
    files = RENDERERS[renderer].render(model.validate(CASES[case], HOST), MACS)
    base = fixture_path("network", case, renderer)
    if os.environ.get("VIRTOPS_REGENERATE"):
        for path, text in files.items():
            os.makedirs(os.path.dirname(golden(case, renderer, path)), exist_ok=True)
            with open(golden(case, renderer, path), "w") as handle:
                handle.write(text)
    on_disk = set()
    for top, _dirs, names in os.walk(base):
        on_disk.update("/" + os.path.relpath(os.path.join(top, n), base) for n in names)
    assert on_disk == set(files)
    for path, text in files.items():
        with open(golden(case, renderer, path)) as handle:
            assert text == handle.read(), path


@pytest.mark.parametrize("case", sorted(CASES))
def test_netplan_output_is_yaml_with_the_models_shape(case):
    text = list(render_netplan.render(model.validate(CASES[case], HOST), MACS).values())[0]
    tree = yaml.safe_load(text)["network"]
    assert tree["version"] == 2
    assert set(tree["bridges"]) == set(b["name"] for b in CASES[case]["bridges"]) | (
        {"control0"} if CASES[case].get("control0") else set())


def test_the_bridge_keeps_its_uplinks_mac():
    files = render_ifupdown.render(model.validate(CASES["cloudstack-kvm"], HOST), MACS)
    assert "bridge_hw 52:54:00:ee:00:01" in files["/etc/network/interfaces.d/cloudbr0"]


@pytest.mark.parametrize("current, new", [
    (None, "NOZEROCONF=yes\n"),
    ("NETWORKING=yes\n", "NETWORKING=yes\nNOZEROCONF=yes\n"),
    ("NETWORKING=yes\nNOZEROCONF=\n", "NETWORKING=yes\nNOZEROCONF=yes\n"),
    ("NETWORKING=yes\nNOZEROCONF=no\n", None),   # CloudStack's OVM3 plugin writes this
    ("NOZEROCONF=yes\n", None),
    ("NETWORKING=yes", "NETWORKING=yes\nNOZEROCONF=yes\n"),
], ids=["missing-file", "missing-key", "empty", "no-is-kept", "yes-is-kept", "no-newline"])
def test_nozeroconf_is_written_only_when_missing_or_empty(current, new):
    assert render_ifcfg.nozeroconf(current) == new


def test_the_ifcfg_renderer_needs_nothing_but_the_standard_library(tmp_path):
    """The OVM3 role renders ifcfg on the controller: no Ansible, no third-party import."""
    import subprocess  # pylint: disable=import-outside-toplevel
    import sys  # pylint: disable=import-outside-toplevel
    collections = os.path.abspath(os.path.join(os.path.dirname(model.__file__), *[".."] * 6))
    code = ("import sys; sys.path[:] = [p for p in sys.path if 'site-packages' not in p] + [%r]; "
            "from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model, render_ifcfg; "
            "m = model.validate({'bridges': [{'name': 'br0', 'ports': ['eth0']}]}, ['eth0']); "
            "print(sorted(render_ifcfg.render(m)))" % collections)
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "ifcfg-br0" in out.stdout
