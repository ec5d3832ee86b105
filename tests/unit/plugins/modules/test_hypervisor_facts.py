# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hypervisor_facts' main(): the commands detection asks for, and its one failure shape."""

from __future__ import absolute_import, division, print_function

import json

from ansible_collections.virtops.hypervisor.plugins.module_utils import facts
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtConnectionError
from ansible_collections.virtops.hypervisor.plugins.modules import hypervisor_facts
from unit_helpers import run_main


def test_run_command_runs_the_argv_it_is_given(monkeypatch, capsys):
    ran = {}

    def gather(run_command=None, **_kwargs):
        ran["echo"] = run_command(["echo", "virtops", "21"])
        ran["missing"] = run_command(["no-such-program-virtops", "info"])
        return {"hypervisor": {}, "libvirt": {}}, []
    monkeypatch.setattr(facts, "gather", gather)
    rc, out = run_main(hypervisor_facts, monkeypatch, capsys, {})
    assert rc == 0, out
    assert ran["echo"][0] == 0 and ran["echo"][1] == "virtops 21\n"
    assert ran["missing"] is None


def test_a_failure_has_the_one_shape(monkeypatch, capsys):
    def gather(**_kwargs):
        raise LibvirtConnectionError("qemu+ssh://h/system", "no route to host")
    monkeypatch.setattr(facts, "gather", gather)
    rc, out = run_main(hypervisor_facts, monkeypatch, capsys, {"uri": "qemu+ssh://h/system"})
    result = json.loads(out)
    assert rc == 1
    assert (result["msg"], result["done"], result["changed"]) == (
        "cannot connect to libvirt at qemu+ssh://h/system: no route to host", [], False)
    assert result["errors"] == [{"path": None, "msg": result["msg"]}]
