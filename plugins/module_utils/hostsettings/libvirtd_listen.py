# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirtd listening as CloudStack's KVM agent needs it, in a form CloudStack's own
setup leaves working, and the qemu.conf keys that setup also writes.

``cloudstack-setup-agent`` masks libvirtd's systemd sockets on every addHost and writes
``libvirtd_opts='-l'`` to /etc/default/libvirtd, which Debian 12's unit ignores (it reads
``LIBVIRTD_ARGS``): after enrolment nothing listens (apache/cloudstack #4754, #9802,
#10667). The traditional mode is the one that survives it: the sockets masked, and
``LIBVIRTD_ARGS="--listen"``, which also drops Debian's ``--timeout 120`` so the daemon
never idles out. Re-running the setup then masks what is masked already and adds a line
nobody reads.

Validated first, with paths named as the role's variables (``kvm_host_listen_addr``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import re
import socket

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker, join, to_boolean
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostfiles import under
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import option_table

LIBVIRTD_CONF = "/etc/libvirt/libvirtd.conf"
QEMU_CONF = "/etc/libvirt/qemu.conf"
DEFAULTS = "/etc/default/libvirtd"
SOCKETS = ["libvirtd.socket", "libvirtd-ro.socket", "libvirtd-admin.socket",
           "libvirtd-tcp.socket", "libvirtd-tls.socket"]
SERVICE = "libvirtd.service"
KEYS = option_table.keys()
ACCOUNT_RE = re.compile(r"^(\+?[0-9]+|[a-z_][a-z0-9_-]*\$?)$")

# What an option must be beyond its type in the table.
PORTS = ("tcp_port", "tls_port")
ADDRESSES = ("listen_addr", "vnc_listen")
ACCOUNTS = ("user", "group")
TLS_FILES = ("tls_key_file", "tls_cert_file", "tls_ca_file")


def _address(value):
    try:
        return ipaddress.ip_address(u"%s" % value)
    except ValueError:
        return None


def _check_option(check, key, value, path, listen_tls, root):
    """``value`` of ``key`` by the table's type, then what it must be beyond that; the
    converted value, or None when it is bad."""
    option = option_table.LIBVIRTD_OPTIONS[key]
    if option.get("choices"):
        return check.choice(value, option["choices"], path, required=True)
    if option["type"] == "bool":
        return check.boolean(value, path, required=True)
    if option["type"] == "int":
        return check.integer(value, path, *((1, 65535) if key in PORTS else ()), required=True)
    if key in TLS_FILES and listen_tls:
        value = check.abspath(value, path, required=True, is_file=True)
        if value is not None and not os.path.isfile(under(root, value)):
            check.fail(path, "%s does not exist on the host; libvirtd will not start with listen_tls "
                             "without it" % value)
            return None
        return value
    value = check.text(value, path, required=True)
    if value and key in ADDRESSES and _address(value) is None:
        check.fail(path, "must be an IP address (no port, no host name), got %r" % (value,))
        return None
    if value is not None and key in ACCOUNTS and not ACCOUNT_RE.match(value):
        check.fail(path, "must be a user or group name, or +number, got %r" % (value,))
        return None
    return value


def validate(params, prefix="", root="/"):
    """``params`` (the keys of the option table) with their values converted as the
    argument spec would; SpecErrors naming every bad value otherwise. Errors name the
    role's variables (``<prefix>_<key>``), or without a prefix host_config's option."""
    check = Checker(prefix)

    def path(key):
        return check.option(key) if check.error_prefix else join("libvirt", key)

    for key in sorted(set(params) - set(KEYS)):
        check.fail(path(key), "unknown option; allowed: %s" % ", ".join(KEYS))
    try:
        listen_tls = to_boolean(params.get("listen_tls"))
    except TypeError:
        listen_tls = False  # reported with the other options; the TLS files do not matter then
    out = dict((key, _check_option(check, key, params.get(key), path(key), listen_tls, root)) for key in KEYS)
    if out["listen_tcp"] is False and out["listen_tls"] is False:
        check.fail(path("listen_tcp"), "listen_tcp or listen_tls must be true: CloudStack's management server "
                                       "and live migration reach libvirtd over the network")
    if out["listen_tcp"] and out["listen_tls"] and out["tcp_port"] is not None and out["tcp_port"] == out["tls_port"]:
        check.fail(path("tls_port"), "is the same port as %s (%r)" % (path("tcp_port"), out["tcp_port"]))
    check.raise_errors()
    return out


def endpoints(params):
    """The (address, port) pairs a client reaches libvirtd on: a wildcard listen address
    is reached on its family's loopback."""
    address = _address(params.get("listen_addr") or "0.0.0.0")
    if address.is_unspecified:
        address = _address("::1" if address.version == 6 else "127.0.0.1")
    ports = [params["tcp_port"]] if params["listen_tcp"] else []
    ports += [params["tls_port"]] if params["listen_tls"] else []
    return [(str(address), port) for port in ports]


def check_listening(endpoints):
    """Each (address, port) must accept a connection now. One attempt each: the units
    behind them were started through systemd, whose start returns once the daemon
    reports that it accepts connections."""
    problems = []
    for address, port in endpoints:
        try:
            socket.create_connection((address, port), timeout=10).close()
        except (OSError, IOError) as exc:
            problems.append("%s port %d: %s" % (address, port, exc))
    if problems:
        raise VirtopsError("libvirtd runs but does not accept connections on " + "; ".join(problems))
    return ["[%s]:%d" % (a, p) if ":" in a else "%s:%d" % (a, p) for a, p in endpoints]


def expand(params, prefix="", root="/"):
    """host_config's files, mask, restart, running units and endpoints to verify for
    ``params``, after validating them."""
    params = validate(params, prefix, root)
    conf = {"listen_tcp": params["listen_tcp"], "listen_tls": params["listen_tls"],
            "tcp_port": str(params["tcp_port"]), "tls_port": str(params["tls_port"]),
            "auth_tcp": params["auth_tcp"], "auth_tls": params["auth_tls"]}
    unset = []
    if params.get("listen_addr"):
        conf["listen_addr"] = params["listen_addr"]
    else:
        unset.append("listen_addr")
    if params["listen_tls"]:
        conf.update(key_file=params["tls_key_file"], cert_file=params["tls_cert_file"],
                    ca_file=params["tls_ca_file"])
    qemu = {"security_driver": params["security_driver"], "user": params["user"], "group": params["group"]}
    if params.get("vnc_listen"):
        qemu["vnc_listen"] = params["vnc_listen"]
    files = [
        {"path": LIBVIRTD_CONF, "syntax": "libvirt", "set": conf, "unset": unset},
        {"path": DEFAULTS, "syntax": "shell", "set": {"LIBVIRTD_ARGS": "--listen"}},
        {"path": QEMU_CONF, "syntax": "libvirt", "set": qemu},
    ]
    return {"files": files, "mask": list(SOCKETS), "restart": [SERVICE], "running": [SERVICE],
            "listening": endpoints(params)}
