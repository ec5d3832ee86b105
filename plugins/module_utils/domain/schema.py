# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate domain XML against libvirt's own RelaxNG schema before anything changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError

SCHEMA_DIRS = ("/usr/share/libvirt/schemas", "/usr/local/share/libvirt/schemas")

_CACHE = {}


class SchemaUnavailableError(SpecError):
    pass


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
        errors = "; ".join("line %d: %s" % (e.line, e.message) for e in rng.error_log)
        raise SpecError(path, "the domain XML does not validate against libvirt's schema "
                              "(%s): %s" % (rng_path, errors))
