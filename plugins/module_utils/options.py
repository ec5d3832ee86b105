# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounds of the modules' top-level numeric options, checked before anything is touched.

Ansible's argument spec checks types only; a negative or absurd timeout would otherwise
reach the event waits and turn into "no wait" or "wait forever".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker

# Seconds: at least one, at most a day.
TIMEOUT = (1, 86400)


def check_bounds(params, bounds):
    """Raise SpecErrors naming every option of ``bounds`` ({name: (min, max)}) outside them."""
    check = Checker()
    for name in sorted(bounds):
        low, high = bounds[name]
        check.integer(params.get(name), name, low, high)
    check.raise_errors()
