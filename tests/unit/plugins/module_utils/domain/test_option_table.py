# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documentation of a domain spec says what the one option table says."""

from __future__ import absolute_import, division, print_function

import yaml

from ansible_collections.virtops.hypervisor.plugins.doc_fragments.domain_spec import ModuleDocFragment
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import option_table, spec
from ansible_collections.virtops.hypervisor.plugins.modules import libvirt_domain
from unit_helpers import option_docs_disagree


def test_docs_and_the_option_table_agree():
    docs = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    # The module documents name itself (it also names the target of O(state)).
    docs["name"] = yaml.safe_load(libvirt_domain.DOCUMENTATION)["options"]["name"]
    problems = []
    option_docs_disagree(option_table.DOMAIN_OPTIONS, docs, "", problems)
    assert problems == []


def test_each_domains_item_is_documented_with_the_same_table():
    fragment = yaml.safe_load(ModuleDocFragment.DOMAINS)["options"]["domains"]["suboptions"]
    # Nested lists are documented once, at the top level; items refer to them.
    flat = dict((k, dict((a, b) for a, b in v.items() if a != "options"))
                for k, v in option_table.DOMAIN_OPTIONS.items())
    problems = []
    option_docs_disagree(flat, fragment, "domains", problems)
    assert problems == []


def test_the_spec_checker_takes_its_keys_from_the_table():
    assert spec.DOMAIN_KEYS == tuple(option_table.DOMAIN_OPTIONS)
    assert spec.FORWARD_KEYS == tuple(option_table.FORWARD_OPTIONS)
