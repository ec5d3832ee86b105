# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""options.check_bounds: every top-level number outside its bounds, named, at once."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import options
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors


def test_within_bounds_or_absent_passes():
    options.check_bounds({"timeout": 1, "deadline": None}, {"timeout": options.TIMEOUT, "deadline": (10, 600)})
    options.check_bounds({"timeout": 86400}, {"timeout": options.TIMEOUT})


def test_every_option_out_of_bounds_is_named():
    with pytest.raises(SpecErrors) as info:
        options.check_bounds({"timeout": 0, "deadline": 601}, {"timeout": options.TIMEOUT, "deadline": (10, 600)})
    assert [(e.path, e.message) for e in info.value.errors] == [
        ("deadline", "must be between 10 and 600, got 601"),
        ("timeout", "must be between 1 and 86400, got 0")]
