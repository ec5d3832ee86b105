# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared set-up for the unit tests.

Puts ``<repo>/.build/collections`` first on sys.path so that this checkout is importable
as ``ansible_collections.virtops.hypervisor`` (through the link scripts/bootstrap.sh
creates) and a plain ``pytest tests/unit`` works; stops with a clear message when the
link is missing or points at another checkout.
"""

from __future__ import absolute_import, division, print_function

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
COLLECTIONS_PATH = os.path.join(REPO_ROOT, ".build", "collections")
COLLECTION_LINK = os.path.join(COLLECTIONS_PATH, "ansible_collections", "virtops", "hypervisor")


def _link_problem():
    if not os.path.isdir(os.path.join(COLLECTION_LINK, "plugins", "module_utils")):
        return "%s is missing or broken" % COLLECTION_LINK
    if os.path.realpath(COLLECTION_LINK) != os.path.realpath(REPO_ROOT):
        return "%s points at %s instead of this checkout" % (
            COLLECTION_LINK, os.path.realpath(COLLECTION_LINK))
    return None


_parts = os.path.realpath(REPO_ROOT).split(os.sep)
if _parts[-3:] == ["ansible_collections", "virtops", "hypervisor"]:
    # A copy already laid out as a collection (what scripts/test.sh gives ansible-test).
    COLLECTIONS_PATH, LINK_PROBLEM = os.sep.join(_parts[:-3]) or os.sep, None
else:
    LINK_PROBLEM = _link_problem()
for _path in (HERE, COLLECTIONS_PATH) if LINK_PROBLEM is None else (HERE,):
    if _path in sys.path:
        sys.path.remove(_path)
    sys.path.insert(0, _path)

from unit_helpers import build_tree  # noqa: E402  pylint: disable=wrong-import-position


def pytest_configure():
    if LINK_PROBLEM is not None:
        raise pytest.UsageError(
            "the unit tests import this checkout as ansible_collections.virtops.hypervisor, "
            "but %s. Run `bash scripts/bootstrap.sh` in %s to create the link."
            % (LINK_PROBLEM, REPO_ROOT))


@pytest.fixture
def make_tree(tmp_path):
    """make_tree({relative_path: content}) -> a fresh fabricated host root below tmp_path."""
    made = []

    def _make(files):
        made.append(None)
        return build_tree(tmp_path / ("root%d" % len(made)), files)

    return _make


@pytest.fixture(scope="module")
def libvirt_module():
    """libvirt-python with the default event loop running, as the modules set it up."""
    from ansible_collections.virtops.hypervisor.plugins.module_utils import connection, events
    libvirt = connection.import_libvirt()
    # Events reach a connection only if the loop is registered before it is opened.
    events.start_event_loop(libvirt)
    return libvirt


@pytest.fixture(scope="module")
def test_conn(libvirt_module):
    """One in-process test:///default connection per test module (its state lives in it)."""
    conn = libvirt_module.open("test:///default")
    yield conn
    conn.close()
