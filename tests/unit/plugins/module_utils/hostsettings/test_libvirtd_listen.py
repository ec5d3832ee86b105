# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirtd's traditional listen mode: what it writes, and every bad value refused first."""

from __future__ import absolute_import, division, print_function

import os
import socket

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors, VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import libvirtd_listen, option_table, plan

DEFAULTS = dict((name, spec["default"]) for name, spec in option_table.LIBVIRTD_OPTIONS.items())
# What Debian 12 ships, cut down: the unit reads LIBVIRTD_ARGS, with an idle timeout.
DEBIAN_DEFAULTS = '# Customizations for the libvirtd.service systemd unit\n\nLIBVIRTD_ARGS="--timeout 120"\n'
# What cloudstack-setup-agent appends on addHost: a variable Debian's unit never reads.
AFTER_ADDHOST = DEBIAN_DEFAULTS.replace('"--timeout 120"', '"--listen"') + "libvirtd_opts='-l'\n"


def params(**over):
    out = dict(DEFAULTS)
    out.update(over)
    return out


def test_traditional_mode():
    more = libvirtd_listen.expand(params())
    files, mask, restart = more["files"], more["mask"], more["restart"]
    conf = files[0]
    assert conf["path"] == "/etc/libvirt/libvirtd.conf"
    assert conf["set"] == {"listen_tcp": True, "listen_tls": False, "tcp_port": "16509", "tls_port": "16514",
                           "auth_tcp": "none", "auth_tls": "none"}
    assert conf["unset"] == ["listen_addr"]
    assert files[1] == {"path": "/etc/default/libvirtd", "syntax": "shell", "set": {"LIBVIRTD_ARGS": "--listen"}}
    assert files[2]["set"] == {"security_driver": "none", "user": "root", "group": "root", "vnc_listen": "0.0.0.0"}
    assert mask == libvirtd_listen.SOCKETS and len(mask) == 5
    assert restart == ["libvirtd.service"]
    assert more["running"] == ["libvirtd.service"]
    assert more["listening"] == [("127.0.0.1", 16509)]


@pytest.mark.parametrize("over, endpoints", [
    ({}, [("127.0.0.1", 16509)]),
    ({"listen_addr": "0.0.0.0"}, [("127.0.0.1", 16509)]),
    ({"listen_addr": "::"}, [("::1", 16509)]),
    ({"listen_addr": "192.0.2.7", "listen_tcp": False, "listen_tls": True}, [("192.0.2.7", 16514)]),
    ({"listen_tls": True}, [("127.0.0.1", 16509), ("127.0.0.1", 16514)]),
])
def test_the_endpoints_a_client_reaches(over, endpoints):
    assert libvirtd_listen.endpoints(params(**over)) == endpoints


def test_cloudstack_setup_leaves_it_unchanged(tmp_path):
    """After addHost the file has libvirtd_opts too and the sockets are masked: no change."""
    root = str(tmp_path)
    os.makedirs(os.path.join(root, "etc/default"))
    os.makedirs(os.path.join(root, "etc/systemd/system"))
    with open(os.path.join(root, "etc/default/libvirtd"), "w") as handle:
        handle.write(AFTER_ADDHOST)
    for socket in libvirtd_listen.SOCKETS:
        os.symlink("/dev/null", os.path.join(root, "etc/systemd/system", socket))
    host_plan = plan.compute({"libvirt": params()}, root)
    assert "/etc/default/libvirtd" not in host_plan.summary()["files"]
    assert host_plan.summary()["units"] == []


def test_tls_needs_its_files(tmp_path):
    root = str(tmp_path)
    with pytest.raises(SpecErrors) as caught:
        libvirtd_listen.expand(params(listen_tls=True), "kvm_host", root)
    expected = ["kvm_host_tls_key_file", "kvm_host_tls_cert_file", "kvm_host_tls_ca_file"]
    assert [e.path for e in caught.value.errors] == expected
    for key in ("tls_key_file", "tls_cert_file", "tls_ca_file"):
        path = os.path.join(root, DEFAULTS[key].lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    files = libvirtd_listen.expand(params(listen_tls=True), "kvm_host", root)["files"]
    assert files[0]["set"]["cert_file"] == "/etc/pki/libvirt/servercert.pem"


@pytest.mark.parametrize("over,path,words", [
    # What a popular role wrote into a systemd drop-in unchecked, and then failed on forever.
    ({"listen_addr": "127.0.0.1:16509"}, "kvm_host_listen_addr", "no port"),
    ({"listen_addr": "host.example.com"}, "kvm_host_listen_addr", "IP address"),
    ({"vnc_listen": "::1x"}, "kvm_host_vnc_listen", "IP address"),
    ({"tcp_port": 0}, "kvm_host_tcp_port", "between 1 and 65535"),
    ({"tls_port": 70000}, "kvm_host_tls_port", "between 1 and 65535"),
    ({"tcp_port": True}, "kvm_host_tcp_port", "integer"),
    ({"tcp_port": "16509.5"}, "kvm_host_tcp_port", "integer"),
    ({"auth_tcp": "kerberos"}, "kvm_host_auth_tcp", "one of"),
    ({"security_driver": "smack"}, "kvm_host_security_driver", "one of"),
    ({"user": "root; rm -rf /"}, "kvm_host_user", "user or group"),
    ({"listen_tcp": False}, "kvm_host_listen_tcp", "must be true"),
    ({"listen_tcp": "maybe"}, "kvm_host_listen_tcp", "boolean"),
    ({"colour": 1}, "kvm_host_colour", "unknown option"),
])
def test_bad_values_named_by_the_roles_variable(over, path, words):
    with pytest.raises(SpecErrors) as caught:
        libvirtd_listen.expand(params(**over), "kvm_host")
    assert [e.path for e in caught.value.errors] == [path]
    assert words in str(caught.value)


def test_tls_paths_that_depend_on_how_the_host_resolves_them_are_refused(tmp_path):
    root = str(tmp_path)
    for key in ("tls_key_file", "tls_cert_file", "tls_ca_file"):
        path = os.path.join(root, DEFAULTS[key].lstrip("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    with pytest.raises(SpecErrors) as caught:
        libvirtd_listen.expand(params(listen_tls=True, tls_ca_file="/etc/pki/../pki/CA/cacert.pem",
                                      tls_key_file="/etc/pki/libvirt/private/"), "kvm_host", root)
    assert [e.path for e in caught.value.errors] == ["kvm_host_tls_key_file", "kvm_host_tls_ca_file"]
    assert all("absolute path" in e.message for e in caught.value.errors)


def test_values_are_taken_as_the_argument_spec_takes_them(tmp_path):
    """One rule for the whole collection (checks.py): "no" is a boolean, "16600" an integer."""
    taken = libvirtd_listen.validate(params(listen_tcp="yes", listen_tls="no", tcp_port="16600"))
    assert (taken["listen_tcp"], taken["listen_tls"], taken["tcp_port"]) == (True, False, 16600)
    conf = libvirtd_listen.expand(params(listen_tls="no", tcp_port="16600"))["files"][0]
    assert (conf["set"]["listen_tls"], conf["set"]["tcp_port"]) == (False, "16600")


def test_without_prefix_errors_name_the_modules_option():
    with pytest.raises(SpecErrors, match=r"^libvirt\.tcp_port: "):
        libvirtd_listen.expand(params(tcp_port=-1))


def test_same_port_twice():
    with pytest.raises(SpecErrors, match="kvm_host_tls_port: is the same port"):
        libvirtd_listen.expand(params(listen_tls=True, tls_port=16509, tls_key_file="/", tls_cert_file="/",
                                      tls_ca_file="/"), "kvm_host", "/nonexistent")


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    yield server.getsockname()[1]
    server.close()


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on it any more
    return port


def test_a_listening_endpoint_is_reported(listener):
    assert libvirtd_listen.check_listening([("127.0.0.1", listener)]) == ["127.0.0.1:%d" % listener]


def test_an_endpoint_nobody_listens_on_fails_naming_it(listener):
    port = free_port()
    with pytest.raises(VirtopsError, match=r"does not accept connections on 127\.0\.0\.1 port %d" % port):
        libvirtd_listen.check_listening([("127.0.0.1", listener), ("127.0.0.1", port)])
