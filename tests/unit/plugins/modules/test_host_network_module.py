# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_network fails in the collection's one shape, before anything is touched."""

from __future__ import absolute_import, division, print_function

import json

from ansible_collections.virtops.hypervisor.plugins.modules import host_network
from unit_helpers import run_main


def run_host_network(monkeypatch, capsys, args):
    rc, raw = run_main(host_network, monkeypatch, capsys, dict({"renderer": "ifupdown"}, **args))
    return rc, json.loads(raw)


def test_a_bad_model_names_every_bad_value_by_the_roles_variable(monkeypatch, capsys):
    rc, out = run_host_network(monkeypatch, capsys, {
        "bonds": [{"name": "bond0", "slaves": ["virtops-nic9"], "mode": "fast"}],
        "vlans": [{"id": 5000, "link": "bond0"}], "error_prefix": "host_network"})
    assert rc == 1
    assert sorted(e["path"] for e in out["errors"]) == [
        "host_network_bonds[0].mode", "host_network_bonds[0].slaves[0]", "host_network_vlans[0].id"]
    assert out["done"] == [] and out["changed"] is False


def test_an_error_prefix_that_is_no_variable_name_is_refused(monkeypatch, capsys):
    rc, out = run_host_network(monkeypatch, capsys, {"error_prefix": "host network"})
    assert rc == 1 and [e["path"] for e in out["errors"]] == ["error_prefix"] and out["done"] == []


def test_a_deadline_out_of_bounds_is_refused(monkeypatch, capsys):
    rc, out = run_host_network(monkeypatch, capsys, {"deadline": 5})
    assert rc == 1 and out["errors"] == [{"path": "deadline", "msg": "must be between 10 and 600, got 5"}]


def test_the_later_phases_need_the_action_plugins_transaction(monkeypatch, capsys):
    rc, out = run_host_network(monkeypatch, capsys, {"phase": "wait", "txn": "../etc"})
    assert rc == 1 and [e["path"] for e in out["errors"]] == ["txn"] and out["done"] == []
