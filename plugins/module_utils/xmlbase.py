# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the XML element classes: parse text safely, read attributes and values.

Only the standard library is used so that facts can be parsed on a controller or host
without lxml or libvirt-python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.parsers import expat
import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import XMLParseError


UNIT_FACTORS = {
    "b": 1, "bytes": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024 ** 2, "mib": 1024 ** 2, "mb": 1000 ** 2,
    "g": 1024 ** 3, "gib": 1024 ** 3, "gb": 1000 ** 3,
    "t": 1024 ** 4, "tib": 1024 ** 4, "tb": 1000 ** 4,
}


def parse_xml(text, source="xml"):
    """Return the root Element of ``text``; raise XMLParseError with the parser's reason."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise XMLParseError(source, "not UTF-8 text (%s)" % exc)
    if not isinstance(text, str) or not text.strip():
        raise XMLParseError(source, "empty document")
    try:
        _refuse_dtd(text, source)
    except expat.ExpatError:
        pass  # ElementTree says it better below
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise XMLParseError(source, "not well-formed XML (%s)" % exc)


def _refuse_dtd(text, source):
    """Let expat itself find a DTD (entity declarations are how an XML bomb expands, and
    libvirt never emits one), so a declaration inside a comment or CDATA is only text."""
    def refuse(*_args):
        raise XMLParseError(source, "DOCTYPE and ENTITY declarations are not accepted")
    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = refuse
    scanner.EntityDeclHandler = refuse
    scanner.Parse(text, True)


def text_of(node, path, default=None):
    """Stripped text of the first ``path`` below ``node``, or ``default``."""
    found = node.find(path) if node is not None else None
    if found is None or found.text is None:
        return default
    return found.text.strip()


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def yes_no(value):
    """libvirt spells booleans 'yes'/'no' (and sometimes 'on'/'off')."""
    if value is None:
        return None
    return value.strip().lower() in ("yes", "on", "true", "1")


def to_kib(value, unit="KiB"):
    """Convert a libvirt memory value with its unit attribute to KiB (integer)."""
    number = int_or_none(value)
    if number is None:
        return None
    factor = UNIT_FACTORS.get((unit or "KiB").lower())
    if factor is None:
        return None
    return number * factor // 1024


class XMLElement(object):
    """One libvirt XML element; subclasses name their root and implement parse_dom."""

    root_name = None

    @classmethod
    def from_xml(cls, text, source=None):
        root = parse_xml(text, source or cls.root_name)
        if cls.root_name and root.tag != cls.root_name:
            raise XMLParseError(source or cls.root_name,
                                "root element is <%s>, expected <%s>" % (root.tag, cls.root_name))
        return cls.from_dom(root)

    @classmethod
    def from_dom(cls, node):
        obj = cls()
        obj.parse_dom(node)
        return obj

    def parse_dom(self, node):
        raise NotImplementedError
