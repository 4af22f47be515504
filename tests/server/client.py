#!/usr/bin/env python3
# TLS and TCP clients for certbindd's tests (Python's ssl module, which is
# OpenSSL: a real client, not certbind's code). Every operation has a
# timeout; the result is one line on stdout.
#
#   client.py bulk HOST PORT N      send N random bytes through an echo
#                                   backend while reading them back; prints
#                                   "SENT-SHA256 RECEIVED-SHA256 CLOSE" where
#                                   CLOSE is "clean" if close_notify came back
#                                   after our own close_notify
#   client.py source HOST PORT N    read until the server closes; prints
#                                   "SHA256-OF-RECEIVED EXPECTED-SHA256 LEN"
#   client.py silent HOST PORT MAX  connect, say nothing; prints the seconds
#                                   until the server closed, or "open"
#   client.py stall HOST PORT N     send up to N bytes without ever reading;
#                                   prints how many went before the sends
#                                   blocked for 2 s (backpressure), or N
#   client.py idle HOST PORT MAX    TLS handshake, then say nothing; prints
#                                   the seconds until the server closed
#   client.py hold HOST PORT N SECS open N TLS connections and keep them;
#                                   prints one line per connection, "ok" or
#                                   "refused", then "echo ok"/"echo failed"
#                                   after an echo on every open one, once
#                                   SECS have passed or stdin is closed
import hashlib
import os
import select
import socket
import ssl
import sys
import time


def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def tls(host, port, timeout=10):
    s = socket.create_connection((host, port), timeout=timeout)
    return ctx().wrap_socket(s, server_hostname=None)


def stream(n):
    out = bytearray()
    x = 0x12345678
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7fffffff
        out += x.to_bytes(4, "little")
    return bytes(out[:n])


def bulk(host, port, n):
    # One thread, non-blocking: an OpenSSL connection must not be read and
    # written from two threads at once.
    data = os.urandom(n)
    s = tls(host, port, timeout=60)
    s.setblocking(False)
    got = bytearray()
    off = 0
    err = []
    end = time.monotonic() + 120
    eof = False
    while len(got) < n and not eof and time.monotonic() < end:
        select.select([s], [s] if off < n else [], [], 1)
        if off < n:
            try:
                off += s.send(data[off:off + 65536])
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                pass
            except (OSError, ssl.SSLError) as e:
                err.append(e)
                break
        while True:
            try:
                b = s.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            except (OSError, ssl.SSLError) as e:
                err.append(e)
                eof = True
                break
            if not b:
                eof = True
                break
            got.extend(b)
    s.setblocking(True)
    s.settimeout(30)
    close = "none"
    try:
        s.unwrap()
        close = "clean"
    except Exception as e:
        close = "unclean:" + type(e).__name__
    print(hashlib.sha256(data).hexdigest(), hashlib.sha256(got).hexdigest(),
          close, len(got), *[repr(e) for e in err])


def source(host, port, n):
    s = tls(host, port, timeout=60)
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
    print(hashlib.sha256(got).hexdigest(),
          hashlib.sha256(stream(n)).hexdigest(), len(got))


def silent(host, port, limit):
    s = socket.create_connection((host, port), timeout=5)
    t0 = time.monotonic()
    s.settimeout(limit)
    try:
        b = s.recv(1)
        print("%.1f" % (time.monotonic() - t0) if not b else "data")
    except socket.timeout:
        print("open")
    except ConnectionResetError:
        print("%.1f" % (time.monotonic() - t0))


def stall(host, port, n):
    s = tls(host, port)
    s.settimeout(2)
    chunk = b"x" * 16384
    sent = 0
    try:
        while sent < n:
            sent += s.send(chunk)
    except (socket.timeout, ssl.SSLError, OSError):
        pass
    print(sent, flush=True)
    # Stay connected while the test looks at the server's memory.
    select.select([sys.stdin], [], [], 10)


def idle(host, port, limit):
    s = tls(host, port)
    t0 = time.monotonic()
    s.settimeout(limit)
    try:
        b = s.recv(1)
        print("%.1f" % (time.monotonic() - t0) if not b else "data")
    except socket.timeout:
        print("open")
    except (OSError, ssl.SSLError):
        print("%.1f" % (time.monotonic() - t0))


def hold(host, port, n, secs):
    conns = []
    for _ in range(n):
        try:
            c = tls(host, port, timeout=5)
            conns.append(c)
            print("ok", flush=True)
        except (OSError, ssl.SSLError):
            print("refused", flush=True)
    # Wait for the test to try its own connections meanwhile.
    select.select([sys.stdin], [], [], secs)
    ok = True
    for c in conns:
        try:
            c.sendall(b"ping")
            ok = ok and c.recv(4) == b"ping"
        except (OSError, ssl.SSLError):
            ok = False
    print("echo ok" if ok and conns else "echo failed", flush=True)


def main():
    op, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if op == "bulk":
        bulk(host, port, int(sys.argv[4]))
    elif op == "source":
        source(host, port, int(sys.argv[4]))
    elif op == "silent":
        silent(host, port, float(sys.argv[4]))
    elif op == "stall":
        stall(host, port, int(sys.argv[4]))
    elif op == "idle":
        idle(host, port, float(sys.argv[4]))
    elif op == "hold":
        hold(host, port, int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit("client.py: unknown operation " + op)


if __name__ == "__main__":
    main()
