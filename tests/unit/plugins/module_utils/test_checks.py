# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""checks.Checker: one rule for each kind of value, errors named by their paths."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.virtops.hypervisor.plugins.module_utils import checks
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors


def errors(check):
    return [(e.path, e.message) for e in check.errors]


def argspec(kind, value):
    """What Ansible's argument spec makes of ``value`` for an option of type ``kind``."""
    result = ArgumentSpecValidator({"n": {"type": kind}}).validate({"n": value})
    return None if result.error_messages else result.validated_parameters["n"]


def argspec_int(value):
    return argspec("int", value)


@pytest.mark.parametrize("value, expected", [
    (42, 42), ("42", 42), (" 42 ", 42), ("-3", -3), ("+7", 7), (42.0, 42), ("42.0", 42), ("1e3", 1000),
    ("x", None), ("4x", None), ("", None), (4.5, None), ("4.5", None), ("nan", None), ([4], None), ({}, None),
])
def test_an_integer_is_what_the_argument_spec_takes(value, expected):
    check = checks.Checker()
    assert check.integer(value, "a.n") == expected
    assert argspec_int(value) == expected
    assert errors(check) == ([] if expected is not None else [("a.n", "must be an integer, got %r" % (value,))])


@pytest.mark.parametrize("value", ["inf", float("inf"), "-Infinity"])
def test_infinity_is_no_integer(value):
    # Ansible's own check_type_int raises OverflowError here instead of refusing it.
    check = checks.Checker()
    assert check.integer(value, "n") is None
    assert errors(check) == [("n", "must be an integer, got %r" % (value,))]


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_no_integer(value):
    check = checks.Checker()
    assert check.integer(value, "n") is None
    assert errors(check) == [("n", "must be an integer, got %r" % value)]


@pytest.mark.parametrize("value, low, high, message", [
    (0, 1, 10, "must be between 1 and 10, got 0"),
    ("11", 1, 10, "must be between 1 and 10, got 11"),
    (-1, 0, None, "must be at least 0, got -1"),
    (9, None, 8, "must be at most 8, got 9"),
])
def test_integer_bounds(value, low, high, message):
    check = checks.Checker()
    assert check.integer(value, "n", low, high) is None
    assert errors(check) == [("n", message)]


def test_integer_within_bounds_and_absent():
    check = checks.Checker()
    assert check.integer(1, "n", 1, 10) == 1
    assert check.integer("10", "n", 1, 10) == 10
    assert check.integer(None, "n", 1, 10) is None
    assert check.integer(None, "n", 1, 10, default=5) == 5
    assert errors(check) == []
    assert check.integer(None, "n", required=True) is None
    assert errors(check) == [("n", "is required")]


@pytest.mark.parametrize("value, expected", [
    (True, True), ("yes", True), ("on", True), (1, True), ("True", True),
    (False, False), ("no", False), ("off", False), (0, False), ("0", False),
])
def test_a_boolean_is_what_the_argument_spec_takes(value, expected):
    check = checks.Checker()
    assert check.boolean(value, "b") is expected
    assert errors(check) == []


@pytest.mark.parametrize("value", [True, False, "yes", "No", " on ", "OFF", "y", "t", "f", "1", "0", 1, 0, 1.0,
                                   0.0, "maybe", "", "2", 2, 0.5, [], {}, ["yes"]])
def test_booleans_are_ansibles(value):
    try:
        expected = boolean(value, strict=True)
    except TypeError:
        expected = None
    assert checks.Checker().boolean(value, "b") is expected
    assert argspec("bool", value) is expected


@pytest.mark.parametrize("value", ["maybe", 2, [], {}])
def test_not_a_boolean(value):
    check = checks.Checker()
    assert check.boolean(value, "b", default=True) is None
    assert errors(check) == [("b", "must be a boolean, got %r" % (value,))]


def test_boolean_absent_gives_the_default():
    check = checks.Checker()
    assert check.boolean(None, "b", default=True) is True
    assert check.boolean(None, "b") is None
    assert errors(check) == []


@pytest.mark.parametrize("value", ["/", "/etc/libvirt/qemu.conf", "/var/lib/x/", "/a..b/.c/d."])
def test_absolute_paths(value):
    check = checks.Checker()
    assert check.abspath(value, "p") == value
    assert errors(check) == []


@pytest.mark.parametrize("value", ["/etc/../shadow", "/etc/./x", "/etc/..", "/etc/.", "/..", "/./"])
def test_dot_components_are_refused_everywhere(value):
    check = checks.Checker()
    assert check.abspath(value, "p") is None
    assert errors(check) == [("p", "must be an absolute path without '.' or '..' components, got %r" % value)]


@pytest.mark.parametrize("value", ["etc/x", "", "./x", 5, ["/x"], "/x\0y"])
def test_relative_or_not_a_path(value):
    check = checks.Checker()
    assert check.abspath(value, "p") is None
    assert errors(check) == [("p", "must be an absolute path, got %r" % (value,))]


def test_a_file_path_does_not_end_in_a_slash():
    check = checks.Checker()
    assert check.abspath("/etc/x/", "p", is_file=True) is None
    assert check.abspath("/etc/x", "q", is_file=True) == "/etc/x"
    assert errors(check) == [("p", "must be an absolute path to a file, not a folder, got '/etc/x/'")]


def test_text():
    check = checks.Checker()
    assert check.text("a", "t") == "a"
    assert check.text("", "t") == ""
    assert check.text(None, "t", default="d") == "d"
    assert check.text(5, "t5") is None
    assert check.text(None, "tr", required=True) is None
    assert errors(check) == [("t5", "must be a string, got 5"), ("tr", "is required")]


def test_choice():
    check = checks.Checker()
    assert check.choice("b", ("a", "b"), "c") == "b"
    assert check.choice(None, ("a", "b"), "c", default="a") == "a"
    assert check.choice("z", ("a", "b"), "c1", default="a") is None
    assert check.choice(["a"], frozenset(["a"]), "c2") is None
    assert errors(check) == [("c1", "must be one of a, b, got 'z'"), ("c2", "must be one of a, got ['a']")]


def test_every_error_is_kept_in_order_and_raised_together():
    check = checks.Checker()
    check.raise_errors()  # nothing recorded: nothing raised
    check.integer("x", "first")
    check.abspath("rel", "second")
    with pytest.raises(SpecErrors) as info:
        check.raise_errors()
    assert [e.path for e in info.value.errors] == ["first", "second"]


def test_unknown_keys_name_the_nearest_allowed_one():
    check = checks.Checker()
    assert check.mapping({"nmae": 1}, ("name", "mode"), "bonds[0]") is True
    assert check.mapping("x", ("name",), "bonds[1]") is False
    assert errors(check) == [("bonds[0].nmae", "unknown option (did you mean name?); allowed: name, mode"),
                             ("bonds[1]", "must be a mapping, got 'x'")]


@pytest.mark.parametrize("prefix, name, index, expected", [
    ("", "packages", None, "packages"),
    (None, "packages", 2, "packages[2]"),
    ("kvm_host", "packages", 0, "kvm_host_packages[0]"),
    ("host_network", "bonds", None, "host_network_bonds"),
    ("_x9", "labels", None, "_x9_labels"),
])
def test_option_paths_name_the_role_variable(prefix, name, index, expected):
    assert checks.Checker(prefix).option(name, index) == expected


@pytest.mark.parametrize("prefix", ["9lives", "host-network", "host.network", "a b", "kvm_host[0]", 5, ["x"]])
def test_the_error_prefix_is_checked_once_where_the_checker_is_made(prefix):
    with pytest.raises(SpecError) as info:
        checks.Checker(prefix)
    assert info.value.path == "error_prefix"
    assert "must be a variable name" in info.value.message


def test_join():
    assert checks.join("", "name") == "name"
    assert checks.join("domains[0]", "name") == "domains[0].name"
