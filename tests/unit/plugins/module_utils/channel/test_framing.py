# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""framing: what send renders, the frame header on the wire, and how replies are judged."""

from __future__ import absolute_import, division, print_function

import hashlib
from collections import OrderedDict

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import framing
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError


def sha(data):
    return hashlib.sha256(data).hexdigest()


# render ---------------------------------------------------------------------------------

def test_render_str_is_utf8_as_is():
    assert framing.render(u"a b=c\nd\u00e9\n") == u"a b=c\nd\u00e9\n".encode("utf-8")


def test_render_bytes_untouched():
    data = b"\x00\xff raw\r\n"
    assert framing.render(data) is data


def test_render_empty_string():
    assert framing.render("") == b""


def test_render_dict_key_value_lines_in_order():
    payload = OrderedDict([("zeta", "last-first"), ("alpha", "x y=z"), ("m.k-1", u"\u00fc")])
    assert framing.render(payload) == u"zeta=last-first\nalpha=x y=z\nm.k-1=\u00fc\n".encode("utf-8")


def test_render_dict_keeps_insertion_order_of_plain_dict():
    assert framing.render({"b": 1, "a": 2, "_c": 3}) == b"b=1\na=2\n_c=3\n"


@pytest.mark.parametrize("value, text", [
    (True, "true"),
    (False, "false"),
    (0, "0"),
    (42, "42"),
    (-7, "-7"),
    (1.5, "1.5"),
    (None, ""),
    ("", ""),
])
def test_render_dict_scalars(value, text):
    assert framing.render({"k": value}) == ("k=%s\n" % text).encode("ascii")


def test_render_empty_dict():
    assert framing.render({}) == b""


@pytest.mark.parametrize("key", ["bad key", "1st", "-x", ".x", "", "k=v", u"k\u00e9"])
def test_render_bad_key_names_path(key):
    with pytest.raises(framing.PayloadError) as err:
        framing.render({"ok": 1, key: "v"})
    assert err.value.path == "send.%s" % key
    assert str(err.value).startswith("send.%s: keys are letters, digits" % key)


def test_render_non_string_key():
    with pytest.raises(framing.PayloadError) as err:
        framing.render({3: "v"})
    assert err.value.path == "send.3"


def test_render_bad_key_uses_given_path():
    with pytest.raises(framing.PayloadError) as err:
        framing.render({"bad key": 1}, path="channels[0].send")
    assert err.value.path == "channels[0].send.bad key"


@pytest.mark.parametrize("value", ["one\ntwo", "one\rtwo", "trailing\n"])
def test_render_newline_in_value(value):
    with pytest.raises(framing.PayloadError) as err:
        framing.render({"a": "fine", "multi": value})
    assert err.value.path == "send.multi"
    assert "must be one line" in str(err.value)


@pytest.mark.parametrize("value, type_name", [
    ([1, 2], "list"),
    ({"x": 1}, "dict"),
    (b"bytes", "bytes"),
    ((1,), "tuple"),
])
def test_render_non_scalar_value(value, type_name):
    with pytest.raises(framing.PayloadError) as err:
        framing.render({"k": value})
    assert err.value.path == "send.k"
    assert str(err.value) == "send.k: must be a string, number or boolean, got %s" % type_name


@pytest.mark.parametrize("payload, type_name", [
    (5, "int"),
    (None, "NoneType"),
    ([b"a"], "list"),
    (True, "bool"),
])
def test_render_wrong_type(payload, type_name):
    with pytest.raises(framing.PayloadError) as err:
        framing.render(payload)
    assert err.value.path == "send"
    assert str(err.value) == "send: must be a string or a mapping, got %s" % type_name


def test_render_max_payload_is_allowed():
    data = b"x" * framing.MAX_PAYLOAD
    assert framing.render(data) == data


@pytest.mark.parametrize("payload", [
    b"x" * (framing.MAX_PAYLOAD + 1),
    "y" * (framing.MAX_PAYLOAD + 1),
    # 2 bytes per character: the limit counts bytes, not characters.
    u"\u00e9" * (framing.MAX_PAYLOAD // 2 + 1),
    {"k": "z" * framing.MAX_PAYLOAD},
])
def test_render_too_large(payload):
    with pytest.raises(framing.PayloadError) as err:
        framing.render(payload)
    assert err.value.path == "send"
    assert "at most %d can be sent" % framing.MAX_PAYLOAD in str(err.value)


def test_payload_error_is_a_virtops_error():
    assert issubclass(framing.PayloadError, VirtopsError)
    assert issubclass(framing.ReplyError, VirtopsError)


# frame ----------------------------------------------------------------------------------

def test_frame_header_and_payload():
    data = b"hello=world\n"
    assert framing.frame(data) == b"VIRTOPS-CHANNEL 1 12 " + sha(data).encode("ascii") + b"\n" + data


def test_frame_empty_payload():
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert framing.frame(b"") == ("VIRTOPS-CHANNEL 1 0 %s\n" % empty).encode("ascii")


def test_frame_length_counts_utf8_bytes():
    data = framing.render(u"gr\u00fc\u00df \u20ac")  # 6 characters, 10 bytes
    assert len(data) == 10
    header, rest = framing.frame(data).split(b"\n", 1)
    assert header == ("VIRTOPS-CHANNEL 1 10 %s" % sha(data)).encode("ascii")
    assert rest == data


def test_frame_payload_with_newlines_follows_one_header_line():
    data = b"a=1\nb=2\n\n"
    framed = framing.frame(data)
    header, rest = framed.split(b"\n", 1)
    magic, version, length, digest = header.decode("ascii").split(" ")
    assert (magic, version, int(length), digest) == ("VIRTOPS-CHANNEL", "1", 9, sha(data))
    assert rest == data


def test_digest_is_sha256_hex():
    assert framing.digest(b"abc") == sha(b"abc")


# parse_reply ----------------------------------------------------------------------------

DATA = b"key=value\n"
DIGEST = sha(DATA)


def test_parse_reply_ack():
    assert framing.parse_reply(("ACK %s\n" % DIGEST).encode("ascii"), DIGEST) == DIGEST


def test_parse_reply_ack_crlf():
    assert framing.parse_reply(("ACK %s\r\n" % DIGEST).encode("ascii"), DIGEST) == DIGEST


def test_parse_reply_ack_wrong_digest():
    other = sha(b"something else")
    with pytest.raises(framing.ReplyError) as err:
        framing.parse_reply(("ACK %s\n" % other).encode("ascii"), DIGEST)
    assert str(err.value) == "the guest acknowledged sha256 %s, but %s was sent" % (other, DIGEST)


def test_parse_reply_nak_with_reason():
    with pytest.raises(framing.ReplyError) as err:
        framing.parse_reply(b"NAK sha256 mismatch\n", DIGEST)
    assert str(err.value) == "the guest refused the payload: sha256 mismatch"


def test_parse_reply_nak_without_reason():
    with pytest.raises(framing.ReplyError) as err:
        framing.parse_reply(b"NAK \n", DIGEST)
    assert str(err.value) == "the guest refused the payload: no reason given"


@pytest.mark.parametrize("line", [
    b"hello\n",
    b"\n",
    b"ACK\n",
    b"ACK deadbeef\n",
    ("ACK %s\n" % DIGEST.upper()).encode("ascii"),
    ("ack %s\n" % DIGEST).encode("ascii"),
    b"\xff\xfe garbage\n",
])
def test_parse_reply_garbage(line):
    with pytest.raises(framing.ReplyError) as err:
        framing.parse_reply(line, DIGEST)
    assert "not ACK or NAK" in str(err.value)


def test_parse_reply_garbage_is_shortened():
    with pytest.raises(framing.ReplyError) as err:
        framing.parse_reply(b"z" * 400 + b"\n", DIGEST)
    assert str(err.value) == "the guest replied %r, not ACK or NAK" % ("z" * 80)
