# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles' meta/main.yml claims is what is true: one minimum ansible-core for the
collection (meta/runtime.yml), every role and the README; only tested platforms listed
(the Molecule scenarios' image is Debian 12, bookworm); and each role's one result
variable documented in its README and set by its tasks."""

from __future__ import absolute_import, division, print_function

import glob
import os
import re

import pytest
import yaml

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

COLLECTION = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(hostfiles.__file__))))
ROLES = os.path.join(COLLECTION, "roles")
ROLE_NAMES = sorted(n for n in os.listdir(ROLES) if os.path.isfile(os.path.join(ROLES, n, "meta", "main.yml")))
TESTED_PLATFORMS = [{"name": "Debian", "versions": ["bookworm"]}]


def load(*parts):
    with open(os.path.join(COLLECTION, *parts)) as handle:
        return yaml.safe_load(handle)


def read(*parts):
    with open(os.path.join(COLLECTION, *parts)) as handle:
        return handle.read()


def minimum():
    match = re.match(r"^>=\s*(\d+\.\d+)(\.0)?$", load("meta", "runtime.yml")["requires_ansible"])
    assert match, "requires_ansible should be a plain minimum (>=X.Y.0)"
    return match.group(1)


def test_there_are_roles():
    assert ROLE_NAMES == ["host_network", "kvm_host", "xen_host"]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_a_role_needs_the_collections_minimum_ansible_core(role):
    assert str(load("roles", role, "meta", "main.yml")["galaxy_info"]["min_ansible_version"]) == minimum()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_a_role_lists_only_the_tested_platforms(role):
    assert load("roles", role, "meta", "main.yml")["galaxy_info"]["platforms"] == TESTED_PLATFORMS


def test_the_readmes_state_the_same_minimum():
    for path in ["README.md"] + ["roles/%s/README.md" % role for role in ROLE_NAMES]:
        said = set(re.findall(r"ansible-core (\d+\.\d+) or later", read(path)))
        assert said == {minimum()}, path


def test_the_scenarios_image_is_the_tested_platform():
    assert re.search(r"^suite=bookworm$", read("tests", "assets", "debian-image", "build.sh"), re.M)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_a_role_sets_and_documents_its_one_result(role):
    name = "%s_result" % role
    tasks = "\n".join(read(os.path.relpath(path, COLLECTION))
                      for path in glob.glob(os.path.join(ROLES, role, "tasks", "*.yml")))
    setters = re.findall(r"^\s*(?:register:\s*%s\s*$|%s:\s*$)" % (name, name), tasks, re.M)
    assert len(setters) == 1, "%s should be set in exactly one place" % name
    assert re.search(r"^## Result: `%s`$" % name, read("roles", role, "README.md"), re.M)
    assert "`%s`" % name in read("README.md")
