# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys in the line-based configuration files a hypervisor host is set up with.

Three syntaxes:

- ``libvirt``: ``key = value`` with strings in double quotes, integers bare and lists in
  brackets, as libvirtd.conf, qemu.conf and libxl.conf are read by libvirt's own
  parser; Xen's ``xl.conf`` is read the same way;
- ``shell``: ``KEY="value"``, as ``/etc/default/*`` files are sourced by units and
  scripts;
- ``properties``: ``key=value``, as CloudStack's ``agent.properties``.

An edit keeps every line it does not own: a key already set is rewritten where it
stands (later duplicates are commented out, since the last one would win), a key that
is only present as a commented default gets its value on a new line after that
comment, and anything else is appended. So a package's own comments and the keys the
user or a manager (CloudStack's setup) wrote survive, and an unchanged edit gives back
the very same text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

SYNTAXES = ("libvirt", "shell", "properties")

KEY_RE = {
    "libvirt": re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$"),
    "shell": re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$"),
    "properties": re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"),
}
_ASSIGN = {
    "libvirt": re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*="),
    "shell": re.compile(r"^(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)="),
    "properties": re.compile(r"^(?P<key>[A-Za-z0-9_][A-Za-z0-9_.\-]*)\s*[=:]"),
}
_COMMENTED = re.compile(r"^#\s*(?P<rest>.*)$")
# Not written by us: what we prefix a line with when a later duplicate is retired.
RETIRED = "# virtops: superseded: "


def check_value(syntax, value):
    """None when ``value`` can be written in ``syntax``, else why not."""
    if isinstance(value, bool) or isinstance(value, int):
        return None
    if isinstance(value, float):
        return "must be a string, an integer or a boolean, got a float"
    if isinstance(value, str):
        if "\n" in value or "\r" in value:
            return "must be one line"
        if syntax == "libvirt" and '"' in value:
            return "libvirt's configuration syntax has no escape for a double quote"
        return None
    if isinstance(value, (list, tuple)) and syntax == "libvirt":
        for item in value:
            if isinstance(item, (list, tuple, dict)):
                return "a list holds strings or integers only"
            problem = check_value(syntax, item)
            if problem:
                return problem
        return None
    return "must be a string, an integer or a boolean%s, got %s" % (
        " (or a list of them)" if syntax == "libvirt" else "", type(value).__name__)


def format_value(syntax, value):
    """The text of ``value`` as ``syntax`` writes it; booleans as 1 and 0."""
    if isinstance(value, bool):
        value = int(value)
    if syntax == "libvirt":
        if isinstance(value, (list, tuple)):
            return "[ %s ]" % ", ".join(format_value(syntax, item) for item in value)
        if isinstance(value, int):
            return str(value)
        return '"%s"' % value
    if syntax == "shell":
        text = str(value)
        if re.match(r"^[A-Za-z0-9_./:,+@%=-]+$", text):
            return text if isinstance(value, int) else '"%s"' % text
        return "'%s'" % text.replace("'", "'\"'\"'")
    return str(value)


def format_line(syntax, key, value):
    if syntax == "libvirt":
        return "%s = %s\n" % (key, format_value(syntax, value))
    return "%s=%s\n" % (key, format_value(syntax, value))


def _key_of(syntax, line):
    match = _ASSIGN[syntax].match(line.strip())
    return match.group("key") if match else None


def _commented_key(syntax, line):
    match = _COMMENTED.match(line.strip())
    return _key_of(syntax, match.group("rest")) if match else None


def edit(text, syntax, set_values=None, unset=None):
    """``text`` with the keys of ``set_values`` set and those of ``unset`` commented out."""
    set_values = dict(set_values or {})
    unset = set(unset or ())
    lines = (text or "").splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    done = set()
    out = []
    for line in lines:
        key = _key_of(syntax, line)
        if key in set_values:
            if key in done:
                out.append(RETIRED + line)
            else:
                out.append(format_line(syntax, key, set_values[key]))
                done.add(key)
            continue
        if key in unset:
            out.append("#" + line)
            continue
        out.append(line)
    missing = [key for key in set_values if key not in done]
    if not missing:
        return "".join(out)
    # Next to the package's commented default where there is one, else at the end.
    placed = set()
    result = []
    for line in out:
        result.append(line)
        key = _commented_key(syntax, line)
        if key in missing and key not in placed and not line.startswith(RETIRED):
            result.append(format_line(syntax, key, set_values[key]))
            placed.add(key)
    for key in missing:
        if key not in placed:
            result.append(format_line(syntax, key, set_values[key]))
    return "".join(result)


def read_values(text, syntax):
    """{key: raw value text} of the keys set in ``text`` (the last one wins), for reports."""
    values = {}
    for line in (text or "").splitlines():
        key = _key_of(syntax, line)
        if key:
            values[key] = line.split("=", 1)[1].strip() if "=" in line else ""
    return values
