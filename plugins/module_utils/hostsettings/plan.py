# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a host_config call would change: file contents, masked systemd units, unit
drop-ins, and units to enable and start. Validating and computing change nothing, so
check mode and the real run share this one path; ``apply`` is the only writer of files.

``root`` prefixes every path touched, so tests plan and apply against a directory tree;
the paths in a plan are always the host's own. Unit states come from the caller
(``systemctl show`` on a host), for the same reason.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.virtops.hypervisor.plugins.module_utils.checks import Checker
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import SpecErrors, VirtopsError
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostfiles import read, under, write_atomically
from ansible_collections.virtops.hypervisor.plugins.module_utils.hostsettings import config_keys, libvirtd_listen

UNIT_DIR = "/etc/systemd/system"
UNIT_RE = re.compile(r"^[A-Za-z0-9:_.\\@-]+\.(service|socket|target|timer|path|mount|slice|scope)$")
DROPIN_RE = re.compile(r"^[A-Za-z0-9_.@-]+\.conf$")
MODE_RE = re.compile(r"^0?[0-7]{3}$")
FILE_KEYS = ("path", "syntax", "set", "unset", "content", "mode")
DROPIN_KEYS = ("unit", "name", "content")


class Change(object):
    """One file: its text before (None when missing) and after, and its mode."""

    def __init__(self, path, before, after, mode, kind):
        self.path, self.before, self.after, self.mode, self.kind = path, before, after, mode, kind


class HostConfigPlan(object):
    def __init__(self):
        self.files = []       # Change, for every file whose text differs
        self.mask = []        # units to mask now
        self.dropins = []     # Change, for every drop-in whose text differs
        self.restart = []
        self.enable = []      # units of ``running`` not enabled
        self.start = []       # units of ``running`` not active
        self.missing = []     # units of ``running`` systemd does not know (yet)
        self.listening = []   # (address, port) to verify once the units run

    @property
    def config_changed(self):
        return bool(self.files or self.mask or self.dropins)

    @property
    def changed(self):
        return bool(self.config_changed or self.enable or self.start)

    @property
    def units_changed(self):
        return bool(self.mask or self.dropins)

    def diff(self):
        out = [{"before_header": c.path, "after_header": c.path, "before": c.before or "", "after": c.after}
               for c in self.files + self.dropins]
        out.extend({"before_header": "%s/%s" % (UNIT_DIR, unit), "after_header": "%s/%s" % (UNIT_DIR, unit),
                    "before": "", "after": "-> /dev/null (masked)\n"} for unit in self.mask)
        return out

    def summary(self):
        return {"files": [c.path for c in self.files], "units": list(self.mask),
                "dropins": [c.path for c in self.dropins], "enabled": list(self.enable),
                "started": list(self.start)}


def _check_unit(check, value, path):
    if not isinstance(value, str) or not UNIT_RE.match(value):
        check.fail(path, "must be a systemd unit name such as libvirtd.socket, got %r" % (value,))


def _check_file(check, item, path):
    if not check.mapping(item, FILE_KEYS, path):
        return
    check.abspath(item.get("path"), path + ".path", required=True, is_file=True)
    has_keys = bool(item.get("set") or item.get("unset"))
    if "content" in item and item["content"] is not None:
        check.text(item["content"], path + ".content")
        if has_keys:
            check.fail(path, "give either content or set/unset, not both")
    elif not has_keys:
        check.fail(path, "give content, or keys to set or unset")
    if item.get("mode") is not None and not (isinstance(item["mode"], str) and MODE_RE.match(item["mode"])):
        check.fail(path + ".mode", "must be an octal string such as '0644', got %r" % (item["mode"],))
    if not has_keys:
        return
    syntax = item.get("syntax")
    if syntax not in config_keys.SYNTAXES:
        check.fail(path + ".syntax", "must be one of %s, got %r" % (", ".join(config_keys.SYNTAXES), syntax))
        return
    values = item.get("set") or {}
    if not isinstance(values, dict):
        check.fail(path + ".set", "must be a mapping of keys to values")
        values = {}
    unset = item.get("unset") or []
    if not isinstance(unset, list):
        check.fail(path + ".unset", "must be a list of keys")
        unset = []
    for key in sorted(values):
        where = "%s.set.%s" % (path, key)
        if not config_keys.KEY_RE[syntax].match(str(key)):
            check.fail(where, "is not a key %s syntax allows" % syntax)
            continue
        problem = config_keys.check_value(syntax, values[key])
        if problem:
            check.fail(where, problem)
    for index, key in enumerate(unset):
        if not isinstance(key, str) or not config_keys.KEY_RE[syntax].match(key):
            check.fail("%s.unset[%d]" % (path, index), "is not a key %s syntax allows: %r" % (syntax, key))
        elif key in values:
            check.fail("%s.unset[%d]" % (path, index), "%s is both set and unset" % key)


def validate(spec):
    """Raise SpecErrors naming every bad value of ``spec`` ({files, mask, dropins, restart})."""
    check = Checker()
    seen = {}
    for index, item in enumerate(spec.get("files") or []):
        path = "files[%d]" % index
        _check_file(check, item, path)
        target = item.get("path") if isinstance(item, dict) else None
        if isinstance(target, str):
            if target in seen:
                check.fail(path + ".path", "%s is also %s; one entry a file" % (target, seen[target]))
            seen[target] = path
    for key in ("mask", "restart", "running"):
        for index, unit in enumerate(spec.get(key) or []):
            _check_unit(check, unit, "%s[%d]" % (key, index))
    names = set()
    for index, item in enumerate(spec.get("dropins") or []):
        path = "dropins[%d]" % index
        if not check.mapping(item, DROPIN_KEYS, path):
            continue
        _check_unit(check, item.get("unit"), path + ".unit")
        if not (isinstance(item.get("name"), str) and DROPIN_RE.match(item["name"])):
            check.fail(path + ".name", "must be a file name ending in .conf, got %r" % (item.get("name"),))
        check.text(item.get("content"), path + ".content", required=True)
        ident = (item.get("unit"), item.get("name"))
        if ident in names:
            check.fail(path, "%s/%s is named twice" % ident)
        names.add(ident)
    if check.errors:
        raise SpecErrors(check.errors)


def _masked(root, unit):
    link = under(root, "%s/%s" % (UNIT_DIR, unit))
    if os.path.islink(link):
        return os.readlink(link) == "/dev/null"
    if os.path.exists(link):
        # An administrator's own unit file: masking would destroy it.
        raise VirtopsError("cannot mask %s: %s/%s is a unit file, not a link" % (unit, UNIT_DIR, unit))
    return False


def _mode_differs(path, mode):
    if mode is None or not os.path.exists(path):
        return False
    return os.stat(path).st_mode & 0o7777 != int(mode, 8)


def expand(spec, root="/"):
    """``spec`` with its ``libvirt`` settings turned into files, masks, restarts, units
    to keep running and endpoints to verify."""
    if not spec.get("libvirt"):
        return spec
    more = libvirtd_listen.expand(spec["libvirt"], spec.get("error_prefix") or "", root)
    out = dict(spec)
    out["files"] = list(spec.get("files") or []) + more["files"]
    for key in ("mask", "restart", "running"):
        mine = list(spec.get(key) or [])
        out[key] = mine + [unit for unit in more[key] if unit not in mine]
    out["listening"] = more["listening"]
    return out


# systemd's UnitFileState values for which there is nothing to enable.
ENABLED_STATES = ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated", "transient")


def _plan_running(plan, units, states):
    for unit in units:
        state = states.get(unit) or {}
        if state.get("LoadState") == "not-found":
            plan.missing.append(unit)
            continue
        if state.get("LoadState") == "masked" or state.get("UnitFileState") in ("masked", "masked-runtime"):
            raise VirtopsError("%s must run, but it is masked" % unit)
        if state.get("UnitFileState") not in ENABLED_STATES:
            plan.enable.append(unit)
        if state.get("ActiveState") not in ("active", "reloading"):
            plan.start.append(unit)


def _errors_of(check, *args):
    try:
        check(*args)
    except SpecErrors as exc:
        return list(exc.errors)
    return []


def compute(spec, root="/", unit_states=None):
    """Validate ``spec`` and return the HostConfigPlan; nothing is written.

    ``unit_states(units)`` returns ``{unit: {LoadState, UnitFileState, ActiveState}}``,
    as ``systemctl show`` reports them; without it, ``running`` units are not planned.
    """
    # The given keys and the libvirt settings are checked apart, and reported together.
    errors = _errors_of(validate, spec) + _errors_of(expand, spec, root)
    if errors:
        raise SpecErrors(errors)
    spec = expand(spec, root)
    validate(spec)
    plan = HostConfigPlan()
    running = list(spec.get("running") or [])
    if running and unit_states is not None:
        _plan_running(plan, running, unit_states(running))
    plan.listening = list(spec.get("listening") or [])
    for item in spec.get("files") or []:
        before = read(under(root, item["path"]))
        if item.get("content") is not None:
            after = item["content"]
        else:
            after = config_keys.edit(before, item["syntax"], item.get("set"), item.get("unset"))
        mode = item.get("mode")
        if after != (before or "") or before is None or _mode_differs(under(root, item["path"]), mode):
            plan.files.append(Change(item["path"], before, after, mode, "file"))
    for unit in spec.get("mask") or []:
        if not _masked(root, unit) and unit not in plan.mask:
            plan.mask.append(unit)
    for item in spec.get("dropins") or []:
        path = "%s/%s.d/%s" % (UNIT_DIR, item["unit"], item["name"])
        before = read(under(root, path))
        if before != item["content"]:
            plan.dropins.append(Change(path, before, item["content"], "0644", "dropin"))
    plan.restart = list(spec.get("restart") or [])
    return plan


def apply(plan, root="/", done=None):
    """Carry the plan out: files and drop-ins, then the masks. Each step is appended to
    ``done`` once carried out, so a failure reports how far it got."""
    done = [] if done is None else done
    for change in plan.files + plan.dropins:
        write_atomically(under(root, change.path), change.after, change.mode)
        done.append("wrote %s" % change.path)
    for unit in plan.mask:
        link = under(root, "%s/%s" % (UNIT_DIR, unit))
        if not os.path.isdir(os.path.dirname(link)):
            os.makedirs(os.path.dirname(link), 0o755)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink("/dev/null", link)
        done.append("masked %s" % unit)
    return done
