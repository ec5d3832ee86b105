"""Small helpers for benchmarks/run, each a subcommand (JSON in and out where needed).

  helper.py gen URI N STATE OUTDIR   write OUTDIR/specs.json (the virtops specs) and
                                     OUTDIR/xml.json ([{name, xml}]: the XML the collection's
                                     own profile code builds from those specs, so that the
                                     three approaches define exactly the same domains)
  helper.py cleanup URI PREFIX       destroy + undefine every domain whose name starts with PREFIX
  helper.py count URI PREFIX         print how many domains whose name starts with PREFIX are defined
"""

from __future__ import print_function

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def specs_for(uri, n, state):
    specs = []
    for i in range(n):
        item = {"name": "bench-%04d" % i, "memory": 64, "vcpus": 1, "state": state}
        if uri.startswith("qemu"):
            item["domain_type"] = "qemu"
        specs.append(item)
    return specs


def gen(uri, n, state, outdir):
    sys.path.insert(0, os.path.join(TOP, ".build", "collections"))
    import libvirt  # noqa: E402  pylint: disable=import-outside-toplevel
    from ansible_collections.virtops.hypervisor.plugins.module_utils.caps import cache  # noqa: E402
    from ansible_collections.virtops.hypervisor.plugins.module_utils.domain import (  # noqa: E402
        profiles, spec as specmod)

    raw = specs_for(uri, n, state)
    specs = specmod.validate(raw, "domains")
    conn = libvirt.open(uri)
    try:
        host = cache.CapabilitiesCache(conn)
        out = []
        for item in specs:
            # The same calls as planner._plan_one for a domain that does not exist yet.
            profile = profiles.select(host.caps, item, host.recommended["image_format"] or "qcow2",
                                      host.domcaps)
            out.append({"name": item["name"], "xml": profile.build(item).to_xml()})
    finally:
        conn.close()
    with open(os.path.join(outdir, "specs.json"), "w") as handle:
        json.dump({"bench_uri": uri, "bench_specs": raw}, handle)
    with open(os.path.join(outdir, "xml.json"), "w") as handle:
        json.dump({"bench_uri": uri, "bench_domains": out}, handle)


def _quiet_libvirt():
    import libvirt  # pylint: disable=import-outside-toplevel
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    return libvirt


def cleanup(uri, prefix):
    libvirt = _quiet_libvirt()
    conn = libvirt.open(uri)
    removed = 0
    try:
        for dom in conn.listAllDomains():
            if not dom.name().startswith(prefix):
                continue
            try:
                if dom.isActive():
                    dom.destroy()
            except libvirt.libvirtError:
                pass
            flags = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                     | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                     | getattr(libvirt, "VIR_DOMAIN_UNDEFINE_NVRAM", 0))
            try:
                dom.undefineFlags(flags)
                removed += 1
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
    finally:
        conn.close()
    print(removed)


def count(uri, prefix):
    libvirt = _quiet_libvirt()
    conn = libvirt.open(uri)
    try:
        print(sum(1 for d in conn.listAllDomains() if d.name().startswith(prefix)))
    finally:
        conn.close()


def main(argv):
    if len(argv) >= 2 and argv[1] == "gen" and len(argv) == 6:
        gen(argv[2], int(argv[3]), argv[4], argv[5])
    elif len(argv) == 4 and argv[1] == "cleanup":
        cleanup(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "count":
        count(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
