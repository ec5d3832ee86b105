# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host name from the kernel, and its fully qualified name from the resolver."""

from __future__ import absolute_import, division, print_function

import os
import socket

from ansible_collections.virtops.hypervisor.plugins.module_utils.host import names


def tree(tmp_path, hostname):
    os.makedirs(str(tmp_path / "proc/sys/kernel"))
    (tmp_path / "proc/sys/kernel/hostname").write_text(hostname + "\n")
    return str(tmp_path)


def resolver(table):
    """Answers as getaddrinfo does with AI_CANONNAME: the canonical name on the first answer."""
    def resolve(host, port, family, kind, proto, flags):
        assert flags & socket.AI_CANONNAME
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, kind, 6, table[host], ("192.0.2.5", 0)), (socket.AF_INET, kind, 6, "", ("192.0.2.5", 0))]
    return resolve


def test_the_canonical_name_the_host_name_resolves_to(tmp_path):
    got = names.read(tree(tmp_path, "kvm1"), resolver({"kvm1": "kvm1.example.org"}))
    assert got == {"hostname": "kvm1", "fqdn": "kvm1.example.org", "fqdn_error": None}


def test_a_name_without_a_canonical_name_stays_as_it_is(tmp_path):
    assert names.read(tree(tmp_path, "kvm1"), resolver({"kvm1": ""}))["fqdn"] == "kvm1"


def test_a_host_name_that_does_not_resolve_says_so(tmp_path):
    got = names.read(tree(tmp_path, "kvm1"), resolver({}))
    assert got["fqdn"] is None
    assert got["fqdn_error"] == "the host name kvm1 does not resolve: Name or service not known"


def test_the_real_resolver_answers_for_localhost(tmp_path):
    got = names.read(tree(tmp_path, "localhost"))
    assert got["hostname"] == "localhost" and got["fqdn"] and got["fqdn_error"] is None
