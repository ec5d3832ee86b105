# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What would make a start fail part-way, found before anything changes.

libvirt accepts a definition whose files, networks or bridges do not exist and fails
only at start, after earlier domains of the batch were already changed. So a spec whose
plan starts the domain is checked here first. A definition alone (state present) is not:
defining a guest before its disks exist is ordinary.

Files and bridges are looked at only on a local URI: for a remote host, the start step
reports them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import join
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError

STARTS = ("start", "start_paused")


def spec_problems(conn, libvirt, spec, local, networks):
    """SpecErrors (a list) for what a start of ``spec`` would trip over.

    ``networks`` caches libvirt's network names across the batch (None: not read yet).
    """
    path, errors = spec["path"], []
    if local:
        for key in ("kernel", "initrd"):
            if spec.get(key) and not os.path.exists(spec[key]):
                errors.append(SpecError(join(path, key), "%s does not exist on this host" % spec[key]))
        for index, disk in enumerate(spec.get("disks") or []):
            if disk["path"] and disk["type"] in ("file", "block") and not os.path.exists(disk["path"]):
                errors.append(SpecError(join(path, "disks[%d].path" % index),
                                        "%s does not exist on this host" % disk["path"]))
    for index, nic in enumerate(spec.get("nics") or []):
        where = join(path, "nics[%d].%s" % (index, nic["kind"]))
        if nic["kind"] == "network" and nic["source"] not in _networks(conn, networks):
            errors.append(SpecError(where, "libvirt has no network %s (it has: %s)"
                                    % (nic["source"], ", ".join(sorted(networks)) or "none")))
        if nic["kind"] == "bridge" and local and not os.path.isdir("/sys/class/net/%s/bridge" % nic["source"]):
            errors.append(SpecError(where, "%s is not a bridge on this host" % nic["source"]))
    return errors


def _networks(conn, cache):
    if not cache:
        try:
            cache.update(net.name() for net in conn.listAllNetworks(0))
        except Exception:  # pylint: disable=broad-except
            # Drivers without networks (libxl without the network driver): nothing to list.
            cache.add(None)
    return cache


def uuid_clash(raw_root, before_root, path):
    """Raw XML naming an existing domain by name but with another UUID: define would fail."""
    if before_root is None:
        return None
    wanted, have = raw_root.findtext("uuid"), before_root.findtext("uuid")
    if wanted and have and wanted.strip().lower() != have.strip().lower():
        return SpecError(join(path, "xml"), "<uuid> %s clashes with the existing domain %s, whose UUID is %s; "
                         "drop <uuid> or remove that domain first"
                         % (wanted.strip(), before_root.findtext("name"), have.strip()))
    return None
