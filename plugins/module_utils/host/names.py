# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's own name and the fully qualified name it resolves to, as ``hostname``
and ``hostname --fqdn`` give them. CloudStack's agent setup needs the latter, and it is
the name the manager will know the host by.

The kernel's host name is read below ``root`` (so tests give it in a tree); the resolver
is passed in, ``socket.getaddrinfo`` on a host, as ``hostname --fqdn`` asks it:
the canonical name of the host name's first address.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles


def _kernel_hostname(root):
    return (hostfiles.read(hostfiles.under(root, "/proc/sys/kernel/hostname")) or "").strip() or None


def read(root="/", resolve=None):
    """{hostname, fqdn, fqdn_error}: fqdn is None, and fqdn_error says why, when the
    host name does not resolve."""
    resolve = resolve or socket.getaddrinfo
    hostname = _kernel_hostname(root)
    if hostname is None:
        return {"hostname": None, "fqdn": None, "fqdn_error": "the kernel has no host name"}
    try:
        answers = resolve(hostname, None, 0, socket.SOCK_STREAM, 0, socket.AI_CANONNAME)
    except (socket.gaierror, socket.herror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return {"hostname": hostname, "fqdn": None,
                "fqdn_error": "the host name %s does not resolve: %s" % (hostname, reason)}
    canonical = answers[0][3] if answers else ""
    return {"hostname": hostname, "fqdn": canonical or hostname, "fqdn_error": None}
