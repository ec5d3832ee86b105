# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Opening libvirt connections, with libvirt's failures turned into typed errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys
from urllib.parse import urlsplit

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import (
    LibvirtCallError, LibvirtConnectionError, LibvirtUnavailableError)

DEFAULT_URIS = {"xen": "xen:///system", "ovm3": "xen:///system"}
FALLBACK_URI = "qemu:///system"


_BINDING = {}


def import_libvirt():
    """The libvirt binding, imported and quietened once per process."""
    if "module" in _BINDING:
        return _BINDING["module"]
    try:
        import libvirt  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise LibvirtUnavailableError(
            "the libvirt Python binding (libvirt-python, Debian: python3-libvirt) is "
            "required on the host that runs this module, for its interpreter %s: %s"
            % (sys.executable, exc))
    # libvirt prints every error to stderr by default; the errors reach the user
    # through our exceptions instead.
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    _BINDING["module"] = libvirt
    return libvirt


def is_remote(uri):
    """True when the URI names a host: then nothing on this machine describes it."""
    if not uri:
        return False
    return bool(urlsplit(uri).netloc)


def default_uri(hypervisor_type):
    return DEFAULT_URIS.get(hypervisor_type, FALLBACK_URI)


def open_connection(uri, readonly=False, libvirt_module=None):
    libvirt = libvirt_module or import_libvirt()
    try:
        if readonly:
            return libvirt.openReadOnly(uri)
        return libvirt.open(uri)
    except libvirt.libvirtError as exc:
        raise LibvirtConnectionError(uri, exc.get_error_message() or str(exc))


def call(conn_or_obj, method, *args, **kwargs):
    """Call a libvirt method; a libvirtError becomes LibvirtCallError naming the call
    (``what``, default the method) and carrying libvirt's error code. The one place
    libvirt's exceptions are turned into ours."""
    libvirt = import_libvirt()
    try:
        return getattr(conn_or_obj, method)(*args)
    except libvirt.libvirtError as exc:
        raise LibvirtCallError(kwargs.get("what", method), exc.get_error_message() or str(exc),
                               exc.get_error_code())


def version_string(number):
    """libvirt encodes versions as major * 1000000 + minor * 1000 + release."""
    if not number:
        return None
    return "%d.%d.%d" % (number // 1000000, number // 1000 % 1000, number % 1000)
