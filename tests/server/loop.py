#!/usr/bin/env python3
# Handshake loop for the reload-under-load test:
#   loop.py HOST PORT SECS     full TLS handshakes (and a 4-byte echo) one
#                              after another for SECS seconds; prints
#                              "OK FAILED" counts and the first error
import socket
import ssl
import sys
import time

host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ok = failed = 0
first = ""
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            with ctx.wrap_socket(s) as t:
                t.sendall(b"ping")
                if t.recv(4) != b"ping":
                    raise OSError("bad echo")
        ok += 1
    except (OSError, ssl.SSLError) as e:
        failed += 1
        first = first or repr(e)
print(ok, failed, first)
