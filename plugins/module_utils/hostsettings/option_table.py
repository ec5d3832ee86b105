# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of libvirtd's listen options and the qemu.conf keys CloudStack's setup
writes: host_config's ``libvirt`` argument spec is built from it, ``libvirtd_listen``
checks every entry by its type, and a test holds host_config's documentation and the
kvm_host role (``kvm_host_<option>`` in its defaults, vars and argument specs) to it.

A new option is one entry here, its use in ``libvirtd_listen.expand`` (and a check there
if it needs more than its type) and its description; the test names every other place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

AUTH = ("none", "sasl", "polkit")
SECURITY_DRIVERS = ("none", "apparmor", "selinux", "dac")

LIBVIRTD_OPTIONS = dict(
    listen_tcp=dict(type="bool", default=True),
    listen_tls=dict(type="bool", default=False),
    listen_addr=dict(type="str", default=""),
    tcp_port=dict(type="int", default=16509),
    tls_port=dict(type="int", default=16514),
    auth_tcp=dict(type="str", default="none", choices=list(AUTH)),
    auth_tls=dict(type="str", default="none", choices=list(AUTH)),
    tls_key_file=dict(type="path", default="/etc/pki/libvirt/private/serverkey.pem"),
    tls_cert_file=dict(type="path", default="/etc/pki/libvirt/servercert.pem"),
    tls_ca_file=dict(type="path", default="/etc/pki/CA/cacert.pem"),
    security_driver=dict(type="str", default="none", choices=list(SECURITY_DRIVERS)),
    user=dict(type="str", default="root"),
    group=dict(type="str", default="root"),
    vnc_listen=dict(type="str", default="0.0.0.0"),
)

# The kvm_host role's variable of each option is this prefix, "_" and the option's name.
ROLE_PREFIX = "kvm_host"


def keys():
    """The option names, in the table's order."""
    return tuple(LIBVIRTD_OPTIONS)


def argument_spec():
    """host_config's ``libvirt`` option."""
    return dict(type="dict", options=dict((name, dict(spec)) for name, spec in LIBVIRTD_OPTIONS.items()))
