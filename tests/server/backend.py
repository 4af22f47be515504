#!/usr/bin/env python3
# A plain TCP backend for certbindd's tests. One thread per connection.
#
#   backend.py HOST PORT READYFILE [echo|source N]
#
# echo:     sends back every byte it reads; at EOF shuts its write side
#           and closes (so a client's close_notify travels end to end).
# source N: sends N bytes of a fixed pseudo-random stream, then closes,
#           without reading (the backend closes first).
# READYFILE is written once the socket listens, so the test can wait for
# it with a deadline instead of sleeping.
import os
import socket
import sys
import threading


def stream(n):
    # Deterministic bytes, the same as client.py's, without a shared file.
    out = bytearray()
    x = 0x12345678
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0x7fffffff
        out += x.to_bytes(4, "little")
    return bytes(out[:n])


def serve(conn, mode, n):
    try:
        if mode == "echo":
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
        else:
            conn.sendall(stream(n))
    except OSError:
        pass
    finally:
        conn.close()


def main():
    host, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else "echo"
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(128)
    with open(ready + ".tmp", "w") as f:
        f.write(str(os.getpid()) + "\n")
    os.rename(ready + ".tmp", ready)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, mode, n),
                         daemon=True).start()


if __name__ == "__main__":
    main()
