# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What this machine is (Xen dom0, KVM host, OVM3 server, guest, none), from its own evidence.

Every reading goes through ``HostTree`` rooted at ``root`` so the same code runs on a
real host and on fabricated /sys and /proc trees in tests. Every fact carries the
evidence it came from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import os
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

XENFEAT_DOM0 = 11  # xen/include/public/features.h
OVM3_AGENT_PORT = 8899
KVM_GET_API_VERSION = 0xAE00

_OVM_RELEASE = re.compile(r"Oracle VM server release\s+(\S+)", re.IGNORECASE)
_DMI_GUEST = (
    ("QEMU", "kvm"), ("KVM", "kvm"), ("Xen", "xen"), ("VMware", "vmware"),
    ("innotek", "virtualbox"), ("VirtualBox", "virtualbox"), ("Microsoft", "hyperv"),
    ("Amazon EC2", "kvm"), ("Google", "kvm"), ("OpenStack", "kvm"),
)


class HostTree(object):
    """A host's files below ``root``, read through hostfiles; values come stripped."""

    def __init__(self, root="/"):
        self.root = root

    def path(self, rel):
        return hostfiles.under(self.root, rel)

    def read(self, rel):
        text = hostfiles.read(self.path(rel))
        return None if text is None else text.strip()

    def exists(self, rel):
        return os.path.lexists(self.path(rel))

    def isdir(self, rel):
        return os.path.isdir(self.path(rel))

    def open_device(self, rel):
        """(opened, api_version or None, error text or None) for a character device."""
        try:
            fd = os.open(self.path(rel), os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            return False, None, os.strerror(exc.errno)
        try:
            try:
                import fcntl
                return True, fcntl.ioctl(fd, KVM_GET_API_VERSION), None
            except (IOError, OSError, ImportError):
                return True, None, None
        finally:
            os.close(fd)


def _parse_key_values(text, sep=":"):
    out = {}
    for line in (text or "").splitlines():
        if sep in line:
            key, value = line.split(sep, 1)
            out[key.strip()] = value.strip()
    return out


def detect_xen(tree, run_command=None):
    evidence = []
    hv_type = tree.read("/sys/hypervisor/type")
    if hv_type is not None:
        evidence.append("sys_hypervisor_type=%s" % hv_type)
    proc_xen = tree.isdir("/proc/xen")
    caps_text = tree.read("/proc/xen/capabilities")
    if caps_text is not None:
        evidence.append("proc_xen_capabilities=%s" % (caps_text or "empty"))
    elif proc_xen:
        # The directory exists as soon as the kernel runs on Xen; the file only once
        # xenfs is mounted on it.
        evidence.append("proc_xen_capabilities=absent (xenfs not mounted)")
    on_xen = hv_type == "xen" or proc_xen
    if not on_xen:
        return None, evidence

    features = tree.read("/sys/hypervisor/properties/features")
    dom0_bit = None
    if features:
        try:
            dom0_bit = bool(int(features, 16) >> XENFEAT_DOM0 & 1)
            evidence.append("sys_hypervisor_features_dom0=%s" % str(dom0_bit).lower())
        except ValueError:
            evidence.append("sys_hypervisor_features=unparsable(%s)" % features)
    control_d = caps_text is not None and "control_d" in caps_text.split()
    guest_type = tree.read("/sys/hypervisor/guest_type")
    if guest_type:
        evidence.append("sys_hypervisor_guest_type=%s" % guest_type)

    version = None
    major, minor = tree.read("/sys/hypervisor/version/major"), tree.read("/sys/hypervisor/version/minor")
    if major is not None and minor is not None:
        version = "%s.%s%s" % (major, minor, tree.read("/sys/hypervisor/version/extra") or "")
        evidence.append("sys_hypervisor_version=%s" % version)
    xen_caps = (tree.read("/sys/hypervisor/properties/capabilities") or "").split()
    if xen_caps:
        evidence.append("sys_hypervisor_capabilities=%s" % " ".join(xen_caps))
    virt_caps = []
    xl, xl_error = _xl_info(run_command)
    if xl:
        evidence.append("xl_info")
        xen_caps = xl.get("xen_caps", "").split() or xen_caps
        virt_caps = xl.get("virt_caps", "").split()
        version = xl.get("xen_version") or version

    dom0 = bool(dom0_bit or control_d or (xl and dom0_bit is None))
    xen = {
        "version": version,
        "dom0": dom0,
        "guest_type": guest_type,
        "xenfs_mounted": caps_text is not None,
        "control_d": control_d,
        "xl_info": bool(xl),
        "xl_info_error": xl_error,
        "xen_caps": xen_caps,
        "virt_caps": virt_caps,
        "hvm": xen_offers_hvm(xen_caps, virt_caps if xl else None),
        "evidence": list(evidence),
    }
    xen["usable"], xen["reason"] = xen_verdict(xen)
    return xen, evidence


# The libvirt URI and driver through which xen_host and CloudStack manage a dom0.
XEN_URI = "xen:///system"
XEN_DRIVER = "xen"


def xen_verdict(xen, libvirt=None):
    """(usable, reason): is this a dom0 whose toolstack, and libvirt's Xen driver, work?

    ``xen`` is the Xen part of the facts. ``libvirt`` is the libvirt part (uri, available,
    driver, error) when libvirt was asked; without it only the host's own evidence counts.
    Every problem found is named in ``reason``, so one failed check says everything.
    """
    problems = []
    if not xen.get("control_d"):
        # Only a mounted xenfs in the control domain says control_d; libxl needs both.
        seen = [item for item in xen.get("evidence") or ()
                if item.startswith(("proc_xen", "sys_hypervisor_type"))]
        problems.append("/proc/xen/capabilities does not say control_d (%s)"
                        % (", ".join(seen) or "no Xen evidence"))
    if not xen.get("xl_info"):
        error = xen.get("xl_info_error")
        problems.append("`xl info` did not succeed%s" % (" (%s)" % error if error else ""))
    if libvirt is not None:
        answered = (libvirt.get("available") and libvirt.get("uri") == XEN_URI
                    and libvirt.get("driver") == XEN_DRIVER)
        if not answered:
            problems.append("%s does not answer (%s: %s)" % (
                XEN_URI, libvirt.get("uri") or "",
                libvirt.get("error") or "driver %s" % (libvirt.get("driver") or "")))
    if problems:
        return False, "; ".join(problems)
    return True, None


def xen_offers_hvm(xen_caps, virt_caps=None):
    """Whether Xen can run HVM (and so PVH) guests here: it needs VT-x or AMD-V.

    ``xl info``'s virt_caps says it outright (``hvm``); without it, Xen lists an
    ``hvm-3.0-*`` ABI among its capabilities only when it can run HVM guests.
    """
    if virt_caps is not None:
        return "hvm" in virt_caps
    return any(cap.startswith("hvm-") for cap in xen_caps)


def _xl_info(run_command):
    """(``xl info`` as a dict or None, why not or None)."""
    if run_command is None:
        return None, "not run: no command runner here"
    result = run_command(["xl", "info"])
    if result is None:
        return None, "xl not found"
    rc, out, err = result
    if rc != 0:
        lines = [line.strip() for line in (err or out or "").splitlines() if line.strip()]
        return None, "exit %d%s" % (rc, ": %s" % lines[-1] if lines else "")
    return _parse_key_values(out), None


# Modules that give /dev/kvm. Only one registers it at a time, and PVM steps aside for
# the hardware ones, so the first one found is the one behind the device.
KVM_VENDOR_MODULES = ("kvm_intel", "kvm_amd", "kvm_hv", "kvm_pr", "kvm_pvm")
# What virt-host-validate reads as "hardware virtualization" on x86.
HARDWARE_VIRT_FLAGS = (("vmx", "kvm_intel"), ("svm", "kvm_amd"))


def cpu_flags(tree):
    """The first CPU's feature flags, or None where cpuinfo has no x86 flags line."""
    for line in (tree.read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return None


def _loaded_modules(tree):
    lines = (tree.read("/proc/modules") or "").split("\n")
    return set(line.split(" ", 1)[0] for line in lines if line)


def kvm_verdict(present, accessible, error, vendor, hw_flag, flags):
    """(usable, reason): can /dev/kvm run an unmodified guest for this user?"""
    if not present:
        if hw_flag and vendor is None:
            return False, "the CPU has %s but %s is not loaded, so there is no /dev/kvm" % (
                hw_flag, dict(HARDWARE_VIRT_FLAGS)[hw_flag])
        return False, "there is no /dev/kvm"
    if vendor == "kvm_pvm":
        return False, ("/dev/kvm comes from kvm_pvm (PVM), which runs only guests whose "
                       "kernel was built for PVM")
    if vendor is None and flags is not None and hw_flag is None:
        return False, ("no KVM vendor module is loaded and the CPU has neither vmx nor svm: "
                       "/dev/kvm cannot run unmodified guests")
    if not accessible:
        return False, "/dev/kvm does not open for this user: %s" % error
    return True, None


def detect_kvm(tree):
    evidence = []
    present = tree.exists("/dev/kvm")
    accessible, api_version, error = (False, None, None)
    if present:
        accessible, api_version, error = tree.open_device("/dev/kvm")
        evidence.append("dev_kvm=%s" % ("accessible" if accessible else "present, not openable: %s" % error))
    loaded = _loaded_modules(tree)
    vendor = None
    for name in KVM_VENDOR_MODULES:
        if name in loaded or tree.isdir("/sys/module/%s" % name):
            vendor = name
            evidence.append("kvm_module=%s" % name)
            break
    flags = cpu_flags(tree)
    hw_flag = next((flag for flag, _module in HARDWARE_VIRT_FLAGS if flag in (flags or ())), None)
    if hw_flag:
        evidence.append("cpuinfo_flag=%s" % hw_flag)
    elif flags is not None and (present or vendor):
        evidence.append("cpuinfo_flag=no vmx or svm")
    if not present and vendor is None and hw_flag is None:
        return None, evidence
    usable, reason = kvm_verdict(present, accessible, error, vendor, hw_flag, flags)
    return {
        "device": "/dev/kvm" if present else None,
        "accessible": accessible,
        "api_version": api_version,
        "vendor_module": vendor,
        "hardware_virtualization": hw_flag,
        "usable": usable,
        "reason": reason,
        "evidence": list(evidence),
    }, evidence


def detect_ovm3(tree):
    evidence = []
    release = None
    for rel in ("/etc/ovs-release", "/etc/oracle-release"):
        match = _OVM_RELEASE.search(tree.read(rel) or "")
        if match:
            release = match.group(1)
            evidence.append("%s=%s" % (rel.rsplit("/", 1)[1].replace("-", "_"), match.group(0)))
            break
    if release is None:
        return None, evidence
    port = OVM3_AGENT_PORT
    agent_ini = tree.read("/etc/ovs-agent/agent.ini")
    if agent_ini is not None:
        evidence.append("ovs_agent_config=/etc/ovs-agent/agent.ini")
        parser = configparser.RawConfigParser()
        try:
            parser.read_string(agent_ini)
            for section in parser.sections():
                if parser.has_option(section, "port"):
                    port = int(parser.get(section, "port"))
                    break
        except (configparser.Error, ValueError):
            evidence.append("ovs_agent_config=unparsable")
    return {"release": release, "agent_port": port, "evidence": list(evidence)}, evidence


def detect_guest(tree):
    """Evidence that this machine is itself a virtual machine, and of what."""
    evidence = []
    guest_of = None
    flags = ""
    for line in (tree.read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("flags"):
            flags = line
            break
    if " hypervisor" in flags:
        evidence.append("cpuinfo_flag=hypervisor")
    for rel in ("/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name"):
        value = tree.read(rel)
        if not value:
            continue
        for marker, kind in _DMI_GUEST:
            if marker.lower() in value.lower():
                evidence.append("dmi_%s=%s" % (rel.rsplit("/", 1)[1], value))
                guest_of = guest_of or kind
                break
    return (guest_of or ("unknown" if evidence else None)), evidence


def detect(root="/", run_command=None):
    """Return the ``hypervisor`` facts for the machine whose files are under ``root``."""
    tree = HostTree(root)
    xen, xen_ev = detect_xen(tree, run_command)
    kvm, kvm_ev = detect_kvm(tree)
    ovm3, ovm3_ev = detect_ovm3(tree)
    guest_of, guest_ev = detect_guest(tree)

    dom0 = bool(xen and xen["dom0"])
    if xen is not None:
        # Xen sets the cpuinfo "hypervisor" flag in dom0 too: alone it proves nothing
        # there, while a domU is a guest of Xen whatever DMI says.
        guest_of = (None if guest_of == "unknown" else guest_of) if dom0 else "xen"
    if ovm3 is not None:
        hv_type, role = "ovm3", "host"
    elif dom0:
        hv_type, role = "xen", "host"
    elif kvm is not None and kvm["usable"]:
        # A KVM host may itself be a VM; if /dev/kvm runs ordinary guests it hosts them.
        hv_type, role = "kvm", "host"
    elif guest_of:
        hv_type, role = "none", "guest"
    else:
        hv_type, role = "none", "none"

    return {
        "type": hv_type,
        "role": role,
        "guest_of": guest_of,
        "evidence": xen_ev + kvm_ev + ovm3_ev + guest_ev,
        "source": "host",
        "xen": xen,
        "kvm": kvm,
        "ovm3": ovm3,
    }
