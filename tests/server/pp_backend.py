#!/usr/bin/env python3
# A backend for certbindd's PROXY protocol tests that reads the header
# byte by byte and says what it saw. One connection at a time.
#
#   pp_backend.py HOST PORT READYFILE REPORT
#
# For each connection it reads a PROXY v1 or v2 header (HAProxy's
# proxy-protocol.txt), checks its structure exactly, writes a report to
# REPORT (atomically, through REPORT.tmp), then echoes every byte after
# the header until EOF. The report has one "name=value" line per thing
# seen, in the order below, so a test compares it whole with what it
# expects from its own side of the connection:
#
#   version=2               or 1
#   command=PROXY           v2 command (LOCAL or PROXY)
#   family=TCP4             TCP4, TCP6 (v2: 0x11, 0x21), or UNKNOWN
#   src=ADDR:PORT           the client, as the header says
#   dst=ADDR:PORT           the address it reached
#   alpn=PROTO              v2 TLVs, in the order they came, values as
#   authority=NAME          text; any TLV certbindd should not send is
#   ssl_client=0x01         reported as tlv_0xNN=HEX, which no test
#   ssl_verify=0            expects
#   ssl_version=TLSv1.3
#   ssl_cipher=NAME
#   ssl_cn=NAME
#
# A structural error (a bad signature, a length that does not add up, a
# TLV that runs past the header, trailing garbage in a v1 line) becomes
# "error=..." and the connection is closed without echoing.
import os
import socket
import struct
import sys

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
TLV_NAMES = {0x01: "alpn", 0x02: "authority"}
SSL_SUB = {0x21: "ssl_version", 0x22: "ssl_cn", 0x23: "ssl_cipher"}


class Bad(Exception):
    pass


def read_exact(conn, n):
    out = bytearray()
    while len(out) < n:
        b = conn.recv(n - len(out))
        if not b:
            raise Bad("EOF after %d of %d bytes" % (len(out), n))
        out.extend(b)
    return bytes(out)


def text(b):
    try:
        s = b.decode("ascii")
    except UnicodeDecodeError:
        return "hex:" + b.hex()
    if not s.isprintable():
        return "hex:" + b.hex()
    return s


def addr(fam, raw, port):
    a = socket.inet_ntop(fam, raw)
    return ("[%s]:%d" if fam == socket.AF_INET6 else "%s:%d") % (a, port)


def tlvs(body, out, sub=False):
    off = 0
    while off < len(body):
        if len(body) - off < 3:
            raise Bad("a TLV header runs past the end at %d" % off)
        t, ln = body[off], struct.unpack("!H", body[off + 1:off + 3])[0]
        v = body[off + 3:off + 3 + ln]
        if len(v) != ln:
            raise Bad("TLV 0x%02x of length %d runs past the end" % (t, ln))
        off += 3 + ln
        if sub:
            name = SSL_SUB.get(t)
            out.append("%s=%s" % (name, text(v)) if name else
                       "ssl_sub_0x%02x=%s" % (t, v.hex()))
        elif t in TLV_NAMES:
            out.append("%s=%s" % (TLV_NAMES[t], text(v)))
        elif t == 0x20:
            if ln < 5:
                raise Bad("SSL TLV of length %d" % ln)
            out.append("ssl_client=0x%02x" % v[0])
            out.append("ssl_verify=%d" % struct.unpack("!I", v[1:5])[0])
            tlvs(v[5:], out, sub=True)
        else:
            out.append("tlv_0x%02x=%s" % (t, v.hex()))


def v2(conn, first):
    out = ["version=2"]
    hdr = first + read_exact(conn, 16 - len(first))
    if hdr[:12] != SIG:
        raise Bad("bad v2 signature " + hdr[:12].hex())
    vc, fam, ln = hdr[12], hdr[13], struct.unpack("!H", hdr[14:16])[0]
    if vc >> 4 != 2:
        raise Bad("version nibble %d" % (vc >> 4))
    cmd = vc & 0xf
    if cmd not in (0, 1):
        raise Bad("command %d" % cmd)
    out.append("command=" + ("PROXY" if cmd == 1 else "LOCAL"))
    body = read_exact(conn, ln)
    if fam == 0x11:
        if ln < 12:
            raise Bad("TCP4 with length %d" % ln)
        s, d = body[0:4], body[4:8]
        sp, dp = struct.unpack("!HH", body[8:12])
        out += ["family=TCP4", "src=" + addr(socket.AF_INET, s, sp),
                "dst=" + addr(socket.AF_INET, d, dp)]
        rest = body[12:]
    elif fam == 0x21:
        if ln < 36:
            raise Bad("TCP6 with length %d" % ln)
        s, d = body[0:16], body[16:32]
        sp, dp = struct.unpack("!HH", body[32:36])
        out += ["family=TCP6", "src=" + addr(socket.AF_INET6, s, sp),
                "dst=" + addr(socket.AF_INET6, d, dp)]
        rest = body[36:]
    elif fam == 0x00:
        out.append("family=UNKNOWN")
        rest = body
    else:
        raise Bad("family byte 0x%02x" % fam)
    tlvs(rest, out)
    return out


def v1(conn, first):
    line = bytearray(first)
    while not line.endswith(b"\r\n"):
        if len(line) >= 107:
            raise Bad("v1 line longer than 107 bytes")
        b = conn.recv(1)
        if not b:
            raise Bad("EOF in the v1 line")
        line.extend(b)
    words = line[:-2].decode("ascii").split(" ")
    if words[0] != "PROXY":
        raise Bad("v1 line does not start with PROXY")
    out = ["version=1"]
    if words[1] == "UNKNOWN":
        return out + ["family=UNKNOWN"]
    if len(words) != 6 or words[1] not in ("TCP4", "TCP6"):
        raise Bad("v1 line %r" % bytes(line))
    fam = socket.AF_INET if words[1] == "TCP4" else socket.AF_INET6
    # Each address must be in its canonical form, each port plain decimal.
    for a in words[2:4]:
        if socket.inet_ntop(fam, socket.inet_pton(fam, a)) != a:
            raise Bad("v1 address %r not canonical" % a)
    for p in words[4:6]:
        if not p.isdigit() or str(int(p)) != p or int(p) > 65535:
            raise Bad("v1 port %r" % p)
    fmt = "[%s]:%s" if fam == socket.AF_INET6 else "%s:%s"
    return out + ["family=" + words[1], "src=" + fmt % (words[2], words[4]),
                  "dst=" + fmt % (words[3], words[5])]


def report(path, lines):
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(path + ".tmp", path)


def serve(conn, path):
    ok = False
    try:
        first = read_exact(conn, 5)
        if first == SIG[:5]:
            lines = v2(conn, first)
        elif first == b"PROXY":
            lines = v1(conn, first)
        else:
            raise Bad("no PROXY header: starts " + first.hex())
        ok = True
    except (Bad, ValueError, OSError) as e:
        lines = ["error=" + str(e)]
    report(path, lines)
    if not ok:
        return
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    host, port, ready, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(16)
    with open(ready + ".tmp", "w") as f:
        f.write(str(os.getpid()) + "\n")
    os.rename(ready + ".tmp", ready)
    while True:
        conn, _ = s.accept()
        conn.settimeout(30)
        try:
            serve(conn, path)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
