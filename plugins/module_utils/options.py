# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounds of the modules' top-level numeric options, checked before anything is touched.

Ansible's argument spec checks types only; a negative or absurd timeout would otherwise
reach the event waits and turn into "no wait" or "wait forever".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors

# Seconds: at least one, at most a day.
TIMEOUT = (1, 86400)


def check_bounds(params, bounds):
    """Raise SpecErrors naming every option of ``bounds`` ({name: (min, max)}) outside them."""
    errors = []
    for name in sorted(bounds):
        value = params.get(name)
        low, high = bounds[name]
        if value is not None and not low <= value <= high:
            errors.append(SpecError(name, "must be between %d and %d, got %d" % (low, high, value)))
    if errors:
        raise SpecErrors(errors)
