# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The applier for real: a forked process, its unix socket, its commit and its rollback.

Commands go to a runner that records them (the VM scenario runs ifupdown for real); the
files are written under a temporary root. Waits are on the applier's lock and socket.
"""

from __future__ import absolute_import, division, print_function

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid

import pytest

from ansible_collections.virtops.hypervisor.plugins.module_utils.network import plan, transaction

MODEL = {"bonds": [{"name": "bond0", "slaves": ["eth1", "eth2"]}]}


class Recorder(object):
    """Answers every command with success; ``gate`` (a FIFO) holds the first ``ifup``."""

    def __init__(self, gate=None):
        self.gate = gate

    def __call__(self, argv):
        if self.gate and argv[0] == "ifup":
            with open(self.gate) as handle:
                handle.read()
            self.gate = None
        return 0, ""


@pytest.fixture
def host(tmp_path):
    root = str(tmp_path / "root")
    for name in ("eth1", "eth2"):
        os.makedirs(os.path.join(root, "sys/class/net", name))
        with open(os.path.join(root, "sys/class/net", name, "address"), "w") as handle:
            handle.write("52:54:00:ab:00:01\n")
    os.makedirs(os.path.join(root, "etc/network/interfaces.d"))
    with open(os.path.join(root, "etc/network/interfaces.d/eth1"), "w") as handle:
        handle.write("# the operator's own eth1\n")
    return root


@pytest.fixture
def state_dir():
    # A unix socket's path has at most 107 bytes: pytest's tmp_path is too deep for one.
    path = tempfile.mkdtemp(prefix="vt-")
    yield path
    shutil.rmtree(path)


# What `ip -j` said before the change: eth1 up with an address, eth2 down.
RUNTIME = {"link": [{"ifname": "eth1", "flags": ["BROADCAST", "UP"]}, {"ifname": "eth2", "flags": ["BROADCAST"]}],
           "addr": [], "route": []}


def start(host, state_dir, deadline, runner):
    planned = plan.compute(MODEL, "ifupdown", root=host)
    txn = uuid.uuid4().hex
    transaction.start(planned, txn, deadline, state_dir=state_dir, runner=runner, root=host, runtime=RUNTIME)
    return planned, txn


def read(host, path):
    return plan.read(plan.under(host, path))


def confirm_until_committed(txn, state_dir):
    answers = [transaction.confirm(txn, 30, state_dir)]
    while answers[-1] == "applying":
        answers.append(transaction.confirm(txn, 30, state_dir))
    return answers


def test_a_confirmed_change_is_committed_and_kept(host, state_dir):
    planned, txn = start(host, state_dir, 60, Recorder())
    assert confirm_until_committed(txn, state_dir)[-1] == "committed"
    status = transaction.wait(txn, state_dir)
    assert status["state"] == "committed"
    assert read(host, "/etc/network/interfaces.d/bond0") == planned.writes["/etc/network/interfaces.d/bond0"]
    assert [entry["argv"] for entry in status["log"]][-1] == ["ifup", "bond0"]
    snapshot = os.path.join(state_dir, txn, "snapshot.json")
    assert os.path.exists(snapshot)


def test_without_a_confirmation_the_host_restores_itself(host, state_dir):
    planned, txn = start(host, state_dir, 1, Recorder())
    status = transaction.wait(txn, state_dir)
    assert status["state"] == "rolled_back"
    assert status["restored"] is True
    assert read(host, "/etc/network/interfaces.d/eth1") == "# the operator's own eth1\n"
    assert read(host, "/etc/network/interfaces.d/bond0") is None
    argv = [entry["argv"] for entry in status["log"]]
    # Down with the old files, up with the new, then down with the new and up with the old.
    assert argv.index(["ifup", "bond0"]) < argv.index(["ifdown", "--force", "bond0"], 1)
    # Only what was up before comes up again.
    assert argv[-1] == ["ifup", "eth1"]
    assert ["ifup", "eth2"] not in argv
    # A confirmation after the rollback finds nobody to confirm to.
    assert transaction.confirm(txn, 5, state_dir) == "gone"


def serving(applier, state_dir):
    """A listener on a unix socket, served by ``applier`` in a thread."""
    path = os.path.join(state_dir, "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(2)
    thread = threading.Thread(target=applier.serve, args=(listener,))
    thread.daemon = True
    thread.start()
    return listener, path


def connect(path):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(30)
    client.connect(path)
    return client


def test_a_connection_made_before_the_change_is_in_place_proves_nothing(state_dir):
    # The applier is seen holding the early confirmation before the change is marked
    # applied, so the order is certain, not left to the scheduler.
    holding = threading.Event()

    class Applied(threading.Event):
        def wait(self, timeout=None):
            holding.set()
            return super(Applied, self).wait(timeout)

    applier = transaction.Applier({}, state_dir, time.time() + 60, Recorder(), "/")
    applier.applied = Applied()
    listener, path = serving(applier, state_dir)
    early = connect(path)
    early.sendall(b"confirm\n")
    assert holding.wait(30)
    applier.applied.set()
    # Told to connect again, and nothing decided on its word.
    assert early.recv(64) == b"applying\n"
    assert applier.decided is None and not applier.confirmed.is_set()
    late = connect(path)
    late.sendall(b"confirm\n")
    assert late.recv(64) == b"committed\n"
    assert applier.confirmed.wait(30) and applier.decided == "committed"
    for end in (early, late):
        end.close()
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()


def test_the_answer_is_sent_before_the_applier_may_commit_and_exit(state_dir):
    # run() commits and the process exits as soon as `confirmed` is set: by then the
    # client's "committed" must already be in its socket, or it would read "gone".
    path = os.path.join(state_dir, "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    seen = []

    class Witness(threading.Event):
        def set(self):
            try:
                seen.append(client.recv(64, socket.MSG_DONTWAIT))
            except BlockingIOError:
                seen.append(None)
            super(Witness, self).set()

    applier = transaction.Applier({}, state_dir, time.time() + 60, Recorder(), "/")
    applier.confirmed = Witness()
    applier.applied.set()
    client.sendall(b"confirm\n")
    thread = threading.Thread(target=applier.serve, args=(listener,))
    thread.daemon = True
    thread.start()
    assert applier.confirmed.wait(30)
    assert seen == [b"committed\n"]
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    client.close()


INTERFACES_D = "etc/network/interfaces.d"


def test_the_files_written_keep_their_mode_and_owner(host):
    path = os.path.join(host, INTERFACES_D, "eth1")
    os.chmod(path, 0o640)
    os.chown(path, 4242, 4243)
    transaction._write_files(host, {"/etc/network/interfaces.d/eth1": "auto eth1\n"}, [])
    st = os.stat(path)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (4242, 4243, 0o640)
    assert read(host, "/etc/network/interfaces.d/eth1") == "auto eth1\n"


def test_a_write_that_fails_before_its_rename_leaves_nothing_in_interfaces_d(host, monkeypatch):
    def rename(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        transaction._write_files(host, {"/etc/network/interfaces.d/bond0": "auto bond0\n"}, [])
    # ifupdown's "source /etc/network/interfaces.d/*" would read whatever is left here.
    assert os.listdir(os.path.join(host, INTERFACES_D)) == ["eth1"]
