# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""hostfiles: the one reader and the one atomic writer of host files."""

from __future__ import absolute_import, division, print_function

import ctypes
import ctypes.util
import os
import re

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

# Not root's, so that keeping the owner is seen (the unit tests run as root).
OWNER = (4242, 4243)


class WordExp(ctypes.Structure):
    _fields_ = [("we_wordc", ctypes.c_size_t), ("we_wordv", ctypes.POINTER(ctypes.c_char_p)),
                ("we_offs", ctypes.c_size_t)]


def ifupdown_source(pattern):
    """The files ifupdown's ``source <pattern>`` reads: it expands the pattern with
    wordexp(3) and WRDE_NOCMD (ifupdown's config.c)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    words = WordExp()
    assert libc.wordexp(pattern.encode(), ctypes.byref(words), 4) == 0  # WRDE_NOCMD
    try:
        found = [words.we_wordv[i].decode() for i in range(words.we_wordc)]
    finally:
        libc.wordfree(ctypes.byref(words))
    return [path for path in found if os.path.exists(path)]  # an empty folder gives the pattern


# ifupdown's ``source-directory`` (config.c directory_filter), as run-parts names it.
RUN_PARTS_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "interfaces.d"
    path.mkdir()
    return str(path)


def existing(folder, name="eth1", text="# the operator's own\n", mode=0o640):
    path = os.path.join(folder, name)
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)
    os.chown(path, *OWNER)
    return path


def owner_and_mode(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid, st.st_mode & 0o7777


def test_an_existing_file_keeps_its_mode_and_owner(folder):
    path = existing(folder)
    hostfiles.write_atomically(path, "new\n")
    assert hostfiles.read(path) == "new\n"
    assert owner_and_mode(path) == OWNER + (0o640,)


def test_a_mode_given_replaces_the_mode_and_keeps_the_owner(folder):
    path = existing(folder)
    hostfiles.write_atomically(path, "new\n", "0600")
    assert owner_and_mode(path) == OWNER + (0o600,)


def test_a_new_file_is_0644_or_the_mode_given_in_a_folder_made_for_it(tmp_path):
    first = str(tmp_path / "a" / "b" / "new")
    hostfiles.write_atomically(first, "x")
    assert os.stat(first).st_mode & 0o7777 == 0o644
    second = str(tmp_path / "secret")
    hostfiles.write_atomically(second, "x", "0600")
    assert os.stat(second).st_mode & 0o7777 == 0o600


def test_a_failure_between_write_and_rename_leaves_the_old_file_and_no_temporary_one(folder, monkeypatch):
    path = existing(folder)

    def rename(src, dst):
        assert open(src).read() == "new\n"  # written, not yet in place
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        hostfiles.write_atomically(path, "new\n")
    assert sorted(os.listdir(folder)) == ["eth1"]
    assert hostfiles.read(path) == "# the operator's own\n"


def test_the_temporary_file_is_read_by_neither_source_nor_source_directory(folder, monkeypatch):
    existing(folder)
    seen = []

    def rename(src, dst):
        seen.append(sorted(os.listdir(folder)))
        # ifupdown, run now, would read these:
        seen.append(sorted(os.path.basename(p) for p in ifupdown_source(os.path.join(folder, "*"))))
        seen.append(sorted(n for n in os.listdir(folder) if RUN_PARTS_NAME.match(n)))
        raise KeyboardInterrupt()
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        hostfiles.write_atomically(os.path.join(folder, "bond0"), "auto bond0\n")
    in_folder, sourced, sourced_dir = seen
    temporary = [n for n in in_folder if n != "eth1"]
    assert len(temporary) == 1 and temporary[0].startswith(hostfiles.TEMP_PREFIX)
    assert sourced == ["eth1"] and sourced_dir == ["eth1"]
    assert sorted(os.listdir(folder)) == ["eth1"]


def test_the_glob_check_sees_what_ifupdown_would_source(folder):
    # The check above is only worth something if a plain temporary name would be seen.
    existing(folder)
    existing(folder, "bond0.virtops-tmp")
    assert sorted(os.path.basename(p) for p in ifupdown_source(os.path.join(folder, "*"))) == [
        "bond0.virtops-tmp", "eth1"]


def test_bytes_that_are_not_utf8_survive_a_read_and_a_write(tmp_path):
    path = str(tmp_path / "latin1.conf")
    with open(path, "wb") as handle:
        handle.write(b"name=caf\xe9\n")
    text = hostfiles.read(path)
    hostfiles.write_atomically(path, text + "more=1\n")
    with open(path, "rb") as handle:
        assert handle.read() == b"name=caf\xe9\nmore=1\n"


def test_read_of_what_is_not_there_is_none(tmp_path):
    assert hostfiles.read(str(tmp_path / "nothing")) is None
    assert hostfiles.read(str(tmp_path)) is None  # a folder


def test_under():
    assert hostfiles.under("/srv/root", "/etc/network/interfaces") == "/srv/root/etc/network/interfaces"
    assert hostfiles.under("/", "/etc/hosts") == "/etc/hosts"
