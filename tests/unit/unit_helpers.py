# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the unit tests (importable because conftest.py puts this folder on sys.path)."""

from __future__ import absolute_import, division, print_function

import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

# Values of a build_tree() spec that are not file contents.
DIR = object()


class Symlink(object):
    def __init__(self, target):
        self.target = target


def fixture_path(*parts):
    return os.path.join(FIXTURES, *parts)


def read_fixture(*parts):
    with open(fixture_path(*parts), "r") as handle:
        return handle.read()


def fixture_names(subdir, suffix=".xml"):
    return sorted(n for n in os.listdir(fixture_path(subdir)) if n.endswith(suffix))


def build_tree(root, files):
    """Create {relative_path: content} below ``root`` and return ``root`` as a str.

    content is the text of a file, ``DIR`` for an empty directory or ``Symlink(target)``.
    """
    root = str(root)
    os.makedirs(root, exist_ok=True)
    for rel, content in files.items():
        path = os.path.join(root, rel.lstrip("/"))
        if content is DIR:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, path)
        else:
            with open(path, "w") as handle:
                handle.write(content)
    return root


def run_main(module, monkeypatch, capsys, args):
    """(exit code, stdout) of ``module.main()`` called with module arguments ``args``."""
    import json  # pylint: disable=import-outside-toplevel
    import pytest  # pylint: disable=import-outside-toplevel
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core >= 2.19
    except ImportError:  # pragma: no cover - ansible-core 2.17 and 2.18
        patch_module_args = None
    if patch_module_args is None:
        monkeypatch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
        with pytest.raises(SystemExit) as info:
            module.main()
    else:
        with patch_module_args(args):
            with pytest.raises(SystemExit) as info:
                module.main()
    return info.value.code, capsys.readouterr().out


def unified_diff(before, after, name):
    """A unified diff of two XML texts, as a reader of the module's diff would see it."""
    import difflib  # pylint: disable=import-outside-toplevel
    return "".join(difflib.unified_diff(
        (before or "").splitlines(True), (after or "").splitlines(True),
        "%s (before)" % name, "%s (after)" % name))


def option_docs_disagree(table, docs, where="", problems=None):
    """Where an option table and the documentation of the same options disagree.

    ``table`` is an argument-spec style table (``options`` for sub-keys), ``docs`` the
    parsed DOCUMENTATION options (``suboptions``); the answer lists one line per
    difference in type, elements, choices or default, or in the set of keys.
    """
    problems = [] if problems is None else problems
    if set(table) != set(docs):
        problems.append("%s: table %s, docs %s" % (where or "options", sorted(table), sorted(docs)))
    for name in sorted(set(table) & set(docs)):
        mine, doc = table[name], docs[name]
        path = "%s.%s" % (where, name) if where else name
        for key in ("type", "elements", "choices", "default"):
            if mine.get(key) != doc.get(key):
                problems.append("%s.%s: table %r, docs %r" % (path, key, mine.get(key), doc.get(key)))
        if "options" in mine or "suboptions" in doc:
            option_docs_disagree(mine.get("options") or {}, doc.get("suboptions") or {}, path, problems)
    return problems
