# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins' order: the module checks and answers, apt only for what is missing,
then the module once more. The remote side is the real apt and the real module, in the
Molecule scenarios; here the calls are recorded to show which are made, in what order."""

from __future__ import absolute_import, division, print_function

from ansible_collections.virtops.hypervisor.plugins.plugin_utils import packages


class RecordingAction(object):
    """Answers ``_execute_module`` for apt with ``apt``, and records every call."""

    def __init__(self, apt=None):
        self.calls = []
        self.apt = apt or {"changed": True}

    def _execute_module(self, module_name, module_args, task_vars):
        self.calls.append((module_name, module_args))
        return dict(self.apt)


def module(*answers):
    """The module's successive answers, and the list its calls are recorded in."""
    left, calls = list(answers), []

    def call():
        calls.append("module")
        return dict(left.pop(0))
    return call, calls


def test_a_host_already_set_up_is_one_call_and_apt_is_not_run():
    action = RecordingAction()
    run, calls = module({"changed": False, "files": []})
    result = packages.run_with_packages(action, {}, run, False)
    assert calls == ["module"] and action.calls == []
    assert result == {"changed": False, "files": []}


def test_missing_packages_are_installed_and_the_module_runs_again():
    action = RecordingAction()
    run, calls = module({"changed": False, "missing_packages": ["vlan", "ifenslave"]},
                        {"changed": False, "files": []})
    result = packages.run_with_packages(action, {"x": 1}, run, False)
    assert calls == ["module", "module"]
    assert action.calls == [("ansible.builtin.apt", {"name": ["vlan", "ifenslave"], "state": "present",
                                                     "install_recommends": False})]
    assert result == {"changed": True, "files": [], "packages": ["vlan", "ifenslave"]}


def test_apt_is_left_to_its_own_default_for_recommends_when_not_told():
    action = RecordingAction()
    run, _calls = module({"missing_packages": ["vlan"]}, {"changed": False})
    packages.run_with_packages(action, {}, run)
    assert "install_recommends" not in action.calls[0][1]


def test_a_failed_install_fails_the_task_naming_the_packages_and_the_module_does_not_run_again():
    action = RecordingAction(apt={"failed": True, "msg": "No package matching 'vlan' is available"})
    run, calls = module({"changed": False, "missing_packages": ["vlan"]})
    result = packages.run_with_packages(action, {}, run, False)
    assert calls == ["module"]
    assert result["failed"] and result["packages"] == ["vlan"]
    assert result["msg"] == ("installing vlan failed, before anything else was changed: "
                             "No package matching 'vlan' is available")
    assert result["done"] == [] and result["errors"] == [{"path": None, "msg": result["msg"]}]


def test_a_package_apt_did_not_install_is_an_error():
    action = RecordingAction()
    run, _calls = module({"missing_packages": ["vlan"]}, {"changed": False, "missing_packages": ["vlan"]})
    result = packages.run_with_packages(action, {}, run, False)
    assert result["failed"] and "dpkg still lists vlan as not installed" in result["msg"]
    assert result["done"] == ["installed vlan"] and result["changed"] is True


def test_a_module_failing_after_the_install_counts_the_install_as_done():
    action = RecordingAction()
    run, _calls = module({"missing_packages": ["vlan"]},
                         {"failed": True, "msg": "host_config: x", "done": ["wrote /etc/a"], "changed": True})
    result = packages.run_with_packages(action, {}, run, False)
    assert result["failed"] and result["done"] == ["installed vlan", "wrote /etc/a"]


def test_a_module_failure_is_returned_as_it_is():
    action = RecordingAction()
    run, calls = module({"failed": True, "msg": "kvm_host_listen_addr: bad"})
    assert packages.run_with_packages(action, {}, run, False) == {"failed": True, "msg": "kvm_host_listen_addr: bad"}
    assert action.calls == []
