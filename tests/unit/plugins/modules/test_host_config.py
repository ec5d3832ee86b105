# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config as a task runs it: packages first, then the plan, and one failure shape."""

from __future__ import absolute_import, division, print_function

import json

from ansible_collections.virtops.hypervisor.plugins.modules import host_config
from unit_helpers import run_main

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
    assert rc == 0 and out["changed"] and out["packages"] == [] and "verified" not in out
    assert (tmp_path / "etc" / "demo.conf").read_text() == "autoballoon = 0\n"


def test_a_bad_package_name_is_refused_by_its_variable_before_anything_is_installed(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)], "error_prefix": "kvm_host",
                                                    "packages": [NOT_INSTALLED, "qemu;reboot"]})
    assert rc == 1 and out["msg"].startswith("kvm_host_packages[1]: want a Debian package name")
    assert "missing_packages" not in out and not (tmp_path / "etc").exists()


def test_bad_input_fails_with_every_path_and_nothing_done(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {
        "files": [conf_file(tmp_path), {"path": "etc/relative", "content": "x"}],
        "libvirt": {"tcp_port": 0, "listen_addr": "host.example.com"}, "error_prefix": "kvm_host"})
    assert rc == 1
    assert [e["path"] for e in out["errors"]] == ["files[1].path", "kvm_host_listen_addr", "kvm_host_tcp_port"]
    assert out["done"] == [] and out["changed"] is False
    assert not (tmp_path / "etc").exists()


def test_a_failure_half_way_reports_what_was_done(tmp_path, monkeypatch, capsys):
    """The second file's folder is a file: the first file is written, the second cannot be."""
    (tmp_path / "blocker").write_text("")
    second = {"path": str(tmp_path / "blocker" / "demo.conf"), "content": "x\n"}
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path), second]})
    assert rc == 1 and out["msg"].startswith("host_config: ")
    assert out["done"] == ["wrote %s" % conf_file(tmp_path)["path"]] and out["changed"] is True
    assert out["errors"] == [{"path": None, "msg": out["msg"]}]
    assert (tmp_path / "etc" / "demo.conf").read_text() == "autoballoon = 0\n"


def test_an_error_prefix_that_is_no_variable_name_is_refused_once(tmp_path, monkeypatch, capsys):
    rc, out = run_host_config(monkeypatch, capsys, {"files": [conf_file(tmp_path)], "error_prefix": "kvm host",
                                                    "libvirt": {"tcp_port": 0}})
    assert rc == 1 and [e["path"] for e in out["errors"]] == ["error_prefix"]
    assert not (tmp_path / "etc").exists()
