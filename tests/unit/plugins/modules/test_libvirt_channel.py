# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt_channel's main() end to end against libvirt's in-process test driver.

main() opens its own connection to test:///default; the one this module keeps open holds
the driver's state between runs (it lives for as long as a connection to it is open).
The built-in domain ``test`` runs and its driver cannot hot-plug channels; the shut-off
domains are defined here, one per test.
"""

from __future__ import absolute_import, division, print_function

import hashlib
import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.modules import libvirt_channel
from unit_helpers import run_main

URI = "test:///default"
CHAN = "org.virtops.config.0"
SECRET = "S3cr3t-value"


def run_module(monkeypatch, capsys, args):
    """(rc, result, raw JSON text) of main() with ``args``."""
    args = dict({"uri": URI}, **args)
    rc, raw = run_main(libvirt_channel, monkeypatch, capsys, args)
    return rc, json.loads(raw), raw


def assert_secret_hidden(out, raw, args):
    """The payload of ``send`` is nowhere in the output; the echoed arguments mask it."""
    assert SECRET not in raw
    if args.get("send") is not None:
        assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in json.dumps(out["invocation"]["module_args"]["send"])


def state_of(conn, libvirt):
    """Every domain's (persistent XML, live XML, active): what a failing run must not change."""
    return dict((d.name(), (d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE), d.XMLDesc(0), d.isActive()))
                for d in conn.listAllDomains())


def channel_names(xml):
    return [c.find("target").get("name") for c in ET.fromstring(xml).findall("devices/channel")]


def define(conn, name, devices=""):
    return conn.defineXML(
        "<domain type='test'><name>%s</name><memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
        "<os><type arch='i686'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/i/%s.img'/><target dev='vda' bus='virtio'/></disk>"
        "%s</devices></domain>" % (name, name, devices))


def persistent(conn, libvirt, name):
    return conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def test_check_mode_predicts_and_changes_nothing(monkeypatch, capsys, test_conn, libvirt_module):
    before = state_of(test_conn, libvirt_module)
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "test", "name": CHAN, "_ansible_check_mode": True,
                                                     "_ansible_diff": True})
    assert rc == 0 and "failed" not in out
    assert (out["changed"], out["actions"], out["restart_required"], out["uri"]) == (
        True, ["attach_config"], True, URI)
    assert out["channel"] == {"name": CHAN, "target_type": "virtio", "source_type": "unix", "path": None}
    assert out["diff"]["before"] == ""
    assert out["diff"]["after"] == '<channel type="unix"><target type="virtio" name="%s" /></channel>' % CHAN
    assert out["diff"]["before_header"] == out["diff"]["after_header"] == "test %s (persistent)" % CHAN
    assert "sent" not in out
    assert state_of(test_conn, libvirt_module) == before


def test_run_then_rerun_then_absent(monkeypatch, capsys, test_conn, libvirt_module):
    libvirt = libvirt_module
    define(test_conn, "mc-off")
    args = {"domain": "mc-off", "name": CHAN, "_ansible_diff": True}
    rc, out, _raw = run_module(monkeypatch, capsys, args)
    assert (rc, out["changed"], out["actions"], out["restart_required"]) == (0, True, ["attach_config"], False)
    assert out["channel"] == {"name": CHAN, "target_type": "virtio", "source_type": "unix", "path": None}
    assert out["diff"]["before"] == ""
    assert 'name="%s"' % CHAN in out["diff"]["after"] and out["diff"]["after"].startswith('<channel type="unix">')
    assert channel_names(persistent(test_conn, libvirt, "mc-off")) == [CHAN]
    assert test_conn.lookupByName("mc-off").isActive() == 0

    # The channel is there: nothing to do, and no diff without a change.
    rc, out, _raw = run_module(monkeypatch, capsys, args)
    assert (rc, out["changed"], out["actions"], out["restart_required"], "diff" in out) == (0, False, [], False, False)
    assert out["channel"]["name"] == CHAN

    # Check mode for absent predicts the removal and leaves the channel in place.
    rc, out, _raw = run_module(monkeypatch, capsys, dict(args, state="absent", _ansible_check_mode=True))
    assert (rc, out["changed"], out["actions"]) == (0, True, ["detach_config"])
    assert channel_names(persistent(test_conn, libvirt, "mc-off")) == [CHAN]

    rc, out, _raw = run_module(monkeypatch, capsys, dict(args, state="absent"))
    assert (rc, out["changed"], out["actions"], out["restart_required"]) == (0, True, ["detach_config"], False)
    assert "channel" not in out
    assert 'name="%s"' % CHAN in out["diff"]["before"] and out["diff"]["after"] == ""
    assert not out["diff"]["before"].endswith((" ", "\n"))
    assert channel_names(persistent(test_conn, libvirt, "mc-off")) == []

    rc, out, _raw = run_module(monkeypatch, capsys, dict(args, state="absent"))
    assert (rc, out["changed"], out["actions"], "diff" in out) == (0, False, [], False)


def test_running_domain_without_hotplug_reports_restart(monkeypatch, capsys, test_conn, libvirt_module):
    libvirt = libvirt_module
    name = "org.virtops.mod.running"
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "test", "name": name})
    assert (rc, out["changed"], out["actions"], out["restart_required"]) == (0, True, ["attach_config"], True)
    assert name in channel_names(persistent(test_conn, libvirt, "test"))
    assert name not in channel_names(test_conn.lookupByName("test").XMLDesc(0))
    assert test_conn.lookupByName("test").isActive() == 1
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "test", "name": name})
    assert (rc, out["changed"], out["actions"], out["restart_required"]) == (0, False, [], True)
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "test", "name": name, "state": "absent"})
    assert (rc, out["changed"], out["actions"], out["restart_required"]) == (0, True, ["detach_config"], False)
    assert name not in channel_names(persistent(test_conn, libvirt, "test"))


def test_type_and_alias(monkeypatch, capsys, test_conn, libvirt_module):
    define(test_conn, "mc-type")
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "mc-type", "channel": CHAN, "type": "pty"})
    assert (rc, out["changed"], out["actions"]) == (0, True, ["attach_config"])
    assert out["channel"]["source_type"] == "pty"
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "mc-type", "channel": CHAN})
    assert (rc, out["changed"], out["actions"]) == (0, True, ["detach_config", "attach_config"])
    assert out["channel"]["source_type"] == "unix"


@pytest.mark.parametrize("args, message", [
    ({"domain": "mc-nope", "name": CHAN},
     "domain mc-nope: no such domain (define it first, e.g. with libvirt_domain)"),
    ({"domain": "test", "name": "has space"}, "name: must be 1-127 letters"),
    ({"domain": "test", "name": "-lead"}, "name: must be 1-127 letters"),
    ({"domain": "test", "name": ""}, "name: must be 1-127 letters"),
    ({"domain": "test", "name": "x" * 128}, "name: must be 1-127 letters"),
    ({"domain": "test", "name": CHAN, "timeout": 0}, "timeout: must be between 1 and 86400, got "),
    ({"domain": "test", "name": CHAN, "timeout": -5}, "timeout: must be between 1 and 86400, got -5"),
    ({"domain": "test", "name": CHAN, "timeout": 86401}, "timeout: must be between 1 and 86400, got 86401"),
    ({"domain": "test", "name": CHAN, "state": "absent", "send": {"password": SECRET}},
     "send: needs state=present"),
    ({"domain": "mc-nope", "name": CHAN, "send": {"password": SECRET}}, "domain mc-nope: no such domain"),
    ({"domain": "test", "name": "has space", "send": {"password": SECRET}}, "name: must be 1-127 letters"),
    ({"domain": "test", "name": CHAN, "timeout": 0, "send": {"password": SECRET}},
     "timeout: must be between 1 and 86400, got "),
    ({"domain": "test", "name": CHAN, "send": {"password": SECRET, "bad key": "x"}}, "send.bad key: keys are"),
    ({"domain": "test", "name": CHAN, "send": {"password": SECRET, "note": "two\nlines"}},
     "send.note: must be one line"),
], ids=["missing-domain", "name-space", "name-dash", "name-empty", "name-128", "timeout-0", "timeout-negative", "timeout-too-long",
        "send-absent", "send-missing-domain", "send-bad-name", "send-timeout-0", "send-bad-key",
        "send-newline"])
def test_errors_are_clear_and_change_nothing(monkeypatch, capsys, test_conn, libvirt_module, args, message):
    before = state_of(test_conn, libvirt_module)
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["failed"] is True
    assert message in out["msg"], out["msg"]
    assert_secret_hidden(out, raw, args)
    assert state_of(test_conn, libvirt_module) == before


def test_send_to_a_remote_uri_fails_before_connecting(monkeypatch, capsys, test_conn, libvirt_module):
    opened = []

    def no_connection(*args, **kwargs):
        opened.append(args)
        raise AssertionError("connected to %r" % (args,))
    monkeypatch.setattr(connection, "open_connection", no_connection)
    uri = "qemu+ssh://example.invalid/system"
    before = state_of(test_conn, libvirt_module)
    args = {"uri": uri, "domain": "test", "name": CHAN, "send": {"password": SECRET}}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["failed"] is True
    assert "run this task on that host" in out["msg"] and uri in out["msg"], out["msg"]
    assert out["msg"].startswith("send: ")
    assert opened == []
    assert_secret_hidden(out, raw, args)
    assert state_of(test_conn, libvirt_module) == before


def test_send_to_a_shut_off_domain(monkeypatch, capsys, test_conn, libvirt_module):
    define(test_conn, "mc-send-off")
    before = state_of(test_conn, libvirt_module)
    args = {"domain": "mc-send-off", "name": CHAN, "send": {"password": SECRET}}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["msg"] == "send: domain mc-send-off is not running; start it first"
    assert_secret_hidden(out, raw, args)
    # The channel the plan would have added was not added either.
    assert state_of(test_conn, libvirt_module) == before


def test_send_needs_a_restart_when_the_channel_is_only_in_the_config(
        monkeypatch, capsys, test_conn, libvirt_module):
    name = "org.virtops.mod.send"
    rc, out, _raw = run_module(monkeypatch, capsys, {"domain": "test", "name": name})
    assert (rc, out["actions"], out["restart_required"]) == (0, ["attach_config"], True)
    before = state_of(test_conn, libvirt_module)
    for check_mode in (True, False):
        args = {"domain": "test", "name": name, "_ansible_check_mode": check_mode, "send": {"password": SECRET}}
        rc, out, raw = run_module(monkeypatch, capsys, args)
        assert rc == 1 and out["failed"] is True
        assert out["msg"].startswith("send: the running domain test "), out["msg"]
        assert name in out["msg"] and "restart it after adding the channel" in out["msg"], out["msg"]
        assert_secret_hidden(out, raw, args)
        assert state_of(test_conn, libvirt_module) == before


def test_send_before_the_channel_exists_adds_nothing(monkeypatch, capsys, test_conn, libvirt_module):
    before = state_of(test_conn, libvirt_module)
    args = {"domain": "test", "name": "org.virtops.mod.none", "send": SECRET}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 1 and "restart it after adding the channel" in out["msg"]
    assert_secret_hidden(out, raw, args)
    assert state_of(test_conn, libvirt_module) == before


def test_send_in_check_mode_to_a_live_channel(monkeypatch, capsys, test_conn, libvirt_module):
    """A domain started with the channel: check mode reports what would be sent, not the payload."""
    dom = define(test_conn, "mc-live", "<channel type='unix'><target type='virtio' name='%s'/></channel>" % CHAN)
    dom.create()
    before = state_of(test_conn, libvirt_module)
    args = {"domain": "mc-live", "name": CHAN, "_ansible_check_mode": True, "send": {"password": SECRET}}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 0 and out["changed"] is True and out["actions"] == []
    payload = ("password=%s\n" % SECRET).encode()
    # No digest: from a log it would let anyone test guesses at the secret.
    assert out["sent"] == {"bytes": len(payload), "acknowledged": False}
    assert hashlib.sha256(payload).hexdigest() not in raw
    assert_secret_hidden(out, raw, args)
    assert state_of(test_conn, libvirt_module) == before

    # For real, the test driver gives the live channel no host end to write to.
    args = {"domain": "mc-live", "name": CHAN, "send": {"password": SECRET}}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 1 and out["msg"] == "send: libvirt reports no host end for channel %s of mc-live" % CHAN
    assert_secret_hidden(out, raw, args)
    assert state_of(test_conn, libvirt_module) == before


def test_a_payload_value_equal_to_other_output_leaves_that_output_alone(monkeypatch, capsys, test_conn):
    """send: {name: <domain name>} masks the payload, not the domain name elsewhere."""
    dom = define(test_conn, "mc-named", "<channel type='unix'><target type='virtio' name='%s'/></channel>" % CHAN)
    dom.create()
    args = {"domain": "mc-named", "name": CHAN, "_ansible_check_mode": True,
            "send": {"name": "mc-named", "password": SECRET}}
    rc, out, raw = run_module(monkeypatch, capsys, args)
    assert rc == 0
    assert out["invocation"]["module_args"]["domain"] == "mc-named"
    assert out["invocation"]["module_args"]["send"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "********" not in raw and SECRET not in raw


# --- every bad input, and every contradiction, refused with its path before any change ------

def secure_state(conn, libvirt):
    """Every domain's definition with its secrets, and its live XML."""
    flags = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
    return dict((d.name(), (d.XMLDesc(flags), d.XMLDesc(0), d.isActive())) for d in conn.listAllDomains())


BAD = "mc-bad"
LONG_SOCKET = "/run/virtops/" + "s" * 95   # 108 bytes: one more than sun_path holds


@pytest.mark.parametrize("args, paths", [
    ({"name": "bad name"}, ["name"]),
    ({"name": ""}, ["name"]),
    ({"name": "x" * 128}, ["name"]),
    ({"name": ".lead"}, ["name"]),
    ({"domain": "a/b"}, ["domain"]),
    ({"path": "relative.sock"}, ["path"]),
    ({"path": "/run/virtops/../x.sock"}, ["path"]),
    ({"path": "/run/virtops/"}, ["path"]),
    ({"path": LONG_SOCKET}, ["path"]),
    ({"timeout": 0}, ["timeout"]),
    ({"timeout": 86401}, ["timeout"]),
    ({"timeout": -1}, ["timeout"]),
    ({"send": {"bad key": "x"}}, ["send.bad key"]),
    ({"send": {"k": "two\nlines"}}, ["send.k"]),
    ({"send": ["a", "list"]}, ["send"]),
    ({"send": "x" * (1024 * 1024 + 1)}, ["send"]),
    # contradictions
    ({"type": "pty", "path": "/run/virtops/x.sock"}, ["path"]),
    ({"state": "absent", "path": "/run/virtops/x.sock"}, ["path"]),
    ({"state": "absent", "type": "unix"}, ["type"]),
    ({"state": "absent", "send": {"k": "v"}}, ["send"]),
    ({"uri": "qemu+ssh://example.invalid/system", "send": {"k": "v"}}, ["send"]),
    # all at once
    ({"name": "bad name", "timeout": 0, "type": "pty", "path": "rel"}, ["name", "timeout", "path", "path"]),
], ids=["name-space", "name-empty", "name-128", "name-dot", "domain-slash", "path-relative", "path-dotdot",
        "path-folder", "path-too-long", "timeout-0", "timeout-86401", "timeout-negative", "send-key",
        "send-newline", "send-list", "send-too-big", "pty-with-path", "absent-with-path", "absent-with-type",
        "absent-with-send", "send-remote", "all-at-once"])
def test_bad_input_is_refused_with_its_paths_and_changes_nothing(
        monkeypatch, capsys, test_conn, libvirt_module, args, paths):
    if BAD not in [d.name() for d in test_conn.listAllDomains()]:
        define(test_conn, BAD)
    opened = []
    real_open = connection.open_connection

    def open_connection(*a, **kw):
        opened.append(a)
        return real_open(*a, **kw)
    monkeypatch.setattr(connection, "open_connection", open_connection)
    before = secure_state(test_conn, libvirt_module)
    rc, out, _raw = run_module(monkeypatch, capsys, dict({"domain": BAD, "name": CHAN}, **args))
    assert rc == 1 and out["failed"] is True, out
    assert sorted(e["path"] for e in out["errors"]) == sorted(paths), out["errors"]
    assert (out["done"], out["changed"]) == ([], False)
    # Refused before libvirt was even asked: nothing was read, nothing changed.
    assert opened == []
    assert secure_state(test_conn, libvirt_module) == before
