# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""files/virtops-channel-read, the guest-side reader, run with /bin/sh in a fake guest.

VIRTOPS_SYSFS, VIRTOPS_DEV and VIRTOPS_CMDLINE point the reader at a tree below tmp_path.
The channel device is a pty: the reader opens the slave (through ``$DEV/vport1p1`` or
VIRTOPS_CHANNEL_DEVICE) and the test plays the host on the master. Waiting for the reader
is done on what it does (its output, its reply on the pty, the termios change its
``stty raw`` makes, a FIFO it opens), never by sleeping.
"""

from __future__ import absolute_import, division, print_function

import errno
import fcntl
import glob
import hashlib
import os
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import termios
import threading
import time

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import framing, hostend

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
READER = os.path.join(REPO_ROOT, "files", "virtops-channel-read")
NAME = "org.virtops.config.0"
# Upper bound for anything the reader is waited for; passing tests take a fraction of it.
WAIT = 10.0
SH = ("/bin/sh",)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def ack_line(data):
    return ("ACK %s" % sha(data)).encode("ascii")


def _find_busybox():
    """A busybox binary, or the cached busybox-static .deb of the tiny test guest, or None."""
    found = shutil.which("busybox")
    if found:
        return "binary", found
    cache = os.path.join(REPO_ROOT, ".build", "tiny-guest", "cache")
    for path in glob.glob(os.path.join(cache, "**", "busybox"), recursive=True):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return "binary", path
    debs = sorted(glob.glob(os.path.join(cache, "busybox-static_*.deb")))
    if debs and shutil.which("dpkg-deb"):
        return "deb", debs[-1]
    return None


BUSYBOX = _find_busybox()


# The host end of the channel ---------------------------------------------------------------

class PtyHost(object):
    """A pty pair: the reader opens the slave ``path``, the test is the host on ``master``.

    The test keeps its own slave descriptor open until the end (as a guest kernel keeps the
    port): without it a read on the master fails with EIO while the reader is not there.

    The master starts in packet mode (TIOCPKT), before any reader runs: then it reads a
    TIOCPKT_NOSTOP status byte when the slave's IXON is switched off, which the reader's
    ``stty raw`` does. wait_raw() waits for that and leaves packet mode.
    """

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        os.set_blocking(self.master, False)
        fcntl.ioctl(self.master, termios.TIOCPKT, struct.pack("i", 1))
        self.buf = b""

    def wait_raw(self, timeout=WAIT):
        """Wait until the reader has run its ``stty raw -echo`` on the slave: the moment
        the host can write without its bytes being echoed or translated."""
        try:
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.master], [], [], left)[0]:
                    raise AssertionError("the reader did not put %s in raw mode within %ss" % (self.path, timeout))
                try:
                    packet = os.read(self.master, 4096)
                except BlockingIOError:
                    continue
                if packet[:1] == b"\0":
                    raise AssertionError("the reader wrote %r before setting raw mode" % packet[1:])
                if ord(packet[:1]) & termios.TIOCPKT_NOSTOP:
                    break
        finally:
            fcntl.ioctl(self.master, termios.TIOCPKT, struct.pack("i", 0))
        iflag, oflag, _cflag, lflag = termios.tcgetattr(self.slave)[:4]
        assert not lflag & (termios.ECHO | termios.ICANON | termios.ISIG)
        assert not iflag & (termios.ICRNL | termios.IXON | termios.ISTRIP)
        assert not oflag & termios.OPOST

    def write(self, data, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while data:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [self.master], [], left)[1]:
                raise AssertionError("the reader did not take %d more bytes within %ss" % (len(data), timeout))
            try:
                data = data[os.write(self.master, data):]
            except BlockingIOError:
                continue

    def read_some(self, timeout):
        if not select.select([self.master], [], [], timeout)[0]:
            return None
        try:
            return os.read(self.master, 65536)
        except BlockingIOError:
            return None
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise

    def readline(self, timeout=WAIT):
        """The reader's next reply line, without its newline."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            chunk = self.read_some(left) if left > 0 else None
            if chunk is None and time.monotonic() >= deadline:
                raise AssertionError("no reply line within %ss (got %r)" % (timeout, self.buf))
            if chunk == b"":
                raise AssertionError("the channel closed (got %r)" % self.buf)
            self.buf += chunk or b""
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def close(self):
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None


@pytest.fixture
def host():
    hosts = []

    def make():
        hosts.append(PtyHost())
        return hosts[-1]
    yield make
    for each in hosts:
        each.close()


# The fake guest: sysfs, /dev, /proc/cmdline, the output file --------------------------------

class FakeGuest(object):
    """The guest's view below ``root``: an empty sysfs and /dev, a kernel command line,
    and an output path in a directory that does not exist yet (with a space in it)."""

    def __init__(self, root):
        self.root = root
        self.sysfs = os.path.join(root, "sys")
        self.dev = os.path.join(root, "dev")
        self.cmdline = os.path.join(root, "proc-cmdline")
        self.out = os.path.join(root, "var cache", "virtops", "cmdline")  # a space on purpose
        os.makedirs(self.sysfs)
        os.makedirs(self.dev)
        with open(self.cmdline, "w") as handle:
            handle.write("console=ttyS0 a=1  b=two\n")

    def add_port(self, port, name, device=None):
        """A virtio port in sysfs named ``name``; ``$DEV/<port>`` links to ``device``."""
        os.makedirs(os.path.join(self.sysfs, "class", "virtio-ports", port))
        with open(os.path.join(self.sysfs, "class", "virtio-ports", port, "name"), "w") as handle:
            handle.write(name + "\n")
        if device is not None:
            os.symlink(device, os.path.join(self.dev, port))

    def env(self):
        env = dict(os.environ)
        env.pop("VIRTOPS_CHANNEL_DEVICE", None)
        env.update(VIRTOPS_SYSFS=self.sysfs, VIRTOPS_DEV=self.dev, VIRTOPS_CMDLINE=self.cmdline)
        return env

    def out_dir_entries(self):
        return sorted(os.listdir(os.path.dirname(self.out)))


@pytest.fixture
def fake_guest(tmp_path):
    return FakeGuest(str(tmp_path / "guest"))


@pytest.fixture
def run_reader():
    """run_reader(args, env, shell=SH) -> Popen of the reader; every one is killed at the end."""
    procs = []

    def start(args, env, shell=SH):
        proc = subprocess.Popen(list(shell) + [READER] + list(args), env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0)
        procs.append(proc)
        return proc
    yield start
    for proc in procs:
        try:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=WAIT)


def finish(proc, timeout=WAIT):
    """(exit status, stdout, stderr) of a reader that is expected to end by itself."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        raise AssertionError("the reader did not finish within %ss; stderr: %r" % (timeout, err))
    return proc.returncode, out.decode("utf-8"), err.decode("utf-8")


def read_file(path):
    with open(path, "rb") as handle:
        return handle.read()


def channel_line(data, out):
    return "source=channel bytes=%d sha256=%s file=%s\n" % (len(data), sha(data), out)


# a. no channel: the kernel command line ----------------------------------------------------

def test_no_channel_falls_back_to_cmdline(fake_guest, run_reader):
    proc = run_reader(["-o", fake_guest.out], fake_guest.env())
    rc, out, err = finish(proc)
    expected = b"console=ttyS0\na=1\nb=two\n"
    assert rc == 0, err
    assert out == "source=cmdline bytes=%d sha256=%s file=%s\n" % (len(expected), sha(expected), fake_guest.out)
    assert "no channel named %s; using the kernel command line" % NAME in err
    assert read_file(fake_guest.out) == expected
    assert stat.S_IMODE(os.stat(fake_guest.out).st_mode) == 0o600
    assert fake_guest.out_dir_entries() == ["cmdline"]


def test_no_channel_when_the_named_device_is_missing(fake_guest, run_reader):
    fake_guest.add_port("vport1p1", NAME)  # in sysfs, but no device
    env = fake_guest.env()
    env["VIRTOPS_CHANNEL_DEVICE"] = os.path.join(fake_guest.dev, "vport9p9")
    rc, out, err = finish(run_reader(["-o", fake_guest.out], env))
    assert rc == 0, err
    assert out.startswith("source=cmdline bytes=24 ")


def test_other_channel_names_are_not_taken(fake_guest, run_reader, host):
    pty = host()
    fake_guest.add_port("vport1p1", "org.qemu.guest_agent.0", pty.path)
    rc, out, err = finish(run_reader(["-o", fake_guest.out], fake_guest.env()))
    assert rc == 0, err
    assert out.startswith("source=cmdline ")


# b. a channel found through sysfs ------------------------------------------------------------

PAYLOADS = [
    pytest.param(b"hostname=vm1\nip=192.0.2.5/24\n", id="key-value"),
    pytest.param(u"greeting=hello world a=b=c gr\u00fc\u00dfe \u20ac\n  indented = x\nno newline at end"
                 .encode("utf-8"), id="spaces-equals-utf8"),
    pytest.param(b"cr\r\nctrl-c\x03 eof\x04 xon\x11 xoff\x13 del\x7f nul\x00 high\xff\n", id="control-bytes"),
    pytest.param(b"", id="empty"),
    pytest.param(bytes(range(256)) * 1200, id="300k-binary"),
]


def exchange_through_sysfs(fake_guest, run_reader, host, data, shell=SH, env=None):
    pty = host()
    fake_guest.add_port("vport0p1", "org.qemu.guest_agent.0", os.devnull)
    fake_guest.add_port("vport1p1", NAME, pty.path)
    proc = run_reader(["-o", fake_guest.out, "-t", "10"], env or fake_guest.env(), shell=shell)
    pty.wait_raw()
    pty.write(framing.frame(data))
    # Also shows that nothing was echoed back: the first line is the reply.
    assert pty.readline() == ack_line(data)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out == channel_line(data, fake_guest.out)
    assert read_file(fake_guest.out) == data
    assert stat.S_IMODE(os.stat(fake_guest.out).st_mode) == 0o600
    assert fake_guest.out_dir_entries() == ["cmdline"]


@pytest.mark.parametrize("data", PAYLOADS)
def test_channel_through_sysfs(fake_guest, run_reader, host, data):
    exchange_through_sysfs(fake_guest, run_reader, host, data)


def test_channel_through_udev_link_and_custom_name(fake_guest, run_reader, host):
    pty = host()
    os.makedirs(os.path.join(fake_guest.dev, "virtio-ports"))
    os.symlink(pty.path, os.path.join(fake_guest.dev, "virtio-ports", "org.example.boot"))
    data = b"role=router\n"
    proc = run_reader(["-n", "org.example.boot", "-o", fake_guest.out], fake_guest.env())
    pty.wait_raw()
    pty.write(framing.frame(data))
    assert pty.readline() == ack_line(data)
    rc, out, err = finish(proc)
    assert (rc, out) == (0, channel_line(data, fake_guest.out)), err
    assert read_file(fake_guest.out) == data


def test_output_path_with_a_backslash(fake_guest, run_reader, host):
    """sha256sum escapes such a file name and marks its line with a leading backslash."""
    pty = host()
    out = os.path.join(fake_guest.root, "back\\slash", "cfg")
    env = fake_guest.env()
    env["VIRTOPS_CHANNEL_DEVICE"] = pty.path
    data = b"a=1\n"
    proc = run_reader(["-o", out], env)
    pty.wait_raw()
    pty.write(framing.frame(data))
    assert pty.readline() == ack_line(data)
    rc, stdout, err = finish(proc)
    assert (rc, stdout) == (0, channel_line(data, out)), err
    assert read_file(out) == data


if BUSYBOX is not None:
    @pytest.fixture(scope="module")
    def busybox_bin(tmp_path_factory):
        """A directory of busybox applet links, to be the whole PATH of the reader."""
        kind, path = BUSYBOX
        root = tmp_path_factory.mktemp("busybox")
        if kind == "deb":
            subprocess.check_call(["dpkg-deb", "-x", path, str(root / "pkg")])
            path = str(root / "pkg" / "bin" / "busybox")
        bindir = root / "bin"
        bindir.mkdir()
        for applet in subprocess.check_output([path, "--list"]).decode("ascii").split():
            os.symlink(path, str(bindir / applet))
        return path, str(bindir)

    def test_channel_through_sysfs_with_busybox(fake_guest, run_reader, host, busybox_bin):
        path, bindir = busybox_bin
        env = fake_guest.env()
        env["PATH"] = bindir  # sha256sum, head, stty... are busybox's too
        data = u"greeting=hello world a=b=c gr\u00fc\u00dfe\n".encode("utf-8") + bytes(range(256)) * 800
        exchange_through_sysfs(fake_guest, run_reader, host, data, shell=(path, "sh"), env=env)


# c. end to end: hostend.send through a fake QEMU into the reader ---------------------------

class FakeQemu(object):
    """Listens on a unix socket and relays bytes between the accepted connection and a pty
    master whose slave is the reader's channel device, as QEMU does for a virtio port."""

    def __init__(self, sock_path, pty):
        self.pty = pty
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(sock_path)
        self.listener.listen(1)
        self.listener.settimeout(WAIT)
        self.error = None
        self.stop_r, self.stop_w = os.pipe()
        self.thread = threading.Thread(target=self._run)
        self.thread.daemon = True
        self.thread.start()

    def _run(self):
        try:
            # Hold the host's bytes back until the reader is at its read loop.
            self.pty.wait_raw()
            conn = self.listener.accept()[0]
            try:
                self._relay(conn)
            finally:
                conn.close()
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc

    def _relay(self, conn):
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            ready = select.select([conn, self.pty.master, self.stop_r], [], [], max(left, 0))[0]
            if not ready:
                raise AssertionError("relay: nothing happened within %ss" % WAIT)
            if self.stop_r in ready:
                return
            if conn in ready:
                chunk = conn.recv(65536)
                if not chunk:  # the host is done
                    return
                self.pty.write(chunk)
            if self.pty.master in ready:
                chunk = self.pty.read_some(0)
                if chunk == b"":
                    return
                if chunk:
                    conn.sendall(chunk)

    def close(self):
        os.write(self.stop_w, b"x")
        self.thread.join(WAIT)
        self.listener.close()
        os.close(self.stop_r)
        os.close(self.stop_w)
        assert not self.thread.is_alive(), "the relay did not stop"
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("payload", [
    pytest.param({"hostname": "vm1", "motd": u"hello w\u00f6rld = yes", "dhcp": False, "mtu": 9000}, id="mapping"),
    pytest.param(u"x" * 200000 + u"\n\u00e9", id="200k-text"),
])
def test_hostend_send_to_the_reader(tmp_path, fake_guest, run_reader, host, payload):
    data = framing.render(payload)
    pty = host()
    sock_path = str(tmp_path / "q.sock")
    qemu = FakeQemu(sock_path, pty)
    try:
        env = fake_guest.env()
        env["VIRTOPS_CHANNEL_DEVICE"] = pty.path
        proc = run_reader(["-o", fake_guest.out, "-t", "10"], env)
        assert hostend.send("unix", sock_path, data, WAIT) == sha(data)
        rc, out, err = finish(proc)
    finally:
        qemu.close()
    assert rc == 0, err
    assert out == channel_line(data, fake_guest.out)
    assert read_file(fake_guest.out) == data


# d. bad frames are refused, and the reader keeps waiting -----------------------------------

def bad_magic(data):
    return b"VIRTOPS-CHANNEL-X 1 1 00\n"


def bad_version(data):
    # Header only: a reader cannot know how a payload of an unknown version is framed.
    return ("VIRTOPS-CHANNEL 2 %d %s\n" % (len(data), sha(data))).encode("ascii")


def bad_length(data):
    return ("VIRTOPS-CHANNEL 1 twelve %s\n" % sha(data)).encode("ascii")


def negative_length(data):
    return ("VIRTOPS-CHANNEL 1 -5 %s\n" % sha(data)).encode("ascii")


def huge_length(data):
    # Past the shell's integer range: a plain [ "$length" -gt ... ] fails instead of comparing.
    return ("VIRTOPS-CHANNEL 1 %d %s\n" % (10 ** 19, sha(data))).encode("ascii")


def too_long(data):
    return ("VIRTOPS-CHANNEL 1 %d %s\n" % (framing.MAX_PAYLOAD + 1, sha(data))).encode("ascii")


def digest_mismatch(data):
    other = b"not this" + data
    return ("VIRTOPS-CHANNEL 1 %d %s\n" % (len(data), sha(other))).encode("ascii") + data


@pytest.mark.parametrize("bad_frame, reason", [
    (bad_magic, "bad header"),
    (bad_version, "bad header"),
    (bad_length, "bad length"),
    (negative_length, "bad length"),
    (too_long, "bad length"),
    (huge_length, "bad length"),
    (digest_mismatch, "sha256 mismatch"),
])
def test_bad_frame_is_refused_then_a_good_one_taken(fake_guest, run_reader, host, bad_frame, reason):
    pty = host()
    env = fake_guest.env()
    env["VIRTOPS_CHANNEL_DEVICE"] = pty.path
    proc = run_reader(["-o", fake_guest.out, "-t", "10"], env)
    pty.wait_raw()
    bad = b"first=attempt\n"
    pty.write(bad_frame(bad))
    assert pty.readline() == ("NAK %s" % reason).encode("ascii")
    assert not os.path.exists(fake_guest.out)
    good = b"second=attempt\n"
    pty.write(framing.frame(good))
    assert pty.readline() == ack_line(good)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out == channel_line(good, fake_guest.out)
    assert read_file(fake_guest.out) == good
    assert fake_guest.out_dir_entries() == ["cmdline"]


def test_several_bad_frames_in_a_row(fake_guest, run_reader, host):
    pty = host()
    env = fake_guest.env()
    env["VIRTOPS_CHANNEL_DEVICE"] = pty.path
    proc = run_reader(["-o", fake_guest.out, "-t", "10"], env)
    pty.wait_raw()
    pty.write(b"hello\n" + digest_mismatch(b"a=1\n") + bad_length(b"") + b"\n")
    assert [pty.readline() for _line in range(4)] == [
        b"NAK bad header", b"NAK sha256 mismatch", b"NAK bad length", b"NAK bad header"]
    pty.write(framing.frame(b"a=1\n"))
    assert pty.readline() == ack_line(b"a=1\n")
    rc, _out, err = finish(proc)
    assert rc == 0, err
    assert read_file(fake_guest.out) == b"a=1\n"


# e. a channel, but the host never sends ----------------------------------------------------

def test_silent_host_times_out(fake_guest, run_reader, host):
    pty = host()
    fake_guest.add_port("vport1p1", NAME, pty.path)
    start = time.monotonic()
    proc = run_reader(["-o", fake_guest.out, "-t", "1"], fake_guest.env())
    rc, out, err = finish(proc, timeout=8)
    elapsed = time.monotonic() - start
    assert rc == 1, err
    assert out == ""
    device = os.path.join(fake_guest.dev, "vport1p1")
    assert "channel %s (%s): nothing valid from the host within 1s" % (NAME, device) in err
    assert elapsed < 5
    assert not os.path.exists(fake_guest.out)
    assert fake_guest.out_dir_entries() == []


def test_host_not_connected_times_out(fake_guest, run_reader):
    """A virtio port whose host end is not connected reads as end-of-file at once."""
    eof_device = os.path.join(fake_guest.root, "eof-port")
    with open(eof_device, "w"):
        pass
    fake_guest.add_port("vport1p1", NAME, eof_device)
    start = time.monotonic()
    rc, out, err = finish(run_reader(["-o", fake_guest.out, "-t", "1"], fake_guest.env()), timeout=8)
    assert (rc, out) == (1, ""), err
    assert time.monotonic() - start < 5
    assert not os.path.exists(fake_guest.out)


# f. -w: a channel that appears while the reader waits (hot-plug) ---------------------------

def open_fifo_for_writing(path, timeout=WAIT):
    """Open a FIFO for writing: returns once the reader has opened it for reading."""
    result = {}
    opener = threading.Thread(target=lambda: result.update(fd=os.open(path, os.O_WRONLY)))
    opener.daemon = True
    opener.start()
    opener.join(timeout)
    if opener.is_alive():
        unblock = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        opener.join(timeout)
        os.close(unblock)
        os.close(result["fd"])
        raise AssertionError("the reader did not look at %s within %ss" % (path, timeout))
    return result["fd"]


def start_looking(fake_guest, run_reader, wait):
    """Start the reader with no channel and return once it is looking for one.

    A decoy port's name is a FIFO: the reader's ``cat`` of it blocks until the test
    opens the other end, so the test knows the reader's first look has begun (and its
    list of ports is already made).
    """
    decoy = os.path.join(fake_guest.sysfs, "class", "virtio-ports", "vport0p1")
    os.makedirs(decoy)
    os.mkfifo(os.path.join(decoy, "name"))
    proc = run_reader(["-o", fake_guest.out, "-w", str(wait), "-t", "10"], fake_guest.env())
    fifo = open_fifo_for_writing(os.path.join(decoy, "name"))
    # Later looks must not block on the decoy: it goes (the open FIFO still works).
    os.unlink(os.path.join(decoy, "name"))
    return proc, fifo


def test_wait_for_a_hot_plugged_channel(fake_guest, run_reader, host):
    proc, fifo = start_looking(fake_guest, run_reader, 10)
    pty = host()
    fake_guest.add_port("vport1p1", NAME, pty.path)  # hot-plugged after the first look began
    os.write(fifo, b"org.qemu.guest_agent.0\n")
    os.close(fifo)
    pty.wait_raw()
    data = b"plugged=late\n"
    pty.write(framing.frame(data))
    assert pty.readline() == ack_line(data)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out == channel_line(data, fake_guest.out)
    assert read_file(fake_guest.out) == data


def test_without_wait_a_late_channel_is_missed(fake_guest, run_reader, host):
    proc, fifo = start_looking(fake_guest, run_reader, 0)
    fake_guest.add_port("vport1p1", NAME, host().path)
    os.write(fifo, b"org.qemu.guest_agent.0\n")
    os.close(fifo)
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out.startswith("source=cmdline bytes=24 ")


# g. usage ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["-w", "x"],
    ["-t", "1.5"],
    ["-t", "-1"],
    ["-w", ""],
    ["-n", ""],
    ["-q"],
])
def test_bad_usage_exits_2(fake_guest, run_reader, args):
    rc, out, err = finish(run_reader(["-o", fake_guest.out] + args, fake_guest.env()))
    assert rc == 2
    assert out == ""
    assert "Usage: virtops-channel-read [-n NAME] [-o FILE] [-w SECONDS] [-t SECONDS]" in err
    assert not os.path.exists(fake_guest.out)


def test_empty_output_path_is_bad_usage(fake_guest, run_reader):
    rc, out, err = finish(run_reader(["-o", ""], fake_guest.env()))
    assert (rc, out) == (2, "")
    assert "Usage: virtops-channel-read" in err


# f. Xen: the channel is the PV console whose xenstore name matches -----------------------

XS_READ, XS_ERROR = 2, 16


class FakeXenbus(object):
    """The guest kernel's xenbus device (``$DEV/xen/xenbus``) on a raw pty: answers
    XS_READ requests from ``store`` (relative paths, as a guest's are) with xenstore's
    wire format, XS_ERROR ENOENT for anything else, and records every request."""

    def __init__(self, store):
        self.store = store
        self.requests = []
        self.master, self.slave = os.openpty()
        raw = termios.tcgetattr(self.slave)
        raw[0] = raw[1] = raw[3] = 0  # no input, output or local processing: bytes as sent
        raw[6][termios.VMIN], raw[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.slave, termios.TCSANOW, raw)
        self.path = os.ttyname(self.slave)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True
        self.thread.start()

    def _read(self, count):
        data = b""
        while len(data) < count:
            if self.stop.is_set():
                return None
            if not select.select([self.master], [], [], 0.1)[0]:
                continue
            try:
                chunk = os.read(self.master, count - len(data))
            except OSError:
                return None
            data += chunk
        return data

    def _serve(self):
        while True:
            header = self._read(16)
            if header is None:
                return
            kind, req_id, tx_id, length = struct.unpack("<IIII", header)
            payload = self._read(length)
            if payload is None:
                return
            self.requests.append((kind, tx_id, payload))
            path = payload.rstrip(b"\0").decode("ascii")
            if kind == XS_READ and path in self.store:
                reply_kind, body = XS_READ, self.store[path].encode("utf-8")
            else:
                reply_kind, body = XS_ERROR, b"ENOENT\0"
            # One write: the kernel queues a reply whole.
            os.write(self.master, struct.pack("<IIII", reply_kind, req_id, tx_id, len(body)) + body)

    def close(self):
        self.stop.set()
        self.thread.join(WAIT)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def xenbus():
    buses = []

    def make(store):
        buses.append(FakeXenbus(store))
        return buses[-1]
    yield make
    for each in buses:
        each.close()


def add_xen_console(fake_guest, number, device):
    """A xenbus console frontend in sysfs (console-N, nodename device/console/N) and its
    /dev/hvcN."""
    node = os.path.join(fake_guest.sysfs, "bus", "xen", "devices", "console-%d" % number)
    os.makedirs(node)
    with open(os.path.join(node, "nodename"), "w") as handle:
        handle.write("device/console/%d\n" % number)
    os.symlink(device, os.path.join(fake_guest.dev, "hvc%d" % number))


def xen_guest(fake_guest, xenbus, host):
    """Two extra PV consoles, the channel on the second: found by its name, not number."""
    pty = host()
    add_xen_console(fake_guest, 1, os.devnull)
    add_xen_console(fake_guest, 2, pty.path)
    bus = xenbus({"device/console/1/name": "org.example.other.0", "device/console/2/name": NAME})
    os.makedirs(os.path.join(fake_guest.dev, "xen"))
    os.symlink(bus.path, os.path.join(fake_guest.dev, "xen", "xenbus"))
    return pty, bus


def exchange_on_xen(fake_guest, run_reader, pty, env, shell=SH):
    data = b"template=domP\neth0ip=169.254.3.8\n"
    proc = run_reader(["-o", fake_guest.out, "-t", "10"], env, shell=shell)
    pty.wait_raw()
    pty.write(framing.frame(data))
    assert pty.readline() == ack_line(data)
    rc, out, err = finish(proc)
    assert (rc, out) == (0, channel_line(data, fake_guest.out)), err
    assert read_file(fake_guest.out) == data
    assert fake_guest.out_dir_entries() == ["cmdline"]


def test_xen_channel_found_by_name_through_the_xenbus_device(fake_guest, run_reader, host, xenbus):
    """No xenstore-read in a minimal guest: the reader speaks xenstore's protocol itself."""
    pty, bus = xen_guest(fake_guest, xenbus, host)
    env = fake_guest.env()
    assert shutil.which("xenstore-read", path=env["PATH"]) is None
    exchange_on_xen(fake_guest, run_reader, pty, env)
    assert bus.requests == [(XS_READ, 0, b"device/console/1/name\0"), (XS_READ, 0, b"device/console/2/name\0")]


def test_xen_console_without_a_name_is_skipped(fake_guest, run_reader, host, xenbus):
    pty = host()
    add_xen_console(fake_guest, 1, pty.path)
    bus = xenbus({})
    os.makedirs(os.path.join(fake_guest.dev, "xen"))
    os.symlink(bus.path, os.path.join(fake_guest.dev, "xen", "xenbus"))
    proc = run_reader(["-o", fake_guest.out], fake_guest.env())
    rc, out, err = finish(proc)
    assert rc == 0, err
    assert out.startswith("source=cmdline ")
    assert bus.requests == [(XS_READ, 0, b"device/console/1/name\0")]


def test_xen_channel_found_with_xenstore_read(fake_guest, run_reader, host, tmp_path):
    """Where xen-utils or xenstore-utils are installed, their xenstore-read is used."""
    pty = host()
    add_xen_console(fake_guest, 1, os.devnull)
    add_xen_console(fake_guest, 3, pty.path)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "xenstore-read"
    script.write_text("#!/bin/sh\ncase $1 in\n  device/console/3/name) echo %s ;;\n"
                      "  device/console/1/name) echo org.example.other.0 ;;\n"
                      "  *) echo \"could not read path $1\" >&2; exit 1 ;;\nesac\n" % NAME)
    script.chmod(0o755)
    env = fake_guest.env()
    env["PATH"] = "%s:%s" % (bindir, env["PATH"])
    exchange_on_xen(fake_guest, run_reader, pty, env)


if BUSYBOX is not None:
    def test_xen_channel_through_the_xenbus_device_with_busybox(
            fake_guest, run_reader, host, xenbus, busybox_bin):
        """As in the tiny test guest: busybox only (dd, od, tail, printf)."""
        path, bindir = busybox_bin
        pty, bus = xen_guest(fake_guest, xenbus, host)
        env = fake_guest.env()
        env["PATH"] = bindir
        exchange_on_xen(fake_guest, run_reader, pty, env, shell=(path, "sh"))
        assert len(bus.requests) == 2
