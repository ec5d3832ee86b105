# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event and detail names are libvirt's own, checked against the binding's constants."""

from __future__ import absolute_import, division, print_function

from ansible_collections.virtops.hypervisor.plugins.module_utils import events


def test_detail_names_match_the_bindings_constants(libvirt_module):
    libvirt = libvirt_module
    for event, names in events.DETAIL_NAMES.items():
        prefix = "VIR_DOMAIN_EVENT_%s_" % event.upper()
        for value, name in enumerate(names):
            constant = getattr(libvirt, prefix + name.upper(), None)
            assert constant in (None, value), (event, name)
    assert events.detail_name("stopped", libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED) == "destroyed"
    assert events.detail_name("stopped", 99) == "99"
    for value, name in enumerate(events.EVENT_NAMES):
        assert getattr(libvirt, "VIR_DOMAIN_EVENT_%s" % name.upper()) == value
