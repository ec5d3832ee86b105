# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event and detail names come from the binding's own constants, not from a copy."""

from __future__ import absolute_import, division, print_function

from ansible_collections.virtops.hypervisor.plugins.module_utils import events


def test_names_are_the_bindings(libvirt_module):
    libvirt = libvirt_module
    assert events.event_names(libvirt, libvirt.VIR_DOMAIN_EVENT_STOPPED,
                              libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED) == ("stopped", "destroyed")
    assert events.event_names(libvirt, libvirt.VIR_DOMAIN_EVENT_SUSPENDED,
                              libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED) == ("suspended", "paused")
    assert events.event_names(libvirt, libvirt.VIR_DOMAIN_EVENT_DEFINED,
                              libvirt.VIR_DOMAIN_EVENT_DEFINED_UPDATED) == ("defined", "updated")
    assert events.event_names(libvirt, libvirt.VIR_DOMAIN_EVENT_STOPPED, 99) == ("stopped", "99")
    assert events.event_names(libvirt, 99, 0) == ("99", "0")


def test_every_event_type_the_code_waits_for_exists_in_the_binding(libvirt_module):
    for event in events.EVENT_TYPES:
        assert hasattr(libvirt_module, "VIR_DOMAIN_EVENT_" + event.upper()), event


def test_a_binding_with_other_numbers_maps_by_name():
    class Other(object):
        VIR_DOMAIN_EVENT_STARTED = 40
        VIR_DOMAIN_EVENT_STARTED_BOOTED = 7
        VIR_DOMAIN_EVENT_STARTED_LAST = 8
    assert events.event_names(Other, 40, 7) == ("started", "booted")
    assert events.event_names(Other, 40, 8) == ("started", "8")
