"""Roles benchmark: host_network + kvm_host against stackhpc.libvirt-host, each in a
fresh Debian 12 VM (2 GiB, 2 vCPUs, qemu64 under TCG) booted by the Molecule harness's
own create.yml. Run through benchmarks/roles/run; see benchmarks/roles/README.md.

  bench.py [--peer PATH] [--reruns N] [--skip-bad-input] [--keep-logs] [--work DIR]
  bench.py --destroy-only DIR      destroy whatever VMs a run with --work DIR left

Exit 0 when every measurement ran (targets missed or not), 1 when one could not run,
130 when interrupted.
"""

import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
HARNESS = os.path.join(TOP, "extensions", "molecule", "default")
PEER_URL = "https://github.com/stackhpc/ansible-role-libvirt-host"
# The files either role may write, hashed before and after a run with bad input.
WATCHED = "/etc/libvirt /etc/default /etc/systemd/system /etc/network /etc/cloudstack /etc/sasl2"
SIDES = ("ours", "peer")
# Of the apt repository's port file, the forward every SSH connection carries.
APT_PORT_IN_VM = 3142


class Failed(Exception):
    """A measurement that could not run."""


def log(msg):
    print("bench-roles [%s]: %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class VM:
    """One VM of one side, booted and destroyed through the Molecule harness."""

    def __init__(self, work, side):
        self.side = side
        self.dir = os.path.join(work, side)
        os.makedirs(self.dir, exist_ok=True)
        self.molecule_file = os.path.join(self.dir, "molecule.yml")
        self.instance_config = os.path.join(self.dir, "instance_config.yml")
        self.inventory = os.path.join(self.dir, "inventory.json")
        self.name = "bench-roles-" + side

    def env(self):
        env = dict(os.environ)
        env.update({
            "MOLECULE_FILE": self.molecule_file,
            "MOLECULE_EPHEMERAL_DIRECTORY": self.dir,
            "MOLECULE_SCENARIO_NAME": self.name,
            "MOLECULE_INSTANCE_CONFIG": self.instance_config,
            "MOLECULE_PROJECT_DIRECTORY": TOP,
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_tally",
        })
        return env

    def playbook(self, path, logname, inventory=None, extra=()):
        cmd = ["ansible-playbook", path]
        if inventory:
            cmd += ["-i", inventory]
        cmd += list(extra)
        logpath = os.path.join(self.dir, logname + ".log")
        with open(logpath, "w") as out:
            t0 = time.monotonic()
            rc = subprocess.call(cmd, cwd=TOP, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
            return rc, time.monotonic() - t0, logpath

    def create(self):
        with open(self.molecule_file, "w") as f:
            # One platform: the VM, and one link NIC without a peer for host_network's bridge.
            json.dump({"platforms": [{"name": self.name, "memory": 2048, "vcpus": 2,
                                      "cpu_model": "qemu64", "links": ["spare"]}]}, f)
        rc, secs, logpath = self.playbook(os.path.join(HARNESS, "create.yml"), "create")
        if rc:
            raise Failed("%s: create.yml failed (rc %d); see %s" % (self.side, rc, logpath))
        import yaml  # from the virtualenv, as Ansible's own dependency
        with open(self.instance_config) as f:
            inst = yaml.safe_load(f)[0]
        with open(os.path.join(self.dir, "apt-repo.port")) as f:
            apt_port = int(f.read())
        with open(os.path.join(self.dir, "links.json")) as f:
            self.link_mac = json.load(f)[self.name][0]["mac"]
        self.port, self.key = inst["port"], inst["identity_file"]
        self.hostvars = {
            "ansible_host": "127.0.0.1", "ansible_port": self.port, "ansible_user": "root",
            "ansible_ssh_private_key_file": self.key,
            "ansible_python_interpreter": "/usr/bin/python3",
            "ansible_ssh_common_args": "-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no"
                                       " -o IdentitiesOnly=yes",
            # The local apt repository, at the VM's own 127.0.0.1:3142 (as in config.yml).
            "ansible_ssh_extra_args": "-R 127.0.0.1:%d:127.0.0.1:%d" % (APT_PORT_IN_VM, apt_port),
            "molecule_apt_port": APT_PORT_IN_VM,
        }
        self.write_inventory()
        return secs

    def write_inventory(self):
        with open(self.inventory, "w") as f:
            json.dump({"all": {"hosts": {self.name: self.hostvars}}}, f, indent=1)

    def prepare(self):
        rc, secs, logpath = self.playbook(os.path.join(HARNESS, "prepare.yml"), "prepare", self.inventory)
        if rc:
            raise Failed("%s: prepare.yml failed (rc %d); see %s" % (self.side, rc, logpath))
        # The spare link NIC's name, found by the MAC create.yml gave it.
        links = json.loads(self.ssh("ip -j link"))
        names = [link["ifname"] for link in links if link.get("address") == self.link_mac]
        if len(names) != 1:
            raise Failed("%s: no single NIC with MAC %s in the VM" % (self.side, self.link_mac))
        self.hostvars["bench_link"] = names[0]
        self.write_inventory()
        return secs

    def ssh(self, command):
        cmd = ["ssh", "-p", str(self.port), "-i", self.key, "-o", "BatchMode=yes",
               "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
               "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "root@127.0.0.1", command]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300).stdout

    def checksums(self):
        out = self.ssh("find %s -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum" % WATCHED)
        return dict(reversed(line.split(None, 1)) for line in out.splitlines())

    def destroy(self):
        if not os.path.exists(self.molecule_file):
            return 0.0
        rc, secs, logpath = self.playbook(os.path.join(HARNESS, "destroy.yml"), "destroy")
        if rc:
            raise Failed("%s: destroy.yml failed (rc %d); see %s" % (self.side, rc, logpath))
        os.rename(self.molecule_file, self.molecule_file + ".destroyed")
        return secs


def timed_run(vm, playbook, label, extra=()):
    """One ansible-playbook process, timed whole, with its tally."""
    tally = os.path.join(vm.dir, label + ".json")
    env_extra = ["-e", "@" + os.path.join(vm.dir, "extra.json")] if os.path.exists(
        os.path.join(vm.dir, "extra.json")) else []
    os.environ["BENCH_TALLY_FILE"] = tally
    try:
        rc, secs, logpath = vm.playbook(playbook, label, vm.inventory, env_extra + list(extra))
    finally:
        del os.environ["BENCH_TALLY_FILE"]
    try:
        with open(tally) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {"tasks": [], "recap": {}}
    tasks = [t for t in data["tasks"] if t["status"] != "include"]
    run = {
        "label": label, "rc": rc, "seconds": secs, "log": logpath,
        "ran": sum(1 for t in tasks if t["status"] in ("ok", "changed", "failed", "ignored")),
        "skipped": sum(1 for t in tasks if t["status"] == "skipped"),
        "changed": sum(1 for t in tasks if t["status"] == "changed"),
        "changed_tasks": [t["name"] for t in tasks if t["status"] == "changed"],
        "failed_tasks": [{"name": t["name"], "msg": t.get("msg", "")} for t in tasks
                         if t["status"] in ("failed", "unreachable")],
        "facts_seconds": sum(t["seconds"] or 0 for t in tasks if t["action"] in (
            "gather_facts", "ansible.builtin.gather_facts", "setup", "ansible.builtin.setup")),
        "recap": data["recap"],
    }
    log("%s %s: rc %d, %.1f s, %d tasks ran (%d skipped), changed=%d%s" % (
        vm.side, label, rc, secs, run["ran"], run["skipped"], run["changed"],
        (" " + "; ".join(run["changed_tasks"])) if run["changed_tasks"] else ""))
    return run


def measure(vm, playbook, reruns, results):
    """First converge, then the no-change reruns."""
    first = timed_run(vm, playbook, "converge")
    results["first"] = first
    if first["rc"]:
        raise Failed("%s: the first converge failed; see %s" % (vm.side, first["log"]))
    results["reruns"] = []
    for i in range(reruns):
        run = timed_run(vm, playbook, "rerun%d" % (i + 1))
        results["reruns"].append(run)
        if run["rc"]:
            raise Failed("%s: rerun %d failed; see %s" % (vm.side, i + 1, run["log"]))


def bad_input(vm, playbook, bad_vars, results):
    """A run with one bad variable, the files it touched, and the next run with the good ones."""
    before = vm.checksums()
    bad = timed_run(vm, playbook, "bad-input", ["-e", json.dumps(bad_vars)])
    after = vm.checksums()
    touched = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    bad["touched"] = touched
    results["bad"] = bad
    if bad["failed_tasks"]:
        log("%s bad input: failed at %r: %s" % (vm.side, bad["failed_tasks"][0]["name"],
                                                bad["failed_tasks"][0]["msg"][:300]))
    log("%s bad input: files changed: %s" % (vm.side, ", ".join(touched) or "none"))
    for path in touched:
        try:
            log("%s: %s now reads:\n%s" % (vm.side, path, vm.ssh("cat " + shlex.quote(path)).rstrip()))
        except subprocess.CalledProcessError:
            log("%s: %s is gone" % (vm.side, path))
    results["after_bad"] = timed_run(vm, playbook, "after-bad-input")
    fails = results["after_bad"]["failed_tasks"]
    if fails:
        log("%s run after the bad one: failed at %r: %s" % (vm.side, fails[0]["name"], fails[0]["msg"][:300]))


def run_side(work, side, playbook, reruns, skip_bad, bad_vars, results, extra=None):
    vm = VM(work, side)
    if extra:
        with open(os.path.join(vm.dir, "extra.json"), "w") as f:
            json.dump(extra, f)
    try:
        log("%s: booting a VM (create.yml)" % side)
        results["boot"] = vm.create()
        results["prepare"] = vm.prepare()
        log("%s: VM up in %.1f s, prepared in %.1f s; spare NIC %s" % (
            side, results["boot"], results["prepare"], vm.hostvars["bench_link"]))
        measure(vm, playbook, reruns, results)
        if not skip_bad:
            bad_input(vm, playbook, bad_vars, results)
    finally:
        log("%s: destroying the VM" % side)
        results["destroy"] = vm.destroy()


def fmt_changed(runs):
    return " ".join(str(r["changed"]) for r in runs) or "-"


def table(results, reruns):
    rows = []
    head = ("side", "boot s", "first s", "tasks", "changed", "rerun s (each)",
            "median rerun s", "tasks/rerun", "changed per rerun", "facts s/rerun")
    for side in SIDES:
        r = results.get(side)
        if not r or "first" not in r:
            continue
        rr = r.get("reruns", [])
        med = statistics.median(x["seconds"] for x in rr) if rr else None
        rows.append((side, "%.1f" % r["boot"] if "boot" in r else "-",
                     "%.1f" % r["first"]["seconds"], str(r["first"]["ran"]), str(r["first"]["changed"]),
                     " ".join("%.1f" % x["seconds"] for x in rr) or "-",
                     "%.1f" % med if med is not None else "-",
                     "/".join(sorted(set(str(x["ran"]) for x in rr))) or "-", fmt_changed(rr),
                     "%.1f" % statistics.median(x["facts_seconds"] for x in rr) if rr else "-"))
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    ours, peer = results.get("ours", {}), results.get("peer", {})
    if ours.get("reruns") and peer.get("reruns") and len(ours["reruns"]) == len(peer["reruns"]) == reruns:
        mo = statistics.median(x["seconds"] for x in ours["reruns"])
        mp = statistics.median(x["seconds"] for x in peer["reruns"])
        print("\nmedian rerun ours/peer: %.2f (%.1f s / %.1f s); target <= 0.5: %s" % (
            mo / mp, mo, mp, "met" if mo / mp <= 0.5 else "missed"))
        print("changed=0 on every rerun of ours: %s" % (
            "yes" if all(x["changed"] == 0 for x in ours["reruns"]) else "no"))
    for side in SIDES:
        r = results.get(side, {})
        for x in r.get("reruns", []):
            if x["changed"]:
                print("%s %s changed: %s" % (side, x["label"], "; ".join(x["changed_tasks"])))
    for side in SIDES:
        r = results.get(side, {})
        if "bad" not in r:
            continue
        b, a = r["bad"], r.get("after_bad")
        print("\n%s, bad listen address %s:" % (side, r["bad_vars"]))
        print("  run: rc %d, failed at %s, files changed: %s" % (
            b["rc"], repr(b["failed_tasks"][0]["name"]) if b["failed_tasks"] else "no task",
            ", ".join(b["touched"]) or "none"))
        if b["failed_tasks"]:
            print("  message: %s" % " ".join(b["failed_tasks"][0]["msg"].split())[:400])
        if a:
            print("  next run with the good variables: rc %d, changed=%d%s" % (
                a["rc"], a["changed"],
                (", failed at %r: %s" % (a["failed_tasks"][0]["name"],
                                         " ".join(a["failed_tasks"][0]["msg"].split())[:300]))
                if a["failed_tasks"] else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("--peer", help="path of a checkout of %s (without it, only ours is measured)" % PEER_URL)
    ap.add_argument("--reruns", type=int, default=3, help="no-change reruns per side (default 3)")
    ap.add_argument("--skip-bad-input", action="store_true", help="leave out the bad listen address runs")
    ap.add_argument("--only", choices=SIDES, help="measure one side only")
    ap.add_argument("--keep-logs", action="store_true", help="keep the work directory")
    ap.add_argument("--work", help="work directory (default: a new temporary one)")
    ap.add_argument("--destroy-only", metavar="DIR", help="destroy the VMs a run with --work DIR left")
    args = ap.parse_args()

    if args.destroy_only:
        rc = 0
        for side in SIDES:
            if os.path.isdir(os.path.join(args.destroy_only, side)):
                try:
                    VM(args.destroy_only, side).destroy()
                except Failed as e:
                    log(str(e))
                    rc = 1
        return rc

    peer = None
    if args.peer and args.only != "ours":
        peer = os.path.abspath(args.peer)
        if not os.path.isfile(os.path.join(peer, "tasks", "main.yml")):
            log("no checkout of the peer role at %s (no tasks/main.yml); get one with\n"
                "    git clone %s %s\nMeasuring ours only." % (peer, PEER_URL, args.peer))
            peer = None
    elif args.only != "ours":
        log("no --peer PATH: measuring ours only. For the peer: git clone %s PATH" % PEER_URL)

    work = args.work or tempfile.mkdtemp(prefix="bench-roles-")
    os.makedirs(work, exist_ok=True)
    log("work directory %s" % work)

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    results, errors, rc = {}, [], 0
    t0 = time.monotonic()
    plan = []
    if args.only != "peer":
        plan.append(("ours", os.path.join(HERE, "playbooks", "ours.yml"),
                     {"kvm_host_listen_addr": "127.0.0.1:16509"}, None))
    if peer:
        plan.append(("peer", os.path.join(HERE, "playbooks", "peer.yml"),
                     {"libvirt_host_tcp_listen_address": "127.0.0.1"},
                     # The VM's kernel runs AppArmor, so the peer would install the
                     # apparmor package, which a real Debian 12 host has from its
                     # installer and the harness's minimal image lacks (nor has the
                     # local repository): its daemon package list without it.
                     {"bench_peer_role": peer,
                      "libvirt_host_libvirt_packages_libvirt_daemon": ["libvirt-daemon-system"]}))
    try:
        for side, playbook, bad_vars, extra in plan:
            results[side] = {"bad_vars": bad_vars}
            t_side = time.monotonic()
            try:
                run_side(work, side, playbook, args.reruns, args.skip_bad_input, bad_vars,
                         results[side], extra)
            except (Failed, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
                log("ERROR: %s" % e)
                errors.append("%s: %s" % (side, e))
            finally:
                results[side]["wall"] = time.monotonic() - t_side
            log("%s: whole scenario %.1f s" % (side, results[side]["wall"]))
    except KeyboardInterrupt:
        log("interrupted")
        rc = 130

    print()
    print("Roles benchmark: one Debian 12 VM per side (2 GiB, 2 vCPUs, qemu64 under TCG); "
          "wall seconds of whole ansible-playbook processes")
    table(results, args.reruns)
    for side in SIDES:
        if side in results:
            print("%s: whole scenario (boot, prepare, runs, destroy) %.1f s" % (side, results[side].get("wall", 0)))
    print("total %.1f s" % (time.monotonic() - t0))
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    if errors:
        print("\nERRORS (measurements that could not run):")
        for e in errors:
            print("  " + e)
        rc = rc or 1
    if args.work:
        pass  # the caller's directory (run keeps it on errors and with --keep-logs)
    elif rc == 0 and not args.keep_logs:
        subprocess.call(["rm", "-rf", work])
    else:
        log("logs kept in %s" % work)
    return rc


if __name__ == "__main__":
    sys.exit(main())
