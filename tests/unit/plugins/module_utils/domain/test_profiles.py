# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""profiles: the driver profile chosen from capabilities, its XML, and libvirt's schema."""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import profiles, schema, spec
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError

IMAGE = "/var/lib/libvirt/images/g1.qcow2"
LV = "/dev/vg0/g1-data"
ISO = "/srv/iso/install.iso"
CHANNEL = "org.apache.cloudstack.guest.0"
FULL = {
    "name": "g1", "memory": "1GiB", "vcpus": 2, "graphics": "vnc",
    "disks": [{"path": IMAGE}, {"path": LV, "format": "raw"}, {"device": "cdrom", "path": ISO}],
    "nics": [{"bridge": "br0"}, {"network": "default", "mac": "52:54:00:AA:BB:CC"},
             {"udp": {"local_port": 5000, "remote_port": 5001, "remote_address": "192.0.2.7"}}],
    "channels": [{"name": CHANNEL}],
}
PV_KERNEL = {"kernel": "/var/lib/xen/boot/vmlinuz", "initrd": "/var/lib/xen/boot/initrd.img",
             "cmdline": "root=/dev/xvda1 console=hvc0"}


def validated(base_path="domains", **changes):
    raw = dict(FULL)
    raw.update(changes)
    return spec.validate([raw], base_path)[0]


def build(host, base_path="domains", **changes):
    """(profile, DomainConfig, root Element of its XML, XML text) for FULL with ``changes``."""
    one = validated(base_path, **changes)
    profile = profiles.select(host.caps, one, "qcow2", host.domcaps)
    cfg = profile.build(one)
    text = cfg.to_xml()
    return profile, cfg, ET.fromstring(text), text


def disks_of(root):
    return [(d.get("type"), d.get("device"), d.find("driver").get("type"),
             (d.find("source").get("file") or d.find("source").get("dev")) if d.find("source") is not None else None,
             d.find("target").get("dev"), d.find("target").get("bus"), d.find("readonly") is not None)
            for d in root.findall("devices/disk")]


def nics_of(root):
    out = []
    for iface in root.findall("devices/interface"):
        source, mac = iface.find("source"), iface.find("mac")
        local = source.find("local")
        out.append((iface.get("type"), dict(source.attrib),
                    dict(local.attrib) if local is not None else None,
                    mac.get("address") if mac is not None else None,
                    iface.find("model").get("type") if iface.find("model") is not None else None))
    return out


def consoles_of(root):
    return ([s.find("target").attrib for s in root.findall("devices/serial")],
            [(c.get("type"), c.find("target").attrib) for c in root.findall("devices/console")])


def channels_of(root):
    return [(c.get("type"), dict(c.find("target").attrib), c.find("source"))
            for c in root.findall("devices/channel")]


def nics_expected(model):
    return [("bridge", {"bridge": "br0"}, None, None, model),
            ("network", {"network": "default"}, None, "52:54:00:aa:bb:cc", model),
            ("udp", {"address": "192.0.2.7", "port": "5001"}, {"address": "127.0.0.1", "port": "5000"}, None, model)]


# --- KVM / QEMU ------------------------------------------------------------------------------

def test_kvm_host_builds_a_virtio_guest(kvm_host):
    profile, _cfg, root, text = build(kvm_host)
    assert (type(profile), profile.domain_type, profile.domcaps.domain) == (profiles.QemuProfile, "kvm", "kvm")
    assert kvm_host.asked == [("x86_64", "kvm", "hvm")]
    assert root.get("type") == "kvm"
    assert (root.findtext("name"), root.findtext("memory"), root.find("memory").get("unit")) == ("g1", "1048576", "KiB")
    assert (root.findtext("vcpu"), root.find("uuid")) == ("2", None)
    os_type = root.find("os/type")
    assert (os_type.text, os_type.get("arch"), os_type.get("machine")) == ("hvm", "x86_64", None)
    assert [c.tag for c in root.find("os")] == ["type"]
    assert [f.tag for f in root.find("features")] == ["acpi", "apic"]
    assert root.find("bootloader") is None
    assert disks_of(root) == [("file", "disk", "qcow2", IMAGE, "vda", "virtio", False),
                              ("block", "disk", "raw", LV, "vdb", "virtio", False),
                              ("file", "cdrom", "raw", ISO, "hda", "ide", True)]
    assert nics_of(root) == nics_expected("virtio")
    assert channels_of(root) == [("unix", {"type": "virtio", "name": CHANNEL}, None)]
    assert consoles_of(root) == ([{"port": "0"}], [("pty", {"type": "serial", "port": "0"})])
    graphics = root.find("devices/graphics")
    assert (graphics.get("type"), graphics.get("listen"), graphics.get("autoport")) == ("vnc", "127.0.0.1", "yes")
    assert [root.findtext(e) for e in ("on_poweroff", "on_reboot", "on_crash")] == ["destroy", "restart", "destroy"]
    schema.validate_domain_xml(text, "domains[0]")


def test_kvm_host_with_domain_type_qemu_forces_emulation(kvm_host):
    profile, _cfg, root, text = build(kvm_host, domain_type="qemu", machine="q35", cpu_model="qemu64")
    assert (type(profile), profile.domain_type, profile.domcaps.domain) == (profiles.QemuProfile, "qemu", "qemu")
    assert root.get("type") == "qemu"
    # The alias as libvirt stores it (capabilities: canonical='pc-q35-7.2'), so it compares equal.
    assert (root.find("os/type").text, root.find("os/type").get("machine")) == ("hvm", "pc-q35-7.2")
    cpu = root.find("cpu")
    assert (cpu.get("mode"), cpu.findtext("model")) == ("custom", "qemu64")
    # q35 has no IDE: the cdrom goes on SATA.
    assert [d[4:6] for d in disks_of(root)] == [("vda", "virtio"), ("vdb", "virtio"), ("sda", "sata")]
    schema.validate_domain_xml(text, "domains[0]")


def test_format_from_suffix_else_the_hosts_image_format(kvm_host):
    one = validated(disks=[{"path": "/i/a.img"}, {"path": "/i/b.raw"}, {"path": "/i/c"}, {"path": "/i/d.qcow2"}])
    profile = profiles.select(kvm_host.caps, one, "raw", kvm_host.domcaps)
    assert [d.driver_type for d in profile.disks(one)] == ["raw", "raw", "raw", "qcow2"]
    profile = profiles.select(kvm_host.caps, one, "qcow2", kvm_host.domcaps)
    assert [d.driver_type for d in profile.disks(one)] == ["raw", "raw", "qcow2", "qcow2"]


def test_explicit_targets_are_kept_and_skipped(kvm_host):
    _p, _c, root, _t = build(kvm_host, disks=[{"path": "/i/a", "target": "vdb"}, {"path": "/i/b"},
                                              {"path": "/i/c", "bus": "scsi"}, {"path": "/i/d", "bus": "sata"}])
    assert [d[4:6] for d in disks_of(root)] == [("vdb", "virtio"), ("vda", "virtio"), ("sda", "scsi"), ("sdb", "sata")]


# --- Xen ---------------------------------------------------------------------------------------

def test_xen_pv_with_direct_kernel_boot(xen_host):
    profile, _cfg, root, text = build(xen_host, **PV_KERNEL)
    assert (type(profile), profile.domain_type, profile.domcaps.machine) == (profiles.XenPVProfile, "xen", "xenpv")
    assert root.get("type") == "xen"
    # What libvirt stores for the capabilities' "xen" os type.
    assert (root.find("os/type").text, root.find("os/type").get("arch")) == ("linux", "x86_64")
    assert [(c.tag, c.text) for c in root.find("os")][1:] == [
        ("kernel", PV_KERNEL["kernel"]), ("initrd", PV_KERNEL["initrd"]), ("cmdline", PV_KERNEL["cmdline"])]
    assert root.find("os/loader") is None and root.find("bootloader") is None
    assert root.find("features") is None
    assert disks_of(root) == [("file", "disk", "qcow2", IMAGE, "xvda", "xen", False),
                              ("block", "disk", "raw", LV, "xvdb", "xen", False),
                              ("file", "cdrom", "raw", ISO, "xvdc", "xen", True)]
    assert nics_of(root) == nics_expected("netfront")
    assert channels_of(root) == [("pty", {"type": "xen", "name": CHANNEL}, None)]
    # The PV console only: no <serial> for a Xen PV guest.
    assert consoles_of(root) == ([], [("pty", {"type": "xen", "port": "0"})])
    assert root.find("devices/graphics").get("type") == "vnc"
    schema.validate_domain_xml(text, "domains[0]")


def test_xen_pv_with_bootloader(xen_host):
    profile, _cfg, root, text = build(xen_host, bootloader="/usr/bin/pygrub",
                                      channels=[{"name": CHANNEL, "path": "/run/xen/ch0.sock"}])
    assert profile.__class__ is profiles.XenPVProfile
    assert root.findtext("bootloader") == "/usr/bin/pygrub"
    # <bootloader> comes before <os>, as libvirt writes it.
    tags = [c.tag for c in root]
    assert tags.index("bootloader") < tags.index("os")
    assert [c.tag for c in root.find("os")] == ["type"]
    assert [(c[0], c[1]) for c in channels_of(root)] == [("unix", {"type": "xen", "name": CHANNEL})]
    assert root.find("devices/channel/source").attrib == {"mode": "bind", "path": "/run/xen/ch0.sock"}
    schema.validate_domain_xml(text, "domains[0]")


def test_xen_hvm_takes_the_loader_from_the_capabilities(xen_host):
    profile, _cfg, root, text = build(xen_host, boot="hvm")
    assert (type(profile), profile.domcaps.machine) == (profiles.XenHVMProfile, "xenfv")
    assert xen_host.asked == [("x86_64", "xen", "hvm")]
    assert root.get("type") == "xen"
    assert (root.find("os/type").text, root.findtext("os/loader")) == ("hvm", "/usr/lib/xen/boot/hvmloader")
    assert [f.tag for f in root.find("features")] == ["acpi", "apic", "pae"]
    # Xen numbers xvdX and hdX of one letter as the same disk: the cdrom is hdc, not hda.
    assert disks_of(root) == [("file", "disk", "qcow2", IMAGE, "xvda", "xen", False),
                              ("block", "disk", "raw", LV, "xvdb", "xen", False),
                              ("file", "cdrom", "raw", ISO, "hdc", "ide", True)]
    # No netfront: without PV drivers the guest would have no network; libvirt's
    # emulated default is unplugged in favour of netfront by guests that have them.
    assert nics_of(root) == nics_expected(None)
    assert channels_of(root) == [("pty", {"type": "xen", "name": CHANNEL}, None)]
    assert consoles_of(root) == ([{"port": "0"}], [("pty", {"type": "serial", "port": "0"})])
    schema.validate_domain_xml(text, "domains[0]")


def test_xen_hvm_never_gives_one_disk_number_twice(xen_host):
    _p, _c, root, _t = build(xen_host, boot="hvm", disks=[
        {"device": "cdrom", "path": ISO, "target": "hda"}, {"path": IMAGE}, {"path": LV, "bus": "ide"},
        {"path": "/i/c", "target": "xvdd"}, {"path": "/i/e"}])
    targets = [d[4] for d in disks_of(root)]
    assert targets == ["hda", "xvdb", "hdc", "xvdd", "xvde"]
    assert len(set(t[-1] for t in targets)) == len(targets)


def test_xen_pv_uses_the_xen_bus_for_everything(xen_host):
    _p, _c, root, _t = build(xen_host, serial_console=False, graphics="none", **PV_KERNEL)
    assert set(d[5] for d in disks_of(root)) == {"xen"}
    assert root.find("devices/console") is None and root.find("devices/graphics") is None


# --- schema ------------------------------------------------------------------------------------

@pytest.mark.parametrize("break_it, where", [
    (lambda root: root.find("devices/disk").set("device", "tape"), " at devices/disk[1]: "),
    (lambda root: root.remove(root.find("name")), ": "),  # missing, not extra: nothing to take out
    (lambda root: root.find("memory").set("unit", "parsecs"), " at memory: "),
    (lambda root: root.find("devices").append(ET.Element("gadget")), " at devices/gadget: "),
], ids=["disk-device", "no-name", "memory-unit", "unknown-device"])
def test_broken_xml_fails_the_schema_with_the_path(kvm_host, break_it, where):
    _p, _c, root, _t = build(kvm_host)
    break_it(root)
    with pytest.raises(SpecError) as info:
        schema.validate_domain_xml(ET.tostring(root, encoding="unicode"), "domains[4]")
    assert info.value.path == "domains[4]"
    assert str(info.value).startswith("domains[4]: the domain XML does not validate against libvirt's schema "
                                      "(/usr/share/libvirt/schemas/domain.rng)" + where), str(info.value)


def test_no_schema_is_a_clear_error(monkeypatch, kvm_host):
    monkeypatch.setattr(schema, "SCHEMA_DIRS", ("/nonexistent/schemas",))
    with pytest.raises(schema.SchemaUnavailableError) as info:
        schema.validate_domain_xml(build(kvm_host)[3], "name")
    assert info.value.path == "name" and "set validate: false to skip" in str(info.value)


# --- selection and profile errors --------------------------------------------------------------

@pytest.mark.parametrize("host, changes, path, message", [
    ("kvm", {"boot": "pv"}, "domains[0].boot", "no PV guest of a supported driver is offered here for arch x86_64"),
    ("kvm", {"arch": "s390x"}, "domains[0].arch", "s390x is not offered here (offered: i686, x86_64)"),
    ("kvm", {"domain_type": "xen"}, "domains[0].domain_type", "xen is not offered here (offered: "),
    ("kvm", {"vcpus": 256}, "domains[0].vcpus", "this host allows at most 255"),
    ("kvm", {"disks": [{"path": "/i/a"}, {"path": "/i/b", "bus": "xen"}]}, "domains[0].disks[1].bus",
     "xen is not offered here (offered: ide, fdc, scsi, virtio, usb, sata)"),
    ("kvm", {"bootloader": "/usr/bin/pygrub"}, "domains[0].bootloader", "QEMU/KVM guests boot without a bootloader"),
    ("xen", {}, "domains[0].kernel", "a Xen PV guest needs kernel or bootloader"),
    ("xen", {"boot": "pv"}, "domains[0].kernel", "a Xen PV guest needs kernel or bootloader"),
    ("xen", dict(PV_KERNEL, disks=[{"path": "/i/a", "bus": "virtio"}]), "domains[0].disks[0].bus",
     "virtio is not offered here (offered: ide, scsi, xen)"),
    ("xen", dict(PV_KERNEL, vcpus=513), "domains[0].vcpus", "this host allows at most 512"),
    ("xen", {"boot": "hvm", "vcpus": 129}, "domains[0].vcpus", "this host allows at most 128"),
    ("xen", dict(PV_KERNEL, cpu_model="qemu64"), "domains[0].cpu_model", "Xen PV guests take no CPU model"),
    ("xen", {"boot": "hvm", "cpu_model": "qemu64"}, "domains[0].cpu_model", "Xen HVM guests take no CPU model"),
    ("xen", {"domain_type": "kvm"}, "domains[0].domain_type", "kvm is not offered here (offered: xen)"),
    ("xen", {"boot": "hvm", "arch": "aarch64"}, "domains[0].arch", "aarch64 is not offered here (offered: i686, x86_64)"),
    ("xen", dict(PV_KERNEL, nics=[{"bridge": "br0"}, {"user": {"forwards": []}}]), "domains[0].nics[1].user",
     "Xen PV guests have no user-mode networking"),
])
def test_profile_errors_name_the_path(kvm_host, xen_host, host, changes, path, message):
    fixture = kvm_host if host == "kvm" else xen_host
    with pytest.raises(SpecError) as info:
        build(fixture, **changes)
    assert info.value.path == path
    assert message in info.value.message


def test_limits_themselves_are_accepted(kvm_host, xen_host):
    assert build(kvm_host, vcpus=255)[2].findtext("vcpu") == "255"
    assert build(xen_host, vcpus=512, **PV_KERNEL)[2].findtext("vcpu") == "512"


def test_profile_error_of_a_single_domain_has_no_prefix(kvm_host):
    with pytest.raises(SpecError) as info:
        build(kvm_host, base_path=None, boot="pv")
    assert info.value.path == "boot"
    assert str(info.value).startswith("boot: no PV guest")


def test_i686_on_the_kvm_host_and_hvm_i686_on_xen(kvm_host, xen_host):
    assert build(kvm_host, arch="i686")[2].find("os/type").get("arch") == "i686"
    profile, _c, root, _t = build(xen_host, arch="i686", boot="hvm")
    assert (type(profile), root.find("os/type").get("arch")) == (profiles.XenHVMProfile, "i686")
    # No domain capabilities dump for i686 Xen: the disk bus is the family's, unchecked.
    assert (profile.domcaps, profile.disk_buses) == (None, [])


def test_profile_classes():
    assert profiles.profile_class("kvm", "hvm") is profiles.QemuProfile
    assert profiles.profile_class("qemu", "hvm") is profiles.QemuProfile
    assert profiles.profile_class("test", "hvm") is profiles.TestDriverProfile
    assert profiles.profile_class("xen", "xen") is profiles.XenPVProfile
    assert profiles.profile_class("xen", "xenpvh") is profiles.XenPVProfile
    assert profiles.profile_class("xen", "hvm") is profiles.XenHVMProfile
    assert profiles.profile_class("test", "xen") is None
    assert profiles.profile_class("lxc", "exe") is None


def test_user_nics_forward_host_ports_through_qemu_arguments(kvm_host):
    ssh = {"user": {"forwards": [{"host_port": 40022, "guest_port": 22},
                                 {"host_address": "127.0.0.2", "host_port": 40053, "guest_port": 53,
                                  "protocol": "udp"}]}}
    nics = [{"bridge": "br0"}, ssh, {"user": {"forwards": []}, "mac": "52:54:00:00:00:0b", "model": "e1000"}]
    root, text = build(kvm_host, nics=nics)[2:]
    ns = "{http://libvirt.org/schemas/domain/qemu/1.0}"
    assert [a.get("value") for a in root.findall(ns + "commandline/" + ns + "arg")] == [
        "-netdev", "user,id=virtops-user0,hostfwd=tcp:127.0.0.1:40022-:22,hostfwd=udp:127.0.0.2:40053-:53",
        "-device", "virtio-net-pci,netdev=virtops-user0,addr=0x1e",
        "-netdev", "user,id=virtops-user1",
        "-device", "e1000,netdev=virtops-user1,addr=0x1d,mac=52:54:00:00:00:0b"]
    # The bridge NIC is the only <interface>; libvirt gives it a MAC.
    assert [n[3] for n in nics_of(root)] == [None]
    assert 'xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"' in text
    schema.validate_domain_xml(text, "domains[0]")


def test_the_test_driver_refuses_user_nics(test_host):
    with pytest.raises(SpecError) as info:
        build(test_host, nics=[{"user": {"forwards": []}}])
    assert (info.value.path, info.value.message) == ("domains[0].nics[0].user",
                                                     "test driver guests have no user-mode networking")


def test_a_kvm_that_runs_no_ordinary_guest_is_not_the_default(kvm_host):
    unusable = {"kvm": "/dev/kvm comes from kvm_pvm (PVM)"}
    default = profiles.select(kvm_host.caps, validated(), "qcow2", kvm_host.domcaps, unusable)
    assert (type(default), default.domain_type) == (profiles.QemuProfile, "qemu")
    named = profiles.select(kvm_host.caps, validated(domain_type="kvm"), "qcow2", kvm_host.domcaps, unusable)
    assert named.domain_type == "kvm"
    assert profiles.select(kvm_host.caps, validated(), "qcow2", kvm_host.domcaps).domain_type == "kvm"


def test_a_restricted_user_nic_in_a_documentation_range(kvm_host):
    user = {"net": "198.51.100.0/24", "restrict": True,
            "forwards": [{"host_port": 40022, "guest_port": 22}]}
    root = build(kvm_host, nics=[{"user": user}])[2]
    ns = "{http://libvirt.org/schemas/domain/qemu/1.0}"
    assert [a.get("value") for a in root.findall(ns + "commandline/" + ns + "arg")][:2] == [
        "-netdev", "user,id=virtops-user0,net=198.51.100.0/24,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22"]


@pytest.mark.parametrize("user, path, message", [
    ({"net": "10.0.2.1/24"}, "net", "must be an IPv4 network like 198.51.100.0/24, got '10.0.2.1/24'"),
    ({"net": "198.51.100.0/28"}, "net", "must be a /27 or larger"),
    ({"restrict": "sometimes"}, "restrict", "must be a boolean"),
    ({"guest_forwards": [{"guest_port": 80}]}, "guest_forwards", "unknown option"),
    ({"forwards": [{"host_port": 1, "guest_port": 0}]}, "forwards[0].guest_port", "must be between 1 and 65535, got 0"),
    ({"forwards": [{"host_address": "localhost", "host_port": 1, "guest_port": 2}]},
     "forwards[0].host_address", "must be an IPv4 address, got 'localhost'"),
], ids=["net-host-bits", "net-too-small", "restrict-not-bool", "no-guest-forwards", "port-0", "host-name"])
def test_user_nic_errors_name_the_path(user, path, message):
    with pytest.raises(SpecError) as info:
        validated(nics=[{"user": user}])
    where = "domains[0].nics[0].user" + ("." + path if path else "")
    assert "%s: %s" % (where, message) in str(info.value)


def test_block_devices_are_raw_whatever_the_hosts_image_format(kvm_host):
    root = build(kvm_host, disks=[{"path": "/dev/vg/s1"}, {"path": "/i/a"}])[2]
    assert [(d[0], d[2]) for d in disks_of(root)] == [("block", "raw"), ("file", "qcow2")]


@pytest.mark.parametrize("host, changes, bus", [
    ("kvm", {}, "ide"),                      # pc-i440fx, the host's default machine
    ("kvm", {"machine": "q35"}, "sata"),     # q35 has no IDE
    ("aarch64", {}, "scsi"),                 # virt: no IDE, and libvirt offers scsi
])
def test_the_cdrom_bus_is_one_the_host_offers(request, host, changes, bus):
    fixture = request.getfixturevalue(host + "_host")
    root = build(fixture, disks=[{"device": "cdrom"}], **changes)[2]
    assert [d[5] for d in disks_of(root)] == [bus]


def test_kvm_guests_get_host_model_where_offered(kvm_host):
    root = build(kvm_host, domain_type="kvm", cpu_model=None)[2]
    assert root.find("cpu").get("mode") == "host-model"
    tcg = build(kvm_host, domain_type="qemu", cpu_model=None)[2]
    assert tcg.find("cpu") is None


def test_a_schema_error_names_the_failing_element():
    text = ("<domain type='qemu'><name>a</name><memory>65536</memory><os><type>hvm</type></os><devices>"
            "<disk type='file'><source file='/a'/><target dev='vda'/></disk>"
            "<interface type='bridge'><sourc bridge='br0'/></interface></devices></domain>")
    with pytest.raises(SpecError) as info:
        schema.validate_domain_xml(text, "domains[0]")
    assert " at devices/interface/sourc: " in str(info.value)
