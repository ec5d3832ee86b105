# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hostend.send against a fake guest: a unix socket server or the master side of a pty.

The fake guest is a thread that reads one frame (header line and payload) and then
answers as the test says: ACK with the right or a wrong digest, NAK, nothing at all
(the channel closes) or never (it stays silent until the test ends).
"""

from __future__ import absolute_import, division, print_function

import errno
import hashlib
import os
import select
import socket
import threading
import time
import tty

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import framing, hostend
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError

# How long any fake guest waits for the host before it gives up (a safety net, not a
# synchronisation: a passing test never comes near it).
GUEST_PATIENCE = 5.0
CLOSE = object()   # the guest closes the channel without replying
SILENT = object()  # the guest never replies (until the test is over)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def ack(header, payload):
    return ("ACK %s\n" % sha(payload)).encode("ascii")


class FakeGuest(object):
    """Reads one frame through ``recv`` and answers through ``send`` as ``reply`` says.

    ``reply`` is bytes to write, a function (header, payload) -> bytes, CLOSE or SILENT.
    """

    def __init__(self, reply):
        self.reply = reply
        self.header = None
        self.payload = None
        self.error = None
        self.release = threading.Event()
        self.thread = None

    def start(self, target, *args):
        self.thread = threading.Thread(target=self._run, args=(target,) + args)
        self.thread.daemon = True
        self.thread.start()

    def _run(self, target, *args):
        try:
            target(*args)
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc

    def converse(self, recv, send):
        """One exchange; returns False when the caller should close without replying."""
        buf = b""
        while b"\n" not in buf:
            chunk = recv()
            if not chunk:
                raise AssertionError("the host closed before sending a header (got %r)" % buf)
            buf += chunk
        header, buf = buf.split(b"\n", 1)
        self.header = header.decode("ascii")
        length = int(self.header.split(" ")[2])
        while len(buf) < length:
            chunk = recv()
            if not chunk:
                raise AssertionError("the host closed after %d of %d payload bytes" % (len(buf), length))
            buf += chunk
        self.payload = buf[:length]
        if self.reply is CLOSE:
            return False
        if self.reply is SILENT:
            self.release.wait(GUEST_PATIENCE)
            return False
        send(self.reply(header, self.payload) if callable(self.reply) else self.reply)
        # Stay connected until the test is done with the host end.
        self.release.wait(GUEST_PATIENCE)
        return True

    def done(self):
        """Let the guest go, wait for it, and re-raise whatever went wrong in it."""
        self.release.set()
        self.thread.join(GUEST_PATIENCE * 2)
        assert not self.thread.is_alive(), "the fake guest did not finish"
        if self.error is not None:
            raise self.error
        return self

    def expect_frame(self, data):
        assert self.header == "VIRTOPS-CHANNEL 1 %d %s" % (len(data), sha(data))
        assert self.payload == data


# unix -----------------------------------------------------------------------------------

@pytest.fixture
def unix_guest(tmp_path):
    """unix_guest(reply) -> (socket path, FakeGuest) with the guest listening there."""
    started = []

    def start(reply=ack):
        path = str(tmp_path / "g.sock")
        assert len(path) < 100, "tmp_path too long for a unix socket: %s" % path
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        listener.settimeout(GUEST_PATIENCE)
        guest = FakeGuest(reply)
        started.append((guest, listener))

        def serve():
            conn = listener.accept()[0]
            try:
                conn.settimeout(GUEST_PATIENCE)
                guest.converse(lambda: conn.recv(65536), conn.sendall)
            finally:
                conn.close()
        guest.start(serve)
        return path, guest

    yield start
    for guest, listener in started:
        guest.release.set()
        guest.thread.join(GUEST_PATIENCE * 2)
        listener.close()


def test_unix_ack(unix_guest):
    path, guest = unix_guest()
    data = framing.render({"hostname": "vm1", "ip": "192.0.2.5/24"})
    assert hostend.send("unix", path, data, 5) == sha(data)
    guest.done().expect_frame(data)


@pytest.mark.parametrize("data", [b"", u"a b=c \u00e9\u20ac\n".encode("utf-8"), bytes(range(256)) * 1200],
                         ids=["empty", "utf8", "300k-binary"])
def test_unix_ack_payloads(unix_guest, data):
    path, guest = unix_guest()
    assert hostend.send("unix", path, data, 5) == sha(data)
    guest.done().expect_frame(data)


def test_unix_ack_crlf_and_more_lines(unix_guest):
    path, guest = unix_guest(lambda header, payload: ("ACK %s\r\nnoise\n" % sha(payload)).encode("ascii"))
    assert hostend.send("unix", path, b"x=1\n", 5) == sha(b"x=1\n")
    guest.done()


def test_unix_nak(unix_guest):
    path, guest = unix_guest(b"NAK sha256 mismatch\n")
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert str(err.value) == "%s: the guest refused the payload: sha256 mismatch" % path
    guest.done().expect_frame(b"x=1\n")


def test_unix_wrong_digest(unix_guest):
    wrong = sha(b"not what was sent")
    path, guest = unix_guest(("ACK %s\n" % wrong).encode("ascii"))
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert str(err.value) == "%s: the guest acknowledged sha256 %s, but %s was sent" % (
        path, wrong, sha(b"x=1\n"))
    guest.done()


def test_unix_garbage_reply(unix_guest):
    path, guest = unix_guest(b"hello there\n")
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert "not ACK or NAK" in str(err.value)
    guest.done()


def test_unix_reply_without_newline_too_long(unix_guest):
    path, guest = unix_guest(b"A" * (framing.MAX_REPLY * 3))
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert "longer than %d bytes without a newline" % framing.MAX_REPLY in str(err.value)
    guest.done()


def test_unix_closed_without_reply(unix_guest):
    path, guest = unix_guest(CLOSE)
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert str(err.value) == "%s: the channel closed before the guest replied" % path
    guest.done().expect_frame(b"x=1\n")


def assert_times_out(kind, path, guest):
    """A guest that never answers: send() gives up after its timeout, not much later."""
    start = time.monotonic()
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send(kind, path, b"x=1\n", 0.3)
    elapsed = time.monotonic() - start
    assert str(err.value) == ("%s: no reply from the guest within 0.3s (is the reader running in it?)"
                              % path)
    assert 0.3 <= elapsed < 5
    guest.done().expect_frame(b"x=1\n")


def test_unix_never_replies_times_out(unix_guest):
    path, guest = unix_guest(SILENT)
    assert_times_out("unix", path, guest)


def test_unix_missing_socket(tmp_path):
    path = str(tmp_path / "nothing.sock")
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x", 1)
    assert str(err.value).startswith("%s: cannot write to the channel's socket: " % path)
    assert os.strerror(errno.ENOENT) in str(err.value)


def test_unix_not_listening(tmp_path):
    path = str(tmp_path / "stale.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening: what a dead QEMU leaves behind
    try:
        with pytest.raises(hostend.ChannelSendError) as err:
            hostend.send("unix", path, b"x", 1)
    finally:
        stale.close()
    assert "cannot write to the channel's socket" in str(err.value)
    assert os.strerror(errno.ECONNREFUSED) in str(err.value)


def test_unknown_kind(tmp_path):
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("spiceport", str(tmp_path / "x"), b"x", 1)
    assert str(err.value) == "%s: cannot send through a 'spiceport' channel (only unix and pty)" % (
        tmp_path / "x")


def test_channel_send_error_is_a_virtops_error():
    assert issubclass(hostend.ChannelSendError, VirtopsError)


# pty ------------------------------------------------------------------------------------

class Pty(object):
    """A pty pair: the test's guest works on ``master``; hostend opens ``path`` (the slave).

    The test keeps its own slave descriptor open until the end, as a guest that has the
    port open would: with no slave open a read on the master fails with EIO at once.
    """

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)

    def recv(self):
        if not select.select([self.master], [], [], GUEST_PATIENCE)[0]:
            raise AssertionError("nothing from the host within %ss" % GUEST_PATIENCE)
        try:
            return os.read(self.master, 65536)
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise

    def send(self, data):
        while data:
            data = data[os.write(self.master, data):]

    def close_master(self):
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def close(self):
        self.close_master()
        if self.slave is not None:
            os.close(self.slave)
            self.slave = None


@pytest.fixture
def pty_guest():
    """pty_guest(reply) -> (slave path, FakeGuest, Pty) with the guest on the master."""
    started = []

    def start(reply=ack, before=None):
        pty = Pty()
        guest = FakeGuest(reply)
        started.append((guest, pty))
        if before is not None:
            before(pty)

        def serve():
            if not guest.converse(pty.recv, pty.send):
                pty.close_master()
        guest.start(serve)
        return pty.path, guest, pty

    yield start
    for guest, pty in started:
        guest.release.set()
        guest.thread.join(GUEST_PATIENCE * 2)
        pty.close()


def test_pty_ack(pty_guest):
    path, guest, _pty = pty_guest()
    data = framing.render({"hostname": "vm1", "flag": True})
    assert hostend.send("pty", path, data, 5) == sha(data)
    # The header arrived with a bare "\n" (hostend put the pty in raw mode: no CR LF).
    guest.done().expect_frame(data)


@pytest.mark.parametrize("data", [b"", b"a\r\nb\n\x03\x04\x11\x13\x7f\xff", bytes(range(256)) * 1200],
                         ids=["empty", "control-bytes", "300k-binary"])
def test_pty_ack_payloads(pty_guest, data):
    path, guest, _pty = pty_guest()
    assert hostend.send("pty", path, data, 5) == sha(data)
    guest.done().expect_frame(data)


def test_pty_discards_what_the_guest_wrote_before(pty_guest):
    def stale_reply(pty):
        tty.setraw(pty.slave)  # no echo of the stale line back to the master
        pty.send(b"NAK left over from an earlier boot\n")
    path, guest, _pty = pty_guest(before=stale_reply)
    assert hostend.send("pty", path, b"x=1\n", 5) == sha(b"x=1\n")
    guest.done().expect_frame(b"x=1\n")


def echo_then_ack(header, payload):
    """A guest tty whose reader set it raw only after the frame arrived: the line
    discipline echoed every line (ECHO, ONLCR), then the reader acknowledged."""
    echoed = b"".join(line + b"\r\n" for line in (header + b"\n" + payload).split(b"\n") if line)
    return echoed + ack(header, payload)


@pytest.mark.parametrize("data", [b"template=domP\neth0ip=169.254.3.8\n",
                                  b"authorized_key=" + b"A" * 700 + b"\n"], ids=["lines", "long-line"])
def test_pty_echo_of_the_frame_is_not_a_reply(pty_guest, data):
    path, guest, _pty = pty_guest(echo_then_ack)
    assert hostend.send("pty", path, data, 5) == sha(data)
    guest.done().expect_frame(data)


def test_pty_echo_then_nak_is_still_a_refusal(pty_guest):
    def echo_then_nak(header, payload):
        return header + b"\r\n" + b"NAK sha256 mismatch\n"
    path, guest, _pty = pty_guest(echo_then_nak)
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("pty", path, b"x=1\n", 5)
    assert "refused the payload: sha256 mismatch" in str(err.value)
    guest.done()


def test_unix_channels_skip_nothing(unix_guest):
    path, guest = unix_guest(echo_then_ack)
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("unix", path, b"x=1\n", 5)
    assert "not ACK or NAK" in str(err.value)
    guest.done()


def test_pty_nak(pty_guest):
    path, guest, _pty = pty_guest(b"NAK bad header\n")
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("pty", path, b"x=1\n", 5)
    assert str(err.value) == "%s: the guest refused the payload: bad header" % path
    guest.done()


def test_pty_wrong_digest(pty_guest):
    wrong = sha(b"other")
    path, guest, _pty = pty_guest(("ACK %s\n" % wrong).encode("ascii"))
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("pty", path, b"x=1\n", 5)
    assert "the guest acknowledged sha256 %s, but %s was sent" % (wrong, sha(b"x=1\n")) in str(err.value)
    guest.done()


def test_pty_closed_without_reply(pty_guest):
    path, guest, _pty = pty_guest(CLOSE)
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("pty", path, b"x=1\n", 5)
    assert str(err.value) == "%s: the channel closed before the guest replied" % path
    guest.done().expect_frame(b"x=1\n")


def test_pty_never_replies_times_out(pty_guest):
    path, guest, _pty = pty_guest(SILENT)
    assert_times_out("pty", path, guest)


def test_pty_missing(tmp_path):
    path = str(tmp_path / "pts-gone")
    with pytest.raises(hostend.ChannelSendError) as err:
        hostend.send("pty", path, b"x", 1)
    assert str(err.value).startswith("%s: cannot open the channel's pty: " % path)
