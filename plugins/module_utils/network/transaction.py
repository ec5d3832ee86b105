# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Apply a NetworkPlan so that losing the controller undoes it.

The applier is a process of its own on the host (forked twice, in a new session), so it
outlives the SSH connection the change may cut. It snapshots the files and the runtime
state, takes the interfaces down with the old files, writes the new ones and brings the
interfaces up. Then it waits, until the deadline, for a confirmation on a unix socket
that only a NEW connection from the controller can send (the action plugin sends it
after the change is in place). Confirmed, it commits; otherwise it restores the files and
the interfaces by itself.

Nothing here polls: the socket is served by a thread that answers while the change is
still being applied ("applying", then the client blocks until it is), and the applier
holds a lock on its directory for as long as it lives, which ``wait`` takes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import json
import os
import socket
import subprocess
import threading
import time

from ansible_collections.virtops.hypervisor.plugins.module_utils import hostfiles

STATE_DIR = "/run/virtops-host-network"


class Runner(object):
    """Runs the applier's commands; a test gives one that records instead."""

    def __call__(self, argv):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError as exc:
            return 127, str(exc)
        return done.returncode, done.stderr[-2000:]


def txn_dir(txn, state_dir=STATE_DIR):
    return os.path.join(state_dir, txn)


def _write_json(path, data):
    hostfiles.write_atomically(path, json.dumps(data), "0600")


def read_status(txn, state_dir=STATE_DIR):
    text = hostfiles.read(os.path.join(txn_dir(txn, state_dir), "status.json"))
    try:
        return None if text is None else json.loads(text)
    except ValueError:
        return None


def runtime_state():
    """Links, addresses and routes as ``ip -j`` prints them: what a rollback is held to."""
    out = {}
    for what in ("link", "addr", "route"):
        try:
            done = subprocess.run(["ip", "-j", what], capture_output=True, text=True, check=False)
            out[what] = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else None
        except (OSError, ValueError):
            out[what] = None
    return out


def up_links(runtime):
    """Names of the links that were administratively up, or None if unknown."""
    links = (runtime or {}).get("link")
    if links is None:
        return None
    return set(link.get("ifname") for link in links if "UP" in (link.get("flags") or []))


def addresses(runtime):
    """{"ifname address/prefix"} of a runtime snapshot."""
    out = set()
    for link in (runtime or {}).get("addr") or []:
        for info in link.get("addr_info") or []:
            out.add("%s %s/%s" % (link.get("ifname"), info.get("local"), info.get("prefixlen")))
    return out


def _write_files(root, writes, removes):
    """Through the shared writer: a file keeps its mode and owner, and a temporary file
    is never where ifupdown's ``source interfaces.d/*`` would pick it up."""
    for path, text in sorted(writes.items()):
        hostfiles.write_atomically(hostfiles.under(root, path), text)
    for path in removes:
        target = hostfiles.under(root, path)
        if os.path.exists(target):
            os.remove(target)


def commands(renderer, down, up):
    """(down, up) argv lists: ifupdown and ifcfg cycle each interface; netplan applies."""
    if renderer == "netplan":
        return [], [["netplan", "apply"]]
    return ([["ifdown", "--force", name] for name in down], [["ifup", name] for name in up])


def _run_all(runner, argvs, log):
    ok = True
    for argv in argvs:
        rc, err = runner(argv)
        log.append({"argv": argv, "rc": rc, "stderr": err})
        ok = ok and rc == 0
    return ok


class Applier(object):
    def __init__(self, plan, directory, deadline, runner, root):
        self.plan, self.directory, self.deadline = plan, directory, deadline
        self.runner, self.root = runner, root
        self.applied = threading.Event()
        self.confirmed = threading.Event()
        # Commit and rollback exclude each other: a confirmation at the deadline is either
        # answered "committed" and kept, or not answered at all.
        self.decision = threading.Lock()
        self.decided = None
        self.log = []

    def status(self, state, **fields):
        fields.update(state=state, deadline=self.deadline, log=self.log)
        _write_json(os.path.join(self.directory, "status.json"), fields)

    def serve(self, listener):
        while True:
            try:
                conn, _addr = listener.accept()
            except OSError:
                return
            try:
                message = conn.recv(64)
                if message == b"confirm\n":
                    if not self.applied.is_set():
                        # Connected before the change was in place: proves nothing. Answer
                        # once it is, so the controller reconnects then.
                        self.applied.wait(max(self.deadline - time.time(), 0))
                        conn.sendall(b"applying\n")
                    else:
                        with self.decision:
                            if self.decided is None:
                                self.decided = "committed"
                        if self.decided == "committed":
                            # Answer before waking run(): once it has committed, the
                            # process exits, and an unsent answer would read as "gone".
                            try:
                                conn.sendall(b"committed\n")
                            finally:
                                self.confirmed.set()
            except OSError:
                pass
            finally:
                conn.close()

    def run(self, listener):
        down, up = commands(self.plan["renderer"], self.plan["down"], self.plan["up"])
        _run_all(self.runner, down, self.log)
        _write_files(self.root, self.plan["writes"], self.plan["removes"])
        applied = _run_all(self.runner, up, self.log)
        self.status("waiting", applied=applied)
        self.applied.set()
        self.confirmed.wait(max(self.deadline - time.time(), 0))
        with self.decision:
            if self.decided is None:
                self.decided = "rolled_back"
        if self.decided == "committed":
            self.status("committed", applied=applied)
        else:
            self.rollback()
        listener.close()

    def rollback(self):
        plan = self.plan
        down, _up = commands(plan["renderer"], plan["up"][::-1], [])
        _run_all(self.runner, down, self.log)
        writes = dict((path, text) for path, text in plan["before"].items() if text is not None)
        removes = [path for path, text in plan["before"].items() if text is None]
        _write_files(self.root, writes, removes)
        # Up again, with the old files, what was up before: the snapshot says which.
        was_up = up_links(plan.get("runtime"))
        again = [name for name in plan["down"][::-1] if was_up is None or name in was_up]
        _down, up = commands(plan["renderer"], [], again)
        restored = _run_all(self.runner, up, self.log)
        missing = sorted(addresses(plan.get("runtime")) - addresses(runtime_state()))
        self.status("rolled_back", restored=restored, files=sorted(plan["before"]),
                    addresses_missing=missing if plan.get("runtime") else None)


def start(plan, txn, deadline_s, state_dir=STATE_DIR, runner=None, root="/", runtime=None):
    """Snapshot, then fork the applier; returns {txn, deadline} at once."""
    directory = txn_dir(txn, state_dir)
    os.makedirs(directory, mode=0o700)
    data = dict(plan.to_dict(), runtime=runtime_state() if runtime is None else runtime)
    _write_json(os.path.join(directory, "snapshot.json"), data)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.path.join(directory, "confirm.sock"))
    listener.listen(8)
    deadline = time.time() + deadline_s
    lock_r, lock_w = os.pipe()
    pid = os.fork()
    if pid:
        listener.close()
        os.close(lock_w)
        os.waitpid(pid, 0)
        # The applier holds its lock once this returns: a wait() after us cannot miss it.
        os.read(lock_r, 1)
        os.close(lock_r)
        return {"txn": txn, "deadline": deadline}
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        lock = os.open(os.path.join(directory, "lock"), os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.write(lock_w, b"x")
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        # Nothing of the SSH session may stay open here, or the session waits for us.
        keep = sorted((listener.fileno(), lock))
        os.closerange(3, keep[0])
        os.closerange(keep[0] + 1, keep[1])
        os.closerange(keep[1] + 1, 65536)
        applier = Applier(data, directory, deadline, runner or Runner(), root)
        applier.status("applying")
        server = threading.Thread(target=applier.serve, args=(listener,))
        server.daemon = True
        server.start()
        applier.run(listener)
    finally:
        os._exit(0)


def confirm(txn, timeout, state_dir=STATE_DIR):
    """Confirm over this (new) connection: "committed", "applying" (connect again, the
    change is now in place) or "gone" (no applier listens: committed or rolled back)."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(os.path.join(txn_dir(txn, state_dir), "confirm.sock"))
        client.sendall(b"confirm\n")
        answer = client.recv(64).strip().decode() or "gone"
    except (OSError, socket.timeout):
        answer = "gone"
    finally:
        client.close()
    return answer


def wait(txn, state_dir=STATE_DIR):
    """Block until the applier has finished (committed or rolled back); its status."""
    path = os.path.join(txn_dir(txn, state_dir), "lock")
    try:
        lock = os.open(path, os.O_RDWR)
    except OSError:
        return read_status(txn, state_dir)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
    finally:
        os.close(lock)
    return read_status(txn, state_dir)
