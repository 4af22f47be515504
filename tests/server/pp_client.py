#!/usr/bin/env python3
# Clients for certbindd's PROXY protocol and access log tests (Python's
# ssl module, which is OpenSSL). Every operation has a timeout; the
# result is one line on stdout.
#
#   pp_client.py tls HOST PORT [options]
#       A TLS connection that sends N bytes and reads them back from an
#       echo backend. Prints "name=value" fields, as the client saw them:
#         src=ADDR:PORT   its own address (what a PROXY header must name)
#         version=TLSv1.3 cipher=NAME (OpenSSL's name) alpn=PROTO|-
#         fpr=SHA256      the served certificate's, lower-case hex with
#                         colons (as srv_fpr and mkcert_fpr print it)
#         echo=ok|bad     whether the N bytes came back intact
#         close=clean     close_notify came back after ours
#       Options: --src ADDR (bind to it first), --sni NAME, --alpn P1,P2,
#       --tls 1.2|1.3, --bytes N (default 1000), --cert PEM --key PEM (a
#       client certificate, when asked for), --pre HEX (raw bytes,
#       a PROXY header, sent before the ClientHello), --idle MAX (send
#       nothing: print the fields and "ready" after the handshake, then
#       "closed_after=SECS" once the server closes, or "open" after MAX).
#   pp_client.py raw HOST PORT KIND MAX
#       Sends a bad PROXY header (KIND: garbage, long, longv1, partial) or
#       nothing (silent) and waits up to MAX seconds for the server to
#       close. Prints "closed SECS" (EOF or reset) or "open".
import hashlib
import os
import socket
import ssl
import sys
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def connect(host, port, src=None, timeout=10):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    s.connect((host, port))
    return s


def fmt(sockname):
    if ":" in sockname[0]:
        return "[%s]:%d" % (sockname[0], sockname[1])
    return "%s:%d" % (sockname[0], sockname[1])


def tls(host, port, opts):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    if opts.get("tls") == "1.2":
        c.maximum_version = ssl.TLSVersion.TLSv1_2
    elif opts.get("tls") == "1.3":
        c.minimum_version = ssl.TLSVersion.TLSv1_3
    if opts.get("alpn"):
        c.set_alpn_protocols(opts["alpn"].split(","))
    if opts.get("cert"):
        c.load_cert_chain(opts["cert"], opts["key"])
    raw = connect(host, port, opts.get("src"))
    src = fmt(raw.getsockname())
    if opts.get("pre"):
        raw.sendall(bytes.fromhex(opts["pre"]))
    s = c.wrap_socket(raw, server_hostname=opts.get("sni"))
    der = s.getpeercert(binary_form=True)
    seen = "src=%s version=%s cipher=%s alpn=%s fpr=%s" % (
        src, s.version(), s.cipher()[0], s.selected_alpn_protocol() or "-",
        hashlib.sha256(der).digest().hex(":") if der else "-")
    if opts.get("idle"):
        # Say nothing after the handshake, until the server closes.
        print(seen + " ready", flush=True)
        t0 = time.monotonic()
        s.settimeout(float(opts["idle"]))
        try:
            b = s.recv(1)
            print("closed_after=%.1f" % (time.monotonic() - t0) if not b
                  else "data")
        except socket.timeout:
            print("open")
        except (OSError, ssl.SSLError):
            print("closed_after=%.1f" % (time.monotonic() - t0))
        return
    n = int(opts.get("bytes", 1000))
    data = os.urandom(n)
    s.sendall(data)
    got = bytearray()
    while len(got) < n:
        b = s.recv(65536)
        if not b:
            break
        got.extend(b)
    close = "none"
    try:
        s.unwrap()
        close = "clean"
    except (OSError, ssl.SSLError) as e:
        close = "unclean:" + type(e).__name__
    print("%s echo=%s close=%s" % (seen, "ok" if bytes(got) == data else
                                   "bad:%d" % len(got), close))


def tls_main(host, port, args):
    opts = {}
    for i in range(0, len(args) - 1, 2):
        opts[args[i].lstrip("-")] = args[i + 1]
    tls(host, port, opts)


def raw(host, port, kind, limit):
    s = connect(host, port)
    if kind == "garbage":
        s.sendall(b"PROXY TCP4 999.0.0.1 127.0.0.1 1 2\r\n")
    elif kind == "long":
        # A v2 header that says 4984 bytes follow: 5000 in all.
        body = b"\x00" * 4984
        s.sendall(b"\r\n\r\n\x00\r\nQUIT\n\x21\x11" +
                  len(body).to_bytes(2, "big") + body)
    elif kind == "longv1":
        s.sendall(b"PROXY TCP4 " + b"1" * 4989)
    elif kind == "partial":
        s.sendall(b"\r\n\r\n\x00\r\nQU")
    elif kind != "silent":
        sys.exit("pp_client.py: unknown kind " + kind)
    t0 = time.monotonic()
    s.settimeout(limit)
    try:
        while s.recv(4096):
            pass
        print("closed %.1f" % (time.monotonic() - t0))
    except socket.timeout:
        print("open")
    except OSError:
        print("closed %.1f" % (time.monotonic() - t0))


def main():
    op, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if op == "tls":
        tls_main(host, port, sys.argv[4:])
    elif op == "raw":
        raw(host, port, sys.argv[4], float(sys.argv[5]))
    else:
        sys.exit("pp_client.py: unknown operation " + op)


if __name__ == "__main__":
    main()
