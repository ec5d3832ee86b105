"""Forward a loopback TCP port to a unix socket, for testing remote libvirt URIs.

    tcp-forward.py UNIX_SOCKET PIDFILE   -> prints the port once it listens, then serves
                                            in the background until killed.

The tests reach the daemon as qemu+tcp://127.0.0.1:PORT/system, libvirt's real remote
protocol over TCP, without reconfiguring whichever libvirtd happens to run. It only
ever binds 127.0.0.1.
"""
import os
import socket
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(listener, target):
    while True:
        client, _addr = listener.accept()
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(target)
        except OSError:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


def main():
    target, pidfile = sys.argv[1], sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    if os.fork():
        # The port is printed only after listen(): reading it is the readiness signal.
        print(port, flush=True)
        return
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    with open(pidfile, "w") as handle:
        handle.write("%d\n" % os.getpid())
    serve(listener, target)


if __name__ == "__main__":
    main()
