"""scripts/libvirtd.sh: leases let several users share one private daemon; `stop`
stops only a daemon the script started, once no live lease is left and no domain runs.

The real daemon serves the rest of the suite, so the stop decisions are taken on a
state folder of the test's own whose "daemon" is a stand-in process: what the script
kills, or leaves alive, is then observable without stopping the real one."""
import os
import subprocess
import uuid

import pytest

TINY_DOMAIN = """<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>16</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
</domain>"""


class Holder:
    """A live process standing for a user of the daemon (or for the daemon); it ends
    when told to, or when killed. Its parent shell reaps it at once, as init reaps a
    daemon, so `tail --pid` in the script sees it go."""

    def __init__(self):
        self.proc = subprocess.Popen(["bash", "-c", "cat <&0 & echo $!; wait"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.pid = int(self.proc.stdout.readline())

    def end(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


@pytest.fixture
def state(tmp_path):
    stand_in = Holder()  # plays libvirtd: the pid the script would kill
    (tmp_path / "leases").mkdir()
    (tmp_path / "libvirtd.owner").write_text("ours\n")
    (tmp_path / "libvirtd.pid").write_text("%d\n" % stand_in.pid)
    yield tmp_path, stand_in
    if alive(stand_in):
        stand_in.end()


def alive(holder):
    return holder.proc.poll() is None


def others_running():
    out = subprocess.run(["virsh", "-q", "-c", "qemu:///system", "list", "--state-running", "--name"],
                         check=True, capture_output=True, text=True).stdout.split()
    return [n for n in out if not n.startswith("virtops-lease-test-")]


@pytest.fixture
def holders():
    made = []

    def make():
        h = Holder()
        made.append(h)
        return h
    yield make
    for h in made:
        if alive(h):
            h.end()


def test_start_takes_a_lease_and_uses_the_running_daemon(script, state, holders):
    folder = state[0]
    a = holders()
    res = script("libvirtd.sh", "start", VIRTOPS_LIBVIRTD_STATE=folder, VIRTOPS_LIBVIRTD_HOLDER=a.pid)
    assert res.returncode == 0, res.stderr
    assert "already answers" in res.stdout
    assert (folder / "leases" / str(a.pid)).exists()


def test_stop_leaves_the_daemon_to_a_live_lease(script, state, holders):
    folder, daemon = state
    a, b = holders(), holders()
    for h in (a, b):
        assert script("libvirtd.sh", "start", VIRTOPS_LIBVIRTD_STATE=folder,
                      VIRTOPS_LIBVIRTD_HOLDER=h.pid).returncode == 0
    res = script("libvirtd.sh", "stop", VIRTOPS_LIBVIRTD_STATE=folder, VIRTOPS_LIBVIRTD_HOLDER=b.pid)
    assert res.returncode == 0, res.stderr
    assert "still in use (leases: %d)" % a.pid in res.stdout
    assert alive(daemon)
    assert not (folder / "leases" / str(b.pid)).exists()


def test_lease_of_a_process_that_ended_is_dropped(script, state, holders):
    folder, daemon = state
    a = holders()
    assert script("libvirtd.sh", "start", VIRTOPS_LIBVIRTD_STATE=folder,
                  VIRTOPS_LIBVIRTD_HOLDER=a.pid).returncode == 0
    a.end()  # a test run killed without its stop
    # A recycled pid with another start time is not the holder either.
    (folder / "leases" / "1").write_text("0\n")
    expect_kept = others_running()
    res = script("libvirtd.sh", "stop", VIRTOPS_LIBVIRTD_STATE=folder, VIRTOPS_LIBVIRTD_HOLDER=os.getpid())
    assert res.returncode == 0, res.stderr
    assert not list((folder / "leases").iterdir())
    if expect_kept:
        assert "domains running" in res.stdout and alive(daemon)
    else:
        assert "stopped libvirtd" in res.stdout
        daemon.proc.wait(timeout=10)
        assert not (folder / "libvirtd.owner").exists()


def test_held_lease_lasts_until_stop_hold(script, state):
    folder, daemon = state
    assert script("libvirtd.sh", "start", "--hold", VIRTOPS_LIBVIRTD_STATE=folder).returncode == 0
    res = script("libvirtd.sh", "stop", VIRTOPS_LIBVIRTD_STATE=folder, VIRTOPS_LIBVIRTD_HOLDER=os.getpid())
    assert "still in use (leases: held)" in res.stdout and alive(daemon)
    script("libvirtd.sh", "stop", "--hold", VIRTOPS_LIBVIRTD_STATE=folder)
    assert not (folder / "leases" / "held").exists()


def test_a_running_guest_keeps_its_daemon(script, state, tmp_path):
    """A guest the demo left running must survive the test run's stop."""
    folder, daemon = state
    name = "virtops-lease-test-%s" % uuid.uuid4().hex[:8]
    xml = tmp_path / "guest.xml"
    xml.write_text(TINY_DOMAIN % name)
    subprocess.run(["virsh", "-q", "-c", "qemu:///system", "create", str(xml)], check=True, capture_output=True)
    try:
        res = script("libvirtd.sh", "stop", VIRTOPS_LIBVIRTD_STATE=folder, VIRTOPS_LIBVIRTD_HOLDER=os.getpid())
        assert res.returncode == 0, res.stderr
        assert "domains running" in res.stdout and name in res.stdout
        assert alive(daemon)
    finally:
        subprocess.run(["virsh", "-q", "-c", "qemu:///system", "destroy", name], check=False, capture_output=True)


def test_stop_of_a_daemon_it_did_not_start_does_nothing(script, tmp_path, holders):
    (tmp_path / "leases").mkdir()
    res = script("libvirtd.sh", "stop", VIRTOPS_LIBVIRTD_STATE=tmp_path, VIRTOPS_LIBVIRTD_HOLDER=os.getpid())
    assert res.returncode == 0 and res.stdout == ""


def test_the_daemons_do_not_hold_the_scripts_lock(script):
    """Started under the script's flock, a daemon that inherited the lock's descriptor
    would hold it for life, and every later start or stop would wait forever."""
    assert script("libvirtd.sh", "start").returncode == 0
    lock = os.path.realpath(os.path.join(os.environ.get("VIRTOPS_LIBVIRTD_STATE", "/run/virtops/libvirtd"), "lock"))
    holders = []
    for name in ("libvirtd", "virtlogd"):
        pids = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True, check=False).stdout.split()
        for pid in pids:
            fds = "/proc/%s/fd" % pid
            for fd in os.listdir(fds):
                try:
                    if os.readlink(os.path.join(fds, fd)) == lock:
                        holders.append((name, pid))
                except OSError:
                    continue
    assert holders == []
