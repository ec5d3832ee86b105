# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""xmlbase: safe parsing and the small value readers every element class uses."""

from __future__ import absolute_import, division, print_function

import xml.etree.ElementTree as ET

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import XMLParseError
from ansible_collections.virtops.hypervisor.plugins.module_utils.xmlbase import (
    XMLElement, int_or_none, parse_xml, text_of, to_kib, yes_no)

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


def test_parse_text_and_bytes():
    assert parse_xml("<a><b>1</b></a>").find("b").text == "1"
    assert parse_xml(b"<a x='1'/>").get("x") == "1"
    assert parse_xml('<?xml version="1.0" encoding="UTF-8"?><a/>').tag == "a"


@pytest.mark.parametrize("text, reason", [
    (None, "empty document"),
    ("", "empty document"),
    ("\n  \n", "empty document"),
    (b"   ", "empty document"),
    ("<a>", "not well-formed XML (no element found: line 1, column 3)"),
    ("<a></b>", "not well-formed XML (mismatched tag: line 1, column 5)"),
    ("just text", "not well-formed XML (syntax error: line 1, column 0)"),
    ("<a/><b/>", "not well-formed XML (junk after document element: line 1, column 4)"),
    (BILLION_LAUGHS, "DOCTYPE and ENTITY declarations are not accepted"),
    ('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>', "DOCTYPE and ENTITY declarations are not accepted"),
    ("<!doctype a><a/>", "not well-formed XML (syntax error: line 1, column 0)"),
    ('<!ENTITY x SYSTEM "file:///etc/passwd"><a/>', "not well-formed XML (syntax error: line 1, column 0)"),
])
def test_parse_errors_name_source_and_reason(text, reason):
    with pytest.raises(XMLParseError) as info:
        parse_xml(text, "virsh capabilities output")
    assert str(info.value) == "virsh capabilities output: %s" % reason
    assert info.value.source == "virsh capabilities output"


class Thing(XMLElement):
    root_name = "thing"

    def parse_dom(self, node):
        self.name = node.get("name")


def test_root_element_is_checked():
    assert Thing.from_xml("<thing name='t'/>").name == "t"
    with pytest.raises(XMLParseError) as info:
        Thing.from_xml("<other/>")
    assert str(info.value) == "thing: root element is <other>, expected <thing>"


def test_text_of():
    node = ET.fromstring("<a><b>  padded \n</b><c/><d><e>deep</e></d></a>")
    assert text_of(node, "b") == "padded"
    assert text_of(node, "c") is None
    assert text_of(node, "c", "dflt") == "dflt"
    assert text_of(node, "missing", "dflt") == "dflt"
    assert text_of(node, "d/e") == "deep"
    assert text_of(None, "b") is None


@pytest.mark.parametrize("value, out", [("42", 42), ("-1", -1), (" 7 ", 7), ("x", None),
                                        (None, None), ("", None), ("1.5", None)])
def test_int_or_none(value, out):
    assert int_or_none(value) == out


@pytest.mark.parametrize("value, out", [("yes", True), ("no", False), ("on", True),
                                        ("off", False), (" YES ", True), (None, None)])
def test_yes_no(value, out):
    assert yes_no(value) is out


@pytest.mark.parametrize("value, unit, kib", [
    ("5204180", "KiB", 5204180), ("5204180", None, 5204180), ("2", "MiB", 2048),
    ("1", "GiB", 1048576), ("1", "G", 1048576), ("1", "TiB", 1024 ** 3),
    ("2048", "b", 2), ("2048", "bytes", 2), ("1", "MB", 976), ("3", "KB", 2),
    ("1", "furlongs", None), ("lots", "KiB", None),
])
def test_to_kib(value, unit, kib):
    assert to_kib(value, unit) == kib


def test_a_declaration_inside_a_comment_is_only_text():
    assert parse_xml("<a><!-- <!DOCTYPE x> --><![CDATA[<!ENTITY y 'z'>]]></a>").tag == "a"
