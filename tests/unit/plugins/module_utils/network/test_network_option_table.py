# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_network's model is described once: the option table builds the module's argument
spec, and the module's documentation, the role's defaults and argument specs and the
model's own validator say what the table says."""

from __future__ import absolute_import, division, print_function

import os
import re

import pytest
import yaml

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.network import model, option_table
from ansible_collections.virtops.hypervisor.plugins.modules import host_network
from unit_helpers import option_docs_disagree

PREFIX = option_table.ROLE_PREFIX
ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(option_table.__file__))))), "roles", "host_network")


def role_file(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def test_the_argument_spec_is_the_tables_top_level():
    spec = host_network.argument_spec()
    assert sorted(spec) == sorted(option_table.OPTIONS)
    for name, entry in option_table.OPTIONS.items():
        assert spec[name] == dict((k, v) for k, v in entry.items() if k != "options")


def test_the_modules_documentation_agrees_down_to_each_items_keys():
    docs = yaml.safe_load(host_network.DOCUMENTATION)["options"]
    assert option_docs_disagree(option_table.OPTIONS, docs, "", []) == []


def test_the_roles_argument_specs_agree_and_leave_the_items_to_the_module():
    options = role_file("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    problems = []
    for name, entry in option_table.ROLE_OPTIONS.items():
        variable = "%s_%s" % (PREFIX, name)
        if variable not in options:
            problems.append("%s is missing" % variable)
            continue
        # Suboptions here would be checked by Ansible before the model's own path-named errors.
        option_docs_disagree({variable: dict((k, v) for k, v in entry.items() if k != "options")},
                             {variable: options[variable]}, "", problems)
        if "options" in options[variable]:
            problems.append("%s restates the items' keys: the module's documentation holds them" % variable)
    assert problems == []


def test_the_roles_defaults_are_the_tables():
    defaults = role_file("defaults", "main.yml")
    assert dict((name, defaults.get("%s_%s" % (PREFIX, name))) for name in option_table.ROLE_OPTIONS) == \
        dict((name, entry["default"]) for name, entry in option_table.ROLE_OPTIONS.items())


def test_the_role_passes_each_option_to_the_module():
    task = next(t["virtops.hypervisor.host_network"] for t in role_file("tasks", "main.yml")
                if "virtops.hypervisor.host_network" in t)
    for name in option_table.ROLE_OPTIONS:
        assert task[name] == "{{ %s_%s }}" % (PREFIX, name)


def test_the_model_is_the_tables_model_options():
    assert set(model.TOP_KEYS) == set(option_table.ROLE_OPTIONS) - {"renderer", "purge", "deadline"}


def allowed_keys(raw, path):
    """The keys model.validate allows at ``path``, read from its unknown-option error."""
    with pytest.raises(SpecErrors) as caught:
        model.validate(raw, prefix="")
    messages = [e.message for e in caught.value.errors if e.path == path]
    assert messages, [str(e) for e in caught.value.errors]
    return set(re.search(r"allowed: (.*)$", messages[0]).group(1).split(", "))


@pytest.mark.parametrize("option, raw, path", [
    (("bridges",), {"bridges": [{"zz": 1}]}, "bridges[0].zz"),
    (("bridges", "ipv4"), {"bridges": [{"name": "br0", "ipv4": {"zz": 1}}]}, "bridges[0].ipv4.zz"),
    (("bridges", "ipv6"), {"bridges": [{"name": "br0", "ipv6": {"zz": 1}}]}, "bridges[0].ipv6.zz"),
    (("bonds",), {"bonds": [{"zz": 1}]}, "bonds[0].zz"),
    (("vlans",), {"vlans": [{"zz": 1}]}, "vlans[0].zz"),
    (("routes",), {"routes": [{"zz": 1}]}, "routes[0].zz"),
    (("labels",), {"labels": {"zz": "eth0"}}, "labels.zz"),
])
def test_the_model_takes_exactly_the_tables_keys(option, raw, path):
    table = option_table.OPTIONS
    for name in option:
        table = table[name]["options"]
    assert allowed_keys(raw, path) == set(table)


def test_the_model_fills_in_the_tables_defaults():
    normal = model.validate({"bonds": [{"name": "bond0", "slaves": ["eth1"]}],
                             "bridges": [{"name": "br0", "ports": ["bond0"]}]}, host_interfaces=["eth1"], prefix="")
    for kind, item in (("bonds", normal["bonds"][0]), ("bridges", normal["bridges"][0])):
        for name, entry in option_table.OPTIONS[kind]["options"].items():
            if "default" in entry:
                assert item[name] == entry["default"], (kind, name)
    assert normal["control0"] == option_table.OPTIONS["control0"]["default"]
    assert normal["nozeroconf"] == option_table.OPTIONS["nozeroconf"]["default"]
