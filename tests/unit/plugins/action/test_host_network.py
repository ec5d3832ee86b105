# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host_network action's retry and confirm loop, against a scripted host.

The plugin starts the change, then confirms it over a new connection, retrying refused
connections until the deadline, and finally asks the applier's own record whether the
change was committed or rolled back. Here the host is a script of answers per phase, the
connection counts its resets, and the clock is a fake one that only the plugin's waits
and the scripted calls move: no real time passes."""

from __future__ import absolute_import, division, print_function

from types import SimpleNamespace

import pytest

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.virtops.hypervisor.plugins.action import host_network

START = 1000.0
DEADLINE = START + 30


class Clock(object):
    def __init__(self):
        self.t = START
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


class Connection(object):
    """Counts resets: every module call is recorded with the connection it went over."""

    def __init__(self):
        self.generation = 0
        self._shell = SimpleNamespace(tmpdir=None)

    def reset(self):
        self.generation += 1


def applied(deadline=DEADLINE):
    return {"changed": True, "transaction": {"txn": "t1", "deadline": deadline, "state": "applying"}}


def refused(cost=0):
    """A connection the host refuses, after ``cost`` seconds."""
    return ("raise", AnsibleConnectionFailure("ssh: connect to host net-1 port 22: Connection refused"), cost)


def unreachable(cost=0):
    return ({"unreachable": True, "msg": "Data could not be sent to remote host"}, cost)


def answer(word, cost=0):
    return ({"changed": False, "answer": word, "status": {}}, cost)


def status(state, cost=0, **extra):
    extra["state"] = state
    return ({"changed": False, "status": extra}, cost)


class Host(object):
    """Scripted answers per phase, in order; records (phase, args, connection generation, time)."""

    def __init__(self, clock, connection, **script):
        self.clock, self.connection, self.calls = clock, connection, []
        self.script = {phase: list(answers) for phase, answers in script.items()}

    def __call__(self, module_name, module_args, task_vars):
        assert module_name == host_network.MODULE
        phase = module_args["phase"]
        self.calls.append((phase, dict(module_args), self.connection.generation, self.clock.t))
        scripted = self.script[phase].pop(0)
        if scripted[0] == "raise":
            exc, cost = scripted[1:]
            self.clock.t += cost
            raise exc
        result, cost = scripted
        self.clock.t += cost
        return dict(result)

    def phases(self):
        return [call[0] for call in self.calls]


def make(monkeypatch, check_mode=False, args=None, **script):
    clock, connection = Clock(), Connection()
    task = SimpleNamespace(args=args if args is not None else {"bridges": []}, check_mode=check_mode,
                           async_val=0, action=host_network.MODULE)
    action = host_network.ActionModule(task, connection, None, None, None, None)
    host = Host(clock, connection, **script)
    monkeypatch.setattr(action, "_execute_module", host)
    monkeypatch.setattr(action, "_now", clock.now)
    monkeypatch.setattr(action, "_sleep", clock.sleep)
    return action, host, clock


def test_committed_confirmation_goes_over_a_new_connection(monkeypatch):
    action, host, clock = make(monkeypatch, apply=[(applied(), 0)], confirm=[answer("committed")],
                               wait=[status("committed", files=["/etc/network/interfaces"])])
    result = action.run(task_vars={})
    assert not result.get("failed")
    assert result["transaction"] == {"state": "committed", "files": ["/etc/network/interfaces"]}
    assert host.phases() == ["apply", "confirm", "wait"]
    generations = [call[2] for call in host.calls]
    # The change ran over the task's connection; each later call over a new one.
    assert generations == [0, 1, 2]
    assert host.calls[1][1] == {"phase": "confirm", "txn": "t1", "deadline": 31}
    assert host.calls[2][1] == {"phase": "wait", "txn": "t1"}
    assert [c["phase"] for c in result["connections"]] == ["confirm", "wait"]
    assert clock.sleeps == []


def test_refused_connections_are_retried_every_retry_interval_until_one_answers(monkeypatch):
    action, host, clock = make(monkeypatch, apply=[(applied(), 0)],
                               confirm=[refused(cost=1), unreachable(cost=1), answer("committed")],
                               wait=[status("committed")])
    result = action.run(task_vars={})
    assert not result.get("failed")
    assert host.phases() == ["apply", "confirm", "confirm", "confirm", "wait"]
    assert clock.sleeps == [host_network.RETRY_S, host_network.RETRY_S]
    # Every attempt is a new connection, and every attempt is recorded with its outcome.
    assert [call[2] for call in host.calls] == [0, 1, 2, 3, 4]
    outcomes = [c["outcome"] for c in result["connections"]]
    assert "Connection refused" in outcomes[0]
    assert outcomes[1] == "Data could not be sent to remote host"
    assert outcomes[2] == "committed"
    assert result["connections"][0]["s"] == 1.0
    # The deadline handed to the module shrinks with the time already spent.
    assert host.calls[3][1]["deadline"] == int(DEADLINE - host.calls[3][3]) + 1


def test_applying_means_connect_again_until_the_applier_answers(monkeypatch):
    action, host, _clock = make(monkeypatch, apply=[(applied(), 0)],
                                confirm=[answer("applying", cost=5), answer("committed")],
                                wait=[status("committed")])
    result = action.run(task_vars={})
    assert not result.get("failed")
    assert host.phases() == ["apply", "confirm", "confirm", "wait"]
    assert [call[1]["deadline"] for call in host.calls if call[0] == "confirm"] == [31, 26]
    assert [call[2] for call in host.calls] == [0, 1, 2, 3]


def test_no_confirmation_is_tried_once_the_deadline_is_near_and_the_rollback_is_reported(monkeypatch):
    refusals = [refused(cost=3) for _attempt in range(20)]
    action, host, clock = make(monkeypatch, apply=[(applied(), 0)], confirm=refusals,
                               wait=[refused(cost=3), status("rolled_back", restored=True,
                                                             files=["/etc/network/interfaces"])])
    result = action.run(task_vars={})
    confirms = [call for call in host.calls if call[0] == "confirm"]
    # 3 s a refusal and 2 s between: attempts at 0, 5, ... 25 s; none starts after the
    # deadline, and none is started when the retry interval would end past it.
    assert [call[3] - START for call in confirms] == [0, 5, 10, 15, 20, 25]
    assert all(call[3] < DEADLINE for call in confirms)
    # Then the applier's record, over new connections too, within the rollback grace.
    waits = [call for call in host.calls if call[0] == "wait"]
    assert len(waits) == 2 and all(call[3] < DEADLINE + host_network.ROLLBACK_GRACE_S for call in waits)
    assert len({call[2] for call in host.calls}) == len(host.calls)
    # The failure's shape: failed, a message naming both causes, the applier's record,
    # and every connection attempt.
    assert result["failed"] is True
    assert result["msg"].startswith("the controller could not reach the host over a new connection")
    assert "Connection refused" in result["msg"]
    assert "rolled back by itself at the deadline: files /etc/network/interfaces restored" in result["msg"]
    assert "brought up again cleanly" in result["msg"]
    assert result["transaction"] == {"state": "rolled_back", "restored": True, "files": ["/etc/network/interfaces"]}
    assert len(result["connections"]) == len(host.calls) - 1
    assert result["changed"] is True
    assert result["done"] == ["started transaction t1", "rolled back: restored /etc/network/interfaces"]
    assert result["errors"] == [{"path": None, "msg": result["msg"]}]


def test_a_host_that_never_answers_again_fails_saying_the_rollback_is_unconfirmed(monkeypatch):
    action, host, clock = make(monkeypatch, apply=[(applied(), 0)],
                               confirm=[refused(cost=10) for _attempt in range(10)],
                               wait=[refused(cost=10) for _attempt in range(100)])
    result = action.run(task_vars={})
    waits = [call for call in host.calls if call[0] == "wait"]
    assert waits and waits[-1][3] < DEADLINE + host_network.ROLLBACK_GRACE_S
    assert clock.t >= DEADLINE + host_network.ROLLBACK_GRACE_S - host_network.RETRY_S
    assert result["failed"] is True
    assert result["transaction"] == {}
    assert result["done"] == ["started transaction t1"] and result["changed"] is True
    assert "nor after the deadline" in result["msg"]
    assert "could not be confirmed" in result["msg"]


def test_the_applier_s_commands_are_what_was_done():
    log = [{"argv": ["ifdown", "--force", "cloudbr1"], "rc": 0}, {"argv": ["ifup", "cloudbr1"], "rc": 1}]
    status = {"state": "rolled_back", "files": [], "log": log}
    assert host_network.progress("t1", status) == [
        "started transaction t1", "ran ifdown --force cloudbr1: exit 0", "ran ifup cloudbr1: exit 1",
        "rolled back: restored no file"]


def test_an_applier_that_finished_before_the_confirmation_is_a_failure(monkeypatch):
    # "gone": no applier listens any more, so it decided without this confirmation.
    action, host, _clock = make(monkeypatch, apply=[(applied(), 0)], confirm=[answer("gone")],
                                wait=[status("rolled_back", restored=False, files=[])])
    result = action.run(task_vars={})
    assert host.phases() == ["apply", "confirm", "wait"]
    assert result["failed"] is True
    assert "the host answered 'gone', but the applier had already finished (rolled_back)" in result["msg"]
    assert "files none restored" in result["msg"] and "with errors" in result["msg"]


def test_check_mode_plans_once_and_confirms_nothing(monkeypatch):
    action, host, clock = make(monkeypatch, check_mode=True,
                               plan=[({"changed": True, "files": ["/etc/network/interfaces"]}, 0)])
    result = action.run(task_vars={})
    assert host.phases() == ["plan"]
    assert result["changed"] is True and "connections" not in result
    assert host.connection.generation == 0 and clock.sleeps == []


def test_a_failed_start_is_returned_as_it_is_without_confirming(monkeypatch):
    failure = {"failed": True, "msg": "bad model", "errors": [{"path": "host_network_vlans[0].id"}]}
    action, host, _clock = make(monkeypatch, apply=[(failure, 0)])
    result = action.run(task_vars={})
    assert host.phases() == ["apply"]
    assert result["failed"] and result["errors"] == failure["errors"]


@pytest.mark.parametrize("internal", ["phase", "txn"])
def test_the_internal_options_cannot_be_set_by_a_task(monkeypatch, internal):
    action, host, _clock = make(monkeypatch, args={"bridges": [], internal: "x"})
    result = action.run(task_vars={})
    assert result["failed"] and internal in result["msg"]
    assert host.calls == []
