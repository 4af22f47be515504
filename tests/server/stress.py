#!/usr/bin/env python3
# Load and fault clients for certbindd's stress tests (t-stress.sh,
# t-faults.sh). Python's ssl module (OpenSSL) and asyncio: a real client,
# not certbind's code. Everything is bounded in count and time; results are
# "key=value" lines on stdout.
#
#   stress.py backend MODE HOST PORT READYFILE
#       asyncio backend. echo: echoes until EOF. rst: accepts, then resets
#       (SO_LINGER 0). midfin/midrst: sends 1000 bytes, then closes with
#       FIN / with RST, without reading.
#   stress.py hold HOST PORT N MAX SECS
#       opens N TLS connections (handshake done, then idle), then: FRESH=20
#       fresh handshakes with an echo; MAX-N-... more connections opened one
#       by one and kept until one is refused (the limit); an echo on every
#       held connection; closes 10 and opens one more. Bounded by SECS.
#   stress.py slow HOST PORT N SECS
#       N connections that send a real ClientHello one byte per second while
#       fresh handshakes run; prints how many the server cut and when.
#   stress.py open HOST PORT N SECS
#       N TLS connections one at a time (each with an echo), kept until
#       stdin closes or SECS pass, then an echo on each and closed.
#   stress.py halfhello HOST PORT N
#       N connections that send half a ClientHello, then reset (SO_LINGER 0).
#   stress.py reloads PID LOG N PAUSE_MS HOST PORT [CONF A B FPR-A FPR-B]
#       N SIGHUPs, each after the previous reload was logged, PAUSE_MS apart,
#       while a light handshake load runs (at least one handshake begun
#       and ended in every 10 reloads); prints the counts. With CONF,
#       each reload first puts A or B (in turn) in CONF's place, and every
#       handshake must serve the certificate of FPR-A or FPR-B.
#   stress.py read HOST PORT [MAX]
#       handshake, send "ping", read until the end (or MAX bytes); prints
#       how many bytes came back and how the connection ended:
#       close_notify, eof-without-close_notify, os:..., ssl:..., timeout.
import asyncio
import hashlib
import os
import signal
import socket
import ssl
import struct
import sys
import time


def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


CTX = None


def client_hello():
    """The bytes of a real ClientHello, made by OpenSSL into memory."""
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx().wrap_bio(i, o, server_hostname="www.example.com")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return o.read()


def out(**kw):
    for k, v in kw.items():
        print("%s=%s" % (k, v))
    sys.stdout.flush()


# ---------------------------------------------------------------- backend

async def backend(mode, host, port, ready):
    async def handle(r, w):
        sock = w.get_extra_info("socket")
        try:
            if mode == "echo":
                while True:
                    d = await r.read(65536)
                    if not d:
                        break
                    w.write(d)
                    await w.drain()
                w.write_eof()
            elif mode == "rst":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
            else:
                w.write(b"x" * 1000)
                await w.drain()
                await asyncio.sleep(0.3)
                if mode == "midrst":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            w.close()

    srv = await asyncio.start_server(handle, host, port, backlog=4096,
                                     reuse_address=True)
    with open(ready + ".tmp", "w") as f:
        f.write(str(os.getpid()) + "\n")
    os.rename(ready + ".tmp", ready)
    async with srv:
        await srv.serve_forever()


# ------------------------------------------------------------ TLS helpers

async def tls_open(host, port, timeout=10):
    return await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=CTX,
                                ssl_handshake_timeout=timeout), timeout)


async def echo(r, w, data=b"ping", timeout=10):
    w.write(data)
    await asyncio.wait_for(w.drain(), timeout)
    got = await asyncio.wait_for(r.readexactly(len(data)), timeout)
    if got != data:
        raise OSError("bad echo")


def abort(w):
    try:
        w.transport.abort()
    except Exception:
        pass


async def fresh(host, port, n, conc=1):
    """n fresh handshakes with an echo; (ok, failed, first error)."""
    res = {"ok": 0, "failed": 0, "first": ""}
    sem = asyncio.Semaphore(conc)

    async def one():
        async with sem:
            w = None
            try:
                r, w = await tls_open(host, port)
                await echo(r, w)
                res["ok"] += 1
            except (OSError, ssl.SSLError, asyncio.TimeoutError,
                    asyncio.IncompleteReadError) as e:
                res["failed"] += 1
                res["first"] = res["first"] or repr(e)
            finally:
                if w is not None:
                    abort(w)
    await asyncio.gather(*(one() for _ in range(n)))
    return res


# ------------------------------------------------------------------- hold

async def hold(host, port, n, limit, secs):
    t0 = time.monotonic()
    held = []
    failed = 0
    first = ""
    sem = asyncio.Semaphore(100)

    async def one():
        nonlocal failed, first
        async with sem:
            for attempt in range(3):
                try:
                    held.append(await tls_open(host, port, 20))
                    return
                except (OSError, ssl.SSLError, asyncio.TimeoutError) as e:
                    err = e
                    await asyncio.sleep(0.2)
            failed += 1
            first = first or repr(err)
    await asyncio.gather(*(one() for _ in range(n)))
    out(held=len(held), hold_failed=failed, hold_first=first or "-",
        hold_secs="%.1f" % (time.monotonic() - t0))

    # Fresh handshakes while they are all held.
    res = await fresh(host, port, 20)
    out(fresh_ok=res["ok"], fresh_failed=res["failed"],
        fresh_first=res["first"] or "-")
    await asyncio.sleep(1.5)	# the server sees the fresh ones close

    # Up to the limit, one at a time: how many more fit?
    extra = []
    refused = 0
    for i in range(limit - len(held) + 20):
        if time.monotonic() - t0 > secs:
            break
        try:
            r, w = await tls_open(host, port, 5)
            await echo(r, w)
            extra.append((r, w))
        except (OSError, ssl.SSLError, asyncio.TimeoutError,
                asyncio.IncompleteReadError):
            refused += 1
            if refused >= 5:
                break
    out(extra=len(extra), refused=refused)

    # Every held connection still works.
    bad = 0
    sem2 = asyncio.Semaphore(500)

    async def check(rw):
        nonlocal bad
        async with sem2:
            try:
                await echo(*rw, timeout=20)
            except (OSError, ssl.SSLError, asyncio.TimeoutError,
                    asyncio.IncompleteReadError):
                bad += 1
    await asyncio.gather(*(check(rw) for rw in held))
    out(held_echo_failed=bad)

    # Room again once some close.
    for r, w in held[:10]:
        abort(w)
    ok_after = 0
    for attempt in range(30):
        await asyncio.sleep(0.2)
        try:
            r, w = await tls_open(host, port, 5)
            await echo(r, w)
            abort(w)
            ok_after = 1
            break
        except (OSError, ssl.SSLError, asyncio.TimeoutError,
                asyncio.IncompleteReadError):
            pass
    out(after_close_ok=ok_after)
    for r, w in held[10:] + extra:
        abort(w)
    out(total_secs="%.1f" % (time.monotonic() - t0))


# ------------------------------------------------------------------- slow

async def slow(host, port, n, secs):
    hello = client_hello()
    t0 = time.monotonic()
    cut = []		# seconds until the server closed
    sent_all = 0

    async def one():
        nonlocal sent_all
        try:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port), 10)
        except (OSError, asyncio.TimeoutError):
            return
        start = time.monotonic()
        try:
            for i in range(len(hello)):
                if time.monotonic() - start > secs:
                    return
                w.write(hello[i:i + 1])
                await w.drain()
                try:
                    d = await asyncio.wait_for(r.read(1), 1.0)
                    if not d:
                        cut.append(time.monotonic() - start)
                        return
                except asyncio.TimeoutError:
                    pass
            sent_all += 1
        except (OSError, asyncio.IncompleteReadError):
            cut.append(time.monotonic() - start)
        finally:
            abort(w)

    async def fresh_during():
        await asyncio.sleep(0.5)
        tot = {"ok": 0, "failed": 0, "first": ""}
        for i in range(10):
            res = await fresh(host, port, 3)
            for k in ("ok", "failed"):
                tot[k] += res[k]
            tot["first"] = tot["first"] or res["first"]
            await asyncio.sleep(0.25)
        return tot
    tasks = [asyncio.ensure_future(one()) for _ in range(n)]
    res = await fresh_during()
    await asyncio.gather(*tasks)
    out(slow=n, cut=len(cut), completed=sent_all,
        cut_min="%.1f" % (min(cut) if cut else -1),
        cut_max="%.1f" % (max(cut) if cut else -1),
        fresh_ok=res["ok"], fresh_failed=res["failed"],
        fresh_first=res["first"] or "-",
        secs="%.1f" % (time.monotonic() - t0))


# -------------------------------------------------------------- halfhello

def halfhello(host, port, n):
    hello = client_hello()
    half = hello[:len(hello) // 2]
    done = 0
    for i in range(n):
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        s.settimeout(5)
        try:
            s.connect((host, port))
            s.sendall(half)
            if i % 2:
                time.sleep(0.002)	# some after the server has read it
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            done += 1
        except OSError:
            pass
        finally:
            s.close()
    out(reset=done)


# ------------------------------------------------------------------- open

def open_(host, port, n, secs):
    """n TLS connections one at a time, each with an echo; kept until
    stdin closes or secs pass, then closed."""
    c = ctx()
    held = []
    failed = 0
    for i in range(n):
        try:
            s = socket.create_connection((host, port), timeout=3)
            t = c.wrap_socket(s)
            t.sendall(b"ping")
            if t.recv(4) != b"ping":
                raise OSError("bad echo")
            held.append(t)
        except (OSError, ssl.SSLError):
            failed += 1
    out(opened=len(held), failed=failed)
    import select
    select.select([sys.stdin], [], [], secs)
    bad = 0
    for t in held:
        try:
            t.sendall(b"pong")
            if t.recv(4) != b"pong":
                bad += 1
        except (OSError, ssl.SSLError):
            bad += 1
        t.close()
    out(echo_failed=bad)


# ---------------------------------------------------------------- reloads

def fpr(der):
    h = hashlib.sha256(der).hexdigest()
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def reloads(pid, log, n, pause, host, port, flip):
    import shutil
    import threading
    stop = threading.Event()
    load = {"ok": 0, "failed": 0, "first": "", "seen": set()}
    # flip: CONF CONF-A CONF-B FPR-A FPR-B: before each SIGHUP, CONF is
    # replaced (atomically) by A and B in turn, and every handshake must
    # serve one of the two certificates.
    want = set(flip[3:5]) if flip else None

    def loadloop():
        c = ctx()
        while not stop.is_set():
            try:
                with socket.create_connection((host, port), timeout=5) as s:
                    with c.wrap_socket(s) as t:
                        f = fpr(t.getpeercert(binary_form=True))
                        if want is not None and f not in want:
                            raise OSError("unexpected certificate " + f)
                        load["seen"].add(f)
                        t.sendall(b"ping")
                        if t.recv(4) != b"ping":
                            raise OSError("bad echo")
                load["ok"] += 1
            except (OSError, ssl.SSLError) as e:
                load["failed"] += 1
                load["first"] = load["first"] or repr(e)
            time.sleep(0.01)
    th = threading.Thread(target=loadloop, daemon=True)
    th.start()

    f = open(log, "rb")
    f.seek(0, 2)
    buf = b""
    done = failed = lost = 0
    t0 = time.monotonic()
    for i in range(n):
        if flip:
            shutil.copyfile(flip[1 + i % 2], flip[0] + ".tmp")
            os.rename(flip[0] + ".tmp", flip[0])
        os.kill(pid, signal.SIGHUP)
        end = time.monotonic() + 10
        got = False
        while time.monotonic() < end:
            chunk = f.read()
            if chunk:
                buf += chunk
                lines = buf.split(b"\n")
                buf = lines.pop()
                for l in lines:
                    if b"reloaded: serving generation" in l:
                        done += 1
                        got = True
                    elif b"reload failed" in l:
                        failed += 1
                        got = True
                if got:
                    break
            else:
                time.sleep(0.001)
        if not got:
            lost += 1
            try:
                os.kill(pid, 0)
            except OSError:
                break
        time.sleep(pause / 1000.0)
        # Every 10 reloads, at least one handshake: the load is spread
        # over the whole run, however fast the reloads go.
        if i % 10 == 9:
            seen = load["ok"] + load["failed"]
            end = time.monotonic() + 5
            while (load["ok"] + load["failed"] == seen and
                   time.monotonic() < end):
                time.sleep(0.001)
    secs = time.monotonic() - t0
    stop.set()
    th.join(10)
    out(reloads=done, reload_failed=failed, unanswered=lost,
        secs="%.1f" % secs, load_ok=load["ok"], load_failed=load["failed"],
        load_first=load["first"] or "-", certs_seen=len(load["seen"]))


# ------------------------------------------------------------------- read

def read(host, port, maxn):
    """Blocking, with ragged EOFs reported: recv() gives b"" only after a
    close_notify, and a bare TCP close raises SSLEOFError."""
    data = b""
    end = "timeout"
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=10)
        t = CTX.wrap_socket(s, suppress_ragged_eofs=False)
        t.sendall(b"ping")
        while maxn <= 0 or len(data) < maxn:
            d = t.recv(65536)
            if not d:
                end = "close_notify"
                break
            data += d
        else:
            end = "enough"
        t.close()
    except socket.timeout:
        end = "timeout"
    except ssl.SSLEOFError:
        end = "eof-without-close_notify"
    except ssl.SSLError as e:
        end = "ssl:" + (e.reason or type(e).__name__)
    except OSError as e:
        end = "os:" + type(e).__name__
    out(bytes=len(data), end=end, secs="%.1f" % (time.monotonic() - t0))


def main():
    global CTX
    CTX = ctx()
    a = sys.argv[1:]
    if a[0] == "backend":
        asyncio.run(backend(a[1], a[2], int(a[3]), a[4]))
    elif a[0] == "hold":
        asyncio.run(hold(a[1], int(a[2]), int(a[3]), int(a[4]),
                         float(a[5])))
    elif a[0] == "slow":
        asyncio.run(slow(a[1], int(a[2]), int(a[3]), float(a[4])))
    elif a[0] == "open":
        open_(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif a[0] == "halfhello":
        halfhello(a[1], int(a[2]), int(a[3]))
    elif a[0] == "reloads":
        reloads(int(a[1]), a[2], int(a[3]), float(a[4]), a[5], int(a[6]),
                a[7:12])
    elif a[0] == "read":
        read(a[1], int(a[2]), int(a[3]) if len(a) > 3 else 0)
    else:
        sys.exit("stress.py: unknown mode " + a[0])


if __name__ == "__main__":
    main()
