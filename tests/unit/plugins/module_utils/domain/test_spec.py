# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""spec.validate(): every bad value named by its path, all at once, before anything changes."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import cache
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import pipeline, spec
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.spec import SpecErrors
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError

GOOD = {"name": "vm1", "memory": 512}
UDP = {"local_port": 5000, "remote_port": 5001}
XML = "<domain type='test'><name>%s</name><memory>65536</memory><os><type>hvm</type></os></domain>"


def with_(**changes):
    """GOOD with ``changes``; a value of None removes the key."""
    out = dict(GOOD)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def errors_of(raw, base_path="domains"):
    with pytest.raises(SpecErrors) as info:
        spec.validate(raw, base_path)
    return info.value


# (id, one raw domain, path of the only error, part of its message)
BAD = [
    ("unknown-domain-key", with_(colour="red"), "domains[0].colour", "unknown option; allowed: name, xml"),
    ("unknown-disk-key", with_(disks=[{"path": "/i/a.qcow2", "size": 5}]), "domains[0].disks[0].size",
     "unknown option; allowed: path, type"),
    ("unknown-nic-key", with_(nics=[{"bridge": "br0", "vlan": 5}]), "domains[0].nics[0].vlan", "unknown option"),
    ("unknown-channel-key", with_(channels=[{"name": "org.x.0", "mode": "bind"}]), "domains[0].channels[0].mode",
     "unknown option"),
    ("unknown-udp-key", with_(nics=[{"udp": dict(UDP, ttl=3)}]), "domains[0].nics[0].udp.ttl", "unknown option"),
    ("near-miss", with_(memroy="1GiB"), "domains[0].memroy", "unknown option (did you mean memory?)"),
    ("near-miss-disk", with_(disks=[{"path": "/i/a", "readonyl": True}]), "domains[0].disks[0].readonyl",
     "unknown option (did you mean readonly?)"),
    ("name-empty", with_(name=""), "domains[0].name", "must be 1-64 letters, digits, '.', '_', '+' or '-' "
     "starting with a letter or digit, got ''"),
    ("name-slash", with_(name="a/b"), "domains[0].name", "got 'a/b'"),
    ("name-only-slash", with_(name="/"), "domains[0].name", "got '/'"),
    ("name-too-long", with_(name="a" * 65), "domains[0].name", "must be 1-64 letters"),
    ("name-not-string", with_(name=42), "domains[0].name", "got 42"),
    ("name-missing", with_(name=None), "domains[0].name", "got None"),
    ("memory-zero", with_(memory=0), "domains[0].memory", "must be at least 16 MiB"),
    ("memory-5x", with_(memory="5x"), "domains[0].memory", "like 512MiB or 2GiB, got '5x'"),
    ("memory-minus-1-text", with_(memory="-1"), "domains[0].memory", "got '-1'"),
    ("memory-minus-1", with_(memory=-1), "domains[0].memory", "must be at least 16 MiB"),
    ("memory-parsecs", with_(memory="10 parsecs"), "domains[0].memory", "got '10 parsecs'"),
    ("memory-15MiB", with_(memory=15), "domains[0].memory", "must be at least 16 MiB"),
    ("memory-under-16MiB-in-KiB", with_(memory="16383KiB"), "domains[0].memory", "must be at least 16 MiB"),
    ("memory-bool", with_(memory=True), "domains[0].memory", "got True"),
    ("memory-float-small", with_(memory=1.5), "domains[0].memory", "must be at least 16 MiB"),
    ("vcpus-zero", with_(vcpus=0), "domains[0].vcpus", "must be between 1 and 4096, got 0"),
    ("vcpus-x", with_(vcpus="x"), "domains[0].vcpus", "must be an integer, got 'x'"),
    ("vcpus-5000", with_(vcpus=5000), "domains[0].vcpus", "must be between 1 and 4096, got 5000"),
    ("vcpus-bool", with_(vcpus=True), "domains[0].vcpus", "must be an integer, got True"),
    ("boot", with_(boot="uefi"), "domains[0].boot", "must be one of auto, hvm, pv, got 'uefi'"),
    ("state", with_(state="started"), "domains[0].state",
     "must be one of present, running, shutdown, paused, absent, got 'started'"),
    ("kernel-relative", with_(kernel="boot/vmlinuz"), "domains[0].kernel",
     "must be an absolute path, got 'boot/vmlinuz'"),
    ("initrd-without-kernel", with_(initrd="/boot/initrd.img"), "domains[0].initrd",
     "needs kernel (direct kernel boot)"),
    ("cmdline-without-kernel", with_(cmdline="console=hvc0"), "domains[0].cmdline", "needs kernel"),
    ("bootloader-with-kernel", with_(kernel="/boot/vmlinuz", bootloader="/usr/bin/pygrub"),
     "domains[0].bootloader", "cannot be combined with kernel"),
    ("bootloader-with-boot-hvm", with_(boot="hvm", bootloader="/usr/bin/pygrub"), "domains[0].bootloader",
     "is for PV guests; boot is hvm"),
    ("disks-not-list", with_(disks="/i/a.qcow2"), "domains[0].disks", "must be a list, got '/i/a.qcow2'"),
    ("disk-not-dict", with_(disks=["/i/a.qcow2"]), "domains[0].disks[0]", "must be a mapping, got '/i/a.qcow2'"),
    ("disk-relative-path", with_(disks=[{"path": "images/a.qcow2"}]), "domains[0].disks[0].path",
     "must be an absolute path, got 'images/a.qcow2'"),
    ("disk-dotdot-path", with_(disks=[{"path": "/var/lib/images/../../../etc/shadow"}]), "domains[0].disks[0].path",
     "must be an absolute path without '.' or '..' components"),
    ("kernel-dot-path", with_(kernel="/boot/./vmlinuz"), "domains[0].kernel",
     "must be an absolute path without '.' or '..' components"),
    ("console-log-dotdot", with_(console_log="/var/log/../x.log"), "domains[0].console_log",
     "must be an absolute path without '.' or '..' components"),
    ("vcpus-fraction", with_(vcpus="1.5"), "domains[0].vcpus", "must be an integer, got '1.5'"),
    ("serial-console-bad-with-log", with_(serial_console="nope", console_log="/var/log/vm1.log"),
     "domains[0].serial_console", "must be a boolean, got 'nope'"),
    ("disk-missing-path", with_(disks=[{"format": "raw"}]), "domains[0].disks[0].path",
     "is required for a disk (only a cdrom may be empty)"),
    ("disk-bus", with_(disks=[{"path": "/i/a", "bus": "pci"}]), "domains[0].disks[0].bus",
     "must be one of auto, virtio, xen, scsi, sata, ide, usb, got 'pci'"),
    ("disk-format", with_(disks=[{"path": "/i/a", "format": "vmdk"}]), "domains[0].disks[0].format",
     "must be one of auto, qcow2, raw, got 'vmdk'"),
    ("disk-device", with_(disks=[{"path": "/i/a", "device": "floppy"}]), "domains[0].disks[0].device",
     "must be one of disk, cdrom, got 'floppy'"),
    ("disk-type", with_(disks=[{"path": "/i/a", "type": "network"}]), "domains[0].disks[0].type",
     "must be one of auto, file, block, got 'network'"),
    ("virtio-cdrom", with_(disks=[{"device": "cdrom", "bus": "virtio"}]), "domains[0].disks[0].bus",
     "a cdrom cannot sit on the virtio bus"),
    ("disk-target", with_(disks=[{"path": "/i/a", "target": "xyz"}]), "domains[0].disks[0].target",
     "must look like vda, xvdb, sdc or hdd, got 'xyz'"),
    ("disk-readonly", with_(disks=[{"path": "/i/a", "readonly": "sometimes"}]), "domains[0].disks[0].readonly",
     "must be a boolean, got 'sometimes'"),
    ("duplicate-targets", with_(disks=[{"path": "/i/a", "target": "vdb"}, {"path": "/i/b", "target": "vdb"}]),
     "domains[0].disks", "target vdb is used twice"),
    ("nic-two-sources", with_(nics=[{"bridge": "br0", "network": "default"}]), "domains[0].nics[0]",
     "needs exactly one of bridge, network, udp or user, got bridge, network"),
    ("nic-no-source", with_(nics=[{"model": "virtio"}]), "domains[0].nics[0]",
     "needs exactly one of bridge, network, udp or user, got none"),
    ("nic-model", with_(nics=[{"bridge": "br0", "model": "ne2k"}]), "domains[0].nics[0].model", "got 'ne2k'"),
    ("user-no-guest-port", with_(nics=[{"user": {"forwards": [{"host_port": 2222}]}}]),
     "domains[0].nics[0].user.forwards[0].guest_port", "is required"),
    ("user-port-range", with_(nics=[{"user": {"forwards": [{"host_port": 70000, "guest_port": 22}]}}]),
     "domains[0].nics[0].user.forwards[0].host_port", "70000"),
    ("user-protocol", with_(nics=[{"user": {"forwards": [{"host_port": 2222, "guest_port": 22, "protocol": "sctp"}]}}]),
     "domains[0].nics[0].user.forwards[0].protocol", "got 'sctp'"),
    ("user-address", with_(nics=[{"user": {"forwards": [
        {"host_address": "localhost", "host_port": 2222, "guest_port": 22}]}}]),
     "domains[0].nics[0].user.forwards[0].host_address", "must be an IPv4 address"),
    ("user-unknown-key", with_(nics=[{"user": {"forward": []}}]), "domains[0].nics[0].user.forward",
     "unknown option (did you mean forwards?)"),
    ("bad-mac", with_(nics=[{"bridge": "br0", "mac": "52:54:00:12:34"}]), "domains[0].nics[0].mac",
     "must look like 52:54:00:12:34:56, got '52:54:00:12:34'"),
    ("mac-not-string", with_(nics=[{"bridge": "br0", "mac": 525400123456}]), "domains[0].nics[0].mac",
     "got 525400123456"),
    ("multicast-mac", with_(nics=[{"bridge": "br0", "mac": "01:00:5e:00:00:01"}]), "domains[0].nics[0].mac",
     "01:00:5e:00:00:01 is a multicast address"),
    ("duplicate-macs", with_(nics=[{"bridge": "br0", "mac": "52:54:00:AA:BB:CC"},
                                   {"network": "default", "mac": "52:54:00:aa:bb:cc"}]),
     "domains[0].nics", "MAC 52:54:00:aa:bb:cc is used twice"),
    ("udp-missing-port", with_(nics=[{"udp": {"remote_port": 5001}}]), "domains[0].nics[0].udp.local_port",
     "is required"),
    ("udp-port-70000", with_(nics=[{"udp": dict(UDP, remote_port=70000)}]), "domains[0].nics[0].udp.remote_port",
     "must be between 1 and 65535, got 70000"),
    ("udp-not-dict", with_(nics=[{"udp": "5000:5001"}]), "domains[0].nics[0].udp", "must be a mapping, got '5000:5001'"),
    ("channel-bad-name", with_(channels=[{"name": "-org.x"}]), "domains[0].channels[0].name",
     "must be 1-127 letters, digits, '.', '_' or '-' starting with a letter or digit, got '-org.x'"),
    ("channel-name-space", with_(channels=[{"name": "org x"}]), "domains[0].channels[0].name", "got 'org x'"),
    ("channel-name-too-long", with_(channels=[{"name": "c" * 128}]), "domains[0].channels[0].name",
     "must be 1-127 letters"),
    ("channel-duplicate-name", with_(channels=[{"name": "org.x.0"}, {"name": "org.x.0", "type": "pty"}]),
     "domains[0].channels", "channel name org.x.0 is used twice"),
    ("channel-relative-path", with_(channels=[{"name": "org.x.0", "path": "run/x.sock"}]),
     "domains[0].channels[0].path", "must be an absolute path, got 'run/x.sock'"),
    ("channel-type", with_(channels=[{"name": "org.x.0", "type": "tcp"}]), "domains[0].channels[0].type",
     "must be one of auto, unix, pty, got 'tcp'"),
    ("graphics", with_(graphics="spice"), "domains[0].graphics", "must be one of none, vnc, got 'spice'"),
    ("serial-console", with_(serial_console="nope"), "domains[0].serial_console", "must be a boolean, got 'nope'"),
    ("autostart", with_(autostart=2), "domains[0].autostart", "must be a boolean, got 2"),
    ("domain-not-dict", "vm1", "domains[0]", "must be a mapping, got 'vm1'"),
    ("xml-malformed", {"xml": "<domain><name>x</name>"}, "domains[0].xml", "not well-formed XML"),
    ("xml-wrong-root", {"xml": "<network><name>x</name></network>"}, "domains[0].xml",
     "root element is <network>, expected <domain>"),
    ("xml-no-name", {"xml": "<domain type='test'><memory>65536</memory></domain>"}, "domains[0].xml",
     "has no <name>"),
    ("xml-name-mismatch", {"name": "vm1", "xml": XML % "other"}, "domains[0].name",
     "'vm1' differs from the XML's <name> 'other'"),
    ("xml-with-memory", {"xml": XML % "vm1", "memory": 512}, "domains[0]", "memory cannot be combined with xml"),
    ("xml-doctype", {"xml": "<!DOCTYPE d [<!ENTITY a 'b'>]><domain><name>&a;</name></domain>"},
     "domains[0].xml", "DOCTYPE and ENTITY declarations are not accepted"),
]


def test_the_corpus_is_large_and_distinct():
    assert len(BAD) >= 30
    assert len(set(case[0] for case in BAD)) == len(BAD)
    assert len(set(repr(case[1]) for case in BAD)) == len(BAD)


@pytest.mark.parametrize("raw, path, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_names_its_path(raw, path, message):
    exc = errors_of([raw])
    assert [(e.path, message in e.message) for e in exc.errors] == [(path, True)], str(exc)
    assert isinstance(exc, SpecError)
    assert str(exc) == "%s: %s" % (path, exc.errors[0].message)


def test_duplicate_domain_names_are_named_at_the_list():
    exc = errors_of([GOOD, with_(memory="1GiB"), with_(name="vm2")])
    assert [(e.path, e.message) for e in exc.errors] == [("domains", "domain vm1 is listed twice")]


def test_duplicate_values_that_are_not_strings_are_errors_not_a_crash():
    raw = [{"name": ["x"], "memory": 512}, {"name": ["x"], "memory": 512},
           with_(name="vm3", channels=[{"name": ["c"]}, {"name": ["c"]}], nics=[{"bridge": "b", "mac": {"m": 1}}] * 2,
                 disks=[{"path": "/i/a", "target": ["vda"]}, {"path": "/i/b", "target": ["vda"]}])]
    paths = [e.path for e in errors_of(raw).errors]
    assert paths == ["domains[0].name", "domains[1].name",
                     "domains[2].disks[0].target", "domains[2].disks[1].target",
                     "domains[2].nics[0].mac", "domains[2].nics[1].mac",
                     "domains[2].channels[0].name", "domains[2].channels[1].name"]


def test_two_missing_channel_names_are_not_a_duplicate():
    exc = errors_of([with_(channels=[{}, {"type": "pty"}])])
    assert [e.path for e in exc.errors] == ["domains[0].channels[0].name", "domains[0].channels[1].name"]


def test_all_problems_of_all_domains_are_reported_together():
    raw = [with_(disks=[{"path": "/i/a", "bus": "pci"}]), with_(name="vm2", memory="5x", vcpus=0),
           with_(name="vm3"), with_(name="vm3")]
    exc = errors_of(raw)
    assert [e.path for e in exc.errors] == ["domains[0].disks[0].bus", "domains[1].memory",
                                            "domains[1].vcpus", "domains"]
    text = str(exc)
    for error in exc.errors:
        assert "%s: %s" % (error.path, error.message) in text
    assert "domains[0].disks[0].bus: must be one of" in text and "domains[1].memory: must be MiB" in text


def test_single_domain_paths_have_no_list_prefix():
    exc = errors_of([with_(disks=[{"path": "/i/a", "bus": "pci"}], vcpus="x", colour=1)], None)
    assert [e.path for e in exc.errors] == ["colour", "vcpus", "disks[0].bus"]
    assert "domains" not in str(exc)
    assert str(exc).startswith("colour: unknown option")
    assert "; disks[0].bus: must be one of" in str(exc)


@pytest.mark.parametrize("memory, kib", [
    (512, 524288), ("512", 524288), ("2GiB", 2097152), ("1048576KiB", 1048576), ("1G", 1048576),
    ("1 g", 1048576), ("16MiB", 16384), ("512MB", 500000), (" 3 GiB ", 3145728), ("1T", 1073741824),
])
def test_memory_units(memory, kib):
    assert spec.validate([with_(memory=memory)])[0]["memory_kib"] == kib


def test_defaults():
    out = spec.validate([with_(disks=[{"path": "/dev/vg0/lv1"}, {"path": "/var/lib/a.qcow2"}, {"device": "cdrom"}],
                               nics=[{"bridge": "br0", "mac": "52:54:00:AB:CD:EF"},
                                     {"udp": {"local_port": "5000", "remote_port": 5001}}],
                               channels=[{"name": "org.x.0"}])])[0]
    assert (out["name"], out["path"], out["memory_kib"]) == ("vm1", "domains[0]", 524288)
    assert (out["vcpus"], out["boot"], out["state"], out["graphics"]) == (1, "auto", "present", "none")
    assert (out["serial_console"], out["autostart"], out["domain_type"], out["kernel"]) == (True, None, None, None)
    assert out["disks"] == [
        {"path": "/dev/vg0/lv1", "type": "block", "format": "auto", "device": "disk", "bus": "auto",
         "target": None, "readonly": False},
        {"path": "/var/lib/a.qcow2", "type": "file", "format": "auto", "device": "disk", "bus": "auto",
         "target": None, "readonly": False},
        {"path": None, "type": "auto", "format": "auto", "device": "cdrom", "bus": "auto",
         "target": None, "readonly": False}]
    assert out["nics"][0] == {"kind": "bridge", "source": "br0", "udp": None, "user": None, "mac": "52:54:00:ab:cd:ef",
                              "model": "auto"}
    assert out["nics"][1]["udp"] == {"local_address": "127.0.0.1", "remote_address": "127.0.0.1",
                                     "local_port": 5000, "remote_port": 5001}
    assert out["channels"] == [{"name": "org.x.0", "type": "auto", "path": None}]


def test_single_domain_and_auto_domain_type():
    out = spec.validate([with_(domain_type="auto", vcpus="4")], None)[0]
    assert (out["path"], out["domain_type"], out["vcpus"]) == ("", None, 4)


def test_absent_needs_a_name_only_and_xml_specs_keep_state_and_autostart():
    absent, raw_xml = spec.validate([{"name": "gone", "state": "absent"},
                                     {"xml": XML % "raw1", "state": "running", "autostart": True}])
    assert (absent["name"], absent["state"], "memory_kib" in absent) == ("gone", "absent", False)
    assert (raw_xml["name"], raw_xml["state"], raw_xml["autostart"]) == ("raw1", "running", True)
    assert raw_xml["xml"] == XML % "raw1"


# --- nothing changes: the module's path against libvirt's in-process test driver ---------

def module_path(conn, libvirt, raw):
    """What libvirt_domain's main() does with one connection, minus AnsibleModule."""
    return pipeline.run(conn, libvirt, spec.validate(raw, "domains"), cache.CapabilitiesCache(conn), timeout=10)


def snapshot(conn, libvirt):
    return sorted((d.name(), d.isActive(), d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
                  for d in conn.listAllDomains())


NEW = {"name": "fresh1", "memory": 64, "nics": [{"network": "default"}], "state": "running"}


@pytest.mark.parametrize("bad, path, message", [
    # rejected by spec.validate
    (with_(name="bad1", vcpus=0), "domains[1].vcpus", "must be between 1 and 4096"),
    (with_(name="bad1", disks=[{"path": "rel.qcow2"}]), "domains[1].disks[0].path", "must be an absolute path"),
    ({"xml": "<domain><name>bad1</name>"}, "domains[1].xml", "not well-formed XML"),
    (dict(NEW), "domains", "domain fresh1 is listed twice"),
    # rejected by the profile the test driver's capabilities select
    (with_(name="bad1", boot="pv"), "domains[1].boot", "no PV guest of a supported driver"),
    (with_(name="bad1", arch="x86_64"), "domains[1].arch", "x86_64 is not offered here (offered: i686)"),
    (with_(name="bad1", domain_type="kvm"), "domains[1].domain_type", "kvm is not offered here (offered: test)"),
    (with_(name="bad1", bootloader="/usr/bin/pygrub"), "domains[1].bootloader",
     "test driver guests boot without a bootloader"),
    # rejected by libvirt's RelaxNG schema
    (with_(name="bad1", machine="pc q35"), "domains[1]", "does not validate against libvirt's schema"),
    ({"xml": "<domain type='test'><name>bad1</name><memory>lots</memory></domain>"}, "domains[1]",
     "does not validate against libvirt's schema"),
], ids=["vcpus", "disk-path", "xml", "duplicate", "boot-pv", "arch", "domain-type", "bootloader",
        "schema-machine", "schema-raw-xml"])
def test_a_bad_domain_changes_nothing(test_conn, libvirt_module, bad, path, message):
    before = snapshot(test_conn, libvirt_module)
    count = len(test_conn.listAllDomains())
    with pytest.raises(SpecErrors) as info:
        module_path(test_conn, libvirt_module, [NEW, bad])
    assert [(e.path, message in e.message) for e in info.value.errors] == [(path, True)], str(info.value)
    assert len(test_conn.listAllDomains()) == count
    assert snapshot(test_conn, libvirt_module) == before
    with pytest.raises(libvirt_module.libvirtError):
        test_conn.lookupByName("fresh1")


def test_a_bad_domain_leaves_an_existing_one_as_it_was(test_conn, libvirt_module):
    first = module_path(test_conn, libvirt_module, [dict(NEW, name="kept1", state="present")])
    assert first[0]["changed"] is True
    before = snapshot(test_conn, libvirt_module)
    with pytest.raises(SpecErrors) as info:
        module_path(test_conn, libvirt_module, [dict(NEW, name="kept1", memory=128),
                                                with_(name="bad1", boot="pv")])
    assert [e.path for e in info.value.errors] == ["domains[1].boot"]
    assert snapshot(test_conn, libvirt_module) == before
    # The same change alone goes through: the error above was the only obstacle.
    assert module_path(test_conn, libvirt_module, [dict(NEW, name="kept1", memory=128)])[0]["changed"] is True
    assert snapshot(test_conn, libvirt_module) != before


@pytest.mark.parametrize("raw, key, value", [
    ({"autostart": "yes"}, "autostart", True),
    ({"serial_console": "off"}, "serial_console", False),
    ({"disks": [{"path": "/i/a", "readonly": "true"}]}, None, True),
], ids=["autostart-yes", "serial-off", "readonly-true"])
def test_booleans_inside_domains_convert_as_ansible_does(raw, key, value):
    out = spec.validate([with_(**raw)])[0]
    assert (out[key] if key else out["disks"][0]["readonly"]) is value


@pytest.mark.parametrize("memory, kib", [("0.5GiB", 512 * 1024), ("1.5G", 1536 * 1024), ("2048", 2048 * 1024)])
def test_fractional_and_string_sizes(memory, kib):
    assert spec.validate([with_(memory=memory)])[0]["memory_kib"] == kib


@pytest.mark.parametrize("nic, path, message", [
    ({"bridge": ""}, "domains[0].nics[0].bridge", "must name a bridge, got an empty string"),
    ({"network": " "}, "domains[0].nics[0].network", "must name a network, got an empty string"),
    ({"udp": dict(UDP, remote_address="peer.example")}, "domains[0].nics[0].udp.remote_address",
     "must be an IPv4 address, got 'peer.example'"),
], ids=["empty-bridge", "blank-network", "udp-hostname"])
def test_nic_sources_are_checked_before_the_schema(nic, path, message):
    exc = errors_of([with_(nics=[nic])])
    assert [(e.path, e.message) for e in exc.errors] == [(path, message)]


def test_integers_and_booleans_are_taken_as_the_argument_spec_takes_them():
    got = spec.validate([with_(vcpus="2", disks=[{"path": "/i/a", "readonly": "yes"}],
                               nics=[{"udp": {"local_port": "5000", "remote_port": 5001.0}}],
                               serial_console="no")])[0]
    assert got["vcpus"] == 2
    assert got["disks"][0]["readonly"] is True
    assert (got["nics"][0]["udp"]["local_port"], got["nics"][0]["udp"]["remote_port"]) == (5000, 5001)
    assert got["serial_console"] is False
