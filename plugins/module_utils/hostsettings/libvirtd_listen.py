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

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors, VirtopsError
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


def _by_type(option, value):
    """Why ``value`` does not fit the table's entry ``option``, or None."""
    if option.get("choices"):
        if value not in option["choices"]:
            return "must be one of %s, got %r" % (", ".join(option["choices"]), value)
    elif option["type"] == "bool":
        if not isinstance(value, bool):
            return "must be a boolean, got %r" % (value,)
    elif option["type"] == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be an integer, got %r" % (value,)
    elif not isinstance(value, str):
        return "must be a string, got %r" % (value,)
    return None


def _beyond_type(key, value, params, root):
    """Why ``value`` of ``key`` is refused although it has the right type, or None."""
    if key in PORTS:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
            return "must be a port number from 1 to 65535, got %r" % (value,)
    elif key in ADDRESSES:
        if value not in (None, "") and _address(value) is None:
            return "must be an IP address (no port, no host name), got %r" % (value,)
    elif key in ACCOUNTS:
        if not isinstance(value, str) or not ACCOUNT_RE.match(value):
            return "must be a user or group name, or +number, got %r" % (value,)
    elif key in TLS_FILES and params.get("listen_tls"):
        if not isinstance(value, str) or not value.startswith("/"):
            return "must be an absolute path when listen_tls is true, got %r" % (value,)
        if not os.path.isfile(under(root, value)):
            return "%s does not exist on the host; libvirtd will not start with listen_tls without it" % value
    return None


def validate(params, prefix="", root="/"):
    """Raise SpecErrors naming every bad value; ``params`` holds the keys of the option table."""
    errors = []

    def name(key):
        return "%s_%s" % (prefix, key) if prefix else "libvirt.%s" % key

    def fail(key, message):
        errors.append(SpecError(name(key), message))

    for key in sorted(set(params) - set(KEYS)):
        fail(key, "unknown option; allowed: %s" % ", ".join(KEYS))
    for key, option in option_table.LIBVIRTD_OPTIONS.items():
        value = params.get(key)
        # A port's own message says more than "an integer".
        problem = _beyond_type(key, value, params, root) if key in PORTS else (
            _by_type(option, value) or _beyond_type(key, value, params, root))
        if problem:
            fail(key, problem)
    if params.get("listen_tcp") and params.get("listen_tls") and params.get("tcp_port") == params.get("tls_port"):
        fail("tls_port", "is the same port as %s (%r)" % (name("tcp_port"), params.get("tcp_port")))
    if not params.get("listen_tcp") and not params.get("listen_tls"):
        fail("listen_tcp", "listen_tcp or listen_tls must be true: CloudStack's management server "
                           "and live migration reach libvirtd over the network")
    if errors:
        raise SpecErrors(errors)


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
    validate(params, prefix, root)
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
