# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way a domain's persistent definition is read for editing and defined again.

A definition read without VIR_DOMAIN_XML_SECURE lacks the graphics passwords, and
defining it again removes them: every reader here asks for the secrets. A plan made from
one reading is defined only while the domain still holds that reading; when another
client changed it in between, the caller's ``replan`` plans again from what is there
now, so that client's change is not overwritten.

``edit()`` plans an edit of an existing domain (its result is a :class:`Redefinition`);
``define()`` carries out a plan, the executor's of a whole spec or an edit's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import merge, schema, service
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import ConcurrentChangeError, LibvirtCallError

# How often a domain that another client defined or changed between our plan and our
# define is read and planned again before giving up.
REPLAN_LIMIT = 3


def read(libvirt, dom):
    """``dom``'s persistent definition with its secrets, as libvirt stores it."""
    return connection.call(dom, "XMLDesc", service.inactive_secure(libvirt))


def current(conn, libvirt, name):
    """The persistent definition of the domain called ``name`` now, or None."""
    try:
        dom = connection.call(conn, "lookupByName", name, what="lookupByName(%s)" % name)
    except LibvirtCallError as exc:
        if exc.code != libvirt.VIR_ERR_NO_DOMAIN:
            raise
        return None
    return read(libvirt, dom)


class Redefinition(object):
    """An edit of an existing domain's definition, planned from one reading of it.

    ``before`` is that reading; ``define`` says whether the edit changed anything;
    ``desired`` is the XML to define; ``steps`` are the edit's own names for what it did.
    """

    def __init__(self, before, root, steps, server_validate=False):
        self.before = before
        self.root = root
        self.steps = list(steps)
        self.define = bool(self.steps)
        self.desired = ET.tostring(root, encoding="unicode") if self.define else None
        self.validated = False
        self.server_validate = server_validate


def edit(libvirt, dom, change, validate=True, path=None):
    """Plan ``change`` on ``dom``'s persistent definition, changing nothing.

    ``change(root)`` edits ``root`` (a <domain> element, libvirt's own tree) in place and
    returns the names of what it did (empty: nothing to do). Everything it does not
    touch, secrets included, is defined again as libvirt gave it.
    """
    before = read(libvirt, dom)
    merge.keep_prefixes(before)
    root = ET.fromstring(before)
    item = Redefinition(before, root, change(root))
    if item.define and validate:
        try:
            schema.validate_domain_xml(item.desired, path)
            item.validated = True
        except schema.SchemaUnavailableError:
            # No local copy of libvirt's schemas: the daemon validates with its own.
            item.server_validate = True
    return item


def again(libvirt, dom, change, validate=True, path=None):
    """A ``replan`` for :func:`define`: the same ``change`` on what libvirt holds now."""
    return lambda _old: edit(libvirt, dom, change, validate, path)


def define(conn, libvirt, name, planned, replan):
    """Define ``planned.desired`` as domain ``name`` if it still holds ``planned.before``.

    ``planned`` has ``before`` (the definition it was planned from, "" for a new domain),
    ``define``, ``desired`` and ``server_validate``. When libvirt holds something else
    now, ``replan(planned)`` returns a fresh plan, which may find nothing left to define.
    Returns (the plan carried out, the domain defined or None).
    """
    for _attempt in range(REPLAN_LIMIT):
        now = current(conn, libvirt, name)
        if (now or "") != (planned.before or ""):
            planned = replan(planned)
            if not planned.define:
                return planned, None
        try:
            return planned, service.define(conn, libvirt, planned.desired, planned.server_validate)
        except ConcurrentChangeError:
            continue
    raise ConcurrentChangeError("another client kept changing the domain; gave up after %d plans" % REPLAN_LIMIT)
