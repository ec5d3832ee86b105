"""Run virtops.hypervisor.libvirt_domain's main() in this process under cProfile.

  .venv/bin/python benchmarks/profile_module.py SPECS_JSON [--top 30] [--sort cumulative]
                                                [--out FILE.pstats]

SPECS_JSON is helper.py gen's specs.json ({bench_uri, bench_specs}). The module's JSON
result is summarised (changed, number of domains, actions) on stderr, then the profile.
It changes libvirt exactly as the module would: on qemu:///system undefine the bench-
domains afterwards (benchmarks/helper.py cleanup qemu:///system bench-).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("specs")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    with open(args.specs) as handle:
        data = json.load(handle)

    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    from ansible_collections.virtops.hypervisor.plugins.modules import libvirt_domain  # pylint: disable=import-outside-toplevel

    module_args = {"uri": data["bench_uri"], "domains": data["bench_specs"]}
    out = io.StringIO()
    real_stdout = sys.stdout
    prof = cProfile.Profile()
    t0 = time.monotonic()
    sys.stdout = out
    try:
        with patch_module_args(module_args):
            prof.runcall(libvirt_domain.main)
    except SystemExit:
        pass
    finally:
        sys.stdout = real_stdout
    wall = time.monotonic() - t0
    text = out.getvalue()
    try:
        result = json.loads(text[text.index("{"):])
        actions = {}
        for dom in result.get("domains", []):
            key = ",".join(dom["actions"]) or "-"
            actions[key] = actions.get(key, 0) + 1
        sys.stderr.write("module: %.2f s, changed=%s, failed=%s, %d domains, actions %s, %d bytes of JSON%s\n" % (
            wall, result.get("changed"), result.get("failed", False), len(result.get("domains", [])),
            actions, len(text), (", msg=" + result["msg"]) if result.get("msg") else ""))
    except ValueError:
        sys.stderr.write("module: %.2f s, unparsable output: %s\n" % (wall, text[:2000]))
    if args.out:
        prof.dump_stats(args.out)
    stats = pstats.Stats(prof, stream=sys.stderr)
    stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
