# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host_network transaction in one task: packages, plan, apply, confirm over a new connection.

The module starts an applier on the host and returns at once. The change may cut the
connection it ran over, so this plugin drops that connection and confirms over a new
one; only a connection made after the change is in place proves the controller can
still reach the host. Without a confirmation by the deadline the host rolls back by
itself, and the task fails saying so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.action import ActionBase

from ansible_collections.virtops.hypervisor.plugins.module_utils import failure
from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import VirtopsError
from ansible_collections.virtops.hypervisor.plugins.plugin_utils.packages import run_with_packages

MODULE = "virtops.hypervisor.host_network"
# A refused or reset connection is retried after this long, until the deadline.
RETRY_S = 2
# After the deadline, how long the host may take to roll back and answer again.
ROLLBACK_GRACE_S = 120


def progress(txn, status):
    """The transaction as far as the host's record shows it, for the failure's ``done``."""
    done = ["started transaction %s" % txn]
    done.extend("ran %s: exit %s" % (" ".join(entry["argv"]), entry["rc"]) for entry in status.get("log") or [])
    if status.get("state") == "rolled_back":
        done.append("rolled back: restored %s" % (", ".join(status.get("files") or []) or "no file"))
    return done


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False
    # The clock the retry and confirm loop reads and waits on (a fake one in unit tests).
    _now = staticmethod(time.time)
    _sleep = staticmethod(time.sleep)

    def _module(self, args, task_vars):
        return self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)

    def _fresh(self, args, task_vars, until, attempts):
        """Run the module over a new connection, retrying refused ones until ``until``.
        Every attempt is recorded in ``attempts``: what a failed task then shows."""
        last = "no attempt"
        while True:
            began = self._now()
            if "deadline" in args:
                # A retry hands the module what is left of the deadline, not what was left
                # at the first attempt.
                args = dict(args, deadline=max(int(until - began) + 1, 1))
            self._connection.reset()
            try:
                result = self._module(args, task_vars)
                if not result.get("unreachable"):
                    attempts.append({"phase": args["phase"], "s": round(self._now() - began, 1),
                                     "outcome": result.get("answer") or result.get("msg") or "ok"})
                    return result, None
                last = result.get("msg", "unreachable")
            except AnsibleConnectionFailure as exc:
                last = str(exc)
            attempts.append({"phase": args["phase"], "s": round(self._now() - began, 1), "outcome": last})
            if self._now() + RETRY_S >= until:
                return None, last
            self._sleep(RETRY_S)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        for internal in ("phase", "txn"):
            if internal in args:
                result.update(failed=True, msg="%s: set by the action plugin, not by a task" % internal)
                return result
        args["phase"] = "plan" if self._task.check_mode else "apply"
        # Missing packages are installed first, once the whole model is checked.
        started = run_with_packages(self, task_vars, lambda: self._module(args, task_vars))
        result.update(started)
        txn = (started.get("transaction") or {}).get("txn")
        if started.get("failed") or not txn:
            return result
        deadline = started["transaction"]["deadline"]
        attempts = result["connections"] = []
        while True:
            # The applier answers once the change is in place, which can take longer than a
            # connection: the module waits for it up to the deadline (_fresh hands it the
            # time left at each attempt).
            confirmed, error = self._fresh(dict(phase="confirm", txn=txn, deadline=deadline), task_vars, deadline,
                                           attempts)
            answer = (confirmed or {}).get("answer")
            if answer != "applying":
                break
        # The applier's own record decides: committed, or rolled back by itself at the
        # deadline. Waiting for it also leaves no applier behind when the task ends.
        done, again = self._fresh(dict(phase="wait", txn=txn), task_vars, deadline + ROLLBACK_GRACE_S, attempts)
        status = (done or {}).get("status") or {}
        result["transaction"] = status
        if status.get("state") == "committed":
            return result
        lost = error or "the host answered %r, but the applier had already finished (%s)" % (
            answer, status.get("state"))
        if status.get("state") == "rolled_back":
            files = ", ".join(status.get("files") or []) or "none"
            how = "cleanly" if status.get("restored") else "with errors (see transaction.log)"
            msg = ("the controller could not reach the host over a new connection after the change "
                   "(%s); the host rolled back by itself at the deadline: files %s restored, "
                   "interfaces brought up again %s" % (lost, files, how))
        else:
            msg = ("the controller could not reach the host after the change (%s), nor after the "
                   "deadline (%s); the host rolls back by itself, but that could not be confirmed"
                   % (lost, again or "state %s" % status.get("state")))
        result.update(failure.failure_result(VirtopsError(msg), done=progress(txn, status), changed=True), failed=True)
        return result
