#!/usr/bin/env python3
# Receives sd_notify datagrams for the tests: binds an AF_UNIX datagram
# socket (a path, or an abstract name when it starts with '@'), writes
# READYFILE once bound, then appends each message to OUT, one per line
# (newlines inside a message become '|'). Exits after SECS.
import socket
import sys
import time

addr, ready, out, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(ready, "w").close()
end = time.monotonic() + secs
while time.monotonic() < end:
    s.settimeout(max(0.1, end - time.monotonic()))
    try:
        m = s.recv(4096)
    except socket.timeout:
        break
    with open(out, "a") as f:
        f.write(m.decode(errors="replace").replace("\n", "|") + "\n")
