"""Orchestrates the benchmark; started by benchmarks/run (see benchmarks/README.md).

Measures, side by side and in one run, the wall time of
  (a) one virtops.hypervisor.libvirt_domain task with domains: [N specs],
  (b) a loop of community.libvirt.virt tasks (command: define + xml, and state: running
      on the test driver), one module process per item,
  (c) a plain libvirt-python loop of defineXML (+ create on the test driver), the floor,
on test:///default (state running) and on qemu:///system (state present, then a
no-change rerun of (a)), prints a table, derived ratios and PASS/FAIL against targets.

Exit status: 0 when every measurement ran (whether or not targets are met), 1 when a
measurement failed, 2 on bad usage.
"""

from __future__ import print_function

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
VENV_BIN = os.path.join(TOP, ".venv", "bin")
PYTHON = os.path.join(VENV_BIN, "python")
INVENTORY = os.path.join(TOP, "playbooks", "inventory", "localhost.yml")
PLAYBOOKS = os.path.join(HERE, "playbooks")
PREFIX = "bench-"
TEST_URI = "test:///default"
QEMU_URI = "qemu:///system"

TARGET_B_OVER_A = 20.0       # a at least 20x faster than b at N=100
TARGET_SLOPE_RATIO = 3.0     # per-domain cost of a within 3x of c on qemu:///system
TARGET_RERUN_RATIO = 0.5     # no-change rerun of a below half its first run

RECAP_RE = re.compile(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


class BenchError(Exception):
    pass


def _descendants(pid):
    """``pid`` and every process below it (from /proc), parents first."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def kill_tree(pid, grace=3.0):
    """SIGTERM ``pid`` and all its descendants, SIGKILL whatever is left after ``grace``."""
    pids = _descendants(pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for target in pids:
            try:
                os.kill(target, sig)
            except OSError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not [p for p in pids if _alive(p)]:
                return
            time.sleep(0.1)


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


class Bench(object):
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="virtops-bench-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.rows = []        # dicts: scenario, n, approach, wall, note, ok
        self.results = {}     # (scenario, approach, n) -> wall seconds
        self.baselines = {}
        self.errors = []
        self.load_start = os.getloadavg()
        self.env = dict(os.environ)
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": os.path.join(TOP, ".build", "collections"),
            "ANSIBLE_CONFIG": os.path.join(TOP, "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "PATH": VENV_BIN + os.pathsep + self.env.get("PATH", ""),
        })

    # -- plumbing --------------------------------------------------------------------
    def log(self, msg):
        print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)

    def _run(self, name, cmd):
        """Run ``cmd``; return (wall seconds, stdout). Output goes to a log file too."""
        path = os.path.join(self.logs, name + ".log")
        t0 = time.monotonic()
        # A session of its own: a Ctrl-C reaches only bench.py, which then ends the whole
        # tree (ansible's workers call setsid and would survive their parent, still
        # defining domains after the cleanup).
        proc = subprocess.Popen(cmd, cwd=TOP, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True,
                                start_new_session=True)
        try:
            stdout = proc.communicate()[0]
        except BaseException:
            kill_tree(proc.pid)
            proc.wait()
            raise
        wall = time.monotonic() - t0
        with open(path, "w") as handle:
            handle.write("$ %s\n%s" % (" ".join(cmd), stdout))
        if proc.returncode != 0:
            tail = "\n".join(stdout.splitlines()[-40:])
            raise BenchError("%s failed (rc=%d, log %s):\n%s" % (name, proc.returncode, path, tail))
        return wall, stdout

    def helper(self, *args):
        name = "helper-" + "-".join(str(a).replace("/", "_").replace(":", "") for a in args[:2])
        out = self._run(name, [PYTHON, os.path.join(HERE, "helper.py")] + [str(a) for a in args])[1]
        return out.strip()

    def count(self, uri):
        return int(self.helper("count", uri, PREFIX).splitlines()[-1])

    def ensure_daemon(self):
        """Other users of this checkout may stop the shared private libvirtd; restart it."""
        script = os.path.join(TOP, "scripts", "libvirtd.sh")
        if subprocess.call(["bash", script, "status"], cwd=TOP, env=self.env) != 0:
            self.log("qemu:///system does not answer; starting libvirtd (scripts/libvirtd.sh start)")
            self._run("libvirtd-start", ["bash", script, "start"])

    def cleanup_qemu(self):
        self.ensure_daemon()
        removed = self.helper("cleanup", QEMU_URI, PREFIX).splitlines()[-1]
        return removed

    def gen(self, uri, n, state):
        outdir = os.path.join(self.work, "%s-%d" % ("test" if uri == TEST_URI else "qemu", n))
        if not os.path.isdir(outdir):
            os.makedirs(outdir)
            self.helper("gen", uri, n, state, outdir)
        return outdir

    def playbook(self, name, playbook, *extra, **kwargs):
        cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", INVENTORY,
               os.path.join(PLAYBOOKS, playbook)]
        for item in extra:
            cmd += ["-e", item]
        wall, out = self._run(name, cmd)
        recaps = RECAP_RE.findall(out)
        if not recaps and kwargs.get("no_tasks"):
            return wall, 0
        if not recaps:
            raise BenchError("%s: no PLAY RECAP in the output (log %s)" % (name, self.logs))
        ok, changed, unreachable, failed = (int(x) for x in recaps[-1])
        if failed or unreachable:
            raise BenchError("%s: failed=%d unreachable=%d" % (name, failed, unreachable))
        return wall, changed

    def record(self, scenario, n, approach, wall, note=""):
        self.results[(scenario, approach, n)] = wall
        self.rows.append(dict(scenario=scenario, n=n, approach=approach, wall=wall, note=note))
        self.log("%-12s N=%-4d %-26s %8.2f s  %s" % (scenario, n, approach, wall, note))

    def attempt(self, scenario, n, approach, func):
        """Run one measurement; on failure record it and carry on with the others."""
        try:
            func()
        except BenchError as exc:
            self.errors.append("%s N=%d %s: %s" % (scenario, n, approach, exc))
            self.rows.append(dict(scenario=scenario, n=n, approach=approach, wall=None, note="ERROR"))
            self.log("%-12s N=%-4d %-26s ERROR\n%s" % (scenario, n, approach, exc))

    # -- measurements ----------------------------------------------------------------
    def baseline(self):
        for key, playbook in (("ansible-playbook, no task", "baseline_empty.yml"),
                              ("ansible-playbook, 1 ping task", "baseline_ping.yml")):
            try:
                wall = self.playbook("baseline-" + playbook[:-4], playbook,
                                     no_tasks=playbook == "baseline_empty.yml")[0]
                self.baselines[key] = wall
                self.log("baseline %-30s %6.2f s" % (key, wall))
            except BenchError as exc:
                self.errors.append("baseline: %s" % exc)

    def repeats(self, func):
        """Call ``func`` (returns wall seconds, note) self.args.repeat times; the fastest wins."""
        runs = [func() for dummy in range(self.args.repeat)]
        wall, note = min(runs, key=lambda run: run[0])
        if len(runs) > 1:
            note = "%s; min of %s" % (note, "/".join("%.2f" % run[0] for run in runs))
        return wall, note

    def scenario_test(self, n):
        sc = "test/first"
        outdir = self.gen(TEST_URI, n, "running")
        specs, xmls = os.path.join(outdir, "specs.json"), os.path.join(outdir, "xml.json")

        def one_a():
            wall, changed = self.playbook("test-a-%d" % n, "a_libvirt_domain.yml", "@" + specs)
            return wall, "changed tasks=%d" % changed

        def run_a():
            self.record(sc, n, "a libvirt_domain", *self.repeats(one_a))
        self.attempt(sc, n, "a libvirt_domain", run_a)

        if n <= self.args.b_max:
            def run_b():
                wall, changed = self.playbook("test-b-%d" % n, "b_community_virt.yml", "@" + xmls,
                                              json.dumps({"bench_start": True, "bench_start_name": "test"}))
                self.record(sc, n, "b community.libvirt.virt", wall,
                            "%d module calls (define + state=running)" % (2 * n))
            self.attempt(sc, n, "b community.libvirt.virt", run_b)

        def one_c():
            wall, out = self._run("test-c-%d" % n, [PYTHON, os.path.join(HERE, "floor.py"), xmls, "--start"])
            res = json.loads(out.strip().splitlines()[-1])
            if res["defined"] != n or res["started"] != n:
                raise BenchError("floor: %r" % res)
            return wall, "in-loop %.3f s" % res["loop_s"]

        def run_c():
            self.record(sc, n, "c libvirt-python floor", *self.repeats(one_c))
        self.attempt(sc, n, "c libvirt-python floor", run_c)

    def scenario_qemu(self, n):
        outdir = self.gen(QEMU_URI, n, "present")
        specs, xmls = os.path.join(outdir, "specs.json"), os.path.join(outdir, "xml.json")

        def expect(count_wanted, what):
            got = self.count(QEMU_URI)
            if got != count_wanted:
                raise BenchError("%s: %d bench- domains defined, expected %d" % (what, got, count_wanted))

        def one_a_first():
            self.cleanup_qemu()
            wall, changed = self.playbook("qemu-a-first-%d" % n, "a_libvirt_domain.yml", "@" + specs)
            expect(n, "a first run")
            return wall, "changed tasks=%d, %d defined" % (changed, n)

        def one_a_rerun():
            wall, changed = self.playbook("qemu-a-rerun-%d" % n, "a_libvirt_domain.yml", "@" + specs)
            expect(n, "a rerun")
            return wall, "changed tasks=%d%s" % (changed, "" if changed == 0 else " (NOT idempotent)")

        def run_a():
            try:
                # Every first run starts from no bench- domain; the reruns follow the last one.
                self.record("qemu/first", n, "a libvirt_domain", *self.repeats(one_a_first))
                self.record("qemu/rerun", n, "a libvirt_domain", *self.repeats(one_a_rerun))
            finally:
                self.cleanup_qemu()
        self.attempt("qemu/first", n, "a libvirt_domain", run_a)

        if n <= self.args.b_max:
            def run_b():
                try:
                    self.cleanup_qemu()
                    wall, changed = self.playbook("qemu-b-%d" % n, "b_community_virt.yml", "@" + xmls,
                                                  json.dumps({"bench_start": False}))
                    expect(n, "b")
                    self.record("qemu/first", n, "b community.libvirt.virt", wall,
                                "%d module calls (define), %d defined" % (n, n))
                finally:
                    self.cleanup_qemu()
            self.attempt("qemu/first", n, "b community.libvirt.virt", run_b)

        def one_c():
            self.cleanup_qemu()
            wall, out = self._run("qemu-c-%d" % n, [PYTHON, os.path.join(HERE, "floor.py"), xmls])
            res = json.loads(out.strip().splitlines()[-1])
            expect(n, "c")
            return wall, "in-loop %.3f s, %d defined" % (res["loop_s"], n)

        def run_c():
            try:
                self.record("qemu/first", n, "c libvirt-python floor", *self.repeats(one_c))
            finally:
                self.cleanup_qemu()
        self.attempt("qemu/first", n, "c libvirt-python floor", run_c)

    # -- report ----------------------------------------------------------------------
    def report(self, sizes, total):
        r = self.results
        print()
        print("=" * 96)
        print("virtops.hypervisor benchmark  sizes=%s  b up to N=%d  (%s)" % (
            ",".join(str(s) for s in sizes), self.args.b_max, time.strftime("%Y-%m-%d %H:%M:%S")))
        print("a and c: fastest of %d runs; b: one run.  %d CPUs, load average %.2f at start, %.2f at end" % (
            self.args.repeat, os.cpu_count() or 0, self.load_start[0], os.getloadavg()[0]))
        print("=" * 96)
        if self.baselines:
            print("start-up baselines: " + "; ".join("%s %.2f s" % kv for kv in self.baselines.items()))
            print()
        print("%-11s %5s  %-26s %9s %11s  %s" % ("scenario", "N", "approach", "wall [s]", "ms/domain", "note"))
        print("-" * 96)
        for row in self.rows:
            wall = "%9.2f" % row["wall"] if row["wall"] is not None else "%9s" % "ERROR"
            per = "%11.1f" % (1000.0 * row["wall"] / row["n"]) if row["wall"] is not None else "%11s" % "-"
            print("%-11s %5d  %-26s %s %s  %s" % (row["scenario"], row["n"], row["approach"], wall, per, row["note"]))
        print("-" * 96)

        def get(scenario, approach, n):
            return r.get((scenario, approach, n))

        checks = []
        lines = []
        small = [s for s in sizes if s <= self.args.b_max]
        nb = 100 if 100 in small else (max(small) if small else 100)
        for scenario, label in (("test/first", "test:///default"), ("qemu/first", "qemu:///system")):
            a, b = get(scenario, "a libvirt_domain", nb), get(scenario, "b community.libvirt.virt", nb)
            if a and b:
                ratio = b / a
                lines.append("b/a at N=%d, %-16s %8.1fx   (b %.2f s / a %.2f s)" % (nb, label, ratio, b, a))
                checks.append(("a >= %gx faster than b at N=%d on %s" % (TARGET_B_OVER_A, nb, label),
                               ratio >= TARGET_B_OVER_A, "%.1fx" % ratio))
            else:
                checks.append(("a >= %gx faster than b at N=%d on %s" % (TARGET_B_OVER_A, nb, label),
                               None, "not measured"))
        hi = max(sizes)
        lo = 100 if (100 in sizes and hi > 100) else min(sizes)
        slope = {}
        if hi > lo:
            for approach in ("a libvirt_domain", "c libvirt-python floor"):
                t_lo, t_hi = get("qemu/first", approach, lo), get("qemu/first", approach, hi)
                if t_lo is not None and t_hi is not None:
                    slope[approach] = (t_hi - t_lo) / float(hi - lo)
                    lines.append("slope %-22s qemu:///system, N=%d->%d: %7.2f ms/domain" % (
                        approach[0] + " (" + approach[2:] + ")", lo, hi, 1000 * slope[approach]))
        sa, sc = slope.get("a libvirt_domain"), slope.get("c libvirt-python floor")
        if sa is not None and sc is not None and sc > 0:
            ratio = sa / sc
            lines.append("slope(a)/slope(c) on qemu:///system             %7.2fx" % ratio)
            checks.append(("slope(a) within %gx of slope(c) on qemu:///system (N=%d->%d)" % (
                TARGET_SLOPE_RATIO, lo, hi), ratio <= TARGET_SLOPE_RATIO, "%.2fx" % ratio))
        else:
            checks.append(("slope(a) within %gx of slope(c) on qemu:///system" % TARGET_SLOPE_RATIO,
                           None, "not measured"))
        first, rerun = get("qemu/first", "a libvirt_domain", hi), get("qemu/rerun", "a libvirt_domain", hi)
        if first and rerun:
            ratio = rerun / first
            lines.append("rerun_a(%d)/first_a(%d) on qemu:///system       %7.2f   (%.2f s / %.2f s)" % (
                hi, hi, ratio, rerun, first))
            checks.append(("rerun of a at N=%d < %g x its first run" % (hi, TARGET_RERUN_RATIO),
                           ratio < TARGET_RERUN_RATIO, "%.2f" % ratio))
            # Both runs pay ansible-playbook's start-up and one module round trip, which no
            # module can shorten; measured in this run, it is shown apart rather than hidden.
            trip = self.baselines.get("ansible-playbook, 1 ping task")
            if trip is not None and first > trip:
                net = max(rerun - trip, 0.0) / (first - trip)
                lines.append("  net of one module round trip (%.2f s):            %7.2f   (%.2f s / %.2f s)" % (
                    trip, net, max(rerun - trip, 0.0), first - trip))
                checks.append(("rerun of a at N=%d < %g x its first run, net of the round trip" % (
                    hi, TARGET_RERUN_RATIO), net < TARGET_RERUN_RATIO, "%.2f" % net))
        else:
            checks.append(("rerun of a at N=%d < %g x its first run" % (hi, TARGET_RERUN_RATIO),
                           None, "not measured"))
        print()
        for line in lines:
            print(line)
        print()
        for what, ok, value in checks:
            print("%-5s %-66s %s" % ({True: "PASS", False: "FAIL", None: "N/A"}[ok], what, value))
        if self.args.quick:
            print("(--quick: N=%s only; the slope and rerun figures use N=%d->%d, not 100->500)" % (
                ",".join(str(s) for s in sizes), lo, hi))
        print()
        print("total benchmark wall time: %.1f s" % total)
        if self.errors or self.args.keep_logs:
            print("logs: %s" % self.logs)
        if self.errors:
            print()
            print("ERRORS (%d):" % len(self.errors))
            for err in self.errors:
                print("  " + err.replace("\n", "\n    "))


def main(argv):
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="N=10,100 only")
    parser.add_argument("--sizes", help="comma-separated N values (default 10,100,500)")
    parser.add_argument("--b-max", type=int, default=100, help="largest N for approach (b) (default 100)")
    parser.add_argument("--scenarios", default="test,qemu", help="test, qemu or test,qemu (default)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each (a) and (c) measurement, the fastest counts (default 3); "
                             "(b) runs once")
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary work directory")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = sorted(set(int(s) for s in args.sizes.split(",")))
    else:
        sizes = [10, 100] if args.quick else [10, 100, 500]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if args.repeat < 1 or not sizes or any(s < 1 for s in sizes) or any(s not in ("test", "qemu") for s in scenarios):
        parser.error("bad --sizes or --scenarios")

    bench = Bench(args)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    t0 = time.monotonic()
    interrupted = False
    try:
        bench.log("work directory %s" % bench.work)
        bench.baseline()
        if "qemu" in scenarios:
            removed = bench.cleanup_qemu()
            bench.log("qemu:///system: removed %s leftover bench- domains" % removed)
        for n in sizes:
            if "test" in scenarios:
                bench.scenario_test(n)
            if "qemu" in scenarios:
                bench.scenario_qemu(n)
    except KeyboardInterrupt:
        interrupted = True
        bench.errors.append("interrupted")
    except BenchError as exc:
        bench.errors.append(str(exc))
    finally:
        if "qemu" in scenarios:
            try:
                bench.cleanup_qemu()
            except BenchError as exc:
                bench.errors.append("final cleanup: %s" % exc)
    total = time.monotonic() - t0
    bench.report(sizes, total)
    if not args.keep_logs and not bench.errors:
        shutil.rmtree(bench.work, ignore_errors=True)
    if interrupted:
        return 130
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
