# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets a domain's XML carries, and their masking in everything the module returns.

libvirt hands out graphics passwords only with VIR_DOMAIN_XML_SECURE, which the module
needs to compare a definition that has one; the kernel command line carries system VMs'
boot secrets. Both are masked in returned XML and diffs by a tag keyed with a secret
made for this run: equal values mask equally within one result (so a diff shows whether
they changed), and no log lets anyone test guesses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import os
import re
import xml.etree.ElementTree as ET

# passwd='...' (libvirt's quoting) or passwd="..." inside a <graphics> start tag.
_GRAPHICS_PASSWD = re.compile(r"(<graphics\b[^>]*?\bpasswd=)(['\"])(.*?)\2", re.DOTALL)
_CMDLINE = re.compile(r"(<cmdline>)(.*?)(</cmdline>)", re.DOTALL)


class Masker(object):
    def __init__(self, key=None):
        self.key = key or os.urandom(32)

    def tag(self, value):
        digest = hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
        return "********:%s" % digest

    def xml(self, text):
        if not text:
            return text
        text = _GRAPHICS_PASSWD.sub(lambda m: m.group(1) + m.group(2) + self.tag(m.group(3)) + m.group(2), text)
        return _CMDLINE.sub(lambda m: m.group(1) + self.tag(m.group(2)) + m.group(3), text)

    def result(self, entry):
        """A domain's result entry with its XML (and diff, if any) masked, in place."""
        entry["xml"] = self.xml(entry.get("xml"))
        diff = entry.get("diff")
        if diff:
            diff["before"], diff["after"] = self.xml(diff["before"]), self.xml(diff["after"])
        return entry


def secret_values(raw_domains):
    """The strings of the given specs that are secrets: cmdlines and graphics passwords."""
    found = set()
    for raw in raw_domains:
        if not isinstance(raw, dict):
            continue
        if isinstance(raw.get("cmdline"), str) and raw["cmdline"]:
            found.add(raw["cmdline"])
        text = raw.get("xml")
        if isinstance(text, str) and text:
            try:
                root = ET.fromstring(text)
            except ET.ParseError:
                continue
            found.update(g.get("passwd") for g in root.iter("graphics") if g.get("passwd"))
            found.update(c.text for c in root.iter("cmdline") if c.text)
    return found
