#!/usr/bin/env python3
# ALPN clients and a counting backend for the tls-alpn-01 test
# (t-alpn-challenge.sh). Python's ssl module is OpenSSL: a client
# independent of certbind's code. Every operation has a timeout.
#
#   alpn.py fpr HOST PORT SNI ALPN      one handshake with SNI (- for none)
#                                       offering only ALPN (- for none);
#                                       prints "FPR SELECTED" (the leaf's
#                                       SHA-256, lower-case hex with colons,
#                                       and the protocol selected or "-"),
#                                       or "refused"
#   alpn.py loop HOST PORT SECS SNI ALPN
#                                       handshakes and a 4-byte echo (none
#                                       for acme-tls/1), one after another
#                                       for SECS seconds;
#                                       prints "OK FAILED FPRS FIRST-ERROR"
#                                       where FPRS is every leaf served,
#                                       comma-separated, sorted
#   alpn.py backend HOST PORT READY COUNT
#                                       an echo backend that writes the
#                                       number of connections it accepted
#                                       to COUNT after each accept; READY
#                                       once it listens
import hashlib
import os
import socket
import ssl
import sys
import threading
import time


def ctx(alpn):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if alpn != "-":
        c.set_alpn_protocols([alpn])
    return c


def fpr_of(der):
    h = hashlib.sha256(der).hexdigest()
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def handshake(host, port, sni, alpn, echo=False):
    with socket.create_connection((host, port), timeout=5) as s:
        with ctx(alpn).wrap_socket(
                s, server_hostname=None if sni == "-" else sni) as t:
            der = t.getpeercert(binary_form=True)
            sel = t.selected_alpn_protocol() or "-"
            if echo:
                t.sendall(b"ping")
                if t.recv(4) != b"ping":
                    raise OSError("bad echo")
            return fpr_of(der), sel


def cmd_fpr(host, port, sni, alpn):
    try:
        f, sel = handshake(host, port, sni, alpn)
        print(f, sel)
    except (OSError, ssl.SSLError):
        print("refused")


def cmd_loop(host, port, secs, sni, alpn):
    ok = failed = 0
    first = ""
    seen = set()
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            f, _ = handshake(host, port, sni, alpn,
                             echo=alpn != "acme-tls/1")
            seen.add(f)
            ok += 1
        except (OSError, ssl.SSLError) as e:
            failed += 1
            first = first or repr(e).replace(" ", "_")
    print(ok, failed, ",".join(sorted(seen)) or "-", first or "-")


def cmd_backend(host, port, ready, count):
    lock = threading.Lock()
    n = [0]

    def serve(conn):
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        finally:
            conn.close()

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(128)
    with open(count, "w") as f:
        f.write("0\n")
    with open(ready + ".tmp", "w") as f:
        f.write(str(os.getpid()) + "\n")
    os.rename(ready + ".tmp", ready)
    while True:
        conn, _ = s.accept()
        with lock:
            n[0] += 1
            with open(count + ".tmp", "w") as f:
                f.write("%d\n" % n[0])
            os.rename(count + ".tmp", count)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "fpr":
        cmd_fpr(host, port, sys.argv[4], sys.argv[5])
    elif cmd == "loop":
        cmd_loop(host, port, float(sys.argv[4]), sys.argv[5], sys.argv[6])
    elif cmd == "backend":
        cmd_backend(host, port, sys.argv[4], sys.argv[5])
    else:
        sys.exit("alpn.py: unknown command " + cmd)


if __name__ == "__main__":
    main()
