# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collecting every problem of one input before anything is touched, each named by the
path of the bad value, to be raised together as SpecErrors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError


class Checker(object):
    NOT_MAPPING = "must be a mapping"

    def __init__(self):
        self.errors = []

    def fail(self, path, message):
        self.errors.append(SpecError(path, message))

    def mapping(self, value, allowed, path):
        """True when ``value`` is a mapping; every key outside ``allowed`` is reported."""
        if not isinstance(value, dict):
            self.fail(path, "%s, got %r" % (self.NOT_MAPPING, value))
            return False
        self.unknown(value, allowed, path)
        return True

    def unknown(self, value, allowed, path):
        """Report every key of ``value`` outside ``allowed``, with the nearest allowed one."""
        for key in sorted(str(k) for k in value if k not in allowed):
            near = difflib.get_close_matches(key, allowed, 1)
            self.fail("%s.%s" % (path, key) if path else key, "unknown option%s; allowed: %s"
                      % (" (did you mean %s?)" % near[0] if near else "", ", ".join(allowed)))
