# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""config: the element classes turn attributes into XML and back without losing any."""

from __future__ import absolute_import, division, print_function


import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import config
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.config import (
    ChannelConfig, ConsoleConfig, ControllerConfig, CPUConfig, DiskConfig, DomainConfig, GraphicsConfig,
    InterfaceConfig, OSConfig, QemuCommandlineConfig, SerialConfig)
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import XMLParseError

ELEMENTS = [
    ("disk-file-qcow2", DiskConfig(source_type="file", device="disk", path="/i/a.qcow2", driver_name="qemu",
                                   driver_type="qcow2", target_dev="vda", target_bus="virtio")),
    ("disk-block-readonly", DiskConfig(source_type="block", device="disk", path="/dev/vg0/lv", driver_name="qemu",
                                       driver_type="raw", target_dev="xvdb", target_bus="xen", readonly=True)),
    ("disk-empty-cdrom", DiskConfig(source_type="file", device="cdrom", driver_name="qemu", driver_type="raw",
                                    target_dev="hdc", target_bus="ide", readonly=True)),
    ("disk-no-driver", DiskConfig(source_type="file", device="disk", path="/i/b.img", target_dev="sda",
                                  target_bus="scsi")),
    ("nic-bridge", InterfaceConfig(net_type="bridge", source="br0", mac="52:54:00:12:34:56", model="virtio")),
    ("nic-network", InterfaceConfig(net_type="network", source="default", model="netfront")),
    ("nic-udp", InterfaceConfig(net_type="udp", mac="52:54:00:00:00:07", model="e1000",
                                udp_local=("127.0.0.1", 5000), udp_remote=("192.0.2.7", 5001))),
    ("channel-unix-path", ChannelConfig(name="org.x.0", source_type="unix", target_type="virtio",
                                        path="/run/ch/org.x.0.sock")),
    ("channel-unix-auto", ChannelConfig(name="org.qemu.guest_agent.0", source_type="unix", target_type="virtio")),
    ("channel-xen-pty", ChannelConfig(name="org.apache.cloudstack.guest.0", source_type="pty", target_type="xen")),
    ("os-hvm-loader", OSConfig(os_type="hvm", arch="x86_64", machine="xenfv", loader="/usr/lib/xen/boot/hvmloader",
                               loader_readonly="yes", loader_type="rom", boot_devs=["cdrom", "hd"])),
    ("os-pv-kernel", OSConfig(os_type="xen", arch="x86_64", kernel="/b/vmlinuz", initrd="/b/initrd.img",
                              cmdline="root=/dev/xvda1 console=hvc0")),
    ("os-bare", OSConfig(os_type="hvm")),
    ("graphics", GraphicsConfig("vnc", "127.0.0.1")),
    ("cpu-model", CPUConfig(mode="custom", model="qemu64")),
    ("cpu-host-model", CPUConfig(mode="host-model")),
    ("serial-pty", SerialConfig()),
    ("serial-file", SerialConfig("/var/log/c.log")),
    ("console-serial-file", ConsoleConfig("serial", "/var/log/c.log")),
    ("console-xen-pty", ConsoleConfig("xen")),
    ("controller-virtio-serial", ControllerConfig("virtio-serial", 0)),
    ("qemu-commandline", QemuCommandlineConfig(["-netdev", "user,id=u0"])),
    ("domain-full", None),
]


def _full_domain():
    dom = DomainConfig()
    dom.domain_type, dom.name, dom.uuid = "qemu", "rt1", "0b9a4a8e-2c1d-4c5e-9f61-1e2d3c4b5a69"
    dom.memory_kib, dom.vcpus = 131072, 2
    dom.os = OSConfig(os_type="hvm", arch="x86_64", machine="pc-q35-7.2", kernel="/b/vmlinuz")
    dom.features = ["acpi", "apic"]
    dom.cpu = CPUConfig(mode="custom", model="qemu64")
    dom.on_poweroff, dom.on_reboot, dom.on_crash = "destroy", "restart", "destroy"
    dom.devices = [ControllerConfig("virtio-serial", 0),
                   DiskConfig(source_type="file", device="disk", path="/i/a.qcow2", driver_name="qemu",
                              driver_type="qcow2", target_dev="vda", target_bus="virtio"),
                   InterfaceConfig(net_type="bridge", source="br0", mac="52:54:00:12:34:56", model="virtio"),
                   ChannelConfig(name="org.x.0", source_type="unix", target_type="virtio"),
                   SerialConfig("/var/log/c.log"), ConsoleConfig("serial", "/var/log/c.log"),
                   GraphicsConfig("vnc", "127.0.0.1")]
    dom.qemu_commandline = QemuCommandlineConfig(["-netdev", "user,id=u0"])
    return dom


ELEMENTS[-1] = ("domain-full", _full_domain())


def test_every_element_class_is_round_tripped():
    classes = set(cls for name, cls in vars(config).items()
                  if isinstance(cls, type) and issubclass(cls, config.DomainElement)
                  and cls.__module__ == config.__name__ and not name.startswith("_") and cls is not config.DomainElement)
    assert classes == set(type(e[1]) for e in ELEMENTS)


@pytest.mark.parametrize("element", [e[1] for e in ELEMENTS], ids=[e[0] for e in ELEMENTS])
def test_parse_dom_of_format_dom_round_trips(element):
    again = type(element).from_dom(element.format_dom())
    assert vars(again) == vars(element)
    assert again.to_xml() == element.to_xml()
    # and through text, the way libvirt hands it back
    assert vars(type(element).from_xml(element.to_xml())) == vars(element)


def test_udp_interface_xml():
    nic = InterfaceConfig(net_type="udp", udp_local=("127.0.0.1", 5000), udp_remote=("192.0.2.7", 5001),
                          model="virtio")
    assert nic.to_xml() == ('<interface type="udp"><source address="192.0.2.7" port="5001">'
                            '<local address="127.0.0.1" port="5000" /></source><model type="virtio" /></interface>')
    parsed = InterfaceConfig.from_xml(nic.to_xml())
    assert (parsed.udp_local, parsed.udp_remote, parsed.source) == (("127.0.0.1", 5000), ("192.0.2.7", 5001), None)


def test_unix_channel_without_path_has_no_source():
    assert ChannelConfig(name="org.x.0").to_xml() == (
        '<channel type="unix"><target type="virtio" name="org.x.0" /></channel>')


def test_cpu_model_and_console_nodes():
    cpu = CPUConfig(model="qemu64")
    assert cpu.to_xml() == '<cpu mode="custom" match="exact"><model fallback="allow">qemu64</model></cpu>'
    assert (CPUConfig.from_xml(cpu.to_xml()).mode, CPUConfig.from_xml(cpu.to_xml()).model) == ("custom", "qemu64")
    assert CPUConfig(mode="host-passthrough").to_xml() == '<cpu mode="host-passthrough" />'
    assert SerialConfig().to_xml() == '<serial type="pty"><target port="0" /></serial>'
    assert ConsoleConfig("serial").to_xml() == '<console type="pty"><target type="serial" port="0" /></console>'
    assert ConsoleConfig.from_xml(ConsoleConfig("xen").to_xml()).target_type == "xen"


def test_wrong_root_is_refused():
    with pytest.raises(XMLParseError) as info:
        DiskConfig.from_xml("<interface type='bridge'/>")
    assert "root element is <interface>, expected <disk>" in str(info.value)


# --- real libvirt XML --------------------------------------------------------------------------

GUEST = """<domain type='test'><name>cfg1</name><memory unit='MiB'>256</memory><vcpu>3</vcpu>
<os><type arch='i686'>hvm</type><kernel>/b/vmlinuz</kernel><cmdline>console=ttyS0</cmdline></os>
<devices>
  <disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='/dev/vg0/cfg1'/>
    <target dev='vda' bus='virtio'/></disk>
  <interface type='bridge'><source bridge='br0'/><model type='virtio'/></interface>
  <interface type='network'><mac address='52:54:00:AB:CD:EF'/><source network='default'/></interface>
  <interface type='udp'><source address='127.0.0.1' port='5001'><local address='127.0.0.1' port='5000'/></source>
  </interface>
  <channel type='unix'><target type='virtio' name='org.x.0'/></channel>
  <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
</devices></domain>"""


def test_from_xml_of_the_test_drivers_own_domain(test_conn, libvirt_module):
    text = test_conn.lookupByName("test").XMLDesc(libvirt_module.VIR_DOMAIN_XML_INACTIVE)
    cfg = DomainConfig.from_xml(text)
    assert (cfg.domain_type, cfg.name, cfg.memory_kib, cfg.vcpus) == ("test", "test", 8388608, 2)
    assert (cfg.os.os_type, cfg.os.arch, cfg.os.boot_devs) == ("hvm", "i686", ["hd"])
    nics = cfg.devices_of(InterfaceConfig)
    assert [(n.net_type, n.source, n.mac) for n in nics] == [("network", "default", "aa:bb:cc:dd:ee:ff")]
    assert [(d.path, d.target_dev) for d in cfg.devices_of(DiskConfig)] == [("/guest/diskimage1", "vda")]


def test_from_xml_of_a_guest_libvirt_expanded(test_conn, libvirt_module):
    dom = test_conn.defineXML(GUEST)
    try:
        text = dom.XMLDesc(libvirt_module.VIR_DOMAIN_XML_INACTIVE)
    finally:
        dom.undefine()
    cfg = DomainConfig.from_xml(text)
    assert (cfg.name, cfg.uuid, cfg.memory_kib, cfg.vcpus) == ("cfg1", dom.UUIDString(), 262144, 3)
    assert (cfg.os.kernel, cfg.os.cmdline, cfg.os.initrd) == ("/b/vmlinuz", "console=ttyS0", None)
    nics = cfg.devices_of(InterfaceConfig)
    assert [(n.net_type, n.source, n.udp_local, n.udp_remote) for n in nics] == [
        ("bridge", "br0", None, None), ("network", "default", None, None),
        ("udp", None, ("127.0.0.1", 5000), ("127.0.0.1", 5001))]
    macs = [n.mac for n in nics]
    # libvirt made up the missing MACs (52:54:00: prefix) and lower-cased the given one.
    assert macs[1] == "52:54:00:ab:cd:ef"
    assert all(m and m.startswith("52:54:00:") for m in macs) and len(set(macs)) == 3
    assert [(c.name, c.target_type, c.source_type) for c in cfg.devices_of(ChannelConfig)] == [
        ("org.x.0", "virtio", "unix")]
    assert [(d.source_type, d.path, d.driver_type) for d in cfg.devices_of(DiskConfig)] == [
        ("block", "/dev/vg0/cfg1", "raw")]
    assert [(g.graphics_type, g.listen) for g in cfg.devices_of(GraphicsConfig)] == [("vnc", "127.0.0.1")]
    # The profile's virtio-serial controller, which channel hot-plug needs.
    assert [(c.controller_type, c.index) for c in cfg.devices_of(ControllerConfig)] == [("virtio-serial", 0)]
    # Elements without a class of their own (video, memballoon...) are not devices here.
    assert set(type(d) for d in cfg.devices) == {DiskConfig, InterfaceConfig, ChannelConfig, GraphicsConfig,
                                                 ControllerConfig}
