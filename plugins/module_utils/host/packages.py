# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the Debian packages a configuration belongs to are not installed yet.

Read from dpkg's own database, below ``root``: on a host already set up, this is what
lets one module call tell that apt has nothing to do, instead of a call to apt.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.module_utils.six import string_types

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker
from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

STATUS = "/var/lib/dpkg/status"
# Debian policy 5.6.1, with an optional architecture qualifier (libvirt0:amd64).
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$")


def check_names(names, prefix=""):
    """Refuse what apt would not take as a package name, before anything is installed:
    SpecErrors naming every bad one by its path, ``<prefix>_packages[i]`` (a role's
    variable) or ``packages[i]``."""
    check = Checker(prefix)
    for index, name in enumerate(check.listing(names, check.option("packages"))):
        if not isinstance(name, string_types) or not NAME_RE.match(name):
            check.fail(check.option("packages", index), "want a Debian package name, got %r" % (name,))
    check.raise_errors()


def installed(root="/"):
    """Names of the installed packages, or None where there is no dpkg database."""
    text = hostfiles.read(hostfiles.under(root, STATUS))
    if text is None:
        return None
    names = set()
    for stanza in text.split("\n\n"):
        package = status = None
        for line in stanza.splitlines():
            if line.startswith("Package:"):
                package = line.split(":", 1)[1].strip()
            elif line.startswith("Status:"):
                status = line.split(":", 1)[1].split()
        # "install ok installed"; "deinstall ok config-files" is a removed package.
        if package and status and status[-1] == "installed":
            names.add(package)
    return names


def missing(names, root="/"):
    """The names (in their order) that are not installed; none where there is no dpkg."""
    have = installed(root)
    if have is None:
        return []
    return [name for name in names or [] if name.split(":", 1)[0] not in have]
