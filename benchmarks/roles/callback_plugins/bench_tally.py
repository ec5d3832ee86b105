# Records what one ansible-playbook run did, for benchmarks/roles/bench.py: every task
# result (name, action, status, seconds) and the PLAY RECAP, as JSON in the file named
# by BENCH_TALLY_FILE. Includes (include_role, include_tasks) are marked as such and not
# counted as tasks by bench.py. Prints nothing; the stdout callback stays the default.
from __future__ import annotations

import json
import os
import time

from ansible import constants as C
from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_tally
type: aggregate
short_description: task results and the recap as JSON, for benchmarks/roles
description:
  - Writes every task result and the PLAY RECAP to the file named by BENCH_TALLY_FILE.
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=bench_tally
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_tally"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = {}
        self.tasks = []
        self.item_errors = {}

    def _start(self, task):
        self.started[task._uuid] = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def _record(self, result, status):
        task = result._task
        if status == "ok" and result._result.get("changed", False):
            status = "changed"
        if task.action in C._ACTION_ALL_INCLUDES:
            status = "include"
        began = self.started.get(task._uuid)
        entry = {
            "name": task.get_name(),
            "action": task.action,
            "status": status,
            "handler": isinstance(task, Handler),
            "seconds": round(time.monotonic() - began, 3) if began is not None else None,
        }
        if status in ("failed", "unreachable"):
            # A loop's own message says only that an item failed: add the items' messages.
            msgs = [str(result._result.get("msg", ""))] + self.item_errors.pop(task._uuid, [])
            entry["msg"] = "; ".join(m for m in msgs if m)[:2000]
        self.tasks.append(entry)

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "ignored" if ignore_errors else "failed")

    def v2_runner_item_on_failed(self, result):
        self.item_errors.setdefault(result._task._uuid, []).append(
            "%s: %s" % (self._get_item_label(result._result), result._result.get("msg", "")))

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TALLY_FILE")
        if not path:
            return
        recap = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        with open(path, "w") as f:
            json.dump({"tasks": self.tasks, "recap": recap}, f, indent=1)
