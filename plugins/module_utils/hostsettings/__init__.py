# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's settings as host_config writes them.

- ``config_keys``: keys in line-based configuration files (libvirt, shell, properties);
- ``option_table``: the one table of libvirtd's listen options and qemu.conf keys;
- ``libvirtd_listen``: those options checked and turned into files, masks and units;
- ``plan``: ``compute`` (validate and plan, writing nothing) and ``apply`` (the writer);
- ``systemd_units``: the unit states a plan reads, and its reloads, stops and restarts.
"""
