# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared set-up for the unit tests.

Makes this checkout importable as ``ansible_collections.virtops.hypervisor`` through the
link ``scripts/bootstrap.sh`` creates under ``.build/collections``, so a plain
``pytest tests/unit`` works, and provides the helpers the tests share: a builder of
fabricated /sys, /proc, /etc and /dev trees, and access to the XML fixtures.
"""

from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS_PATH = os.path.join(REPO_ROOT, ".build", "collections")
COLLECTION_LINK = os.path.join(COLLECTIONS_PATH, "ansible_collections", "virtops", "hypervisor")
FIXTURES = os.path.join(REPO_ROOT, "tests", "unit", "fixtures")


def _link_problem():
    if not os.path.isdir(os.path.join(COLLECTION_LINK, "plugins", "module_utils")):
        return "%s is missing or broken" % COLLECTION_LINK
    if os.path.realpath(COLLECTION_LINK) != os.path.realpath(REPO_ROOT):
        return "%s points at %s, not at this checkout (%s)" % (
            COLLECTION_LINK, os.path.realpath(COLLECTION_LINK), REPO_ROOT)
    return None


LINK_PROBLEM = _link_problem()
if LINK_PROBLEM is None:
    if COLLECTIONS_PATH in sys.path:
        sys.path.remove(COLLECTIONS_PATH)
    sys.path.insert(0, COLLECTIONS_PATH)


def pytest_configure(config):
    if LINK_PROBLEM is not None:
        raise pytest.UsageError(
            "the unit tests import this checkout as ansible_collections.virtops.hypervisor, "
            "but %s. Run `bash scripts/bootstrap.sh` from %s to create the link."
            % (LINK_PROBLEM, REPO_ROOT))


def fixture_path(*parts):
    return os.path.join(FIXTURES, *parts)


def read_fixture(*parts):
    with open(fixture_path(*parts), "r") as handle:
        return handle.read()


def build_tree(root, files):
    """Create files below ``root`` from {relative_path: content}.

    content is a str (a file), ``DIR`` (an empty directory) or ``Symlink(target)``.
    """
    for rel, content in files.items():
        path = os.path.join(str(root), rel.lstrip("/"))
        if content is DIR:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, path)
        else:
            with open(path, "w") as handle:
                handle.write(content)
    return str(root)


class Symlink(object):
    def __init__(self, target):
        self.target = target


DIR = object()


@pytest.fixture
def make_tree(tmp_path):
    """make_tree({relative_path: content}) -> path of a fresh host root in tmp_path."""
    counter = [0]

    def _make(files):
        counter[0] += 1
        return build_tree(tmp_path / ("root%d" % counter[0]), files)

    return _make
