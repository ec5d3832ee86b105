# Prints, at the end of every playbook of a scenario, the tasks that took longest (wall
# seconds from start to last result, all hosts together), so a CI log says where a
# scenario's time went. Enabled by ../config.yml.
from __future__ import annotations

import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: task_times
type: aggregate
short_description: the slowest tasks of a playbook, at its end
description:
  - Prints the tasks that took longest, with their wall seconds and the playbook's total.
requirements:
  - enabled with callbacks_enabled
"""

SHOWN = 12


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.began = time.monotonic()
        self.spans = {}  # task uuid -> [name, first start, last end]

    def _start(self, task):
        now = time.monotonic()
        self.spans.setdefault(task._uuid, [task.get_name(), now, now])

    def _end(self, result):
        span = self.spans.get(result._task._uuid)
        if span:
            span[2] = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_runner_on_ok(self, result):
        self._end(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._end(result)

    def v2_runner_on_skipped(self, result):
        self._end(result)

    def v2_runner_on_unreachable(self, result):
        self._end(result)

    def v2_playbook_on_stats(self, stats):
        slowest = sorted(self.spans.values(), key=lambda span: span[1] - span[2])[:SHOWN]
        self._display.display("slowest tasks (wall s; playbook %.1f s):" % (time.monotonic() - self.began))
        for name, start, end in slowest:
            self._display.display("%8.1f  %s" % (end - start, name))
