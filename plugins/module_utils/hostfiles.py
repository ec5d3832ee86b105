# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing a host's files under a root, so that planners run against a test tree too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


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


def write_atomically(path, text, mode):
    """Replace ``path`` by ``text`` through a temporary file in the same folder, keeping the
    old file's mode and owner unless ``mode`` is given."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o755)
    old = os.stat(path) if os.path.exists(path) else None
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".virtops-")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        if mode is not None:
            os.chmod(tmp, int(mode, 8))
        elif old is not None:
            os.chmod(tmp, old.st_mode & 0o7777)
            os.chown(tmp, old.st_uid, old.st_gid)
        else:
            os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
