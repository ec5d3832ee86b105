"""Approach (c), the floor: a plain libvirt-python loop over one connection.

  floor.py XML_JSON [--start]

XML_JSON is helper.py gen's xml.json ({bench_uri, bench_domains: [{name, xml}]}). Each
domain is defined with conn.defineXML(xml) and, with --start, booted with dom.create().
Prints one JSON line: {"n": .., "defined": .., "started": .., "loop_s": ..}.
Nothing else (no validation, no comparison, no event wait): the cost of libvirt itself.
"""

import json
import sys
import time

import libvirt


def main(argv):
    start = "--start" in argv[2:]
    with open(argv[1]) as handle:
        data = json.load(handle)
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    conn = libvirt.open(data["bench_uri"])
    t0 = time.monotonic()
    defined = started = 0
    for item in data["bench_domains"]:
        dom = conn.defineXML(item["xml"])
        defined += 1
        if start:
            dom.create()
            started += 1
    loop_s = time.monotonic() - t0
    conn.close()
    print(json.dumps({"n": len(data["bench_domains"]), "defined": defined, "started": started,
                      "loop_s": loop_s}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
