# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed exceptions raised by the library; only a module's main() turns them into fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class VirtopsError(Exception):
    """Base of every error this collection raises on purpose."""


class SpecError(VirtopsError):
    """A user-supplied value is wrong; ``path`` names where it is (``domains[2].disks[0].bus``)."""

    def __init__(self, path, message):
        self.path = path
        self.message = message
        super(SpecError, self).__init__("%s: %s" % (path, message) if path else message)


class SpecErrors(SpecError):
    """All problems found in one input; str() lists them one per line."""

    def __init__(self, errors):
        self.errors = errors
        SpecError.__init__(self, None, "; ".join(str(e) for e in errors))


def error_list(exc):
    """A failure as [{path, msg}], one entry per bad value, for tools that read results."""
    found = getattr(exc, "errors", None) or [exc]
    return [{"path": getattr(e, "path", None) or None, "msg": getattr(e, "message", None) or str(e)}
            for e in found]


class XMLParseError(VirtopsError):
    """Text that should be libvirt XML is not well-formed or has the wrong root element."""

    def __init__(self, source, message):
        self.source = source
        super(XMLParseError, self).__init__("%s: %s" % (source, message))


class LibvirtUnavailableError(VirtopsError):
    """libvirt-python cannot be imported on the host running the module."""


class LibvirtConnectionError(VirtopsError):
    """Connecting to a libvirt URI failed; carries libvirt's own error text."""

    def __init__(self, uri, detail):
        self.uri = uri
        self.detail = detail
        super(LibvirtConnectionError, self).__init__(
            "cannot connect to libvirt at %s: %s" % (uri, detail))


class LibvirtCallError(VirtopsError):
    """A libvirt API call was refused; carries the call, libvirt's error text and code."""

    def __init__(self, call, detail, code=None):
        self.call = call
        self.detail = detail
        self.code = code
        super(LibvirtCallError, self).__init__("%s failed: %s" % (call, detail))


class SendError(VirtopsError):
    """``send`` cannot be carried out (state, domain not running, remote URI)."""


class PayloadError(VirtopsError):
    """The payload cannot be framed; ``path`` names the bad value."""

    def __init__(self, path, message):
        self.path = path
        super(PayloadError, self).__init__("%s: %s" % (path, message))


class ReplyError(VirtopsError):
    """The guest answered something other than an acknowledgement of our payload."""


class DomainNotFoundError(VirtopsError):
    """The domain a channel is for does not exist."""


class ChannelUnsupportedError(VirtopsError):
    """The domain's driver has no host <-> guest channel."""


class ChannelSendError(VirtopsError):
    """Writing to a channel's host end, or reading the guest's reply, failed."""


class StepError(VirtopsError):
    """One step of one domain failed: ``domains[3] (s-1-VM): start: ...``."""

    def __init__(self, path, name, step, cause):
        self.path, self.name, self.step, self.cause = path, name, step, cause
        where = "%s (%s)" % (path, name) if path else name
        super(StepError, self).__init__("%s: %s: %s" % (where, step, cause))


class ConcurrentChangeError(VirtopsError):
    """Another client defined or changed the domain between our plan and our define."""


class SchemaUnavailableError(SpecError):
    """libvirt's RelaxNG schemas or lxml are missing on this machine."""


class WaitTimeoutError(VirtopsError):
    """A lifecycle event did not arrive within the timeout."""


class UnknownStateError(VirtopsError):
    """The domain is in a state no transition is known from."""
