# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write one framed payload into a channel's host end and wait for the guest's reply.

The host end is what libvirt reports in the live XML: a unix socket QEMU listens on
(``<source mode='bind' path=…/>``) or a pty (``<source path='/dev/pts/N'/>``). Both are
local files, so this runs on the hypervisor host. Waiting is one blocking read bounded
by the deadline (``select``), not a retry loop.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import select
import socket
import time

try:
    import termios
    import tty
except ImportError:  # pragma: no cover - not a POSIX host
    termios = tty = None

from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import framing
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import ChannelSendError


class _Deadline(object):
    def __init__(self, timeout):
        self.timeout = timeout
        self.end = time.monotonic() + timeout

    def left(self):
        return max(0.0, self.end - time.monotonic())


def _read_line(read, wait, deadline, where, skip=frozenset()):
    """Bytes up to and including the first newline, within the deadline; lines that are
    in ``skip`` (compared without a trailing CR) are passed over."""
    limit = max([framing.MAX_REPLY] + [len(line) + 1 for line in skip])
    buf = b""
    while True:
        while b"\n" not in buf:
            if len(buf) > limit:
                raise ChannelSendError("%s: the guest's reply is longer than %d bytes without a newline"
                                       % (where, limit))
            if not wait(deadline.left()):
                raise ChannelSendError("%s: no reply from the guest within %ss (is the reader running in it?)"
                                       % (where, deadline.timeout))
            chunk = read()
            if chunk is None:  # woken without data (possible with select); wait again
                continue
            if not chunk:
                raise ChannelSendError("%s: the channel closed before the guest replied" % where)
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        if line.rstrip(b"\r") not in skip:
            return line + b"\n"


def _via_unix(path, data, deadline):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(deadline.left() or 0.001)
        try:
            sock.connect(path)
            sock.sendall(framing.frame(data))
        except (OSError, socket.error) as exc:
            raise ChannelSendError("%s: cannot write to the channel's socket: %s" % (path, exc))
        sock.setblocking(False)

        def wait(left):
            return bool(select.select([sock], [], [], left)[0])

        def read():
            try:
                return sock.recv(framing.MAX_REPLY)
            except (OSError, socket.error) as exc:
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return None
                raise ChannelSendError("%s: %s" % (path, exc))
        return _read_line(read, wait, deadline, path)
    finally:
        sock.close()


def _via_pty(path, data, deadline):
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError as exc:
        raise ChannelSendError("%s: cannot open the channel's pty: %s" % (path, exc))
    try:
        # A pty's line discipline would echo the guest's reply back to it and turn our
        # newlines into CR LF; raw mode passes bytes through untouched.
        tty.setraw(fd)
        # Whatever the guest wrote before we came is not a reply to this payload.
        termios.tcflush(fd, termios.TCIFLUSH)
        out = framing.frame(data)
        # The guest end of a pty channel is a tty too (a Xen PV console, /dev/hvcN): what
        # reaches it before the guest's reader has set it raw comes back as an echo, line
        # by line, with CR LF. Those lines are ours, not the reply.
        echo = frozenset(line.rstrip(b"\r") for line in out.split(b"\n") if line)
        while out:
            if not select.select([], [fd], [], deadline.left())[1]:
                raise ChannelSendError("%s: the channel did not take the payload within %ss"
                                       % (path, deadline.timeout))
            try:
                out = out[os.write(fd, out):]
            except OSError as exc:
                if exc.errno != errno.EAGAIN:
                    raise ChannelSendError("%s: cannot write to the channel's pty: %s" % (path, exc))

        def wait(left):
            return bool(select.select([fd], [], [], left)[0])

        def read():
            try:
                return os.read(fd, framing.MAX_REPLY)
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    return None
                if exc.errno == errno.EIO:  # the other end (the hypervisor) closed
                    return b""
                raise ChannelSendError("%s: %s" % (path, exc))
        return _read_line(read, wait, deadline, path, skip=echo)
    finally:
        os.close(fd)


def send(kind, path, data, timeout):
    """Frame ``data``, write it to the ``kind`` ('unix' or 'pty') host end at ``path``,
    and return the digest the guest acknowledged; raise ChannelSendError otherwise."""
    deadline = _Deadline(timeout)
    if kind == "unix":
        reply = _via_unix(path, data, deadline)
    elif kind == "pty":
        reply = _via_pty(path, data, deadline)
    else:
        raise ChannelSendError("%s: cannot send through a '%s' channel (only unix and pty)" % (path, kind))
    try:
        return framing.parse_reply(reply, framing.digest(data))
    except framing.ReplyError as exc:
        raise ChannelSendError("%s: %s" % (path, exc))
