# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every role's defaults/main.yml and meta/argument_specs.yml say the same: the same
variables, equal defaults, and each default of the type its spec gives."""

from __future__ import absolute_import, division, print_function

import os

import pytest
import yaml

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(hostfiles.__file__))))
ROLES = os.path.join(COLLECTION, "roles")
ROLE_NAMES = sorted(n for n in os.listdir(ROLES) if os.path.isfile(os.path.join(ROLES, n, "meta", "argument_specs.yml")))

TYPES = {"str": str, "path": str, "bool": bool, "int": int, "float": float, "list": list, "dict": dict}


def load(role, *parts):
    with open(os.path.join(ROLES, role, *parts)) as handle:
        return yaml.safe_load(handle) or {}


def templated(value):
    return isinstance(value, str) and "{{" in value


def type_problems(name, spec, value):
    """Why ``value`` is not of the type ``spec`` gives, as a list of sentences."""
    kind = spec.get("type", "str")
    if templated(value) or kind == "raw":
        return []
    wanted = TYPES[kind]
    if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
        return ["%s: default %r is not a %s" % (name, value, kind)]
    problems = []
    if kind == "list" and spec.get("elements"):
        problems += sum((type_problems("%s[%d]" % (name, i), {"type": spec["elements"]}, item)
                         for i, item in enumerate(value)), [])
    if spec.get("choices") and value not in spec["choices"]:
        problems.append("%s: default %r is not one of its choices %s" % (name, value, spec["choices"]))
    return problems


def spec_problems(defaults, options, entry_point):
    problems = []
    if entry_point == "main" and set(defaults) != set(options):
        problems.append("defaults only: %s; argument spec only: %s" % (
            sorted(set(defaults) - set(options)), sorted(set(options) - set(defaults))))
    for name in sorted(set(options) - set(defaults)) if entry_point != "main" else []:
        problems.append("%s (entry point %s) has no default in defaults/main.yml" % (name, entry_point))
    for name in sorted(set(defaults) & set(options)):
        spec = options[name]
        if spec.get("default") != defaults[name]:
            problems.append("%s: defaults/main.yml %r, argument spec %r" % (name, defaults[name], spec.get("default")))
        problems += type_problems(name, spec, defaults[name])
    return problems


def test_every_role_is_checked():
    assert set(ROLE_NAMES) >= {"host_network", "kvm_host", "xen_host"}


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_defaults_and_argument_specs_agree(role):
    defaults = load(role, "defaults", "main.yml")
    specs = load(role, "meta", "argument_specs.yml")["argument_specs"]
    assert "main" in specs
    problems = []
    for entry_point, spec in sorted(specs.items()):
        problems += spec_problems(defaults, spec.get("options") or {}, entry_point)
    assert problems == []


@pytest.mark.parametrize("defaults, options, entry_point, words", [
    ({"r_a": 1}, {"r_a": {"type": "int", "default": 1}, "r_b": {"type": "str", "default": ""}}, "main",
     "argument spec only: ['r_b']"),
    ({"r_a": 1, "r_b": ""}, {"r_a": {"type": "int", "default": 1}}, "main", "defaults only: ['r_b']"),
    ({"r_a": 1}, {"r_a": {"type": "int", "default": 2}}, "main", "defaults/main.yml 1, argument spec 2"),
    ({"r_a": "1"}, {"r_a": {"type": "int", "default": "1"}}, "main", "is not a int"),
    ({"r_a": True}, {"r_a": {"type": "int", "default": True}}, "main", "is not a int"),
    ({"r_a": ["x", 1]}, {"r_a": {"type": "list", "elements": "str", "default": ["x", 1]}}, "main", "r_a[1]"),
    ({"r_a": "tcp"}, {"r_a": {"type": "str", "choices": ["udp"], "default": "tcp"}}, "main", "choices"),
    ({}, {"r_a": {"type": "str", "default": "x"}}, "verify", "no default"),
])
def test_each_disagreement_is_reported(defaults, options, entry_point, words):
    problems = spec_problems(defaults, options, entry_point)
    assert any(words in problem for problem in problems), problems


def test_a_templated_default_fits_any_type():
    assert spec_problems({"r_a": "{{ x | default({}) }}"},
                         {"r_a": {"type": "dict", "default": "{{ x | default({}) }}"}}, "main") == []
