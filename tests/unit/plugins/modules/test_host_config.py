# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_config's own steps: reading systemctl's answer, and the one-shot listen check."""

from __future__ import absolute_import, division, print_function

import socket

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.modules import host_config

# What systemd 252 (Debian 12) prints for two units, one of them not installed.
SHOW = ("LoadState=loaded\nUnitFileState=enabled\nActiveState=active\n\n"
        "LoadState=not-found\nUnitFileState=\nActiveState=inactive\n")


def test_systemctl_show_is_read_block_by_block_in_the_order_asked():
    states = host_config.parse_show(["libvirtd.service", "xen.service"], SHOW)
    assert states["libvirtd.service"] == {"LoadState": "loaded", "UnitFileState": "enabled", "ActiveState": "active"}
    assert states["xen.service"]["LoadState"] == "not-found"


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    yield server.getsockname()[1]
    server.close()


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on it any more
    return port


def test_a_listening_endpoint_is_reported(listener):
    assert host_config.check_listening([("127.0.0.1", listener)]) == ["127.0.0.1:%d" % listener]


def test_an_endpoint_nobody_listens_on_fails_naming_it(listener):
    port = free_port()
    with pytest.raises(VirtopsError, match=r"does not accept connections on 127\.0\.0\.1 port %d" % port):
        host_config.check_listening([("127.0.0.1", listener), ("127.0.0.1", port)])
