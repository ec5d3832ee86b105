# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""connection: URI classification, version strings, typed libvirt errors."""

from __future__ import absolute_import, division, print_function

import sys

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtCallError, LibvirtConnectionError, LibvirtUnavailableError)


@pytest.mark.parametrize("uri, remote", [
    (None, False),
    ("", False),
    ("qemu:///system", False),
    ("qemu:///session", False),
    ("xen:///system", False),
    ("test:///default", False),
    ("qemu+unix:///system?socket=/run/libvirt/libvirt-sock", False),
    ("qemu+ssh://root@kvm1.example.org/system", True),
    ("qemu+tcp://127.0.0.1:16509/system", True),
    ("xen+ssh://dom0.example.org/system", True),
    ("qemu+tls://kvm2.example.org/system?pkipath=/etc/pki/libvirt", True),
])
def test_is_remote(uri, remote):
    assert connection.is_remote(uri) is remote


@pytest.mark.parametrize("number, text", [
    (9000000, "9.0.0"), (4017003, "4.17.3"), (10001002, "10.1.2"), (2, "0.0.2"),
    (1002009, "1.2.9"), (0, None), (None, None),
])
def test_version_string(number, text):
    assert connection.version_string(number) == text


@pytest.mark.parametrize("hv_type, uri", [("xen", "xen:///system"), ("ovm3", "xen:///system"),
                                          ("kvm", "qemu:///system"), ("none", "qemu:///system")])
def test_default_uri(hv_type, uri):
    assert connection.default_uri(hv_type) == uri


def test_missing_binding_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "libvirt", None)
    monkeypatch.setattr(connection, "_BINDING", {})
    with pytest.raises(LibvirtUnavailableError) as info:
        connection.import_libvirt()
    message = str(info.value)
    assert "libvirt Python binding (libvirt-python, Debian: python3-libvirt) is required" in message
    assert "libvirt" in message.split(": ", 1)[1]  # the ImportError's own reason follows
    with pytest.raises(LibvirtUnavailableError):
        connection.open_connection("test:///default")


def test_open_and_call_on_the_test_driver():
    conn = connection.open_connection("test:///default")
    try:
        assert conn.getType() == "TEST"
        assert "<capabilities>" in connection.call(conn, "getCapabilities")
        with pytest.raises(LibvirtCallError) as info:
            connection.call(conn, "getDomainCapabilities", None, "i686", None, "test", 0)
        assert info.value.call == "getDomainCapabilities"
        assert "not supported" in info.value.detail
        assert str(info.value).startswith("getDomainCapabilities failed: ")
    finally:
        conn.close()


def test_read_only_connection_refuses_changes():
    conn = connection.open_connection("test:///default", readonly=True)
    try:
        with pytest.raises(LibvirtCallError) as info:
            connection.call(conn, "defineXML", "<domain type='test'><name>ro-probe</name>"
                            "<memory>1024</memory><os><type>hvm</type></os></domain>")
        assert "read only access prevents virDomainDefineXML" in info.value.detail
    finally:
        conn.close()


def test_connection_failure_carries_uri_and_libvirt_text(tmp_path):
    uri = "test+unix:///default?socket=%s" % (tmp_path / "absent.sock")
    with pytest.raises(LibvirtConnectionError) as info:
        connection.open_connection(uri)
    assert info.value.uri == uri
    assert "absent.sock" in info.value.detail
    assert str(info.value) == "cannot connect to libvirt at %s: %s" % (uri, info.value.detail)


def test_the_binding_is_imported_and_quietened_once(monkeypatch):
    import libvirt
    calls = []
    monkeypatch.setattr(connection, "_BINDING", {})
    monkeypatch.setattr(libvirt, "registerErrorHandler", lambda *args: calls.append(args))
    first = connection.import_libvirt()
    assert connection.import_libvirt() is first and len(calls) == 1
