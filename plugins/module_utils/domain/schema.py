# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate domain XML against libvirt's own RelaxNG schema before anything changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SchemaUnavailableError, SpecError

SCHEMA_DIRS = ("/usr/share/libvirt/schemas", "/usr/local/share/libvirt/schemas")

_CACHE = {}


def schema_path(name="domain.rng"):
    for base in SCHEMA_DIRS:
        path = os.path.join(base, name)
        if os.path.exists(path):
            return path
    return None


def _relaxng(path):
    if path not in _CACHE:
        from lxml import etree  # pylint: disable=import-outside-toplevel
        _CACHE[path] = etree.RelaxNG(etree.parse(path))
    return _CACHE[path]


def validate_domain_xml(xml_text, path):
    """Raise SpecError(path, ...) unless ``xml_text`` validates against domain.rng."""
    rng_path = schema_path()
    if rng_path is None:
        raise SchemaUnavailableError(path, "libvirt's RelaxNG schemas are not installed in %s "
                                     "(Debian: libvirt0); set validate: false to skip" % " or ".join(SCHEMA_DIRS))
    try:
        from lxml import etree  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise SchemaUnavailableError(path, "lxml is required to validate domain XML; "
                                     "install python3-lxml or set validate: false")
    rng = _relaxng(rng_path)
    doc = etree.fromstring(xml_text.encode("utf-8"))
    if not rng.validate(doc):
        errors = "; ".join(e.message for e in rng.error_log)
        culprit = locate(rng, doc)
        where = " at %s" % culprit if culprit else ""
        raise SpecError(path, "the domain XML does not validate against libvirt's schema "
                              "(%s)%s: %s" % (rng_path, where, errors))


def locate(rng, doc, depth=4):
    """The element whose removal makes ``doc`` valid, as a path (``devices/interface[1]/sourc``).

    libvirt's schema interleaves most children, so lxml only says "Extra element devices
    in interleave"; taking one element out at a time finds the one it means, then the same
    inside it. None when no single element is to blame.
    """
    def _path(node):
        parts = []
        while node.getparent() is not None:
            parent = node.getparent()
            same = [c for c in parent if c.tag == node.tag]
            parts.append("%s[%d]" % (node.tag, same.index(node) + 1) if len(same) > 1 else node.tag)
            node = parent
        return "/".join(reversed(parts))

    def _guilty(parent, level):
        for child in list(parent):
            if not isinstance(child.tag, str):
                continue
            index = parent.index(child)
            parent.remove(child)
            valid = rng.validate(doc)
            parent.insert(index, child)
            if valid:
                inner = _guilty(child, level + 1) if level < depth else None
                return inner or _path(child)
        return None

    return _guilty(doc, 1)
