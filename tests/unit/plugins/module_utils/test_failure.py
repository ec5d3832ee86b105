# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    SpecError, SpecErrors, VirtopsError)


def test_bad_input_lists_every_value_by_path_and_changes_nothing():
    exc = SpecErrors([SpecError("a.b", "must be an integer"), SpecError("c[0]", "is required")])
    result = failure.failure_result(exc)
    assert result["errors"] == [{"path": "a.b", "msg": "must be an integer"},
                                {"path": "c[0]", "msg": "is required"}]
    assert result["done"] == [] and result["changed"] is False
    assert result["msg"] == str(exc)


def test_work_already_done_is_reported_and_changed():
    result = failure.failure_result(VirtopsError("start failed"), done=["define"])
    assert result["done"] == ["define"] and result["changed"] is True
    assert result["errors"] == [{"path": None, "msg": "start failed"}]


def test_module_keys_ride_along_but_cannot_replace_the_shape():
    assert failure.failure_result(VirtopsError("x"), uri="test:///default")["uri"] == "test:///default"
    with pytest.raises(ValueError):
        failure.failure_result(VirtopsError("x"), errors=[])


def test_fail_calls_fail_json_once_with_the_shape():
    calls = []

    class Module(object):
        def fail_json(self, **kwargs):
            calls.append(kwargs)
            raise SystemExit(1)

    with pytest.raises(SystemExit):
        failure.fail(Module(), VirtopsError("boom"), done=[{"step": "define"}], changed=True)
    assert calls == [{"msg": "boom", "errors": [{"path": None, "msg": "boom"}],
                      "done": [{"step": "define"}], "changed": True}]
