# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt_domain's main() end to end against libvirt's in-process test driver.

main() opens its own connection to test:///default; the one this module keeps open holds
the driver's state between runs (it lives for as long as a connection to it is open).
"""

from __future__ import absolute_import, division, print_function

import json

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import service
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError
from ansible_collections.virtops.hypervisor.plugins.modules import libvirt_domain
from unit_helpers import run_main

URI = "test:///default"


def run_module(monkeypatch, capsys, args):
    """(rc, result) of main() with ``args``."""
    args = dict(args, uri=URI)
    rc, raw = run_main(libvirt_domain, monkeypatch, capsys, args)
    return rc, json.loads(raw)


def names(conn):
    return sorted(d.name() for d in conn.listAllDomains())


def guest(name, **changes):
    raw = {"name": name, "memory": "96MiB", "disks": [{"path": "/i/%s.qcow2" % name}],
           "nics": [{"bridge": "br0"}, {"udp": {"local_port": 6000, "remote_port": 6001}}]}
    raw.update(changes)
    return raw


def test_check_mode_changes_nothing_and_predicts(monkeypatch, capsys, test_conn):
    before = names(test_conn)
    args = dict(guest("md-check", state="running"), _ansible_check_mode=True, _ansible_diff=True)
    rc, out = run_module(monkeypatch, capsys, args)
    assert rc == 0
    assert out["changed"] is True
    [dom] = out["domains"]
    assert (dom["name"], dom["actions"], dom["state"], dom["events"]) == ("md-check", ["define", "start"], None, [])
    assert "<name>md-check</name>" in dom["xml"]
    assert [d["after_header"] for d in out["diff"]] == ["md-check (planned)"]
    assert names(test_conn) == before


def test_single_domain_run_then_rerun(monkeypatch, capsys, test_conn):
    rc, out = run_module(monkeypatch, capsys, dict(guest("md-one", state="running"), _ansible_diff=True))
    assert (rc, out["changed"], out["uri"]) == (0, True, URI)
    [dom] = out["domains"]
    assert (dom["actions"], dom["state"], [e["event"] for e in dom["events"]]) == (
        ["define", "start"], "running", ["started"])
    assert "diff" not in dom and [d["after_header"] for d in out["diff"]] == ["md-one (libvirt)"]
    assert test_conn.lookupByName("md-one").isActive() == 1
    # Suboptions AnsibleModule filled with None (nics[].network, udp addresses...) changed nothing.
    rc, out = run_module(monkeypatch, capsys, dict(guest("md-one", state="running"), _ansible_diff=True))
    assert (rc, out["changed"], out["domains"][0]["actions"], out["diff"]) == (0, False, [], [])
    # Outside diff mode no diff is computed or returned.
    rc, out = run_module(monkeypatch, capsys, guest("md-one", state="running"))
    assert (rc, out["changed"], "diff" in out) == (0, False, False)


def test_many_domains_in_one_call(monkeypatch, capsys, test_conn):
    rc, out = run_module(monkeypatch, capsys, {"domains": [guest("md-a"), guest("md-b", state="running")]})
    assert rc == 0 and out["changed"] is True
    assert [(d["name"], d["actions"]) for d in out["domains"]] == [("md-a", ["define"]), ("md-b", ["define", "start"])]
    rc, out = run_module(monkeypatch, capsys, {"domains": [guest("md-a"), {"name": "md-b", "state": "absent"}]})
    assert [(d["name"], d["changed"], d["actions"]) for d in out["domains"]] == [
        ("md-a", False, []), ("md-b", True, ["destroy", "undefine"])]
    assert "md-b" not in names(test_conn) and "md-a" in names(test_conn)


@pytest.mark.parametrize("args, message", [
    ({"domains": [guest("md-x"), guest("md-y", vcpus=0)]}, "domains[1].vcpus: must be between 1 and 4096, got 0"),
    ({"domains": [guest("md-x"), guest("md-y", boot="pv")]}, "domains[1].boot: no PV guest of a supported driver"),
    ({"domains": [guest("md-x", disks=[{"path": "/i/a", "bus": "pci"}]), guest("md-y", memory="5x")]},
     "domains[0].disks[0].bus: must be one of auto, virtio, xen, scsi, sata, ide, usb, got 'pci'; "
     "domains[1].memory: must be MiB"),
    # At the top level Ansible's own argument spec checks choices first.
    (guest("md-x", disks=[{"path": "/i/a", "bus": "pci"}]), "value of bus must be one of: auto, virtio"),
    (guest("md-x", machine="pc q35"), "the domain XML does not validate against libvirt's schema"),
    (dict(guest("md-x", state="running"), timeout=-1), "timeout: must be between 1 and 86400, got -1"),
    (dict(guest("md-x", state="running"), timeout=0), "timeout: must be between 1 and 86400, got 0"),
    (guest("md-x", memory="17TiB"), "memory: must be at most 16 TiB"),
    (guest("md-x", vcpus=4097), "vcpus: must be between 1 and 4096, got 4097"),
], ids=["spec", "profile", "all-at-once", "single-no-prefix", "schema", "timeout-negative", "timeout-0",
        "memory-too-large", "vcpus-too-many"])
def test_a_bad_spec_fails_and_changes_nothing(monkeypatch, capsys, test_conn, args, message):
    before = names(test_conn)
    rc, out = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["failed"] is True
    assert message in out["msg"], out["msg"]
    # A single domain's paths start at the option; a list's at its item.
    assert ("domains[" in out["msg"]) is ("domains" in args)
    assert names(test_conn) == before


GRAPHICS_SECRET = "vnc-S3cret-4711"
RAW_WITH_PASSWORD = """<domain type='test'>
  <name>md-secret</name>
  <memory unit='KiB'>98304</memory>
  <os><type arch='i686'>hvm</type><cmdline>console=ttyS0 token=boot-T0ken-0815</cmdline></os>
  <devices><graphics type='vnc' port='-1' passwd='%s'/></devices>
</domain>""" % GRAPHICS_SECRET


def test_a_graphics_password_compares_and_never_shows(monkeypatch, capsys, test_conn):
    args = {"xml": RAW_WITH_PASSWORD, "_ansible_diff": True}
    for check_mode, changed in ((True, True), (False, True), (False, False), (True, False)):
        rc, out = run_module(monkeypatch, capsys, dict(args, _ansible_check_mode=check_mode))
        assert rc == 0 and out["changed"] is changed, (check_mode, out)
        text = json.dumps(out)
        assert GRAPHICS_SECRET not in text and "boot-T0ken-0815" not in text
    # libvirt holds the password: compared with it, the unchanged XML needs no define.
    assert GRAPHICS_SECRET in test_conn.lookupByName("md-secret").XMLDesc(
        service.inactive_secure(__import__("libvirt")))
    rc, out = run_module(monkeypatch, capsys, {"xml": RAW_WITH_PASSWORD.replace(GRAPHICS_SECRET, "other-Pass-1"),
                                               "_ansible_diff": True})
    assert rc == 0 and out["changed"] is True
    masked = [line for line in out["diff"][0]["after"].splitlines() if "passwd=" in line]
    assert masked and "********:" in masked[0] and "other-Pass-1" not in json.dumps(out)
    run_module(monkeypatch, capsys, {"name": "md-secret", "state": "absent"})


def test_a_cmdline_inside_domains_is_masked_in_the_echoed_arguments(monkeypatch, capsys, test_conn):
    spec = guest("md-cmdline", kernel="/i/vmlinuz", cmdline="console=hvc0 password=Cmd-S3cret")
    rc, out = run_module(monkeypatch, capsys, {"domains": [spec], "_ansible_check_mode": True})
    assert rc == 0
    assert "Cmd-S3cret" not in json.dumps(out)
    assert "md-cmdline" in json.dumps(out["invocation"])


def test_a_batch_failing_part_way_reports_changed_and_steps(monkeypatch, capsys, test_conn):
    real_do = service.do

    def do(libvirt, dom, *args):
        if dom.name() == "md-pf-2":
            raise LibvirtCallError("create", "no such bridge")
        return real_do(libvirt, dom, *args)
    monkeypatch.setattr(service, "do", do)
    rc, out = run_module(monkeypatch, capsys, {"domains": [guest("md-pf-1"), guest("md-pf-2", state="running")]})
    assert rc == 1 and out["changed"] is True
    assert out["msg"] == "domains[1] (md-pf-2): start: create failed: no such bridge"
    # The failure's one shape: the work already done is under ``done``, per domain.
    assert "domains" not in out and out["errors"] == [
        {"path": "domains[1]", "msg": "domains[1] (md-pf-2): start: create failed: no such bridge"}]
    assert [(d["name"], d["steps"]) for d in out["done"]] == [("md-pf-1", ["define"]), ("md-pf-2", ["define"])]
    assert out["done"][1]["failed_step"] == "start"
    run_module(monkeypatch, capsys, {"domains": [{"name": "md-pf-1", "state": "absent"},
                                                 {"name": "md-pf-2", "state": "absent"}]})


def test_xml_only_for_changed_domains_unless_asked(monkeypatch, capsys, test_conn):
    specs = {"domains": [guest("md-quiet-1"), guest("md-quiet-2")]}
    rc, out = run_module(monkeypatch, capsys, specs)
    assert rc == 0 and all("xml" in d for d in out["domains"])
    rc, out = run_module(monkeypatch, capsys, specs)
    assert rc == 0 and not any("xml" in d for d in out["domains"])
    rc, out = run_module(monkeypatch, capsys, dict(specs, return_xml=True))
    assert all("<name>" in d["xml"] for d in out["domains"])
    run_module(monkeypatch, capsys, {"domains": [{"name": "md-quiet-1", "state": "absent"},
                                                 {"name": "md-quiet-2", "state": "absent"}]})


def test_spec_errors_also_come_as_a_list_of_paths(monkeypatch, capsys, test_conn):
    rc, out = run_module(monkeypatch, capsys, {"domains": [guest("md-e1", vcpus=0), guest("md-e2", memroy=1)]})
    assert rc == 1
    assert out["errors"] == [
        {"path": "domains[0].vcpus", "msg": "must be between 1 and 4096, got 0"},
        {"path": "domains[1].memroy", "msg": out["errors"][1]["msg"]}]
    assert "did you mean memory?" in out["errors"][1]["msg"]


# --- every bad input refused with its paths, and the existing domain's XML unchanged ---------

KEEP = "md-keep"
KEEP_XML = ("<domain type='test'><name>%s</name><memory unit='KiB'>98304</memory>"
            "<os><type arch='i686'>hvm</type></os><devices>"
            "<graphics type='vnc' port='-1' passwd='Keep-S3c'/></devices></domain>" % KEEP)


def secure_state(conn):
    import libvirt  # pylint: disable=import-outside-toplevel
    flags = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
    return dict((d.name(), (d.XMLDesc(flags), d.isActive())) for d in conn.listAllDomains())


@pytest.mark.parametrize("args, paths", [
    ({"name": KEEP, "vcpus": 0}, ["vcpus"]),
    ({"name": KEEP, "vcpus": 4097}, ["vcpus"]),
    ({"name": KEEP, "memory": "5x"}, ["memory"]),
    ({"name": KEEP, "memory": "17TiB"}, ["memory"]),
    ({"name": KEEP, "disks": [{"path": "relative.qcow2"}]}, ["disks[0].path"]),
    ({"name": KEEP, "boot": "pv"}, ["boot"]),
    ({"name": KEEP, "arch": "x86_64"}, ["arch"]),
    ({"name": KEEP, "state": "running", "timeout": 0}, ["timeout"]),
    ({"name": KEEP, "state": "running", "timeout": 86401}, ["timeout"]),
    ({"domains": [{"name": KEEP, "vcpus": 0}, {"name": KEEP}]}, ["domains", "domains[0].vcpus"]),
    ({"domains": [{"name": KEEP, "memroy": 64}]}, ["domains[0].memroy"]),
    ({"domains": [{"xml": "<domain><name>md-x</name>"}]}, ["domains[0].xml"]),
    ({"domains": [{"xml": KEEP_XML.replace("<name>", "<uuid>00000000-0000-4000-8000-000000000001</uuid><name>")}]},
     ["domains[0].xml"]),
    ({"domains": [{"name": KEEP, "vcpus": 0}, {"name": "md-y", "memory": 64, "disks": [{"path": "/i/a", "bus": "pci"}]}]},
     ["domains[0].vcpus", "domains[1].disks[0].bus"]),
], ids=["vcpus-0", "vcpus-4097", "memory-unit", "memory-too-large", "disk-relative", "boot-pv", "arch",
        "timeout-0", "timeout-86401", "listed-twice", "unknown-key", "xml-not-well-formed", "xml-uuid-clash",
        "all-at-once"])
def test_bad_input_is_refused_with_its_paths_and_changes_nothing(monkeypatch, capsys, test_conn, args, paths):
    if KEEP not in names(test_conn):
        test_conn.defineXML(KEEP_XML)
    before = secure_state(test_conn)
    rc, out = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["failed"] is True, out
    assert sorted(e["path"] for e in out["errors"]) == sorted(paths), out["errors"]
    assert (out["done"], out["changed"]) == ([], False)
    assert secure_state(test_conn) == before
