# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a host's files under a root, so that planners run against a test tree too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def under(root, path):
    """``path`` (the host's own, absolute) below ``root``."""
    return os.path.join(root, path.lstrip("/"))


def read(path):
    """The file's text, or None when it cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None
