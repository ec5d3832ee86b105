# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config plans against a directory tree: validation first, then only real changes."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors, VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import plan

SOCKETS = ["libvirtd.socket", "libvirtd-ro.socket"]
SPEC = {
    "files": [
        {"path": "/etc/libvirt/libvirtd.conf", "syntax": "libvirt", "set": {"listen_tcp": 1, "auth_tcp": "none"}},
        {"path": "/etc/default/libvirtd", "syntax": "shell", "set": {"LIBVIRTD_ARGS": "--listen"}},
        {"path": "/etc/default/grub.d/virtops-xen.cfg", "content": "GRUB_X=1\n", "mode": "0600"},
    ],
    "mask": SOCKETS,
    "dropins": [{"unit": "libvirtd.service", "name": "virtops.conf", "content": "[Unit]\nAfter=xen.service\n"}],
    "restart": ["libvirtd.service"],
}


def write(root, path, text):
    full = hostfiles.under(root, path)
    if not os.path.isdir(os.path.dirname(full)):
        os.makedirs(os.path.dirname(full))
    with open(full, "w") as handle:
        handle.write(text)


@pytest.fixture
def root(tmp_path):
    root = str(tmp_path)
    write(root, "/etc/libvirt/libvirtd.conf", "#listen_tcp = 1\n")
    write(root, "/etc/default/libvirtd", 'LIBVIRTD_ARGS="--timeout 120"\n')
    return root


def tree(root):
    out = {}
    for base, _dirs, files in os.walk(root):
        for name in files:
            full = os.path.join(base, name)
            out[full] = os.readlink(full) if os.path.islink(full) else open(full).read()
    return out


def test_plan_apply_then_nothing_left_to_do(root):
    before = tree(root)
    host_plan = plan.compute(SPEC, root)
    assert tree(root) == before  # planning wrote nothing
    assert host_plan.summary() == {
        "files": ["/etc/libvirt/libvirtd.conf", "/etc/default/libvirtd", "/etc/default/grub.d/virtops-xen.cfg"],
        "units": SOCKETS,
        "dropins": ["/etc/systemd/system/libvirtd.service.d/virtops.conf"], "enabled": [], "started": []}
    assert [d["after_header"] for d in host_plan.diff()][-1] == "/etc/systemd/system/libvirtd-ro.socket"
    plan.apply(host_plan, root)
    assert os.readlink(hostfiles.under(root, "/etc/systemd/system/libvirtd.socket")) == "/dev/null"
    assert open(hostfiles.under(root, "/etc/default/libvirtd")).read() == 'LIBVIRTD_ARGS="--listen"\n'
    assert oct(os.stat(hostfiles.under(root, "/etc/default/grub.d/virtops-xen.cfg")).st_mode & 0o777) == "0o600"
    again = plan.compute(SPEC, root)
    assert not again.changed and again.summary() == {"files": [], "units": [], "dropins": [],
                                                     "enabled": [], "started": []}


def test_a_mode_alone_is_a_change(root):
    plan.apply(plan.compute(SPEC, root), root)
    os.chmod(hostfiles.under(root, "/etc/default/grub.d/virtops-xen.cfg"), 0o644)
    assert plan.compute(SPEC, root).summary()["files"] == ["/etc/default/grub.d/virtops-xen.cfg"]


def test_an_existing_file_keeps_its_mode(root):
    os.chmod(hostfiles.under(root, "/etc/default/libvirtd"), 0o640)
    plan.apply(plan.compute(SPEC, root), root)
    assert os.stat(hostfiles.under(root, "/etc/default/libvirtd")).st_mode & 0o777 == 0o640


def test_an_administrators_unit_file_is_not_masked_over(root):
    write(root, "/etc/systemd/system/libvirtd.socket", "[Socket]\n")
    with pytest.raises(VirtopsError, match="is a unit file, not a link"):
        plan.compute(SPEC, root)


def test_every_bad_value_named_and_nothing_written(root):
    bad = {
        "files": [
            {"path": "etc/relative", "content": "x"},
            {"path": "/etc/a", "syntax": "ini", "set": {"k": 1}},
            {"path": "/etc/b", "syntax": "libvirt", "set": {"bad key": 1, "q": 'a"b'}, "unset": ["q"]},
            {"path": "/etc/c", "content": "x", "set": {"k": 1}, "syntax": "shell"},
            {"path": "/etc/c", "syntax": "shell", "set": {"K": "v"}, "mode": "644x"},
            {"path": "/etc/d", "syntax": "shell", "colour": "red"},
        ],
        "mask": ["libvirtd"],
        "dropins": [{"unit": "libvirtd.service", "name": "x.txt", "content": 3}],
        "restart": ["libvirtd.service"],
    }
    before = tree(root)
    with pytest.raises(SpecErrors) as caught:
        plan.compute(bad, root)
    paths = [e.path for e in caught.value.errors]
    assert paths == [
        "files[0].path", "files[1].syntax", "files[2].set.bad key", "files[2].set.q",
        "files[2].unset[0]", "files[3]", "files[4].mode", "files[4].path", "files[5].colour", "files[5]",
        "mask[0]", "dropins[0].name", "dropins[0].content"]
    assert "files[0].content" not in paths
    assert tree(root) == before


@pytest.mark.parametrize("path", ["/etc/./demo.conf", "/etc/../etc/demo.conf", "/etc/demo/", None])
def test_a_file_path_names_one_file_whatever_the_host_resolves(root, path):
    with pytest.raises(SpecErrors) as caught:
        plan.compute({"files": [{"path": path, "content": "x"}]}, root)
    assert [e.path for e in caught.value.errors] == ["files[0].path"]


def test_a_dropin_without_content_is_refused(root):
    with pytest.raises(SpecErrors, match=r"^dropins\[0\]\.content: is required"):
        plan.compute({"dropins": [{"unit": "libvirtd.service", "name": "x.conf"}]}, root)


def states(**by_unit):
    """A unit_states reader answering as ``systemctl show`` would, per unit."""
    table = {unit.replace("_", "-") + ".service": dict(zip(("LoadState", "UnitFileState", "ActiveState"), values))
             for unit, values in by_unit.items()}
    asked = []

    def read(units):
        asked.append(list(units))
        return {unit: table.get(unit, {"LoadState": "not-found"}) for unit in units}
    read.asked = asked
    return read


@pytest.mark.parametrize("state, enable, start", [
    (("loaded", "enabled", "active"), [], []),
    (("loaded", "disabled", "active"), ["libvirtd.service"], []),
    (("loaded", "enabled", "inactive"), [], ["libvirtd.service"]),
    (("loaded", "disabled", "failed"), ["libvirtd.service"], ["libvirtd.service"]),
    (("loaded", "static", "active"), [], []),
])
def test_a_unit_that_must_run_is_enabled_and_started_only_when_it_is_not(root, state, enable, start):
    reader = states(libvirtd=state)
    host_plan = plan.compute({"running": ["libvirtd.service"]}, root, unit_states=reader)
    assert (host_plan.enable, host_plan.start) == (enable, start)
    assert host_plan.changed == bool(enable or start)
    assert not host_plan.config_changed
    assert reader.asked == [["libvirtd.service"]]  # one question for every unit


def test_a_unit_not_installed_yet_is_left_to_the_caller(root):
    host_plan = plan.compute({"running": ["libvirtd.service"]}, root, unit_states=states())
    assert host_plan.missing == ["libvirtd.service"] and not host_plan.changed


def test_a_masked_unit_that_must_run_is_an_error(root):
    with pytest.raises(VirtopsError, match="libvirtd.service must run, but it is masked"):
        plan.compute({"running": ["libvirtd.service"]}, root,
                     unit_states=states(libvirtd=("masked", "masked", "inactive")))


def test_the_libvirt_settings_keep_libvirtd_running_and_name_its_endpoint(root):
    spec = {"libvirt": {"listen_tcp": True, "listen_tls": False, "listen_addr": "", "tcp_port": 16509,
                        "tls_port": 16514, "auth_tcp": "none", "auth_tls": "none",
                        "tls_key_file": "/k", "tls_cert_file": "/c", "tls_ca_file": "/a",
                        "security_driver": "none", "user": "root", "group": "root", "vnc_listen": ""}}
    host_plan = plan.compute(spec, root, unit_states=states(libvirtd=("loaded", "enabled", "inactive")))
    assert host_plan.start == ["libvirtd.service"]
    assert host_plan.listening == [("127.0.0.1", 16509)]
