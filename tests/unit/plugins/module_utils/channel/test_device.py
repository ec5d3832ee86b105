# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""channel.device: plan()/apply() of one named host <-> guest channel of a domain.

Three kinds of tests:

* plan()/apply() against libvirt's in-process test driver (test:///default): the built-in
  running domain ``test`` (whose driver profile cannot hot-plug) and domains defined here.
  The driver's state lives in this module's ONE connection (conftest ``test_conn``), so
  every test uses channel or domain names of its own.
* The channel XML of each driver profile, built from capabilities fixtures and checked
  against libvirt's RelaxNG schema inside a minimal domain of that type.
* The live (hot-plug) paths and the version checks, with fake connection objects that
  answer from the same fixtures: the test driver offers neither.
"""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.caps.host_capabilities import (
    Capabilities)
from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import device
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import profiles, schema
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtCallError, SpecError)
from unit_helpers import read_fixture

CHAN = "org.virtops.config.0"
KVM_CAPS = ("local", "qemu-system-capabilities.xml")
XEN_CAPS = ("capabilities", "caps-xen-x86_64-hvm.xml")


def caps_of(fixture):
    return Capabilities.from_xml(read_fixture(*fixture))


def inactive_xml(conn, libvirt, name):
    return conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)


def live_xml(conn, name):
    return conn.lookupByName(name).XMLDesc(0)


def snapshot(conn, libvirt, name):
    """Everything a plan could change about domain ``name``."""
    dom = conn.lookupByName(name)
    return (inactive_xml(conn, libvirt, name), live_xml(conn, name), dom.isActive(),
            sorted(d.name() for d in conn.listAllDomains()))


def channels(xml_text):
    """[(source type, target type, target name, source path)] of a domain's XML."""
    out = []
    for node in ET.fromstring(xml_text).findall("devices/channel"):
        source, target = node.find("source"), node.find("target")
        out.append((node.get("type"), target.get("type"), target.get("name"),
                    source.get("path") if source is not None else None))
    return out


def define_test_domain(conn, name, devices=""):
    """A shut-off domain of the test driver with a disk and a NIC (plus ``devices``)."""
    return conn.defineXML(
        "<domain type='test'><name>%s</name><memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
        "<os><type arch='i686'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><source file='/i/%s.img'/><target dev='vda' bus='virtio'/></disk>"
        "<interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/></interface>"
        "%s</devices></domain>" % (name, name, devices))


# --- check_name / find_channel / host_end ---------------------------------------------------

@pytest.mark.parametrize("name", ["a", "9", CHAN, "org.qemu.guest_agent.0", "a-b_c.d", "x" * 127])
def test_check_name_accepts_valid_names(name):
    device.check_name(name)


@pytest.mark.parametrize("name", ["", "has space", "-lead", ".lead", "_lead", "x" * 128, "a/b", "ä", None, 5],
                         ids=["empty", "space", "dash", "dot", "underscore", "128", "slash", "non-ascii",
                              "none", "int"])
def test_check_name_rejects_bad_names(name):
    with pytest.raises(SpecError) as info:
        device.check_name(name)
    assert info.value.path == "name"
    assert str(info.value).startswith("name: must be 1-127 letters"), str(info.value)
    assert repr(name) in str(info.value)


def test_find_channel_matches_the_target_name_only():
    root = ET.fromstring(
        "<domain><devices>"
        "<channel type='spicevmc'><target type='virtio'/></channel>"
        "<channel type='unix'><target type='virtio' name='org.a'/></channel>"
        "<channel type='pty'><target type='xen' name='org.b'/></channel>"
        "<console type='pty'><target type='serial' name='org.c'/></console>"
        "</devices></domain>")
    assert device.find_channel(root, "org.a").get("type") == "unix"
    assert device.find_channel(root, "org.b").get("type") == "pty"
    assert device.find_channel(root, "org.c") is None
    assert device.find_channel(root, "org") is None


@pytest.mark.parametrize("xml, expected", [
    ("<channel type='unix'><source mode='bind' path='/run/virtops/g1.sock'/>"
     "<target type='virtio' name='org.a' state='disconnected'/><alias name='channel0'/></channel>",
     ("unix", "/run/virtops/g1.sock")),
    ("<channel type='pty'><source path='/dev/pts/3'/><target type='virtio' name='org.a'/></channel>",
     ("pty", "/dev/pts/3")),
    ("<channel type='pty' tty='/dev/pts/4'><target type='xen' name='org.a'/></channel>", ("pty", "/dev/pts/4")),
    ("<channel type='pty' tty='/dev/pts/9'><source path='/dev/pts/5'/><target type='xen' name='org.a'/></channel>",
     ("pty", "/dev/pts/5")),
    ("<channel type='unix'><target type='virtio' name='org.a'/></channel>", ("unix", None)),
    # tty is a pty's attribute: a unix channel never reports it as its path.
    ("<channel type='unix' tty='/dev/pts/6'><target type='virtio' name='org.a'/></channel>", ("unix", None)),
], ids=["unix", "pty-source", "pty-tty-only", "pty-source-wins", "unix-no-path", "unix-ignores-tty"])
def test_host_end(xml, expected):
    assert device.host_end(ET.fromstring(xml)) == expected


def test_host_end_of_no_channel():
    assert device.host_end(None) == (None, None)


# --- plan()/apply() on test:///default ------------------------------------------------------

def test_running_domain_gets_the_channel_in_its_config_and_needs_a_restart(test_conn, libvirt_module):
    libvirt = libvirt_module
    name = "org.virtops.running.0"
    before = snapshot(test_conn, libvirt, "test")
    item = device.plan(test_conn, libvirt, "test", name, "present")
    assert (item.actions, item.restart_required, item.active, item.changed) == (["attach_config"], True, True, True)
    assert (item.in_config, item.in_live, item.validated) == (None, None, True)
    assert item.profile.name == "test driver" and item.profile.hotplug_channels is False
    assert channels(item.config_xml)[-1] == ("unix", "virtio", name, None)
    assert snapshot(test_conn, libvirt, "test") == before, "plan() changed the domain"

    assert device.apply(test_conn, libvirt, item) == (None, None)
    assert ("unix", "virtio", name, None) in channels(inactive_xml(test_conn, libvirt, "test"))
    assert name not in [c[2] for c in channels(live_xml(test_conn, "test"))]
    assert test_conn.lookupByName("test").isActive() == 1
    # The element alone, as libvirt indents it, without the whitespace that follows it.
    assert device.persistent_xml(libvirt, item) == (
        '<channel type="unix">\n      <target type="virtio" name="%s" />\n    </channel>' % name)

    again = device.plan(test_conn, libvirt, "test", name, "present")
    assert (again.actions, again.changed, again.config_xml) == ([], False, None)
    # The running domain still lacks it: the restart is still owed.
    assert again.restart_required is True
    assert again.in_config is not None and again.in_live is None

    gone = device.plan(test_conn, libvirt, "test", name, "absent")
    assert (gone.actions, gone.restart_required) == (["detach_config"], False)
    device.apply(test_conn, libvirt, gone)
    assert name not in [c[2] for c in channels(inactive_xml(test_conn, libvirt, "test"))]
    assert device.persistent_xml(libvirt, gone) == ""
    last = device.plan(test_conn, libvirt, "test", name, "absent")
    assert (last.actions, last.restart_required, last.config_xml) == ([], False, None)


def test_shut_off_domain_present_then_absent(test_conn, libvirt_module):
    libvirt = libvirt_module
    define_test_domain(test_conn, "ch-off")
    original = ET.fromstring(inactive_xml(test_conn, libvirt, "ch-off"))

    item = device.plan(test_conn, libvirt, "ch-off", CHAN, "present")
    assert (item.actions, item.restart_required, item.active) == (["attach_config"], False, False)
    assert item.desired_xml == '<channel type="unix"><target type="virtio" name="%s" /></channel>' % CHAN
    # The new definition is the old one plus the channel: UUID, name and every device kept.
    new = ET.fromstring(item.config_xml)
    assert new.findtext("uuid") == original.findtext("uuid") and new.findtext("name") == "ch-off"
    old_devices = [ET.tostring(d) for d in original.find("devices")]
    new_devices = [ET.tostring(d) for d in new.find("devices")]
    assert new_devices[:-1] == old_devices and len(old_devices) >= 2
    assert [c.tag for c in new if c.tag != "devices"] == [c.tag for c in original if c.tag != "devices"]
    assert device.apply(test_conn, libvirt, item) == (None, None)
    after = ET.fromstring(inactive_xml(test_conn, libvirt, "ch-off"))
    assert after.findtext("uuid") == original.findtext("uuid")
    assert channels(ET.tostring(after, encoding="unicode")) == [("unix", "virtio", CHAN, None)]
    assert after.find("devices/disk/source").get("file") == "/i/ch-off.img"
    assert after.find("devices/interface/mac").get("address") == "52:54:00:12:34:56"
    assert test_conn.lookupByName("ch-off").isActive() == 0

    again = device.plan(test_conn, libvirt, "ch-off", CHAN, "present")
    assert (again.actions, again.restart_required, again.config_xml) == ([], False, None)

    gone = device.plan(test_conn, libvirt, "ch-off", CHAN, "absent")
    assert (gone.actions, gone.restart_required) == (["detach_config"], False)
    assert channels(gone.config_xml) == []
    assert ET.fromstring(gone.config_xml).findtext("uuid") == original.findtext("uuid")
    device.apply(test_conn, libvirt, gone)
    assert channels(inactive_xml(test_conn, libvirt, "ch-off")) == []
    assert device.plan(test_conn, libvirt, "ch-off", CHAN, "absent").actions == []


def test_same_name_other_type_is_replaced(test_conn, libvirt_module):
    libvirt = libvirt_module
    define_test_domain(test_conn, "ch-type")
    device.apply(test_conn, libvirt, device.plan(test_conn, libvirt, "ch-type", CHAN, "present"))

    item = device.plan(test_conn, libvirt, "ch-type", CHAN, "present", chan_type="pty")
    assert (item.actions, item.restart_required) == (["detach_config", "attach_config"], False)
    assert item.in_config is not None and item.in_config.get("type") == "unix"
    assert channels(item.config_xml) == [("pty", "virtio", CHAN, None)]
    device.apply(test_conn, libvirt, item)
    assert channels(inactive_xml(test_conn, libvirt, "ch-type")) == [("pty", "virtio", CHAN, None)]
    assert device.plan(test_conn, libvirt, "ch-type", CHAN, "present", chan_type="pty").actions == []
    # auto is a unix socket for virtio: back again.
    assert device.plan(test_conn, libvirt, "ch-type", CHAN, "present").actions == ["detach_config", "attach_config"]


def test_unix_path_is_kept_and_compared(test_conn, libvirt_module):
    libvirt = libvirt_module
    define_test_domain(test_conn, "ch-path")
    sock = "/run/virtops/ch-path.sock"
    item = device.plan(test_conn, libvirt, "ch-path", CHAN, "present", chan_type="unix", path=sock)
    assert item.actions == ["attach_config"]
    device.apply(test_conn, libvirt, item)
    assert channels(inactive_xml(test_conn, libvirt, "ch-path")) == [("unix", "virtio", CHAN, sock)]
    assert device.plan(test_conn, libvirt, "ch-path", CHAN, "present", path=sock).actions == []
    moved = device.plan(test_conn, libvirt, "ch-path", CHAN, "present", path="/run/virtops/other.sock")
    assert moved.actions == ["detach_config", "attach_config"]
    assert channels(moved.config_xml) == [("unix", "virtio", CHAN, "/run/virtops/other.sock")]


def test_other_channels_are_left_alone(test_conn, libvirt_module):
    libvirt = libvirt_module
    define_test_domain(test_conn, "ch-many", devices=(
        "<channel type='pty'><target type='virtio' name='org.other.0'/></channel>"
        "<channel type='unix'><target type='virtio' name='org.other.1'/></channel>"))
    item = device.plan(test_conn, libvirt, "ch-many", CHAN, "present")
    assert item.actions == ["attach_config"]
    device.apply(test_conn, libvirt, item)
    assert [c[2] for c in channels(inactive_xml(test_conn, libvirt, "ch-many"))] == ["org.other.0", "org.other.1", CHAN]
    gone = device.plan(test_conn, libvirt, "ch-many", "org.other.0", "absent")
    assert gone.actions == ["detach_config"]
    device.apply(test_conn, libvirt, gone)
    assert channels(inactive_xml(test_conn, libvirt, "ch-many")) == [
        ("unix", "virtio", "org.other.1", None), ("unix", "virtio", CHAN, None)]


def test_running_domain_with_the_channel_live(test_conn, libvirt_module):
    """A domain started with the channel: nothing to do, and its live host end is found."""
    libvirt = libvirt_module
    devices = "<channel type='unix'><target type='virtio' name='%s'/></channel>" % CHAN
    dom = define_test_domain(test_conn, "ch-live", devices=devices)
    dom.create()
    item = device.plan(test_conn, libvirt, "ch-live", CHAN, "present")
    assert (item.actions, item.restart_required, item.active) == ([], False, True)
    assert device.host_end(item.in_live) == ("unix", None)
    # Removing it from the config leaves the running domain with it until a restart.
    gone = device.plan(test_conn, libvirt, "ch-live", CHAN, "absent")
    assert (gone.actions, gone.restart_required) == (["detach_config"], True)
    device.apply(test_conn, libvirt, gone)
    assert channels(inactive_xml(test_conn, libvirt, "ch-live")) == []
    assert [c[2] for c in channels(live_xml(test_conn, "ch-live"))] == [CHAN]


def test_validate_false_skips_the_schema(test_conn, libvirt_module):
    libvirt = libvirt_module
    define_test_domain(test_conn, "ch-noval")
    item = device.plan(test_conn, libvirt, "ch-noval", CHAN, "present", validate=False)
    assert (item.actions, item.validated) == (["attach_config"], False)
    device.apply(test_conn, libvirt, item)
    assert channels(inactive_xml(test_conn, libvirt, "ch-noval")) == [("unix", "virtio", CHAN, None)]


def test_unknown_domain(test_conn, libvirt_module):
    before = sorted(d.name() for d in test_conn.listAllDomains())
    with pytest.raises(device.DomainNotFoundError) as info:
        device.plan(test_conn, libvirt_module, "ch-no-such-domain", CHAN, "present")
    assert str(info.value) == ("domain ch-no-such-domain: no such domain "
                               "(define it first, e.g. with libvirt_domain)")
    assert sorted(d.name() for d in test_conn.listAllDomains()) == before


@pytest.mark.parametrize("name", ["", "has space", "-lead", "x" * 128], ids=["empty", "space", "dash", "128"])
@pytest.mark.parametrize("state", ["present", "absent"])
def test_bad_name_fails_and_changes_nothing(test_conn, libvirt_module, name, state):
    before = snapshot(test_conn, libvirt_module, "test")
    with pytest.raises(SpecError) as info:
        device.plan(test_conn, libvirt_module, "test", name, state)
    assert str(info.value).startswith("name:"), str(info.value)
    assert snapshot(test_conn, libvirt_module, "test") == before


def test_bad_name_is_reported_before_the_domain_is_looked_up(test_conn, libvirt_module):
    with pytest.raises(SpecError) as info:
        device.plan(test_conn, libvirt_module, "ch-no-such-domain", "has space", "present")
    assert str(info.value).startswith("name:")


def test_driver_without_channels_is_refused(test_conn, libvirt_module):
    """The test driver's xen os type has no profile: refused before any change."""
    libvirt = libvirt_module
    test_conn.defineXML("<domain type='test'><name>ch-pv</name><memory unit='KiB'>131072</memory>"
                        "<os><type arch='i686'>xen</type><kernel>/boot/vmlinuz</kernel></os><devices/></domain>")
    before = snapshot(test_conn, libvirt, "ch-pv")
    with pytest.raises(device.ChannelUnsupportedError) as info:
        device.plan(test_conn, libvirt, "ch-pv", CHAN, "present")
    assert str(info.value) == "domain ch-pv: its driver (test, xen guest) has no host <-> guest channel"
    assert snapshot(test_conn, libvirt, "ch-pv") == before


# --- profiles: channel XML and libvirt's schema ---------------------------------------------

PROFILE_CASES = [
    # id, capabilities, domain type, os type, arch, profile name, host end, target type
    ("kvm", KVM_CAPS, "kvm", "hvm", "x86_64", "QEMU/KVM", "unix", "virtio"),
    ("qemu-i686", KVM_CAPS, "qemu", "hvm", "i686", "QEMU/KVM", "unix", "virtio"),
    ("xen-pv", XEN_CAPS, "xen", "xen", "x86_64", "Xen PV", "pty", "xen"),
    ("xen-hvm", XEN_CAPS, "xen", "hvm", "x86_64", "Xen HVM", "pty", "xen"),
]


def profile_for(caps_fixture, domain_type, os_type, arch):
    profile = profiles.for_domain(caps_of(caps_fixture), domain_type, os_type, arch)
    assert profile is not None
    return profile


def minimal_domain(domain_type, os_type, arch, channel_xml):
    """The smallest domain of that type libvirt's schema accepts, holding ``channel_xml``."""
    boot = "<kernel>/var/lib/xen/boot/vmlinuz</kernel>" if os_type == "xen" else ""
    return ("<domain type='%s'><name>chan-schema</name><memory unit='KiB'>131072</memory>"
            "<os><type arch='%s'>%s</type>%s</os><devices>%s</devices></domain>"
            % (domain_type, arch, os_type, boot, channel_xml))


@pytest.mark.parametrize("caps_fixture, domain_type, os_type, arch, pname, source, target",
                         [c[1:] for c in PROFILE_CASES], ids=[c[0] for c in PROFILE_CASES])
def test_profile_channel_xml_validates(caps_fixture, domain_type, os_type, arch, pname, source, target):
    profile = profile_for(caps_fixture, domain_type, os_type, arch)
    assert profile.name == pname
    text = profile.channel({"name": CHAN, "type": "auto", "path": None}).to_xml()
    node = ET.fromstring(text)
    assert node.tag == "channel" and node.attrib == {"type": source}
    assert [c.tag for c in node] == ["target"]
    assert node.find("target").attrib == {"type": target, "name": CHAN}
    schema.validate_domain_xml(minimal_domain(domain_type, os_type, arch, text), "name")


@pytest.mark.parametrize("caps_fixture, domain_type, os_type, arch",
                         [c[1:5] for c in PROFILE_CASES], ids=[c[0] for c in PROFILE_CASES])
def test_unix_channel_with_a_path_binds_it(caps_fixture, domain_type, os_type, arch):
    profile = profile_for(caps_fixture, domain_type, os_type, arch)
    sock = "/run/virtops/g1.sock"
    for chan_type in ("auto", "unix"):
        text = profile.channel({"name": CHAN, "type": chan_type, "path": sock}).to_xml()
        node = ET.fromstring(text)
        assert node.get("type") == "unix"
        assert node.find("source").attrib == {"mode": "bind", "path": sock}
        assert node.find("target").get("name") == CHAN
        schema.validate_domain_xml(minimal_domain(domain_type, os_type, arch, text), "name")


@pytest.mark.parametrize("caps_fixture, domain_type, os_type, arch",
                         [c[1:5] for c in PROFILE_CASES], ids=[c[0] for c in PROFILE_CASES])
@pytest.mark.parametrize("breakage", ["target-type", "no-target", "source-type"])
def test_broken_channel_fails_the_schema(caps_fixture, domain_type, os_type, arch, breakage):
    profile = profile_for(caps_fixture, domain_type, os_type, arch)
    node = profile.channel({"name": CHAN, "type": "auto", "path": None}).format_dom()
    if breakage == "target-type":
        node.find("target").set("type", "bogus")
    elif breakage == "no-target":
        node.remove(node.find("target"))
    else:
        node.set("type", "bogus")
    text = minimal_domain(domain_type, os_type, arch, ET.tostring(node, encoding="unicode"))
    with pytest.raises(SpecError) as info:
        schema.validate_domain_xml(text, "name")
    assert "does not validate against libvirt's schema" in str(info.value)


# --- _check_versions -------------------------------------------------------------------------

class VersionConn(object):
    def __init__(self, lib_version, hyp_version):
        self.lib_version, self.hyp_version = lib_version, hyp_version
        self.asked = []

    def getLibVersion(self):
        self.asked.append("getLibVersion")
        return self.lib_version

    def getVersion(self):
        self.asked.append("getVersion")
        return self.hyp_version


@pytest.mark.parametrize("os_type, pname", [("xen", "Xen PV"), ("hvm", "Xen HVM")])
@pytest.mark.parametrize("lib, hyp, message", [
    (2002009, 4017000, "domain g1: %s channels need libvirt >= 2.3.0"),
    (1003005, 4004000, "domain g1: %s channels need libvirt >= 2.3.0"),
    (9000000, 4004099, "domain g1: %s channels need hypervisor version >= 4.5.0"),
], ids=["old-libvirt", "both-old", "old-xen"])
def test_xen_channels_need_recent_versions(os_type, pname, lib, hyp, message):
    profile = profile_for(XEN_CAPS, "xen", os_type, "x86_64")
    with pytest.raises(device.ChannelUnsupportedError) as info:
        device._check_versions(VersionConn(lib, hyp), profile, "g1")
    assert str(info.value) == message % pname


@pytest.mark.parametrize("lib, hyp", [(2003000, 4005000), (9000000, 4017000)])
def test_xen_channels_with_recent_versions(lib, hyp):
    conn = VersionConn(lib, hyp)
    device._check_versions(conn, profile_for(XEN_CAPS, "xen", "xen", "x86_64"), "g1")
    assert conn.asked == ["getLibVersion", "getVersion"]


def test_qemu_profile_checks_no_version():
    conn = VersionConn(1, 1)
    device._check_versions(conn, profile_for(KVM_CAPS, "kvm", "hvm", "x86_64"), "g1")
    assert conn.asked == []


# --- live paths with a fake connection ----------------------------------------------------------

KVM_DOMAIN = ("<domain type='kvm'><name>g1</name><uuid>0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69</uuid>"
              "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
              "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
              "<disk type='file' device='disk'><source file='/i/g1.qcow2'/><target dev='vda' bus='virtio'/></disk>"
              "%s</devices></domain>")
# What a running QEMU guest has to take a hot-plugged virtio-serial port.
VIRTIO_SERIAL = "<controller type='virtio-serial' index='0'><alias name='virtio-serial0'/></controller>"
XEN_DOMAIN = ("<domain type='xen'><name>g1</name><uuid>0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69</uuid>"
              "<memory unit='KiB'>131072</memory><vcpu>1</vcpu>"
              "<os><type arch='x86_64'>hvm</type><loader>/usr/lib/xen/boot/hvmloader</loader></os><devices>"
              "<disk type='file' device='disk'><source file='/i/g1.img'/><target dev='xvda' bus='xen'/></disk>"
              "%s</devices></domain>")
LIVE_KVM_CHANNEL = ("<channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/channel/target/"
                    "domain-1-g1/%s'/><target type='virtio' name='%s' state='disconnected'/>"
                    "<alias name='channel0'/><address type='virtio-serial' controller='0' bus='0' port='1'/>"
                    "</channel>" % (CHAN, CHAN))
CONFIG_KVM_CHANNEL = "<channel type='unix'><target type='virtio' name='%s'/></channel>" % CHAN


def fake_error(libvirt, code, message):
    class FakeLibvirtError(libvirt.libvirtError):
        def get_error_code(self):
            return code

        def get_error_message(self):
            return message
    return FakeLibvirtError(message)


class FakeDomain(object):
    """A domain whose persistent and live XML are strings; records the calls made."""

    def __init__(self, libvirt, config, live=None):
        self.libvirt, self.config, self.live = libvirt, config, live
        self.calls = []
        self.attach_error = self.define_error = None
        self.unplug_at_once = True

    def name(self):
        return "g1"

    def isActive(self):
        return 1 if self.live is not None else 0

    def XMLDesc(self, flags):
        if flags & self.libvirt.VIR_DOMAIN_XML_INACTIVE or self.live is None:
            return self.config
        return self.live

    def attachDeviceFlags(self, xml, flags):
        self.calls.append(("attach", xml, flags))
        if self.attach_error is not None:
            raise self.attach_error
        root = ET.fromstring(self.live)
        node = ET.fromstring(xml)
        ET.SubElement(node, "source", {"mode": "bind", "path": "/run/g1/%s" % node.find("target").get("name")})
        root.find("devices").append(node)
        self.live = ET.tostring(root, encoding="unicode")

    def detachDeviceFlags(self, xml, flags):
        self.calls.append(("detach", xml, flags))
        if self.unplug_at_once:
            root = ET.fromstring(self.live)
            name = ET.fromstring(xml).find("target").get("name")
            root.find("devices").remove(device.find_channel(root, name))
            self.live = ET.tostring(root, encoding="unicode")


class FakeConn(object):
    def __init__(self, libvirt, caps_fixture, dom, versions=(9000000, 8000000)):
        self.libvirt, self.dom = libvirt, dom
        self.caps_xml = read_fixture(*caps_fixture)
        self.versions = versions
        self.defined = []

    def getCapabilities(self):
        return self.caps_xml

    def getDomainCapabilities(self, *args):
        raise fake_error(self.libvirt, self.libvirt.VIR_ERR_NO_SUPPORT, "no domain capabilities here")

    def getLibVersion(self):
        return self.versions[0]

    def getVersion(self):
        return self.versions[1]

    def lookupByName(self, name):
        if name != "g1":
            raise fake_error(self.libvirt, self.libvirt.VIR_ERR_NO_DOMAIN, "Domain not found")
        return self.dom

    def defineXMLFlags(self, xml, flags):
        self.defined.append((xml, flags))
        self.dom.calls.append(("define", xml, flags))
        if self.dom.define_error is not None:
            raise self.dom.define_error
        self.dom.config = xml
        return self.dom


class FakeWatcher(object):
    def __init__(self, event):
        self.event = event
        self.waited = []

    def mark(self):
        return 7

    def wait_for(self, alias, timeout, since):
        self.waited.append((alias, timeout, since))
        return self.event


def kvm_running(libvirt, config_channel="", live_channel="", controller=VIRTIO_SERIAL):
    dom = FakeDomain(libvirt, KVM_DOMAIN % (controller + config_channel),
                     (KVM_DOMAIN % (controller + live_channel)).replace("<domain type='kvm'>",
                                                                        "<domain type='kvm' id='1'>"))
    return FakeConn(libvirt, KVM_CAPS, dom), dom


def test_kvm_running_domain_is_hot_plugged(libvirt_module):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt)
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert item.profile.name == "QEMU/KVM"
    assert (item.actions, item.restart_required, item.validated) == (["attach_config", "attach_live"], False, True)
    assert conn.defined == [] and dom.calls == []
    kind, path = device.apply(conn, libvirt, item)
    assert (kind, path) == ("unix", "/run/g1/%s" % CHAN)
    # The running domain first: had it refused, the persistent definition would be untouched.
    assert dom.calls == [("attach", item.desired_xml, libvirt.VIR_DOMAIN_AFFECT_LIVE),
                         ("define", item.config_xml, 0)]
    assert (item.actions, item.restart_required) == (["attach_config", "attach_live"], False)
    assert device.plan(conn, libvirt, "g1", CHAN, "present").actions == []


def test_kvm_live_channel_as_libvirt_reports_it_fits(libvirt_module):
    """libvirt adds a socket path, state, alias and address to the live channel: no change."""
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt, CONFIG_KVM_CHANNEL, LIVE_KVM_CHANNEL)
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert (item.actions, item.restart_required) == ([], False)
    assert device.host_end(item.in_live) == (
        "unix", "/var/lib/libvirt/qemu/channel/target/domain-1-g1/%s" % CHAN)


def test_kvm_running_domain_is_hot_unplugged(libvirt_module):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt, CONFIG_KVM_CHANNEL, LIVE_KVM_CHANNEL)
    item = device.plan(conn, libvirt, "g1", CHAN, "absent")
    assert (item.actions, item.restart_required) == (["detach_config", "detach_live"], False)
    watcher = FakeWatcher(event=None)
    assert device.apply(conn, libvirt, item, watcher, 5) == (None, None)
    [(xml, flags)] = conn.defined
    assert channels(xml) == [] and flags == 0
    assert [(c[0], c[2]) for c in dom.calls] == [("detach", libvirt.VIR_DOMAIN_AFFECT_LIVE), ("define", 0)]
    # What is detached is the live element as libvirt reported it (alias included).
    detached = ET.fromstring(dom.calls[0][1])
    assert (detached.tag, detached.find("target").get("name")) == ("channel", CHAN)
    assert detached.find("alias").get("name") == "channel0"
    # Gone at once: no event to wait for.
    assert watcher.waited == []


def test_kvm_hot_unplug_waits_for_the_event(libvirt_module):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt, CONFIG_KVM_CHANNEL, LIVE_KVM_CHANNEL)
    dom.unplug_at_once = False
    item = device.plan(conn, libvirt, "g1", CHAN, "absent")
    watcher = FakeWatcher(event={"alias": "channel0"})
    device.apply(conn, libvirt, item, watcher, 5)
    assert watcher.waited == [("channel0", 5, 7)]

    conn, dom = kvm_running(libvirt, CONFIG_KVM_CHANNEL, LIVE_KVM_CHANNEL)
    dom.unplug_at_once = False
    item = device.plan(conn, libvirt, "g1", CHAN, "absent")
    with pytest.raises(LibvirtCallError) as info:
        device.apply(conn, libvirt, item, FakeWatcher(event=None), 5)
    assert str(info.value) == "%s: detach_live failed: no device-removed event for channel0 within 5s" % CHAN


def test_kvm_type_change_replaces_config_and_live(libvirt_module):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt, CONFIG_KVM_CHANNEL, LIVE_KVM_CHANNEL)
    item = device.plan(conn, libvirt, "g1", CHAN, "present", chan_type="pty")
    assert item.actions == ["detach_config", "attach_config", "detach_live", "attach_live"]
    kind, _path = device.apply(conn, libvirt, item, FakeWatcher(event=None), 5)
    assert kind == "pty"
    assert [c[0] for c in dom.calls] == ["detach", "attach", "define"]
    assert channels(conn.defined[0][0]) == [("pty", "virtio", CHAN, None)]


@pytest.mark.parametrize("code", ["VIR_ERR_OPERATION_UNSUPPORTED", "VIR_ERR_NO_SUPPORT",
                                  "VIR_ERR_CONFIG_UNSUPPORTED", "VIR_ERR_ARGUMENT_UNSUPPORTED"])
def test_kvm_hot_plug_refused_means_restart(libvirt_module, code):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt)
    dom.attach_error = fake_error(libvirt, getattr(libvirt, code), "not here")
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert device.apply(conn, libvirt, item) == (None, None)
    assert (item.actions, item.restart_required) == (["attach_config"], True)
    assert len(conn.defined) == 1


def test_kvm_hot_plug_failure_is_an_error(libvirt_module):
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt)
    dom.attach_error = fake_error(libvirt, libvirt.VIR_ERR_INTERNAL_ERROR, "qemu said no")
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    with pytest.raises(LibvirtCallError) as info:
        device.apply(conn, libvirt, item)
    assert str(info.value) == "%s: attach_live failed: qemu said no" % CHAN
    # Refused live: the persistent definition was left as it was.
    assert conn.defined == []


def test_define_failure_is_an_error(libvirt_module):
    libvirt = libvirt_module
    dom = FakeDomain(libvirt, KVM_DOMAIN % "")
    conn = FakeConn(libvirt, KVM_CAPS, dom)
    dom.define_error = fake_error(libvirt, libvirt.VIR_ERR_XML_ERROR, "bad XML")
    item = device.plan(conn, libvirt, "g1", CHAN, "present", validate=False)
    assert (item.actions, item.active, item.validated) == (["attach_config"], False, False)
    with pytest.raises(LibvirtCallError) as info:
        device.apply(conn, libvirt, item)
    assert str(info.value) == "g1: define the domain with the channel %s failed: bad XML" % CHAN
    # validate: false skips validation: libvirt is not asked to validate either.
    assert conn.defined == [(item.config_xml, 0)]
    assert dom.config == KVM_DOMAIN % ""


def test_without_a_local_schema_the_daemon_validates(libvirt_module, monkeypatch):
    libvirt = libvirt_module
    monkeypatch.setattr(schema, "SCHEMA_DIRS", ("/nonexistent/schemas",))
    dom = FakeDomain(libvirt, KVM_DOMAIN % "")
    conn = FakeConn(libvirt, KVM_CAPS, dom)
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert (item.validated, item.server_validate) == (False, True)
    device.apply(conn, libvirt, item)
    assert conn.defined == [(item.config_xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)]


def test_kvm_without_a_virtio_serial_controller_needs_a_restart(libvirt_module):
    """A running guest without the controller cannot take a port: the config changes, then a restart."""
    libvirt = libvirt_module
    conn, dom = kvm_running(libvirt, controller="<controller type='usb' index='0' model='piix3-uhci'/>")
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert (item.actions, item.restart_required) == (["attach_config"], True)
    assert device.apply(conn, libvirt, item) == (None, None)
    assert [c[0] for c in dom.calls] == ["define"]


def test_lookup_failure_other_than_missing_domain(libvirt_module):
    libvirt = libvirt_module
    conn, _dom = kvm_running(libvirt)

    def refuse(name):
        raise fake_error(libvirt, libvirt.VIR_ERR_INTERNAL_ERROR, "connection reset")
    conn.lookupByName = refuse
    with pytest.raises(LibvirtCallError) as info:
        device.plan(conn, libvirt, "g1", CHAN, "present")
    assert str(info.value) == "lookupByName(g1) failed: connection reset"


def test_fake_unknown_domain(libvirt_module):
    conn, _dom = kvm_running(libvirt_module)
    with pytest.raises(device.DomainNotFoundError, match="^domain g2: no such domain"):
        device.plan(conn, libvirt_module, "g2", CHAN, "present")


def test_xen_running_domain_needs_a_restart(libvirt_module):
    libvirt = libvirt_module
    dom = FakeDomain(libvirt, XEN_DOMAIN % "", XEN_DOMAIN % "")
    conn = FakeConn(libvirt, XEN_CAPS, dom, versions=(9000000, 4017000))
    item = device.plan(conn, libvirt, "g1", CHAN, "present")
    assert item.profile.name == "Xen HVM"
    assert (item.actions, item.restart_required, item.validated) == (["attach_config"], True, True)
    assert channels(item.config_xml) == [("pty", "xen", CHAN, None)]
    assert device.apply(conn, libvirt, item) == (None, None)
    assert [c[0] for c in dom.calls] == ["define"]


def test_xen_with_old_libvirt_is_refused_before_any_change(libvirt_module):
    libvirt = libvirt_module
    dom = FakeDomain(libvirt, XEN_DOMAIN % "", XEN_DOMAIN % "")
    conn = FakeConn(libvirt, XEN_CAPS, dom, versions=(2002000, 4017000))
    with pytest.raises(device.ChannelUnsupportedError,
                       match=r"^domain g1: Xen HVM channels need libvirt >= 2\.3\.0$"):
        device.plan(conn, libvirt, "g1", CHAN, "present")
    assert conn.defined == [] and dom.calls == []


# --- the persistent definition is redefined through domain.redefine ------------------------

SECRET_GRAPHICS = "<graphics type='vnc' port='-1' autoport='yes' passwd='Ch-S3cr7'/>"
FOREIGN = ("<metadata><other:info xmlns:other='http://example.org/other-tool/1'>kept</other:info></metadata>")


def secure_xml(conn, libvirt, name):
    return conn.lookupByName(name).XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)


def without_channel(xml_text, name):
    """The XML without channel ``name`` and the virtio-serial controller libvirt adds for it."""
    root = ET.fromstring(xml_text)
    devices = root.find("devices")
    for node in [device.find_channel(root, name)] + [
            c for c in devices.findall("controller") if c.get("type") == "virtio-serial"]:
        if node is not None:
            devices.remove(node)
    return ET.tostring(root, encoding="unicode")


def test_adding_and_removing_a_channel_keeps_the_password_and_all_else(test_conn, libvirt_module):
    libvirt = libvirt_module
    dom = test_conn.defineXML(
        "<domain type='test'><name>ch-secret</name>%s<memory unit='KiB'>131072</memory>"
        "<os><type arch='i686'>hvm</type></os><devices>"
        "<interface type='network'><mac address='52:54:00:12:34:57'/><source network='default'/></interface>"
        "%s</devices></domain>" % (FOREIGN, SECRET_GRAPHICS))
    before = secure_xml(test_conn, libvirt, "ch-secret")
    assert "passwd='Ch-S3cr7'" in before and "kept</other:info>" in before

    device.apply(test_conn, libvirt, device.plan(test_conn, libvirt, "ch-secret", CHAN, "present"))
    added = secure_xml(test_conn, libvirt, "ch-secret")
    assert channels(added) == [("unix", "virtio", CHAN, None)]
    # Only the channel came: the password, the metadata (and its prefix), the MAC and
    # every device as before.
    assert "passwd='Ch-S3cr7'" in added and "<other:info" in added
    assert without_channel(added, CHAN) == without_channel(before, CHAN)

    device.apply(test_conn, libvirt, device.plan(test_conn, libvirt, "ch-secret", CHAN, "absent"))
    assert without_channel(secure_xml(test_conn, libvirt, "ch-secret"), CHAN) == without_channel(before, CHAN)
    dom.undefine()


def test_a_domain_changed_between_plan_and_apply_is_edited_again(test_conn, libvirt_module):
    libvirt = libvirt_module
    dom = define_test_domain(test_conn, "ch-race")
    item = device.plan(test_conn, libvirt, "ch-race", CHAN, "present")
    # Another client adds a disk between our plan and our define.
    root = ET.fromstring(secure_xml(test_conn, libvirt, "ch-race"))
    root.find("devices").append(ET.fromstring(
        "<disk type='file' device='disk'><source file='/i/other.img'/><target dev='vdb' bus='virtio'/></disk>"))
    test_conn.defineXML(ET.tostring(root, encoding="unicode"))
    device.apply(test_conn, libvirt, item)
    after = ET.fromstring(secure_xml(test_conn, libvirt, "ch-race"))
    assert [d.find("target").get("dev") for d in after.findall("devices/disk")] == ["vda", "vdb"]
    assert channels(ET.tostring(after, encoding="unicode")) == [("unix", "virtio", CHAN, None)]
    assert item.done == ["attach_config"]
    dom.undefine()


def test_a_channel_another_client_added_meanwhile_is_not_defined_again(test_conn, libvirt_module):
    libvirt = libvirt_module
    dom = define_test_domain(test_conn, "ch-race2")
    item = device.plan(test_conn, libvirt, "ch-race2", CHAN, "present")
    device.apply(test_conn, libvirt, device.plan(test_conn, libvirt, "ch-race2", CHAN, "present"))
    defined = []
    real_define = test_conn.defineXMLFlags

    class Counting(object):
        def __getattr__(self, name):
            return getattr(test_conn, name)

        def defineXMLFlags(self, xml, flags):
            defined.append(xml)
            return real_define(xml, flags)
    device.apply(Counting(), libvirt, item)
    assert defined == [] and item.done == []
    dom.undefine()
