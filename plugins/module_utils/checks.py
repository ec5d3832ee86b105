# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collecting every problem of one input before anything is touched, each named by the
path of the bad value, to be raised together as SpecErrors.

One rule for each question, wherever a value is checked:

- An integer is what Ansible's argument spec takes for ``type: int`` (``42``, ``"42"``,
  ``42.0``), so that a nested option takes what a top-level one does; a boolean is not.
- A boolean is what the argument spec takes for ``type: bool`` (``yes``, ``"no"``, ``1``).
- An absolute path starts with ``/`` and has no ``.`` or ``..`` component: what a path
  names must not depend on how the host resolves it.
- An option a role sets from its variables is named by the variable,
  ``<error_prefix>_<option>``; the prefix is checked once, where the Checker is made.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import decimal
import difflib
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecError, SpecErrors

# An Ansible variable name: what a role's variables start with.
PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Ansible's own (module_utils.parsing.convert_bool), copied: the network model and its
# ifcfg renderer run on the controller for OVM3 servers with the standard library only.
# The unit tests hold both to Ansible's.
BOOLEANS_TRUE = frozenset(("y", "yes", "on", "1", "true", "t", 1, 1.0, True))
BOOLEANS_FALSE = frozenset(("n", "no", "off", "0", "false", "f", 0, 0.0, False))


def to_integer(value):
    """``value`` as an int where Ansible's ``type: int`` takes it (validation.check_type_int:
    whole numbers, also in a string or a float), except a boolean; TypeError otherwise."""
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return value
    if not isinstance(value, (str, float)):
        raise TypeError(value)
    try:
        number = decimal.Decimal(value)
        whole = int(number)
    except (decimal.DecimalException, ValueError, OverflowError):
        raise TypeError(value)
    if number != whole:
        raise TypeError(value)
    return whole


def to_boolean(value):
    """``value`` as a bool where Ansible's ``type: bool`` takes it; TypeError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        value = value.lower().strip()
    elif not isinstance(value, (int, float)):
        raise TypeError(value)
    if value in BOOLEANS_TRUE:
        return True
    if value in BOOLEANS_FALSE:
        return False
    raise TypeError(value)


def checked_prefix(error_prefix):
    """``error_prefix`` when it can start a variable's name (or is empty); SpecError otherwise."""
    if error_prefix is None or error_prefix == "":
        return ""
    if not isinstance(error_prefix, str) or not PREFIX_RE.match(error_prefix):
        raise SpecError("error_prefix", "must be a variable name (letters, digits and '_', not "
                                        "starting with a digit) or empty, got %r" % (error_prefix,))
    return error_prefix


def join(path, key):
    """``path.key``, or ``key`` alone at the top."""
    return "%s.%s" % (path, key) if path else key


class Checker(object):
    """Each check records an error under ``path`` and returns the (converted) value, or
    None when it is bad; an absent value (None) gives ``default``, or an error when
    ``required``."""

    NOT_MAPPING = "must be a mapping"

    def __init__(self, error_prefix=""):
        self.errors = []
        self.error_prefix = checked_prefix(error_prefix)

    def fail(self, path, message):
        self.errors.append(SpecError(path, message))

    def raise_errors(self):
        """Raise every error recorded so far, together."""
        if self.errors:
            raise SpecErrors(list(self.errors))

    def option(self, name, index=None):
        """The path of a top-level option: ``<error_prefix>_<name>``, the role's variable,
        when there is a prefix; then ``[index]`` for an item."""
        path = "%s_%s" % (self.error_prefix, name) if self.error_prefix else name
        return path if index is None else "%s[%d]" % (path, index)

    def _absent(self, value, path, required):
        if value is None and required:
            self.fail(path, "is required")
        return value is None

    def mapping(self, value, allowed, path):
        """True when ``value`` is a mapping; every key outside ``allowed`` is reported."""
        if not isinstance(value, dict):
            self.fail(path, "%s, got %r" % (self.NOT_MAPPING, value))
            return False
        self.unknown(value, allowed, path)
        return True

    def unknown(self, value, allowed, path):
        """Report every key of ``value`` outside ``allowed``, with the nearest allowed one."""
        for key in sorted(str(k) for k in value if k not in allowed):
            near = difflib.get_close_matches(key, allowed, 1)
            self.fail(join(path, key), "unknown option%s; allowed: %s"
                      % (" (did you mean %s?)" % near[0] if near else "", ", ".join(allowed)))

    def listing(self, value, path, required=False):
        """A list; absent is empty."""
        if self._absent(value, path, required):
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list, got %r" % (value,))
            return []
        return value

    def text(self, value, path, required=False, default=None):
        if self._absent(value, path, required):
            return default
        if not isinstance(value, str):
            self.fail(path, "must be a string, got %r" % (value,))
            return None
        return value

    def integer(self, value, path, minimum=None, maximum=None, required=False, default=None):
        if self._absent(value, path, required):
            return default
        try:
            number = to_integer(value)
        except TypeError:
            self.fail(path, "must be an integer, got %r" % (value,))
            return None
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            if maximum is None:
                self.fail(path, "must be at least %d, got %d" % (minimum, number))
            elif minimum is None:
                self.fail(path, "must be at most %d, got %d" % (maximum, number))
            else:
                self.fail(path, "must be between %d and %d, got %d" % (minimum, maximum, number))
            return None
        return number

    def boolean(self, value, path, required=False, default=None):
        if self._absent(value, path, required):
            return default
        try:
            return to_boolean(value)
        except TypeError:
            self.fail(path, "must be a boolean, got %r" % (value,))
            return None

    def choice(self, value, choices, path, required=False, default=None):
        if self._absent(value, path, required):
            return default
        try:
            known = value in choices
        except TypeError:  # an unhashable value against a set
            known = False
        if not known:
            self.fail(path, "must be one of %s, got %r" % (", ".join(choices), value))
            return None
        return value

    def abspath(self, value, path, required=False, default=None, is_file=False):
        """An absolute path with no ``.`` or ``..`` component; with ``is_file``, not ending
        in ``/`` either."""
        if self._absent(value, path, required):
            return default
        if not isinstance(value, str) or not value.startswith("/") or "\0" in value:
            self.fail(path, "must be an absolute path, got %r" % (value,))
            return None
        if any(part in (".", "..") for part in value.split("/")):
            self.fail(path, "must be an absolute path without '.' or '..' components, got %r" % (value,))
            return None
        if is_file and value.endswith("/"):
            self.fail(path, "must be an absolute path to a file, not a folder, got %r" % (value,))
            return None
        return value
