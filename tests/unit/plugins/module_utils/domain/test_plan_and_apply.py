# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""planner.plan()/apply(), and the module's pipeline made of them, over ONE connection to
libvirt's in-process test driver.

The event loop is registered before the connection is opened (conftest.py), so every wait
below is for a lifecycle event the test driver really delivered; nothing sleeps or polls.
Each test uses domain names of its own: they share the connection and its state.
"""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from unit_helpers import unified_diff
from ansible_collections.virtops.hypervisor.plugins.module_utils import events
from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import cache
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (
    executor, lifecycle, pipeline, planner, profiles, results, service, spec)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import LibvirtCallError, SpecErrors, StepError

TIMEOUT = 10


@pytest.fixture(scope="module")
def watcher(test_conn, libvirt_module):
    watch = events.LifecycleWatcher(test_conn, libvirt_module)
    yield watch
    watch.close()


@pytest.fixture(scope="module")
def host(test_conn):
    return cache.CapabilitiesCache(test_conn)


class Runner(object):
    """plan() -> check-mode results -> apply(), keeping both to compare."""

    def __init__(self, conn, libvirt, host, watcher):
        self.conn, self.libvirt, self.host, self.watcher = conn, libvirt, host, watcher

    def plan(self, raws):
        return planner.plan(self.conn, self.libvirt, spec.validate(raws), self.host)

    def run(self, raws, **kwargs):
        """(plans, check-mode results, real results) of the module's pipeline; check mode
        must predict the real run."""
        plans = self.plan(raws)
        specs = spec.validate(raws)
        predicted = pipeline.run(self.conn, self.libvirt, specs, self.host, check_mode=True, timeout=TIMEOUT, **kwargs)
        real = pipeline.run(self.conn, self.libvirt, specs, self.host, timeout=TIMEOUT, watcher=self.watcher, **kwargs)
        assert [r["name"] for r in real] == [r["name"] for r in predicted]
        assert [r["changed"] for r in real] == [r["changed"] for r in predicted]
        assert [r["actions"] for r in real] == [r["actions"] for r in predicted]
        return plans, predicted, real

    def xml(self, name):
        return self.conn.lookupByName(name).XMLDesc(self.libvirt.VIR_DOMAIN_XML_INACTIVE)

    def state(self, name):
        return lifecycle.reported(lifecycle.state_name(self.libvirt, self.conn.lookupByName(name).state()[0]))

    def exists(self, name):
        return name in [d.name() for d in self.conn.listAllDomains()]


@pytest.fixture
def runner(test_conn, libvirt_module, host, watcher):
    return Runner(test_conn, libvirt_module, host, watcher)


def guest(name, **changes):
    raw = {"name": name, "memory": 128, "vcpus": 1,
           "disks": [{"path": "/var/lib/libvirt/images/%s.qcow2" % name}, {"device": "cdrom"}],
           "nics": [{"network": "default"}, {"bridge": "br0"}],
           "channels": [{"name": "org.virtops.0"}]}
    raw.update(changes)
    return raw


def macs_of(xml):
    return [m.get("address") for m in ET.fromstring(xml).findall("devices/interface/mac")]


def test_host_of_the_test_driver(host):
    assert host.recommended["domain_type"] == "test"
    assert host.domcaps("i686", "test", "hvm") is None  # no domain capabilities: libvirt checks alone
    assert isinstance(profiles.select(host.caps, spec.validate([guest("x")])[0], "qcow2", host.domcaps),
                      profiles.TestDriverProfile)


def test_define_three_then_nothing_to_do_then_one_memory_change(runner):
    names = ["cv-a", "cv-b", "cv-c"]
    count = len(runner.conn.listAllDomains())
    plans, predicted, real = runner.run([guest(n) for n in names])
    assert [(p.define, p.actions, p.dom) for p in plans] == [(True, [], None)] * 3
    assert [(r["changed"], r["actions"], r["state"]) for r in real] == [(True, ["define"], "shutoff")] * 3
    assert [r["state"] for r in predicted] == [None] * 3
    assert len(runner.conn.listAllDomains()) == count + 3
    for result in real:
        assert result["xml"] == runner.xml(result["name"])
        assert result["diff"]["before"] == "" and "<name>%s</name>" % result["name"] in result["diff"]["after"]
    first = dict((n, runner.xml(n)) for n in names)

    plans, predicted, real = runner.run([guest(n) for n in names])
    assert [(p.define, p.actions, p.autostart, p.changes) for p in plans] == [(False, [], None, False)] * 3
    assert [r["changed"] for r in real] == [False] * 3
    assert [r["actions"] for r in real] == [[]] * 3
    assert dict((n, runner.xml(n)) for n in names) == first

    plans, predicted, real = runner.run([guest("cv-a"), guest("cv-b", memory="256MiB"), guest("cv-c")])
    assert [(p.define, p.actions) for p in plans] == [(False, []), (True, []), (False, [])]
    assert [r["changed"] for r in real] == [False, True, False]
    before, after = ET.fromstring(first["cv-b"]), ET.fromstring(runner.xml("cv-b"))
    assert after.findtext("memory") == "262144" and before.findtext("memory") == "131072"
    assert after.findtext("uuid") == before.findtext("uuid")
    assert macs_of(runner.xml("cv-b")) == macs_of(first["cv-b"]) and len(macs_of(first["cv-b"])) == 2
    # The planned XML carried the UUID and MACs, so check mode showed only the memory change.
    assert ET.fromstring(plans[1].desired).findtext("uuid") == before.findtext("uuid")
    shown = results.diff_for(real[1]["diff"])
    diff = unified_diff(shown["before"], shown["after"], "cv-b")
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        '-  <memory unit="KiB">131072</memory>', '-  <currentMemory unit="KiB">131072</currentMemory>',
        '+  <memory unit="KiB">262144</memory>', '+  <currentMemory unit="KiB">262144</currentMemory>']
    assert runner.xml("cv-a") == first["cv-a"] and runner.xml("cv-c") == first["cv-c"]


def _hunk(raw_diff):
    shown = results.diff_for(raw_diff)
    diff = unified_diff(shown["before"], shown["after"], "x")
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_redefine_keeps_what_other_tools_added_and_check_mode_shows_the_real_diff(runner):
    runner.run([guest("cv-extra")])
    dom = runner.conn.lookupByName("cv-extra")
    lv = runner.libvirt
    dom.setMetadata(lv.VIR_DOMAIN_METADATA_DESCRIPTION, "set with virsh desc", None, None,
                    lv.VIR_DOMAIN_AFFECT_CONFIG)
    dom.setMetadata(lv.VIR_DOMAIN_METADATA_ELEMENT, "<owner>ops</owner>", "vt",
                    "http://example.org/virtops-test/", lv.VIR_DOMAIN_AFFECT_CONFIG)
    # Another tool's device and tuning, defined behind the module's back.
    edited = runner.xml("cv-extra").replace(
        "</devices>", "<watchdog model='i6300esb' action='reset'/></devices>"
        "<cputune><shares>2048</shares></cputune>")
    runner.conn.defineXML(edited)
    before = runner.xml("cv-extra")

    plans, predicted, real = runner.run([guest("cv-extra", memory="256MiB")])
    after = ET.fromstring(runner.xml("cv-extra"))
    assert after.findtext("description") == "set with virsh desc"
    assert dom.metadata(lv.VIR_DOMAIN_METADATA_ELEMENT, "http://example.org/virtops-test/",
                        lv.VIR_DOMAIN_AFFECT_CONFIG) == "<owner>ops</owner>"
    assert after.find("devices/watchdog").get("model") == "i6300esb"
    assert after.findtext("cputune/shares") == "2048"
    assert real[0]["diff"]["before"] == predicted[0]["diff"]["before"] == before
    assert _hunk(predicted[0]["diff"]) == _hunk(real[0]["diff"]) == [
        '-  <memory unit="KiB">131072</memory>', '-  <currentMemory unit="KiB">131072</currentMemory>',
        '+  <memory unit="KiB">262144</memory>', '+  <currentMemory unit="KiB">262144</currentMemory>']


def test_removing_the_first_nic_keeps_the_mac_of_the_second(runner):
    runner.run([guest("cv-nics")])
    network_mac, bridge_mac = macs_of(runner.xml("cv-nics"))
    plans, predicted, real = runner.run([guest("cv-nics", nics=[{"bridge": "br0"}])])
    assert real[0]["changed"]
    assert macs_of(runner.xml("cv-nics")) == [bridge_mac]
    assert _hunk(predicted[0]["diff"]) == _hunk(real[0]["diff"])


def test_an_explicit_mac_replaces_the_kept_one(runner):
    runner.run([guest("cv-mac")])
    kept = macs_of(runner.xml("cv-mac"))
    plans, _p, real = runner.run([guest("cv-mac", nics=[{"network": "default"},
                                                        {"bridge": "br0", "mac": "52:54:00:0A:0B:0C"}])])
    assert plans[0].define and real[0]["changed"]
    assert macs_of(runner.xml("cv-mac")) == [kept[0], "52:54:00:0a:0b:0c"]


def test_lifecycle_events_are_delivered_by_the_test_driver(runner):
    """The precondition of every state test: without events, apply() would time out."""
    _plans, _pred, real = runner.run([guest("cv-ev", state="running")])
    assert real[0]["actions"] == ["define", "start"]
    [event] = real[0]["events"]
    assert (event["event"], event["detail"]) == ("started", "booted")
    assert isinstance(event["at"], float)
    uuid = runner.conn.lookupByName("cv-ev").UUIDString()
    assert runner.watcher.mark(uuid) >= 2  # defined, started


STEPS = [
    # (state wanted, actions, events waited for, state afterwards)
    ("present", ["define"], [], "shutoff"),
    ("present", [], [], "shutoff"),
    ("running", ["start"], ["started"], "running"),
    ("running", [], [], "running"),
    ("present", [], [], "running"),
    ("paused", ["suspend"], ["suspended"], "paused"),
    ("paused", [], [], "paused"),
    ("running", ["resume"], ["resumed"], "running"),
    ("paused", ["suspend"], ["suspended"], "paused"),
    # A paused guest cannot answer the shutdown request: it is resumed first.
    ("shutdown", ["resume", "shutdown"], ["resumed", "stopped"], "shutoff"),
    ("shutdown", [], [], "shutoff"),
    ("running", ["start"], ["started"], "running"),
    ("shutdown", ["shutdown"], ["stopped"], "shutoff"),
    ("absent", ["undefine"], [], "absent"),
    ("absent", [], [], "absent"),
    ("running", ["define", "start"], ["started"], "running"),
    ("absent", ["destroy", "undefine"], ["stopped"], "absent"),
    ("shutdown", ["define"], [], "shutoff"),
    ("paused", ["start_paused"], None, None),  # planned only: see test_start_paused_is_planned
]


def test_state_transitions_with_events_and_check_mode_predicting_each(runner):
    for want, actions, waited, state in STEPS:
        if waited is None:
            plans = runner.plan([guest("cv-s", state=want)])
            assert plans[0].actions == actions
            continue
        plans, predicted, real = runner.run([guest("cv-s", state=want)])
        step = (want, actions)
        assert real[0]["actions"] == actions, step
        assert real[0]["changed"] is bool(actions), step
        assert [e["event"] for e in real[0]["events"]] == waited, step
        assert real[0]["state"] == state, step
        assert runner.exists("cv-s") is (state != "absent"), step
        if state != "absent":
            assert runner.state("cv-s") == state, step
            assert real[0]["xml"] == runner.xml("cv-s")
        else:
            assert real[0]["xml"] == "" and predicted[0]["diff"]["after"] == ""


def test_absent_keeps_other_domains(runner):
    runner.run([guest("cv-keep"), guest("cv-drop", state="running")])
    _plans, _pred, real = runner.run([guest("cv-keep"), {"name": "cv-drop", "state": "absent"},
                                      {"name": "cv-never", "state": "absent"}])
    assert [(r["name"], r["changed"], r["actions"]) for r in real] == [
        ("cv-keep", False, []), ("cv-drop", True, ["destroy", "undefine"]), ("cv-never", False, [])]
    assert runner.exists("cv-keep") and not runner.exists("cv-drop") and not runner.exists("cv-never")


def test_start_paused_is_planned(runner):
    """shutoff -> paused is createWithFlags(VIR_DOMAIN_START_PAUSED): planned and predicted here;
    libvirt's test driver accepts no flags on create, so it is not applied on it."""
    runner.run([guest("cv-p")])
    plans = runner.plan([guest("cv-p", state="paused"), guest("cv-p2", state="paused")])
    assert [(p.define, p.actions) for p in plans] == [(False, ["start_paused"]), (True, ["start_paused"])]
    assert [results.result_of(p, True)["actions"] for p in plans] == [["start_paused"], ["define", "start_paused"]]
    assert runner.state("cv-p") == "shutoff" and not runner.exists("cv-p2")


def test_autostart_is_predicted_and_applied(runner):
    steps = [(True, ["define", "autostart"], True), (True, [], True), (None, [], True),
             (False, ["no_autostart"], False), (False, [], False)]
    for autostart, actions, after in steps:
        raw = guest("cv-auto") if autostart is None else guest("cv-auto", autostart=autostart)
        _plans, _predicted, real = runner.run([raw])
        assert real[0]["actions"] == actions, autostart
        assert real[0]["changed"] is bool(actions)
        assert bool(runner.conn.lookupByName("cv-auto").autostart()) is after


def test_raw_xml_keeps_uuid_and_macs_and_is_idempotent(runner):
    runner.run([guest("cv-raw")])
    old = ET.fromstring(runner.xml("cv-raw"))
    raw_xml = ("<domain type='test'><name>cv-raw</name><memory unit='KiB'>196608</memory>"
               "<os><type arch='i686'>hvm</type></os><devices>"
               "<interface type='network'><source network='default'/></interface>"
               "<interface type='bridge'><source bridge='br0'/></interface></devices></domain>")
    plans, _pred, real = runner.run([{"xml": raw_xml}])
    assert plans[0].define and real[0]["changed"]
    new = ET.fromstring(runner.xml("cv-raw"))
    assert new.findtext("uuid") == old.findtext("uuid")
    assert macs_of(runner.xml("cv-raw")) == [m.get("address") for m in old.findall("devices/interface/mac")]
    assert (new.findtext("memory"), len(new.findall("devices/disk"))) == ("196608", 0)
    plans, _pred, real = runner.run([{"xml": raw_xml}])
    assert (plans[0].define, real[0]["changed"]) == (False, False)


def test_unchanged_raw_xml_in_units_libvirt_rewrites_is_no_change_and_no_define(runner):
    """libvirt keeps 64 MiB as 65536 KiB: compared in that form, a rerun plans nothing,
    so apply() makes no defineXML call (before, it defined and reported no change)."""
    raw_xml = ("<domain type='test'><name>cv-mib</name><memory unit='MiB'>64</memory>"
               "<os><type arch='i686'>hvm</type></os></domain>")
    runner.run([{"xml": raw_xml}])
    plans = runner.plan([{"xml": raw_xml}])
    assert (plans[0].define, plans[0].changes) == (False, False)
    predicted = results.result_of(plans[0], True)
    real = executor.apply(runner.conn, runner.libvirt, plans, runner.watcher, TIMEOUT)[0]
    assert (predicted["changed"], real["changed"]) == (False, False)
    assert ET.fromstring(runner.xml("cv-mib")).findtext("memory") == "65536"
    # A real change in another unit is still one.
    plans = runner.plan([{"xml": raw_xml.replace(">64<", ">65<")}])
    assert plans[0].define


def fail_start_of(monkeypatch, name):
    """libvirt refusing to start ``name``, as QEMU does when its bridge vanished after the plan."""
    real_do = service.do

    def do(libvirt, dom, *args):
        if dom.name() == name and args[1] == "start":
            raise LibvirtCallError("create", "Cannot get interface MTU on 'br-gone': No such device")
        return real_do(libvirt, dom, *args)
    monkeypatch.setattr(service, "do", do)


def test_a_batch_failing_part_way_reports_what_it_did(runner, monkeypatch):
    """The second domain's start fails: the first domain's result and the second's define
    are still reported, and the third is not touched."""
    fail_start_of(monkeypatch, "cv-pf-2")
    plans = runner.plan([guest("cv-pf-1", state="running"), guest("cv-pf-2", state="running"),
                         guest("cv-pf-3")])
    results = []
    with pytest.raises(StepError) as info:
        executor.apply(runner.conn, runner.libvirt, plans, runner.watcher, TIMEOUT, results=results)
    assert str(info.value).startswith("domains[1] (cv-pf-2): start: create failed: ")
    assert (info.value.path, info.value.name, info.value.step) == ("domains[1]", "cv-pf-2", "start")
    assert [(r["name"], r["changed"], r["steps"]) for r in results] == [
        ("cv-pf-1", True, ["define", "start"]), ("cv-pf-2", True, ["define"])]
    assert results[1]["failed_step"] == "start"
    assert runner.exists("cv-pf-2") and runner.state("cv-pf-2") == "shutoff" and not runner.exists("cv-pf-3")


def test_a_single_domain_failure_names_the_domain_without_a_path(runner, monkeypatch):
    fail_start_of(monkeypatch, "cv-pf-single")
    one = spec.validate([guest("cv-pf-single", state="running")], None)
    plans = planner.plan(runner.conn, runner.libvirt, one, runner.host)
    with pytest.raises(StepError) as info:
        executor.apply(runner.conn, runner.libvirt, plans, runner.watcher, TIMEOUT)
    assert str(info.value).startswith("cv-pf-single: start: create failed: ")


def transient(runner, name):
    item = spec.validate([guest(name)])[0]
    xml = profiles.select(runner.host.caps, item, "qcow2", runner.host.domcaps).build(item).to_xml()
    return runner.conn.createXML(xml, 0)


def test_a_transient_domain_absent_is_destroyed_and_reported_gone(runner):
    transient(runner, "cv-tr-1")
    plans, _predicted, real = runner.run([{"name": "cv-tr-1", "state": "absent"}])
    assert plans[0].actions == ["destroy"]
    assert (real[0]["changed"], real[0]["state"], real[0]["steps"]) == (True, "absent", ["destroy"])
    assert not runner.exists("cv-tr-1")


def test_a_transient_domain_present_is_made_persistent_and_says_so(runner):
    transient(runner, "cv-tr-2")
    plans, predicted, real = runner.run([guest("cv-tr-2")])
    assert plans[0].define is True
    assert predicted[0]["notes"] == ["the domain was transient; defining it made it persistent"]
    assert real[0]["notes"] == predicted[0]["notes"] and real[0]["changed"] is True
    assert runner.conn.lookupByName("cv-tr-2").isPersistent() == 1
    again = runner.run([guest("cv-tr-2")])[2]
    assert (again[0]["changed"], again[0]["notes"]) == (False, [])


def test_a_domain_another_client_defined_meanwhile_is_planned_again(runner):
    plans = runner.plan([guest("cv-race")])
    # Another converge of the same spec gets there between our plan and our define.
    runner.run([guest("cv-race")])
    real = executor.apply(runner.conn, runner.libvirt, plans, runner.watcher, TIMEOUT)
    assert (real[0]["changed"], real[0]["actions"]) == (False, [])


def test_a_domain_another_client_changed_meanwhile_is_merged_again(runner):
    runner.run([guest("cv-race2")])
    plans = runner.plan([guest("cv-race2", memory="256MiB")])
    runner.run([guest("cv-race2", vcpus=2)])
    real = executor.apply(runner.conn, runner.libvirt, plans, runner.watcher, TIMEOUT)
    assert real[0]["changed"] is True
    root = ET.fromstring(runner.xml("cv-race2"))
    assert root.findtext("memory") == "262144"


def test_what_a_start_would_trip_over_fails_the_plan_with_paths(runner, tmp_path, monkeypatch):
    # The test driver stands in for a driver whose guests use this machine's files.
    monkeypatch.setattr(profiles.TestDriverProfile, "uses_host_files", True)
    kernel = str(tmp_path / "vmlinuz")
    specs = spec.validate([guest("cv-pc-1", state="running"),
                           guest("cv-pc-2", state="running", kernel=kernel,
                                 nics=[{"network": "default"}, {"network": "no-such-net"}])])
    planner_host = runner.host
    with pytest.raises(SpecErrors) as info:
        planner.plan(runner.conn, runner.libvirt, specs, planner_host, local=True)
    paths = [e.path for e in info.value.errors]
    assert "domains[1].kernel" in paths and "domains[1].nics[1].network" in paths
    assert "domains[0].disks[0].path" in paths  # /var/lib/libvirt/images/cv-pc-1.qcow2 is not here
    assert "libvirt has no network no-such-net (it has: default)" in str(info.value)
    assert not runner.exists("cv-pc-1") and not runner.exists("cv-pc-2")
    # A definition alone may name what does not exist yet.
    assert planner.plan(runner.conn, runner.libvirt, spec.validate([guest("cv-pc-1")]), planner_host, local=True)


def test_raw_xml_whose_uuid_clashes_with_the_existing_domain_fails_the_plan(runner):
    runner.run([guest("cv-uuid")])
    root = ET.fromstring(runner.xml("cv-uuid"))
    root.find("uuid").text = "00000000-0000-4000-8000-000000000001"
    with pytest.raises(SpecErrors) as info:
        runner.plan([{"xml": ET.tostring(root, encoding="unicode")}])
    assert info.value.errors[0].path == "domains[0].xml"
    assert "clashes with the existing domain cv-uuid" in str(info.value)


def test_a_change_a_running_guest_sees_only_at_its_next_boot_says_so(runner):
    runner.run([guest("cv-restart", state="running")])
    plans, predicted, real = runner.run([guest("cv-restart", state="running", memory="256MiB",
                                               disks=[{"path": "/var/lib/libvirt/images/cv-restart.qcow2"},
                                                      {"device": "cdrom"}, {"path": "/i/extra.qcow2"}])])
    assert real[0]["changed"] is True
    assert predicted[0]["restart_required"] is True and real[0]["restart_required"] is True
    assert real[0]["pending_until_restart"] == predicted[0]["pending_until_restart"]
    assert "memory" in real[0]["pending_until_restart"]
    assert any(p.startswith("devices/disk[") for p in real[0]["pending_until_restart"])
    # Shut off, the next start takes the new definition: nothing is pending.
    again = runner.run([guest("cv-restart", state="shutdown", memory="512MiB")])[2]
    assert again[0]["restart_required"] is False


def test_a_new_domain_needs_memory_an_existing_one_does_not(runner):
    with pytest.raises(SpecErrors) as info:
        runner.plan([{"name": "cv-own-new", "state": "running"}])
    assert str(info.value) == "domains[0].memory: is required to define a domain"
    runner.run([guest("cv-own")])
    plans, _predicted, real = runner.run([{"name": "cv-own", "state": "running"}])
    assert (plans[0].define, real[0]["actions"]) == (False, ["start"])


def test_a_partial_spec_owns_only_what_it_names(runner):
    runner.run([guest("cv-part")])
    before = ET.fromstring(runner.xml("cv-part"))
    plans, _predicted, real = runner.run([{"name": "cv-part", "memory": "256MiB"}])
    after = ET.fromstring(runner.xml("cv-part"))
    assert real[0]["changed"] is True and after.findtext("memory") == "262144"
    for kind in ("disk", "interface", "channel"):
        assert len(after.findall("devices/" + kind)) == len(before.findall("devices/" + kind)) > 0, kind
    assert after.get("type") == before.get("type")
    # Naming a kind owns it: an empty list removes every device of that kind.
    runner.run([{"name": "cv-part", "channels": []}])
    assert ET.fromstring(runner.xml("cv-part")).findall("devices/channel") == []


def test_a_channel_another_module_added_survives_a_spec_without_channels(runner):
    runner.run([guest("cv-chan", channels=None)])
    # The test driver cannot attach devices: add the channel to the definition as
    # libvirt_channel's attach_config leaves it.
    root = ET.fromstring(runner.xml("cv-chan"))
    ET.SubElement(ET.SubElement(root.find("devices"), "channel", {"type": "unix"}), "target",
                  {"type": "virtio", "name": "org.virtops.extra"})
    runner.conn.defineXML(ET.tostring(root, encoding="unicode"))
    spec_again = guest("cv-chan", channels=None)
    spec_again.pop("channels")
    plans, _predicted, real = runner.run([dict(spec_again, memory="256MiB")])
    assert real[0]["changed"] is True
    names = [c.find("target").get("name") for c in ET.fromstring(runner.xml("cv-chan")).findall("devices/channel")]
    assert names == ["org.virtops.extra"]


def test_the_driver_profile_decides_whether_host_files_are_checked(runner, tmp_path):
    """The test driver's guests open no file: a local URI does not make a missing one a problem."""
    assert profiles.TestDriverProfile.uses_host_files is False and profiles.QemuProfile.uses_host_files is True
    missing = str(tmp_path / "no-such-vmlinuz")
    plans = planner.plan(runner.conn, runner.libvirt, spec.validate([guest("cv-hf", state="running", kernel=missing)]),
                         runner.host, local=True)
    assert plans[0].actions == ["start"]
