# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config with its packages in the same task: apt runs only when one is missing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.virtops.hypervisor.plugins.plugin_utils.packages import run_with_packages

MODULE = "virtops.hypervisor.host_config"


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)

        def call():
            return self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)

        result.update(run_with_packages(self, task_vars, call,
                                        boolean(args.get("install_recommends", False), strict=False)))
        return result
