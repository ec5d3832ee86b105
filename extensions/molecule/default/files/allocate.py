"""Free loopback ports for a Molecule scenario's instances, as JSON on stdout.

  allocate.py PLATFORMS_JSON

For each instance: a TCP port for SSH (QEMU's user-mode hostfwd listens on it), one
for each guest port its platform lists under `forwards`, and, for each link it names, a
UDP port of its own; the peer on the same link sends to it.
A link named by one instance only gets a second UDP port nobody listens on.

The ports are found by binding them to 127.0.0.1 and are released right before QEMU
binds them; all ports of one call are held until the end, so they are distinct.
"""

import json
import socket
import sys


def main(argv):
    platforms = json.loads(argv[1])
    held = []

    def port(kind):
        sock = socket.socket(socket.AF_INET, kind)
        sock.bind(("127.0.0.1", 0))
        held.append(sock)
        return sock.getsockname()[1]

    members = {}
    for platform in platforms:
        for link in platform.get("links", []):
            members.setdefault(link, []).append(platform["name"])
    for link, names in sorted(members.items()):
        if len(names) > 2 or len(set(names)) != len(names):
            raise SystemExit("link %s: a link joins two instances (or one, for a spare NIC), got %s"
                             % (link, ", ".join(names)))
    udp = dict(((link, name), port(socket.SOCK_DGRAM)) for link, names in members.items() for name in names)
    spare = dict((link, port(socket.SOCK_DGRAM)) for link, names in members.items() if len(names) == 1)
    out = {}
    for platform in platforms:
        name = platform["name"]
        nics = []
        for link in platform.get("links", []):
            peer = [n for n in members[link] if n != name]
            nics.append({"link": link, "local_port": udp[(link, name)],
                         "remote_port": udp[(link, peer[0])] if peer else spare[link]})
        forwards = dict((str(int(guest)), port(socket.SOCK_STREAM)) for guest in platform.get("forwards", []))
        out[name] = {"ssh_port": port(socket.SOCK_STREAM), "links": nics, "forwards": forwards}
    for sock in held:
        sock.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
