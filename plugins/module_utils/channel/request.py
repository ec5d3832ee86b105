# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What libvirt_channel is asked to do, checked whole before anything is read or changed.

``check()`` reports every bad option and every contradiction at once, each by its
option's name; ``send_target()`` is the policy of ``send`` once the domain is known:
only to a running domain whose live channel the plan provides.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, options
from ansible_collections.virtops.hypervisor.plugins.module_utils.channel import framing
from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker
from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import spec
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import PayloadError, SendError

STATES = ("present", "absent")
TYPES = ("auto", "unix", "pty")
# A unix socket's path is at most sizeof(sun_path) - 1 bytes: QEMU refuses longer ones at
# start, after the definition has changed.
MAX_SOCKET_PATH = 107
# What libvirt accepts as a domain name on every driver: no '/' (a file name), no control
# characters.
DOMAIN_RE = re.compile(r"^[^/\x00-\x1f\x7f]+$")


class Request(object):
    """The checked options; ``payload`` is the framed ``send`` (bytes) or None."""

    def __init__(self, params, payload):
        self.domain = params["domain"]
        self.name = params["name"]
        self.state = params["state"] or "present"
        self.type = params["type"] or "auto"
        self.path = params.get("path")
        self.timeout = params["timeout"]
        self.validate = params.get("validate", True)
        self.payload = payload


def check(params, send, uri):
    """A Request for the module's ``params`` (``send`` is the payload as given, which the
    module hides from ``params``); raises SpecErrors naming every problem."""
    check = Checker()
    domain = check.text(params.get("domain"), "domain", required=True)
    if domain is not None and not DOMAIN_RE.match(domain):
        check.fail("domain", "must be a domain name (no '/' or control characters), got %r" % (domain,))
    problem = spec.channel_name_problem(params.get("name"))
    if problem:
        check.fail("name", problem)
    state = check.choice(params.get("state"), STATES, "state", default="present")
    kind = check.choice(params.get("type"), TYPES, "type", default="auto")
    low, high = options.TIMEOUT
    check.integer(params.get("timeout"), "timeout", low, high)
    check.boolean(params.get("validate"), "validate", default=True)
    path = check.abspath(params.get("path"), "path", is_file=True)
    if path is not None and len(path.encode("utf-8")) > MAX_SOCKET_PATH:
        check.fail("path", "is %d bytes; a unix socket's path has at most %d"
                   % (len(path.encode("utf-8")), MAX_SOCKET_PATH))
    if state == "absent":
        # Removing goes by name alone: a host end given with it would be silently ignored.
        for key, value, default in (("type", kind, "auto"), ("path", params.get("path"), None)):
            if value != default:
                check.fail(key, "applies to state=present only; a channel is removed by its name")
    if params.get("path") is not None and kind == "pty":
        check.fail("path", "is the socket of a unix host end; a pty has none (use type=unix or auto)")
    payload = None
    if send is not None:
        if state == "absent":
            check.fail("send", "needs state=present")
        elif connection.is_remote(uri):
            check.fail("send", "the channel's host end is a socket or pty on the host behind %s; "
                       "run this task on that host (e.g. delegate_to) with a local URI" % uri)
        try:
            payload = framing.render(send, "send")
        except PayloadError as exc:
            check.fail(exc.path, str(exc)[len(exc.path) + 2:])
    check.raise_errors()
    return Request(params, payload)


def send_target(plan, request):
    """Refuse ``send`` before any change when the plan gives it no live channel to use."""
    if request.payload is None:
        return
    if not plan.active:
        raise SendError("send: domain %s is not running; start it first" % request.domain)
    if plan.restart_required:
        raise SendError("send: the running domain %s cannot get channel %s without a restart "
                        "(the driver or the guest's devices do not allow hot-plug); restart it "
                        "after adding the channel" % (request.domain, request.name))


def host_end_or_fail(kind, path, request):
    """The live host end ``send`` writes to; libvirt must have reported one."""
    if not path:
        raise SendError("send: libvirt reports no host end for channel %s of %s" % (request.name, request.domain))
    return kind, path
