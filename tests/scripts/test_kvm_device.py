"""scripts/kvm-device.sh gives /dev/kvm udev's Debian permissions where no udev runs,
and with them libvirtd's QEMU capabilities cache stays valid from call to call."""
import glob
import grp
import os
import stat
import subprocess

import pytest

CACHE = "/var/cache/libvirt/qemu/capabilities"


@pytest.fixture
def fake_kvm(tmp_path):
    # A real character node with /dev/kvm's numbers, so chgrp/chmod act as on the real one.
    node = tmp_path / "kvm"
    os.mknod(str(node), 0o600 | stat.S_IFCHR, os.makedev(10, 232))
    return node


def owner_mode(path):
    st = os.stat(str(path))
    return grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)


def test_fix_gives_udev_permissions(script, fake_kvm):
    assert owner_mode(fake_kvm) == ("root", 0o600)
    res = script("kvm-device.sh", "fix", VIRTOPS_KVM_DEVICE=fake_kvm)
    assert res.returncode == 0, res.stderr
    if os.path.exists("/run/udev/control"):
        assert owner_mode(fake_kvm) == ("root", 0o600), "udev runs: its rules decide"
    else:
        assert owner_mode(fake_kvm) == ("kvm", 0o660)


def test_fix_is_idempotent_and_fresh_restores(script, fake_kvm):
    for _attempt in range(2):
        assert script("kvm-device.sh", "fix", VIRTOPS_KVM_DEVICE=fake_kvm).returncode == 0
    assert script("kvm-device.sh", "fresh", VIRTOPS_KVM_DEVICE=fake_kvm).returncode == 0
    assert owner_mode(fake_kvm) == ("root", 0o600)


def test_missing_device_is_not_an_error(script, tmp_path):
    res = script("kvm-device.sh", "fix", VIRTOPS_KVM_DEVICE=tmp_path / "none")
    assert res.returncode == 0, res.stderr


def test_unknown_command(script):
    res = script("kvm-device.sh", "frob")
    assert res.returncode == 2 and "usage" in res.stderr


def _cache_state():
    return {p: (os.stat(p).st_ino, os.stat(p).st_mtime_ns) for p in glob.glob(CACHE + "/*.xml")}


def _domcapabilities():
    subprocess.run(["virsh", "-q", "-c", "qemu:///system", "domcapabilities", "--virttype", "qemu"],
                   check=True, capture_output=True)


def test_qemu_capabilities_cache_stays_valid_across_calls():
    """On a fresh machine /dev/kvm is root:root 0600; libvirtd probes QEMU as root but
    checks the node as the QEMU user, and without the fix every call re-probes QEMU
    and rewrites this cache file."""
    _domcapabilities()  # settles a cache made before the node's permissions changed
    before = _cache_state()
    assert before, "libvirtd keeps no QEMU capabilities cache in %s" % CACHE
    for _attempt in range(3):
        _domcapabilities()
    assert _cache_state() == before, "libvirtd re-probed QEMU: its capabilities cache was rewritten"
