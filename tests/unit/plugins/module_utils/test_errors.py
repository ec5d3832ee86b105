# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every typed exception lives in errors.py, as the README says."""

from __future__ import absolute_import, division, print_function

import os
import re

PLUGINS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins")


def test_exceptions_are_defined_only_in_errors_py():
    elsewhere = []
    for top, _dirs, files in os.walk(PLUGINS):
        for name in files:
            path = os.path.join(top, name)
            if not name.endswith(".py") or path.endswith(os.path.join("module_utils", "errors.py")):
                continue
            with open(path) as handle:
                for number, line in enumerate(handle, 1):
                    if re.match(r"class \w+\((\w+Error|VirtopsError|Exception)\)", line):
                        elsewhere.append("%s:%d" % (os.path.relpath(path, PLUGINS), number))
    assert elsewhere == []
