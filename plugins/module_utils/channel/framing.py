# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wire format between libvirt_channel's ``send`` and the guest reader.

Host to guest, one frame::

    VIRTOPS-CHANNEL 1 <length> <sha256>\\n<length bytes of payload>

Guest to host, one line: ``ACK <sha256 of what it stored>`` or ``NAK <reason>``.

The header is one text line so that a POSIX shell can read it with ``read``; the
payload is counted in bytes so that ``head -c`` takes exactly it and nothing after it.
The digest lets the host know the guest stored the bytes that were sent, not just
some bytes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import PayloadError, ReplyError

MAGIC = "VIRTOPS-CHANNEL"
VERSION = "1"
# The reader keeps the payload in a file on a small tmpfs; a boot configuration is a
# few kilobytes, so a megabyte is a generous bound that still catches mistakes.
MAX_PAYLOAD = 1024 * 1024
MAX_REPLY = 512
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
REPLY_RE = re.compile(r"^(ACK) ([0-9a-f]{64})$|^(NAK) (.*)$")


def render(payload, path="send"):
    """The payload as bytes: a string as is, a mapping as ``key=value`` lines in order."""
    if isinstance(payload, dict):
        lines = []
        for key, value in payload.items():
            if not isinstance(key, str) or not KEY_RE.match(key):
                raise PayloadError("%s.%s" % (path, key),
                                   "keys are letters, digits, '_', '.' or '-', starting with a letter or '_'")
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif value is None:
                value = ""
            elif isinstance(value, (int, float)):
                value = str(value)
            elif not isinstance(value, str):
                raise PayloadError("%s.%s" % (path, key), "must be a string, number or boolean, got %s"
                                   % type(value).__name__)
            if "\n" in value or "\r" in value:
                raise PayloadError("%s.%s" % (path, key), "must be one line (a key=value line cannot hold a newline)")
            lines.append("%s=%s\n" % (key, value))
        data = "".join(lines).encode("utf-8")
    elif isinstance(payload, str):
        data = payload.encode("utf-8")
    elif isinstance(payload, bytes):
        data = payload
    else:
        raise PayloadError(path, "must be a string or a mapping, got %s" % type(payload).__name__)
    if len(data) > MAX_PAYLOAD:
        raise PayloadError(path, "is %d bytes; at most %d can be sent" % (len(data), MAX_PAYLOAD))
    return data


def digest(data):
    return hashlib.sha256(data).hexdigest()


def frame(data):
    """The bytes to write into the channel for payload ``data``."""
    header = "%s %s %d %s\n" % (MAGIC, VERSION, len(data), digest(data))
    return header.encode("ascii") + data


def parse_reply(line, expected_digest):
    """Check the guest's reply line; return the acknowledged digest or raise ReplyError."""
    text = line.decode("utf-8", "replace").rstrip("\r\n")
    match = REPLY_RE.match(text)
    if not match:
        raise ReplyError("the guest replied %r, not ACK or NAK" % text[:80])
    if match.group(3):
        raise ReplyError("the guest refused the payload: %s" % (match.group(4) or "no reason given"))
    got = match.group(2)
    if got != expected_digest:
        raise ReplyError("the guest acknowledged sha256 %s, but %s was sent" % (got, expected_digest))
    return got
