# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every place that names libvirtd's listen options says what the one option table says:
host_config's argument spec and documentation, and kvm_host's defaults, vars and argument
specs. A new option in the table fails here until each of them has it."""

from __future__ import absolute_import, division, print_function

import os

import pytest
import yaml

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import libvirtd_listen, option_table
from ansible_collections.virtops.hypervisor.plugins.modules import host_config

TABLE = option_table.LIBVIRTD_OPTIONS
PREFIX = option_table.ROLE_PREFIX
ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(option_table.__file__))))), "roles", "kvm_host")

# For each option a valid value other than its default: expand() must write something
# else with it, or the option is not used. A new option needs its line here.
OTHER = {"listen_tcp": False, "listen_tls": True, "listen_addr": "192.0.2.7", "tcp_port": 16600,
         "tls_port": 16614, "auth_tcp": "sasl", "auth_tls": "polkit", "tls_key_file": "/etc/pki/other-key.pem",
         "tls_cert_file": "/etc/pki/other-cert.pem", "tls_ca_file": "/etc/pki/other-ca.pem",
         "security_driver": "apparmor", "user": "libvirt-qemu", "group": "kvm", "vnc_listen": "192.0.2.8"}


def role_file(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def disagreements(where, documented, key_of=lambda name: name):
    problems = []
    names = dict((key_of(name), name) for name in TABLE)
    missing = sorted(set(names.values()) - set(n for n in TABLE if key_of(n) in documented))
    if missing:
        problems.append("%s lacks %s" % (where, ", ".join(key_of(n) for n in missing)))
    for name, spec in TABLE.items():
        doc = documented.get(key_of(name))
        if doc is None:
            continue
        for field in ("type", "choices", "default"):
            if spec.get(field) != doc.get(field):
                problems.append("%s %s.%s: table %r, here %r"
                                % (where, key_of(name), field, spec.get(field), doc.get(field)))
    return problems


def test_host_configs_argument_spec_is_the_table():
    assert host_config.argument_spec()["libvirt"] == {"type": "dict", "options": TABLE}


def test_host_configs_documentation_agrees():
    documented = yaml.safe_load(host_config.DOCUMENTATION)["options"]["libvirt"]["suboptions"]
    assert sorted(documented) == sorted(TABLE)
    assert disagreements("host_config's libvirt", documented) == []


def test_kvm_hosts_argument_specs_agree():
    options = role_file("meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert disagreements("kvm_host's argument specs", options, lambda n: "%s_%s" % (PREFIX, n)) == []


def test_kvm_hosts_defaults_agree():
    defaults = role_file("defaults", "main.yml")
    as_specs = dict((name, {"default": value}) for name, value in defaults.items())
    problems = [p for p in disagreements("kvm_host's defaults", as_specs, lambda n: "%s_%s" % (PREFIX, n))
                if " lacks " in p or ".default:" in p]
    assert problems == []


def test_kvm_hosts_vars_pass_each_option_to_host_config():
    passed = role_file("vars", "main.yml")["%s_libvirt" % PREFIX]
    assert passed == dict((name, "{{ %s_%s }}" % (PREFIX, name)) for name in TABLE)


def test_every_option_changes_what_is_written(tmp_path):
    assert sorted(OTHER) == sorted(TABLE)
    root = str(tmp_path)
    for name in ("tls_key_file", "tls_cert_file", "tls_ca_file"):
        for value in (TABLE[name]["default"], OTHER[name]):
            path = os.path.join(root, value.lstrip("/"))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").close()
    defaults = dict((name, spec["default"]) for name, spec in TABLE.items())
    # The TLS files are written only with TLS on, and TCP can be off only then.
    with_tls = dict(defaults, listen_tls=True)
    unused = []
    for name in TABLE:
        start = defaults if name == "listen_tls" else with_tls
        if libvirtd_listen.expand(dict(start, **{name: OTHER[name]}), root=root) == \
                libvirtd_listen.expand(start, root=root):
            unused.append(name)
    assert unused == []


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_option_is_checked(name):
    params = dict((key, spec["default"]) for key, spec in TABLE.items())
    params[name] = ["not", "a", "scalar"]
    with pytest.raises(SpecErrors) as caught:
        libvirtd_listen.validate(params, PREFIX)
    assert "%s_%s" % (PREFIX, name) in [e.path for e in caught.value.errors]
