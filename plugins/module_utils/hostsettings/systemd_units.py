# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carrying a host_config plan's unit work out through ``systemctl``, and reading the
unit states the plan is computed from.

``module`` is what runs the commands (``run_command``, ``get_bin_path``, ``warn``): an
AnsibleModule on a host, a stand-in in tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError

UNIT_PROPERTIES = ("LoadState", "UnitFileState", "ActiveState")


def systemd_running():
    return os.path.isdir("/run/systemd/system")


def systemctl(module, *args):
    rc, out, err = module.run_command([module.get_bin_path("systemctl", required=True)] + list(args))
    if rc != 0:
        raise VirtopsError("systemctl %s failed: %s" % (" ".join(args), (err or out).strip()))
    return out


def parse_show(units, out):
    """``systemctl show`` prints one block of KEY=value lines per unit, in the order asked."""
    blocks = out.strip("\n").split("\n\n")
    return dict((unit, dict(line.split("=", 1) for line in block.splitlines() if "=" in line))
                for unit, block in zip(units, blocks))


def unit_states(module):
    """The reader ``plan.compute`` asks: one ``systemctl show`` for every unit."""
    def read(units):
        return parse_show(units, systemctl(module, "show", "--property=" + ",".join(UNIT_PROPERTIES), *units))
    return read


def run_units(module, plan, done):
    """Reload, stop what was just masked, restart what the written files need, then
    enable and start what must run. Each step is appended to ``done`` once carried out,
    so a failure reports how far it got. Returns the units restarted."""
    if not systemd_running():
        if plan.units_changed or plan.restart:
            module.warn("systemd is not running here: nothing was reloaded, stopped or restarted")
        return []
    restarted = []
    if plan.units_changed:
        systemctl(module, "daemon-reload")
        done.append("reloaded systemd")
    if plan.mask:
        systemctl(module, "stop", *plan.mask)
        done.extend("stopped %s" % unit for unit in plan.mask)
    if plan.enable:
        systemctl(module, "enable", *plan.enable)
        done.extend("enabled %s" % unit for unit in plan.enable)
    if plan.config_changed:
        for unit in plan.restart:
            systemctl(module, "restart", unit)
            done.append("restarted %s" % unit)
            restarted.append(unit)
    start = [unit for unit in plan.start if unit not in restarted]
    if start:
        systemctl(module, "start", *start)
        done.extend("started %s" % unit for unit in start)
    return restarted
