# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing a host's files under a root, so that planners run against a test tree too.

The one reader and the one writer of host files: detection, names, the host settings,
the network plan and its applier all go through them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import os
import tempfile

# What a temporary file's name starts with. Hidden, and with a '.', it is matched neither
# by a shell glob (ifupdown's ``source interfaces.d/*`` expands with wordexp) nor by
# run-parts' names (``source-directory`` takes [A-Za-z0-9_-]+ only), nor by netplan's
# ``*.yaml`` or the ifcfg scripts' ``ifcfg-*``: a crash between write and rename leaves
# nothing any of them would load.
TEMP_PREFIX = ".virtops-"
# Bytes that are not UTF-8 survive a read and a write unchanged.
ENCODING, ERRORS = "utf-8", "surrogateescape"


def under(root, path):
    """``path`` (the host's own, absolute) below ``root``."""
    return os.path.join(root, path.lstrip("/"))


def read(path):
    """The file's text, or None when it cannot be read."""
    try:
        with io.open(path, encoding=ENCODING, errors=ERRORS) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def write_atomically(path, text, mode=None):
    """Replace ``path`` by ``text`` through a hidden temporary file in the same folder.

    An existing file keeps its owner, and its mode unless ``mode`` (octal text such as
    ``"0600"``) is given; a new file gets ``mode`` or 0644. Readers see the old file or
    the new one, never a part; on any failure the temporary file is removed.
    """
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o755)
    old = os.stat(path) if os.path.exists(path) else None
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX)
    try:
        with io.open(handle, "w", encoding=ENCODING, errors=ERRORS) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if old is not None:
            os.chown(tmp, old.st_uid, old.st_gid)
        if mode is not None:
            os.chmod(tmp, int(mode, 8))
        else:
            os.chmod(tmp, old.st_mode & 0o7777 if old is not None else 0o644)
        os.rename(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
