"""Serve a directory read-only over HTTP on 127.0.0.1, for test VMs' apt.

    serve.py DIRECTORY PIDFILE   -> prints the port once it listens, then serves in the
                                    background until killed (kill "$(cat PIDFILE)").

It only ever binds 127.0.0.1; VMs reach it through a QEMU guest forward.
"""
import functools
import http.server
import os
import sys


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # apt's requests are not worth a log
        pass


def main():
    directory, pidfile = sys.argv[1], sys.argv[2]
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if os.fork():
        os._exit(0)
    os.setsid()
    with open(pidfile, "w") as handle:
        handle.write("%d\n" % os.getpid())
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    server.serve_forever()


if __name__ == "__main__":
    main()
