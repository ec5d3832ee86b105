# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config's unit work: reading systemctl's answer, and the steps it takes in order."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import plan, systemd_units

# What systemd 252 (Debian 12) prints for two units, one of them not installed.
SHOW = ("LoadState=loaded\nUnitFileState=enabled\nActiveState=active\n\n"
        "LoadState=not-found\nUnitFileState=\nActiveState=inactive\n")


class Host(object):
    """Stands in for the module: records each systemctl call and fails the one named."""

    def __init__(self, failing=None):
        self.calls, self.warnings, self.failing = [], [], failing

    def get_bin_path(self, name, required=False):
        return "/usr/bin/" + name

    def run_command(self, argv):
        self.calls.append(argv[1:])
        if argv[1] == self.failing:
            return 1, "", "Job for libvirtd.service failed.\n"
        return 0, "", ""

    def warn(self, text):
        self.warnings.append(text)


def a_plan():
    host_plan = plan.HostConfigPlan()
    host_plan.files = [plan.Change("/etc/libvirt/libvirtd.conf", "", "listen_tcp = 1\n", None, "file")]
    host_plan.mask = ["libvirtd.socket"]
    host_plan.restart = ["libvirtd.service"]
    host_plan.enable = ["libvirtd.service"]
    host_plan.start = ["libvirtd.service", "virtlogd.service"]
    return host_plan


@pytest.fixture
def systemd(monkeypatch):
    monkeypatch.setattr(systemd_units, "systemd_running", lambda: True)


def test_systemctl_show_is_read_block_by_block_in_the_order_asked():
    states = systemd_units.parse_show(["libvirtd.service", "xen.service"], SHOW)
    assert states["libvirtd.service"] == {"LoadState": "loaded", "UnitFileState": "enabled", "ActiveState": "active"}
    assert states["xen.service"]["LoadState"] == "not-found"


def test_reload_stop_enable_restart_then_start_what_was_not_restarted(systemd):
    host, done = Host(), []
    assert systemd_units.run_units(host, a_plan(), done) == ["libvirtd.service"]
    assert host.calls == [["daemon-reload"], ["stop", "libvirtd.socket"], ["enable", "libvirtd.service"],
                          ["restart", "libvirtd.service"], ["start", "virtlogd.service"]]
    assert done == ["reloaded systemd", "stopped libvirtd.socket", "enabled libvirtd.service",
                    "restarted libvirtd.service", "started virtlogd.service"]


def test_a_failing_step_leaves_done_at_the_steps_before_it(systemd):
    host, done = Host(failing="restart"), []
    with pytest.raises(VirtopsError, match="systemctl restart libvirtd.service failed: Job for"):
        systemd_units.run_units(host, a_plan(), done)
    assert done == ["reloaded systemd", "stopped libvirtd.socket", "enabled libvirtd.service"]


def test_without_systemd_nothing_runs_and_a_warning_says_so(monkeypatch):
    monkeypatch.setattr(systemd_units, "systemd_running", lambda: False)
    host, done = Host(), []
    assert systemd_units.run_units(host, a_plan(), done) == []
    assert host.calls == [] and done == [] and "nothing was reloaded" in host.warnings[0]
