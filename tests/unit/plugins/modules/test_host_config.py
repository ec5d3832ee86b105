# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config's own steps: reading systemctl's answer, and the one-shot listen check."""

from __future__ import absolute_import, division, print_function

import json
import socket

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.modules import host_config
from unit_helpers import run_main

# What systemd 252 (Debian 12) prints for two units, one of them not installed.
SHOW = ("LoadState=loaded\nUnitFileState=enabled\nActiveState=active\n\n"
        "LoadState=not-found\nUnitFileState=\nActiveState=inactive\n")


def test_systemctl_show_is_read_block_by_block_in_the_order_asked():
    states = host_config.parse_show(["libvirtd.service", "xen.service"], SHOW)
    assert states["libvirtd.service"] == {"LoadState": "loaded", "UnitFileState": "enabled", "ActiveState": "active"}
    assert states["xen.service"]["LoadState"] == "not-found"


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
    assert host_config.check_listening([("127.0.0.1", listener)]) == ["127.0.0.1:%d" % listener]


def test_an_endpoint_nobody_listens_on_fails_naming_it(listener):
    port = free_port()
    with pytest.raises(VirtopsError, match=r"does not accept connections on 127\.0\.0\.1 port %d" % port):
        host_config.check_listening([("127.0.0.1", listener), ("127.0.0.1", port)])


NOT_INSTALLED = "virtops-not-a-package"


def run_host_config(monkeypatch, capsys, args):
    rc, raw = run_main(host_config, monkeypatch, capsys, args)
    return rc, json.loads(raw)


def conf_file(tmp_path):
    return {"path": str(tmp_path / "etc" / "demo.conf"), "syntax": "libvirt", "set": {"autoballoon": 0}}


def test_a_missing_package_is_answered_before_anything_is_written(tmp_path, monkeypatch, capsys):
    """This machine's own dpkg database is read: dpkg is installed, the other is not."""
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)],
                                                    "packages": ["dpkg", NOT_INSTALLED]})
    assert rc == 0 and out["missing_packages"] == [NOT_INSTALLED] and not out["changed"]
    assert not (tmp_path / "etc").exists()


def test_check_mode_lists_the_packages_and_predicts_the_rest(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)], "packages": [NOT_INSTALLED],
                                                    "_ansible_check_mode": True})
    assert rc == 0 and out["changed"] and "missing_packages" not in out
    assert out["packages"] == [NOT_INSTALLED] and out["files"] == [conf_file(tmp_path)["path"]]
    assert not (tmp_path / "etc").exists()


def test_with_its_packages_installed_the_call_writes_and_lists_none(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)], "packages": ["dpkg"]})
    assert rc == 0 and out["changed"] and out["packages"] == [] and out["verified"]
    assert (tmp_path / "etc" / "demo.conf").read_text() == "autoballoon = 0\n"


def test_a_bad_package_name_is_refused_by_its_variable_before_anything_is_installed(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)], "error_prefix": "kvm_host",
                                                    "packages": [NOT_INSTALLED, "qemu;reboot"]})
    assert rc == 1 and out["msg"].startswith("kvm_host_packages[1]: want a Debian package name")
    assert "missing_packages" not in out and not (tmp_path / "etc").exists()
