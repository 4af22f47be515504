#!/usr/bin/env python3
# Ordinary handshakes for the tls-alpn-01 tests (Python's ssl: OpenSSL, a
# real client, not certbind's code):
#   load.py HOST PORT SNI SECS [STOPFILE]
# full TLS handshakes one after another, alternating no ALPN and ALPN
# h2/http/1.1, each followed by a 4-byte echo through the backend, for
# SECS seconds or until STOPFILE exists. Prints
#   "OK FAILED CHALLENGE FIRST-ERROR"
# where CHALLENGE counts served certificates that carry the acmeIdentifier
# extension (OID 1.3.6.1.5.5.7.1.31, DER 06 08 2b 06 01 05 05 07 01 1f):
# an ordinary client must never see one.
import os
import socket
import ssl
import sys
import time

ACME_ID_OID = bytes.fromhex("06082b0601050507011f")
host, port, sni, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
stop = sys.argv[5] if len(sys.argv) > 5 else None
plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
h2 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
for c in (plain, h2):
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
h2.set_alpn_protocols(["h2", "http/1.1"])
ok = failed = challenge = 0
first = ""
end = time.monotonic() + secs
i = 0
while time.monotonic() < end and not (stop and os.path.exists(stop)):
    ctx = plain if i % 2 == 0 else h2
    i += 1
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            with ctx.wrap_socket(s, server_hostname=sni) as t:
                der = t.getpeercert(binary_form=True) or b""
                if ACME_ID_OID in der:
                    challenge += 1
                t.sendall(b"ping")
                if t.recv(4) != b"ping":
                    raise OSError("bad echo")
        ok += 1
    except (OSError, ssl.SSLError) as e:
        failed += 1
        first = first or repr(e)
print(ok, failed, challenge, first)
