# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of structured domain specs, before anything is changed.

Every problem is reported with the path of the bad value (``domains[3].disks[0].bus``),
and all problems of all domains are reported together.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker, join
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    SpecErrors, XMLParseError)
from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import parse_xml

from ansible.module_utils.common.text.formatters import human_to_bytes

from ansible_collections.virtops.hypervisor.plugins.module_utils.domain.option_table import (  # noqa: F401
    BOOT_MODES, CHANNEL_TYPES, DISK_BUSES, DISK_DEVICES, DISK_FORMATS, DISK_TYPES, FORWARD_PROTOCOLS, GRAPHICS,
    NIC_MODELS, STATES, keys)

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
# virtio-serial port names are free text in libvirt, but the guest sees them as
# /dev/virtio-ports/<name> and Xen as a xenstore key: keep to what both accept.
CHANNEL_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,126}$")
MAC_RE = re.compile(r"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")
TARGET_RE = re.compile(r"^(vd|xvd|sd|hd)[a-z]{1,3}$")
MIN_MEMORY_KIB = 16 * 1024
# QEMU's x86_64 guests address at most 4 PiB, but no host has it: 16 TiB catches unit slips.
MAX_MEMORY_KIB = 16 * 1024 ** 3

DOMAIN_KEYS = keys()
DISK_KEYS = keys("disks")
NIC_KEYS = keys("nics")
USER_KEYS = keys("nics", "user")
FORWARD_KEYS = keys("nics", "user", "forwards")
UDP_KEYS = keys("nics", "udp")
CHANNEL_KEYS = keys("channels")


def memory_kib(value):
    """MiB as an integer, or a size with a unit as Ansible reads one ('512MiB', '0.5GiB',
    '2G', '1048576KiB'; a bare number in a string is MiB)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value * 1024
    text = str(value).strip()
    if re.match(r"^\d+(\.\d+)?$", text):
        text += "MiB"
    match = re.match(r"^(\d+(?:\.\d+)?)\s*([kmgt])(i?)(b?)$", text, re.IGNORECASE)
    if not match or (match.group(3) and not match.group(4)):
        raise ValueError(value)
    number, prefix, binary, byte = match.groups()
    if byte and not binary:
        # KB, MB, GB, TB are decimal, as in libvirt's own units.
        return int(float(number) * 1000 ** ("kmgt".index(prefix.lower()) + 1)) // 1024
    # K, KiB, M, MiB, ... are binary: human_to_bytes reads K, M, G, T so.
    return int(human_to_bytes("%s%s" % (number, prefix.upper()))) // 1024


def _disk(check, raw, path):
    if not check.mapping(raw, DISK_KEYS, path):
        return None
    disk = {
        "path": check.abspath(raw.get("path"), join(path, "path")),
        "type": check.choice(raw.get("type"), DISK_TYPES, join(path, "type"), default="auto"),
        "format": check.choice(raw.get("format"), DISK_FORMATS, join(path, "format"), default="auto"),
        "device": check.choice(raw.get("device"), DISK_DEVICES, join(path, "device"), default="disk"),
        "bus": check.choice(raw.get("bus"), DISK_BUSES, join(path, "bus"), default="auto"),
        "target": check.text(raw.get("target"), join(path, "target")),
        "readonly": check.boolean(raw.get("readonly"), join(path, "readonly"), default=False),
    }
    if raw.get("path") is None and disk["device"] == "disk":
        check.fail(join(path, "path"), "is required for a disk (only a cdrom may be empty)")
    if disk["target"] is not None and isinstance(disk["target"], str) and not TARGET_RE.match(disk["target"]):
        check.fail(join(path, "target"), "must look like vda, xvdb, sdc or hdd, got %r" % disk["target"])
    if disk["type"] == "auto" and isinstance(disk["path"], str):
        disk["type"] = "block" if disk["path"].startswith("/dev/") else "file"
    if disk["bus"] == "virtio" and disk["device"] == "cdrom":
        check.fail(join(path, "bus"), "a cdrom cannot sit on the virtio bus")
    return disk


def _nic(check, raw, path):
    if not check.mapping(raw, NIC_KEYS, path):
        return None
    kinds = [k for k in ("bridge", "network", "udp", "user") if raw.get(k) is not None]
    if len(kinds) != 1:
        check.fail(path, "needs exactly one of bridge, network, udp or user, got %s" % (", ".join(kinds) or "none"))
    nic = {"kind": kinds[0] if kinds else None,
           "source": check.text(raw.get("bridge") or raw.get("network"), join(path, kinds[0] if kinds else "bridge")),
           "udp": None,
           "user": None,
           "mac": raw.get("mac"),
           "model": check.choice(raw.get("model"), NIC_MODELS, join(path, "model"), default="auto")}
    if nic["kind"] in ("bridge", "network") and isinstance(raw.get(nic["kind"]), str) \
            and not raw[nic["kind"]].strip():
        check.fail(join(path, nic["kind"]), "must name a %s, got an empty string" % nic["kind"])
    if nic["kind"] == "udp":
        nic["udp"] = _udp(check, raw["udp"], join(path, "udp"))
    if nic["kind"] == "user":
        nic["user"] = _user(check, raw["user"], join(path, "user"))
    mac = nic["mac"]
    if mac is not None:
        if not isinstance(mac, str) or not MAC_RE.match(mac):
            check.fail(join(path, "mac"), "must look like 52:54:00:12:34:56, got %r" % (mac,))
        elif int(mac[:2], 16) & 1:
            check.fail(join(path, "mac"), "%s is a multicast address" % mac)
        else:
            nic["mac"] = mac.lower()
    return nic


def _udp(check, raw, path):
    if not check.mapping(raw, UDP_KEYS, path):
        return None
    udp = {
        "local_address": _ipv4(check, raw.get("local_address") or "127.0.0.1", join(path, "local_address")),
        "remote_address": _ipv4(check, raw.get("remote_address") or "127.0.0.1", join(path, "remote_address")),
        "local_port": check.integer(raw.get("local_port"), join(path, "local_port"), 1, 65535, required=True),
        "remote_port": check.integer(raw.get("remote_port"), join(path, "remote_port"), 1, 65535, required=True),
    }
    return udp


def _user(check, raw, path):
    """QEMU user-mode networking: host port forwards (loopback unless told otherwise), and
    ``restrict`` to cut the guest off from everything else.

    No guest forwards (``guestfwd``): libvirt's QEMU seccomp sandbox (spawn=deny) kills
    QEMU when its ``cmd:`` form runs, and the chardev form is one connection for life.
    """
    if not check.mapping(raw, USER_KEYS, path):
        return None
    forwards = []
    for index, item in enumerate(check.listing(raw.get("forwards"), join(path, "forwards"))):
        where = join(path, "forwards[%d]" % index)
        if not check.mapping(item, FORWARD_KEYS, where):
            continue
        forward = {
            "host_address": _ipv4(check, item.get("host_address") or "127.0.0.1", join(where, "host_address")),
            "host_port": _port(check, item, "host_port", where),
            "guest_port": _port(check, item, "guest_port", where),
            "protocol": check.choice(item.get("protocol"), FORWARD_PROTOCOLS, join(where, "protocol"), default="tcp"),
        }
        forwards.append(forward)
    net = _user_net(check, raw.get("net"), join(path, "net"))
    return {"forwards": forwards, "net": net,
            "restrict": check.boolean(raw.get("restrict"), join(path, "restrict"), default=False)}


def _port(check, item, key, where):
    return check.integer(item.get(key), join(where, key), 1, 65535, required=True)


def _ipv4(check, value, path):
    if value is None:
        return None
    try:
        ipaddress.IPv4Address(value if isinstance(value, str) else "")
        return value
    except ValueError:
        check.fail(path, "must be an IPv4 address, got %r" % (value,))
        return None


def _user_net(check, value, path):
    """An IPv4 network with room for QEMU's host, DNS and DHCP addresses (.2, .3, .15+)."""
    if value is None:
        return None
    try:
        net = ipaddress.IPv4Network(value if isinstance(value, str) else "", strict=True)
    except ValueError:
        check.fail(path, "must be an IPv4 network like 198.51.100.0/24, got %r" % (value,))
        return None
    if net.prefixlen > 27:
        check.fail(path, "must be a /27 or larger (QEMU hands out addresses from .15), got %s" % net)
        return None
    return str(net)


def channel_name_problem(name):
    """Why ``name`` cannot name a channel (libvirt and the guest reader both accept it), or None."""
    if not isinstance(name, str) or not CHANNEL_NAME_RE.match(name):
        return ("must be 1-127 letters, digits, '.', '_' or '-' starting with a letter or digit, got %r"
                % (name,))
    return None


def _channel(check, raw, path):
    if not check.mapping(raw, CHANNEL_KEYS, path):
        return None
    name = raw.get("name")
    problem = channel_name_problem(name)
    if problem:
        check.fail(join(path, "name"), problem)
    return {"name": name,
            "type": check.choice(raw.get("type"), CHANNEL_TYPES, join(path, "type"), default="auto"),
            "path": check.abspath(raw.get("path"), join(path, "path"))}


def _raw_xml(check, raw, path):
    try:
        root = parse_xml(raw["xml"], join(path, "xml"))
    except XMLParseError as exc:
        check.fail(join(path, "xml"), str(exc).split(": ", 1)[-1])
        return None
    if root.tag != "domain":
        check.fail(join(path, "xml"), "root element is <%s>, expected <domain>" % root.tag)
        return None
    name = (root.findtext("name") or "").strip()
    if not name:
        check.fail(join(path, "xml"), "has no <name>")
    if raw.get("name") not in (None, name):
        check.fail(join(path, "name"), "%r differs from the XML's <name> %r" % (raw.get("name"), name))
    ignored = [k for k in DOMAIN_KEYS if k not in ("xml", "name", "state", "autostart")
               and raw.get(k) not in (None, [], False)]
    if ignored:
        check.fail(path, "%s cannot be combined with xml" % ", ".join(ignored))
    return name


def validate_domain(check, raw, path):
    if not check.mapping(raw, DOMAIN_KEYS, path):
        return None
    state = check.choice(raw.get("state"), STATES, join(path, "state"), default="present")
    spec = {"path": path, "state": state,
            "autostart": check.boolean(raw.get("autostart"), join(path, "autostart"), default=None),
            "xml": raw.get("xml")}
    if raw.get("xml") is not None:
        spec["name"] = _raw_xml(check, raw, path)
        return spec
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        check.fail(join(path, "name"),
                   "must be 1-64 letters, digits, '.', '_', '+' or '-' "
                   "starting with a letter or digit, got %r" % (name,))
    spec["name"] = name
    # The keys the spec names: of an existing domain it owns those and nothing else.
    spec["given"] = sorted(k for k, v in raw.items() if v is not None)
    if state == "absent":
        return spec
    try:
        spec["memory_kib"] = memory_kib(raw.get("memory")) if raw.get("memory") is not None else None
    except ValueError:
        check.fail(join(path, "memory"),
                   "must be MiB as an integer or a size with a unit "
                   "like 512MiB or 2GiB, got %r" % (raw.get("memory"),))
        spec["memory_kib"] = None
    # Required only to define a new domain: plan() knows whether the domain exists.
    if spec["memory_kib"] is not None and spec["memory_kib"] < MIN_MEMORY_KIB:
        check.fail(join(path, "memory"), "must be at least 16 MiB")
    elif spec["memory_kib"] is not None and spec["memory_kib"] > MAX_MEMORY_KIB:
        check.fail(join(path, "memory"), "must be at most 16 TiB")
    spec["vcpus"] = check.integer(raw.get("vcpus"), join(path, "vcpus"), 1, 4096, default=1)
    spec["boot"] = check.choice(raw.get("boot"), BOOT_MODES, join(path, "boot"), default="auto")
    for key in ("arch", "domain_type", "machine", "cpu_model", "cmdline", "bootloader"):
        spec[key] = check.text(raw.get(key), join(path, key))
    if spec["domain_type"] == "auto":
        spec["domain_type"] = None
    spec["kernel"] = check.abspath(raw.get("kernel"), join(path, "kernel"))
    spec["initrd"] = check.abspath(raw.get("initrd"), join(path, "initrd"))
    if spec["kernel"] is None:
        for key in ("initrd", "cmdline"):
            if raw.get(key) is not None:
                check.fail(join(path, key), "needs kernel (direct kernel boot)")
    if spec["kernel"] is not None and spec["bootloader"] is not None:
        check.fail(join(path, "bootloader"), "cannot be combined with kernel")
    if spec["bootloader"] is not None and spec["boot"] == "hvm":
        check.fail(join(path, "bootloader"), "is for PV guests; boot is hvm")
    spec["disks"] = [_disk(check, d, join(path, "disks[%d]" % i))
                     for i, d in enumerate(check.listing(raw.get("disks"), join(path, "disks")))]
    targets = [d["target"] for d in spec["disks"] if d and d["target"] and isinstance(d["target"], str)]
    for dup in sorted(set(t for t in targets if targets.count(t) > 1)):
        check.fail(join(path, "disks"), "target %s is used twice" % dup)
    spec["nics"] = [_nic(check, n, join(path, "nics[%d]" % i))
                    for i, n in enumerate(check.listing(raw.get("nics"), join(path, "nics")))]
    macs = [n["mac"] for n in spec["nics"] if n and n["mac"] and isinstance(n["mac"], str)]
    for dup in sorted(set(m for m in macs if macs.count(m) > 1)):
        check.fail(join(path, "nics"), "MAC %s is used twice" % dup)
    spec["channels"] = [_channel(check, c, join(path, "channels[%d]" % i))
                        for i, c in enumerate(check.listing(raw.get("channels"), join(path, "channels")))]
    names = [c["name"] for c in spec["channels"] if c and isinstance(c["name"], str)]
    for dup in sorted(set(n for n in names if names.count(n) > 1)):
        check.fail(join(path, "channels"), "channel name %s is used twice" % dup)
    spec["graphics"] = check.choice(raw.get("graphics"), GRAPHICS, join(path, "graphics"), default="none")
    spec["serial_console"] = check.boolean(raw.get("serial_console"), join(path, "serial_console"), default=True)
    spec["console_log"] = check.abspath(raw.get("console_log"), join(path, "console_log"))
    if spec["console_log"] and spec["serial_console"] is False:
        check.fail(join(path, "console_log"), "needs serial_console")
    return spec


def validate(domains, base_path="domains"):
    """Validate a list of raw specs; return normalised specs or raise SpecErrors.

    With ``base_path`` None (a single domain given at the top level) paths start at
    the option itself: ``disks[0].bus``.
    """
    check = Checker()
    specs = [validate_domain(check, raw, "%s[%d]" % (base_path, i) if base_path else "")
             for i, raw in enumerate(domains)]
    names = [s["name"] for s in specs if s and s.get("name") and isinstance(s["name"], str)]
    for dup in sorted(set(n for n in names if names.count(n) > 1)):
        check.fail(base_path or "name", "domain %s is listed twice" % dup)
    if check.errors:
        raise SpecErrors(check.errors)
    return specs
