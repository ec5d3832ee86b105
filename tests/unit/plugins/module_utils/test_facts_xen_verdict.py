# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A dom0's verdict (``xen.usable``, ``xen.reason``) in the gathered facts holds
libvirt's answer too, so that xen_host verifies with that one fact."""

from __future__ import absolute_import, division, print_function

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, facts

UNREACHABLE = "qemu+tcp://127.0.0.1:1/system"  # nothing listens on port 1
DOM0 = {"sys/hypervisor/type": "xen\n", "proc/xen/capabilities": "control_d\n"}
XL_INFO = "xen_version            : 4.17.3\nxen_caps               : xen-3.0-x86_64\nvirt_caps              : pv\n"


def xl_info(args):
    assert args == ["xl", "info"]
    return 0, XL_INFO, ""


def test_a_dom0_whose_libvirt_does_not_answer_is_not_usable(make_tree, monkeypatch):
    monkeypatch.setattr(connection, "default_uri", lambda hv_type: UNREACHABLE)
    out, _warnings = facts.gather(root=make_tree(DOM0), run_command=xl_info)
    xen = out["hypervisor"]["xen"]
    assert (xen["control_d"], xen["xl_info"]) == (True, True)
    assert xen["usable"] is False
    assert xen["reason"].startswith("xen:///system does not answer (%s: " % UNREACHABLE)


def test_libvirt_answering_for_xen_completes_the_verdict():
    out = facts.with_xen_verdict({
        "hypervisor": {"xen": {"control_d": True, "xl_info": True, "evidence": []}},
        "libvirt": {"available": True, "uri": "xen:///system", "driver": "xen"}})
    assert (out["hypervisor"]["xen"]["usable"], out["hypervisor"]["xen"]["reason"]) == (True, None)


def test_hosts_without_xen_facts_are_left_alone():
    out = facts.with_xen_verdict({"hypervisor": {"type": "kvm", "xen": None}, "libvirt": {}})
    assert out == {"hypervisor": {"type": "kvm", "xen": None}, "libvirt": {}}
    assert facts.with_xen_verdict({"hypervisor": None, "libvirt": {}})["hypervisor"] is None
