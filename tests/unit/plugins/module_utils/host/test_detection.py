# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""detection.detect() over fabricated /sys, /proc, /dev and /etc trees."""

from __future__ import absolute_import, division, print_function

import errno
import os

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.host import detection
from unit_helpers import DIR, Symlink

FLAGS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
         "mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl "
         "xtopology cpuid pni pclmulqdq vmx ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe "
         "popcnt aes xsave avx f16c rdrand lahf_lm abm").split()


def cpuinfo(hypervisor_flag, vmx=True):
    flags = [f for f in FLAGS if vmx or f != "vmx"]
    if hypervisor_flag:
        flags.insert(flags.index("rdrand") + 1, "hypervisor")  # where Linux prints it
    return ("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
            "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n"
            "flags\t\t: %s\n\n" % " ".join(flags))


# Xen feature bitmaps as /sys/hypervisor/properties/features prints them ("%08x").
DOM0_FEATURES = "00000f05"
DOMU_FEATURES = "00000705"
XEN_CAPS = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_64"
KVM_MODULES = ("kvm_intel 380928 0 - Live 0x0000000000000000\n"
               "kvm 1142784 1 kvm_intel, Live 0x0000000000000000\n"
               "irqbypass 16384 1 kvm, Live 0x0000000000000000\n")
XL_INFO = """host                   : xenhost1
release                : 6.1.0-18-amd64
version                : #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)
machine                : x86_64
nr_cpus                : 4
max_cpu_id             : 3
nr_nodes               : 1
cores_per_socket       : 4
threads_per_core       : 1
cpu_mhz                : 2793.436
hw_caps                : 178bfbff:f7fa3203:2c100800:00000121:0000000f:d19b5fbb:00000008:00000100
virt_caps              : pv hvm hvm_directio pv_directio hap shadow iommu_hap_pt_share gnttab-v1 gnttab-v2
total_memory           : 8191
free_memory            : 3975
sharing_freed_memory   : 0
sharing_used_memory    : 0
outstanding_claims     : 0
free_cpus              : 0
xen_major              : 4
xen_minor              : 17
xen_extra              : .3
xen_version            : 4.17.3
xen_caps               : xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64
xen_scheduler          : credit2
xen_pagesize           : 4096
platform_params        : virt_start=0xffff800000000000
xen_changeset          :
xen_commandline        : placeholder dom0_mem=2048M,max:2048M
cc_compiler            : x86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0
cc_compile_by          : pkg-xen-devel
cc_compile_domain      : lists.alioth.debian.org
cc_compile_date        : Thu Feb 15 11:35:21 UTC 2024
build_id               : 9f1d2c4b0e6a4f5e8a7c3b2d1e0f9a8b7c6d5e4f
xend_config_format     : 4
"""


def xen_sysfs(features, guest_type="PV", extra=".3-pre"):
    return {
        "sys/hypervisor/type": "xen\n",
        "sys/hypervisor/guest_type": guest_type + "\n",
        "sys/hypervisor/properties/features": features + "\n",
        "sys/hypervisor/properties/capabilities": XEN_CAPS + "\n",
        "sys/hypervisor/version/major": "4\n",
        "sys/hypervisor/version/minor": "17\n",
        "sys/hypervisor/version/extra": extra + "\n",
    }


def xen_dom0(xenfs=True):
    files = xen_sysfs(DOM0_FEATURES)
    # Xen sets "hypervisor" in dom0 too, and hides VMX from PV domains.
    files["proc/cpuinfo"] = cpuinfo(True, vmx=False)
    if xenfs:
        files["proc/xen/capabilities"] = "control_d\n"
    else:
        files["proc/xen"] = DIR
    return files


def kvm_host(in_vm=False):
    files = {"dev/kvm": "", "proc/modules": KVM_MODULES, "proc/cpuinfo": cpuinfo(in_vm)}
    if in_vm:
        files["sys/class/dmi/id/sys_vendor"] = "QEMU\n"
        files["sys/class/dmi/id/product_name"] = "Standard PC (Q35 + ICH9, 2009)\n"
    else:
        files["sys/class/dmi/id/sys_vendor"] = "Dell Inc.\n"
        files["sys/class/dmi/id/product_name"] = "PowerEdge R640\n"
    return files


def agent_ini(port):
    return ("[general]\nuser=oracle\n\n[logging]\nlevel=INFO\n\n"
            "[server]\nip=*\nport=%d\nssl=enable\n" % port)


def no_command(args):
    raise AssertionError("run_command must not be called, was called with %r" % (args,))


def test_feature_fixtures_carry_the_intended_dom0_bit():
    assert int(DOM0_FEATURES, 16) >> 11 & 1 == 1
    assert int(DOMU_FEATURES, 16) >> 11 & 1 == 0


def test_xen_dom0_with_xenfs(make_tree):
    hv = detection.detect(make_tree(xen_dom0()))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("xen", "host", None)
    assert hv["xen"]["dom0"] is True
    assert hv["xen"]["version"] == "4.17.3-pre"
    assert hv["xen"]["xenfs_mounted"] is True
    assert hv["xen"]["xen_caps"] == ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"]
    assert hv["kvm"] is None and hv["ovm3"] is None
    for item in ("sys_hypervisor_type=xen", "proc_xen_capabilities=control_d",
                 "sys_hypervisor_features_dom0=true", "sys_hypervisor_version=4.17.3-pre",
                 "sys_hypervisor_capabilities=" + XEN_CAPS, "cpuinfo_flag=hypervisor"):
        assert item in hv["evidence"]
    assert hv["source"] == "host"


def test_xen_dom0_without_xenfs_mounted(make_tree):
    hv = detection.detect(make_tree(xen_dom0(xenfs=False)))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("xen", "host", None)
    assert hv["xen"]["dom0"] is True
    assert hv["xen"]["xenfs_mounted"] is False
    assert "proc_xen_capabilities=absent (xenfs not mounted)" in hv["evidence"]
    assert "sys_hypervisor_features_dom0=true" in hv["evidence"]


def test_xen_pv_domu(make_tree):
    files = xen_sysfs(DOMU_FEATURES, guest_type="PV")
    files.update({"proc/xen/capabilities": "", "proc/cpuinfo": cpuinfo(True, vmx=False)})
    hv = detection.detect(make_tree(files))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "guest", "xen")
    assert hv["xen"]["dom0"] is False
    assert hv["xen"]["guest_type"] == "PV"
    for item in ("sys_hypervisor_type=xen", "proc_xen_capabilities=empty",
                 "sys_hypervisor_features_dom0=false", "sys_hypervisor_guest_type=PV"):
        assert item in hv["evidence"]


@pytest.mark.parametrize("with_sysfs", [True, False], ids=["sysfs", "dmi-only"])
def test_xen_hvm_domu(make_tree, with_sysfs):
    files = xen_sysfs(DOMU_FEATURES, guest_type="HVM") if with_sysfs else {}
    files.update({"proc/cpuinfo": cpuinfo(True, vmx=False),
                  "sys/class/dmi/id/sys_vendor": "Xen\n",
                  "sys/class/dmi/id/product_name": "HVM domU\n"})
    hv = detection.detect(make_tree(files))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "guest", "xen")
    assert "cpuinfo_flag=hypervisor" in hv["evidence"]
    assert "dmi_sys_vendor=Xen" in hv["evidence"]
    if with_sysfs:
        assert hv["xen"]["guest_type"] == "HVM"
        assert "sys_hypervisor_guest_type=HVM" in hv["evidence"]
        assert "sys_hypervisor_features_dom0=false" in hv["evidence"]
    else:
        assert hv["xen"] is None


def test_kvm_host_on_bare_metal(make_tree):
    hv = detection.detect(make_tree(kvm_host()), run_command=no_command)
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("kvm", "host", None)
    assert hv["kvm"]["vendor_module"] == "kvm_intel"
    assert hv["kvm"]["accessible"] is True
    assert hv["kvm"]["device"] == "/dev/kvm"
    assert hv["xen"] is None
    assert hv["evidence"] == ["dev_kvm=accessible", "kvm_module=kvm_intel", "cpuinfo_flag=vmx"]


def test_kvm_host_that_is_itself_a_vm(make_tree):
    hv = detection.detect(make_tree(kvm_host(in_vm=True)))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("kvm", "host", "kvm")
    assert hv["kvm"]["vendor_module"] == "kvm_intel"
    for item in ("dev_kvm=accessible", "kvm_module=kvm_intel", "cpuinfo_flag=hypervisor",
                 "dmi_sys_vendor=QEMU"):
        assert item in hv["evidence"]


def test_dev_kvm_present_but_not_openable(make_tree):
    files = kvm_host()
    files["dev/kvm"] = Symlink("/nonexistent/kvm-device")
    hv = detection.detect(make_tree(files))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "none", None)
    assert hv["kvm"]["accessible"] is False
    assert "dev_kvm=present, not openable: %s" % os.strerror(errno.ENOENT) in hv["evidence"]


@pytest.mark.parametrize("rel, text, release, evidence", [
    ("etc/oracle-release", "Oracle VM server release 3.3.1\n", "3.3.1",
     "oracle_release=Oracle VM server release 3.3.1"),
    ("etc/ovs-release", "Oracle VM server release 3.4.6\n", "3.4.6",
     "ovs_release=Oracle VM server release 3.4.6"),
])
def test_ovm3_server(make_tree, rel, text, release, evidence):
    files = xen_dom0()
    files[rel] = text
    hv = detection.detect(make_tree(files))
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("ovm3", "host", None)
    assert hv["ovm3"]["release"] == release
    assert hv["ovm3"]["agent_port"] == 8899
    assert hv["xen"]["dom0"] is True
    assert evidence in hv["evidence"]
    assert "proc_xen_capabilities=control_d" in hv["evidence"]


@pytest.mark.parametrize("port", [8899, 8898])
def test_ovm3_34_agent_port_from_agent_ini(make_tree, port):
    files = xen_dom0()
    files["etc/ovs-release"] = "Oracle VM server release 3.4.6\n"
    files["etc/ovs-agent/agent.ini"] = agent_ini(port)
    hv = detection.detect(make_tree(files))
    assert (hv["type"], hv["role"]) == ("ovm3", "host")
    assert hv["ovm3"] == {"release": "3.4.6", "agent_port": port, "evidence": [
        "ovs_release=Oracle VM server release 3.4.6",
        "ovs_agent_config=/etc/ovs-agent/agent.ini"]}


def test_bare_metal_without_virtualisation(make_tree):
    root = make_tree({"proc/cpuinfo": cpuinfo(False, vmx=False),
                      "sys/class/dmi/id/sys_vendor": "Dell Inc.\n",
                      "sys/class/dmi/id/product_name": "PowerEdge R640\n"})
    hv = detection.detect(root, run_command=no_command)
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "none", None)
    assert (hv["xen"], hv["kvm"], hv["ovm3"]) == (None, None, None)
    assert hv["evidence"] == []


def test_bare_metal_with_vmx_but_no_kvm_module_says_so(make_tree):
    root = make_tree({"proc/cpuinfo": cpuinfo(False),
                      "sys/class/dmi/id/sys_vendor": "Dell Inc.\n",
                      "sys/class/dmi/id/product_name": "PowerEdge R640\n"})
    hv = detection.detect(root, run_command=no_command)
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "none", None)
    assert (hv["kvm"]["device"], hv["kvm"]["hardware_virtualization"], hv["kvm"]["usable"]) == (None, "vmx", False)
    assert hv["kvm"]["reason"] == "the CPU has vmx but kvm_intel is not loaded, so there is no /dev/kvm"
    assert hv["evidence"] == ["cpuinfo_flag=vmx"]


class FakeRunCommand(object):
    def __init__(self, result):
        self.result = result
        self.calls = []

    def __call__(self, args):
        self.calls.append(list(args))
        return self.result


def test_xl_info_through_run_command(make_tree):
    run = FakeRunCommand((0, XL_INFO, ""))
    hv = detection.detect(make_tree(xen_dom0()), run_command=run)
    assert run.calls == [["xl", "info"]]
    assert hv["xen"]["xen_caps"] == ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_32p",
                                     "hvm-3.0-x86_64"]
    assert hv["xen"]["virt_caps"] == ["pv", "hvm", "hvm_directio", "pv_directio", "hap",
                                      "shadow", "iommu_hap_pt_share", "gnttab-v1", "gnttab-v2"]
    assert hv["xen"]["version"] == "4.17.3"
    assert "xl_info" in hv["evidence"]


def test_xl_info_alone_proves_dom0_when_features_are_unreadable(make_tree):
    run = FakeRunCommand((0, XL_INFO, ""))
    hv = detection.detect(make_tree({"sys/hypervisor/type": "xen\n"}), run_command=run)
    assert (hv["type"], hv["role"]) == ("xen", "host")
    assert hv["xen"]["dom0"] is True


def test_xl_info_failure_is_ignored(make_tree):
    # Whatever xl printed before failing is not used.
    run = FakeRunCommand((1, XL_INFO, "libxl: error: libxl.c:102:libxl_ctx_alloc: cannot open libxc handle"))
    hv = detection.detect(make_tree(xen_dom0()), run_command=run)
    assert run.calls == [["xl", "info"]]
    assert hv["xen"]["xen_caps"] == ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"]
    assert hv["xen"]["virt_caps"] == []
    assert hv["xen"]["version"] == "4.17.3-pre"
    assert "xl_info" not in hv["evidence"]


def test_failed_xl_info_does_not_make_a_domu_a_host(make_tree):
    run = FakeRunCommand((1, "", "ERROR: xl must be run as root"))
    hv = detection.detect(make_tree({"sys/hypervisor/type": "xen\n"}), run_command=run)
    assert (hv["type"], hv["role"], hv["guest_of"]) == ("none", "guest", "xen")
    assert hv["xen"]["dom0"] is False


def test_a_working_dom0_is_usable(make_tree):
    hv = detection.detect(make_tree(xen_dom0()), run_command=FakeRunCommand((0, XL_INFO, "")))
    assert (hv["xen"]["usable"], hv["xen"]["reason"]) == (True, None)
    assert hv["xen"]["xl_info_error"] is None


def test_a_dom0_without_xenfs_is_not_usable_and_says_why(make_tree):
    hv = detection.detect(make_tree(xen_dom0(xenfs=False)), run_command=FakeRunCommand((0, XL_INFO, "")))
    assert hv["xen"]["dom0"] is True
    assert hv["xen"]["usable"] is False
    assert hv["xen"]["reason"] == (
        "/proc/xen/capabilities does not say control_d "
        "(sys_hypervisor_type=xen, proc_xen_capabilities=absent (xenfs not mounted))")


def test_a_failed_xl_info_is_named_with_its_last_error_line(make_tree):
    run = FakeRunCommand((1, "", "libxl: warning: something\nlibxl: error: cannot open libxc handle\n"))
    hv = detection.detect(make_tree(xen_dom0()), run_command=run)
    assert hv["xen"]["usable"] is False
    assert hv["xen"]["reason"] == "`xl info` did not succeed (exit 1: libxl: error: cannot open libxc handle)"


@pytest.mark.parametrize("run, why", [
    (None, "not run: no command runner here"),
    (FakeRunCommand(None), "xl not found"),
])
def test_xl_info_that_could_not_run_is_named(make_tree, run, why):
    hv = detection.detect(make_tree(xen_dom0()), run_command=run)
    assert hv["xen"]["reason"] == "`xl info` did not succeed (%s)" % why


def test_a_domu_is_not_a_usable_dom0_for_every_reason_at_once(make_tree):
    files = xen_sysfs(DOMU_FEATURES, guest_type="PV")
    files.update({"proc/xen/capabilities": "", "proc/cpuinfo": cpuinfo(True, vmx=False)})
    hv = detection.detect(make_tree(files), run_command=FakeRunCommand((1, "", "ERROR: xl must be run as root")))
    assert hv["xen"]["usable"] is False
    assert hv["xen"]["reason"] == (
        "/proc/xen/capabilities does not say control_d (sys_hypervisor_type=xen, "
        "proc_xen_capabilities=empty); `xl info` did not succeed (exit 1: ERROR: xl must be run as root)")


WORKING_DOM0 = {"control_d": True, "xl_info": True, "evidence": ["proc_xen_capabilities=control_d"]}


@pytest.mark.parametrize("libvirt, reason", [
    ({"uri": "xen:///system", "available": True, "driver": "xen"}, None),
    ({"uri": "xen:///system", "available": False, "error": "Failed to connect socket"},
     "xen:///system does not answer (xen:///system: Failed to connect socket)"),
    ({"uri": "qemu:///system", "available": True, "driver": "qemu"},
     "xen:///system does not answer (qemu:///system: driver qemu)"),
    ({"uri": "xen:///system", "available": True, "driver": "test"},
     "xen:///system does not answer (xen:///system: driver test)"),
])
def test_the_verdict_with_libvirts_answer(libvirt, reason):
    assert detection.xen_verdict(WORKING_DOM0, libvirt) == (reason is None, reason)


def test_the_verdict_without_libvirts_answer_counts_the_host_only():
    assert detection.xen_verdict(WORKING_DOM0) == (True, None)
    assert detection.xen_verdict(dict(WORKING_DOM0, control_d=False))[0] is False
