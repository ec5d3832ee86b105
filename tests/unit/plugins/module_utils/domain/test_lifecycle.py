# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run-state table and the undefine ladder, on libvirt's own constants."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import lifecycle, service
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.lifecycle import (
    BLOCKED, CRASHED, PAUSED, PMSUSPENDED, RUNNING, SHUTDOWN, SHUTOFF)


def test_states_are_read_through_libvirts_own_constants(libvirt_module):
    libvirt = libvirt_module
    codes = (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED, libvirt.VIR_DOMAIN_PAUSED,
             libvirt.VIR_DOMAIN_SHUTDOWN, libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_CRASHED,
             libvirt.VIR_DOMAIN_PMSUSPENDED)
    names = [lifecycle.state_name(libvirt, code) for code in codes]
    assert names == [RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED]


def test_the_module_holds_no_copy_of_the_abi():
    # A binding whose constants differ from today's numbers still maps by name.
    class Shifted(object):
        VIR_DOMAIN_RUNNING = 101
        VIR_DOMAIN_PAUSED = 103
    assert lifecycle.state_name(Shifted, 101) == RUNNING
    assert lifecycle.state_name(Shifted, 103) == PAUSED
    assert lifecycle.state_name(Shifted, 1).startswith("unknown")


def test_results_report_blocked_and_shutting_down_as_running():
    assert [lifecycle.reported(s) for s in (BLOCKED, SHUTDOWN, PAUSED, None)] == [
        RUNNING, RUNNING, PAUSED, SHUTOFF]


@pytest.mark.parametrize("want, state, mode, actions", [
    ("running", RUNNING, "graceful", []),
    ("running", PAUSED, "graceful", ["resume"]),
    ("running", PMSUSPENDED, "graceful", ["wakeup"]),
    ("running", CRASHED, "graceful", ["destroy", "start"]),
    ("running", SHUTOFF, "graceful", ["start"]),
    ("paused", SHUTOFF, "graceful", ["start_paused"]),
    ("paused", PMSUSPENDED, "graceful", ["wakeup", "suspend"]),
    ("paused", CRASHED, "graceful", ["destroy", "start_paused"]),
    ("shutdown", RUNNING, "graceful", ["shutdown"]),
    ("shutdown", PAUSED, "graceful", ["resume", "shutdown"]),
    ("shutdown", PAUSED, "graceful_then_force", ["resume", "shutdown"]),
    ("shutdown", PAUSED, "force", ["destroy"]),
    ("shutdown", PMSUSPENDED, "graceful", ["wakeup", "shutdown"]),
    ("shutdown", PMSUSPENDED, "force", ["destroy"]),
    ("shutdown", CRASHED, "graceful", ["destroy"]),
    ("shutdown", SHUTOFF, "force", []),
    ("absent", SHUTOFF, "graceful", ["undefine"]),
    ("absent", CRASHED, "graceful", ["destroy", "undefine"]),
    ("present", CRASHED, "graceful", []),
])
def test_one_table_per_wanted_state(want, state, mode, actions):
    assert lifecycle.actions_for(want, state, shutdown_mode=mode) == actions


def test_a_transient_domain_is_gone_once_destroyed():
    assert lifecycle.actions_for("absent", RUNNING, persistent=False) == ["destroy"]


def test_an_unknown_state_is_an_error():
    with pytest.raises(lifecycle.UnknownStateError) as info:
        lifecycle.actions_for("running", lifecycle.state_name(object, 42))
    assert "unknown state 42" in str(info.value)


def test_the_undefine_ladder_drops_clean_ups_but_never_the_nvram_choice(libvirt_module):
    libvirt = libvirt_module
    keep = libvirt.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM
    every = (keep | libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
             | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
    ladder = service.undefine_ladder(libvirt, remove_nvram=False)
    assert ladder[0] == every
    assert ladder[-2] == keep and ladder[-1] == 0
    assert all(flags & keep for flags in ladder[:-1])
    assert service.undefine_ladder(libvirt, remove_nvram=True)[0] & libvirt.VIR_DOMAIN_UNDEFINE_NVRAM


class RefusingDomain(object):
    """Refuses every undefineFlags value but ``accepted``, the way a driver refuses flags."""

    def __init__(self, libvirt, accepted, code):
        self.libvirt, self.accepted, self.code, self.tried = libvirt, accepted, code, []

    def undefineFlags(self, flags):  # pylint: disable=invalid-name
        self.tried.append(flags)
        if flags != self.accepted:
            err = self.libvirt.libvirtError("refused")
            err.err = (self.code, 0, "unsupported flags (0x%x) in function x" % flags, 0, "", "", "", 0, 0)
            raise err


def test_undefine_walks_the_ladder_without_reading_the_message(libvirt_module):
    libvirt = libvirt_module
    ladder = service.undefine_ladder(libvirt, False)
    dom = RefusingDomain(libvirt, ladder[2], libvirt.VIR_ERR_NO_SUPPORT)
    assert service.undefine(libvirt, dom, False) == ladder[2]
    assert dom.tried == ladder[:3]


def test_undefine_stops_at_an_error_that_is_not_a_refused_flag(libvirt_module):
    libvirt = libvirt_module
    dom = RefusingDomain(libvirt, None, libvirt.VIR_ERR_OPERATION_INVALID)
    with pytest.raises(LibvirtCallError):
        service.undefine(libvirt, dom, False)
    assert len(dom.tried) == 1
