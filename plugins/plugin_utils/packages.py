# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Packages first, then the module, for action plugins whose module configures them.

The module validates its whole input and reads dpkg's database itself. In a real run,
when a package it names is missing, it answers ``missing_packages`` without having
changed anything; apt installs them, and the module runs again. On a host already set
up that is one remote call, where an apt task before it would be a second one. In check
mode the module predicts with the packages still missing and lists them in ``packages``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils import failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError

APT = "ansible.builtin.apt"


def install(action, task_vars, names, install_recommends=None):
    """``apt`` on the target for ``names``: its result."""
    args = dict(name=list(names), state="present")
    if install_recommends is not None:
        args["install_recommends"] = install_recommends
    return action._execute_module(module_name=APT, module_args=args, task_vars=task_vars)


def run_with_packages(action, task_vars, run, install_recommends=None):
    """``run()`` (the module's call, returning its result); when it names missing
    packages, install them and call it once more. The result says which were installed
    in ``packages``, and is changed when they were."""
    first = run()
    missing = first.get("missing_packages") or []
    if first.get("failed") or not missing:
        first.pop("missing_packages", None)
        return first
    apt = install(action, task_vars, missing, install_recommends)
    if apt.get("failed") or apt.get("unreachable"):
        problem = VirtopsError("installing %s failed, before anything else was changed: %s"
                               % (", ".join(missing), apt.get("msg", "no message from apt")))
        return dict(failure.failure_result(problem, changed=bool(apt.get("changed")), packages=missing), failed=True)
    installed = "installed %s" % ", ".join(missing)
    result = run()
    still = result.pop("missing_packages", None)
    if still and not result.get("failed"):
        result.update(failure.failure_result(VirtopsError("apt installed %s, but dpkg still lists %s as not installed"
                                                          % (", ".join(missing), ", ".join(still)))), failed=True)
    if result.get("failed"):
        # The module's own done starts after the install.
        result["done"] = [installed] + list(result.get("done") or [])
    result["packages"] = missing
    result["changed"] = True
    return result
