# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A domain's entry in the module's result, from its plan and what was done."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import compare


def result_of(item, check_mode, after_xml=None, changed=None, events=None, state=None):
    """The module's entry for one domain.

    ``diff`` holds the XML as read (libvirt's) or planned; ``diff_for`` puts it into
    canonical form, which only changed domains in diff mode need to pay for.
    """
    if after_xml is None:
        after_xml = "" if "undefine" in item.actions else (item.desired if item.define else item.before)
    actions = (["define"] if item.define else []) + list(item.actions)
    if item.autostart is not None:
        actions.append("autostart" if item.autostart else "no_autostart")
    return {
        "name": item.name,
        "changed": item.changes if changed is None else changed,
        "actions": actions,
        "state": state,
        "xml": after_xml,
        "diff": {"before": item.before, "after": after_xml,
                 "before_header": "%s (libvirt)" % item.name,
                 "after_header": "%s (%s)" % (item.name, "planned" if check_mode else "libvirt")},
        "events": events or [],
        "steps": [],
        "notes": list(item.notes),
        "restart_required": bool(item.pending),
        "pending_until_restart": list(item.pending),
    }


def diff_for(raw):
    """An entry's ``diff`` with both sides in canonical form, for Ansible's diff output."""
    out = dict(raw)
    out["before"] = compare.canonical(raw["before"])
    out["after"] = compare.canonical(raw["after"])
    return out
