# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key edits in libvirt, shell and properties syntax keep every line they do not own."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import config_keys

LIBVIRTD_CONF = """# Master libvirt daemon configuration file
#
# This is enabled by default, uncomment this to disable it
#listen_tls = 0

# Listen for unencrypted TCP connections on the public TCP/IP port.
#listen_tcp = 1

#tcp_port = "16509"
"""


def test_libvirt_value_goes_after_the_commented_default():
    out = config_keys.edit(LIBVIRTD_CONF, "libvirt", {"listen_tcp": 1, "tcp_port": "16509"})
    lines = out.splitlines()
    assert lines[lines.index("#listen_tcp = 1") + 1] == "listen_tcp = 1"
    assert lines[lines.index('#tcp_port = "16509"') + 1] == 'tcp_port = "16509"'
    assert out.startswith("# Master libvirt daemon configuration file\n")


def test_an_edit_of_its_own_output_changes_nothing():
    values = {"listen_tcp": 1, "listen_tls": False, "auth_tcp": "none", "mdns_adv": 0}
    once = config_keys.edit(LIBVIRTD_CONF, "libvirt", values)
    assert config_keys.edit(once, "libvirt", values) == once
    assert "listen_tls = 0\n" in once and 'auth_tcp = "none"\n' in once
    # A key with no commented default is appended.
    assert once.endswith("mdns_adv = 0\n")


def test_a_set_key_is_rewritten_in_place_and_later_duplicates_retired():
    text = 'listen_tcp = 0\nfoo = 1\nlisten_tcp = 0\n'
    out = config_keys.edit(text, "libvirt", {"listen_tcp": 1})
    assert out == 'listen_tcp = 1\nfoo = 1\n%slisten_tcp = 0\n' % config_keys.RETIRED


def test_unset_comments_the_key_out():
    out = config_keys.edit('user = "root"\ngroup = "root"\n', "libvirt", unset=["user"])
    assert out == '#user = "root"\ngroup = "root"\n'


def test_libvirt_lists():
    out = config_keys.edit("", "libvirt", {"cgroup_controllers": ["cpu", "devices"]})
    assert out == 'cgroup_controllers = [ "cpu", "devices" ]\n'


def test_shell_quotes_and_replaces_the_distribution_default():
    text = '# Options for libvirtd\nLIBVIRTD_ARGS="--timeout 120"\n'
    out = config_keys.edit(text, "shell", {"LIBVIRTD_ARGS": "--listen"})
    assert out == '# Options for libvirtd\nLIBVIRTD_ARGS="--listen"\n'
    assert config_keys.edit(text, "shell", {"X": "a b's"}).endswith("X='a b'\"'\"'s'\n")


def test_properties_keep_what_the_manager_wrote():
    text = "guid=0b5c9a2e\nhost=203.0.113.5\n"
    out = config_keys.edit(text, "properties", {"hypervisor.type": "kvm", "host": "203.0.113.5"})
    assert out == "guid=0b5c9a2e\nhost=203.0.113.5\nhypervisor.type=kvm\n"


def test_a_missing_final_newline_is_added():
    assert config_keys.edit("a = 1", "libvirt", {"b": 2}) == "a = 1\nb = 2\n"


@pytest.mark.parametrize("syntax,value,problem", [
    ("libvirt", 'a"b', "double quote"),
    ("shell", "two\nlines", "one line"),
    ("libvirt", 1.5, "float"),
    ("shell", ["a"], "must be a string"),
    ("libvirt", [["a"]], "strings or integers only"),
    ("properties", {"a": 1}, "must be a string"),
])
def test_values_that_cannot_be_written(syntax, value, problem):
    assert problem in config_keys.check_value(syntax, value)


def test_values_that_can():
    for syntax in config_keys.SYNTAXES:
        for value in ("none", 16509, True):
            assert config_keys.check_value(syntax, value) is None
