# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of a domain spec's options: the module's argument spec is built from it,
``spec.py`` takes its key lists from it, and a test holds the documentation to it.

A new field is one entry here, one check in ``spec.py`` (if it needs more than its type)
and its documentation in ``doc_fragments/domain_spec.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

STATES = ("present", "running", "shutdown", "paused", "absent")
BOOT_MODES = ("auto", "hvm", "pv")
DISK_DEVICES = ("disk", "cdrom")
DISK_TYPES = ("auto", "file", "block")
DISK_FORMATS = ("auto", "qcow2", "raw")
DISK_BUSES = ("auto", "virtio", "xen", "scsi", "sata", "ide", "usb")
NIC_MODELS = ("auto", "virtio", "netfront", "e1000", "e1000e", "rtl8139")
CHANNEL_TYPES = ("auto", "unix", "pty")
GRAPHICS = ("none", "vnc")
FORWARD_PROTOCOLS = ("tcp", "udp")

UDP_OPTIONS = dict(local_address=dict(type="str"), local_port=dict(type="int"),
                   remote_address=dict(type="str"), remote_port=dict(type="int"))
FORWARD_OPTIONS = dict(host_address=dict(type="str"), host_port=dict(type="int"), guest_port=dict(type="int"),
                       protocol=dict(type="str", choices=list(FORWARD_PROTOCOLS), default="tcp"))
USER_OPTIONS = dict(forwards=dict(type="list", elements="dict", options=FORWARD_OPTIONS),
                    restrict=dict(type="bool", default=False), net=dict(type="str"))
DISK_OPTIONS = dict(
    path=dict(type="str"),
    type=dict(type="str", choices=list(DISK_TYPES), default="auto"),
    format=dict(type="str", choices=list(DISK_FORMATS), default="auto"),
    device=dict(type="str", choices=list(DISK_DEVICES), default="disk"),
    bus=dict(type="str", choices=list(DISK_BUSES), default="auto"),
    target=dict(type="str"),
    readonly=dict(type="bool"))
NIC_OPTIONS = dict(
    bridge=dict(type="str"), network=dict(type="str"),
    udp=dict(type="dict", options=UDP_OPTIONS), user=dict(type="dict", options=USER_OPTIONS),
    mac=dict(type="str"), model=dict(type="str", choices=list(NIC_MODELS), default="auto"))
CHANNEL_OPTIONS = dict(
    name=dict(type="str"), type=dict(type="str", choices=list(CHANNEL_TYPES), default="auto"),
    path=dict(type="str"))

DOMAIN_OPTIONS = dict(
    name=dict(type="str"),
    xml=dict(type="str", no_log=True),
    memory=dict(type="raw"),
    vcpus=dict(type="int"),
    arch=dict(type="str"),
    boot=dict(type="str", choices=list(BOOT_MODES)),
    domain_type=dict(type="str"),
    machine=dict(type="str"),
    cpu_model=dict(type="str"),
    kernel=dict(type="str"),
    initrd=dict(type="str"),
    cmdline=dict(type="str", no_log=True),
    bootloader=dict(type="str"),
    disks=dict(type="list", elements="dict", options=DISK_OPTIONS),
    nics=dict(type="list", elements="dict", options=NIC_OPTIONS),
    channels=dict(type="list", elements="dict", options=CHANNEL_OPTIONS),
    graphics=dict(type="str", choices=list(GRAPHICS)),
    serial_console=dict(type="bool"),
    console_log=dict(type="str"),
    autostart=dict(type="bool"),
    state=dict(type="str", choices=list(STATES), default="present"),
)


def keys(*path):
    """The option names at ``path`` (``keys("nics", "user")``), in the table's order."""
    table = DOMAIN_OPTIONS
    for name in path:
        table = table[name]["options"]
    return tuple(table)
