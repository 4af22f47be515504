#!/bin/sh
# How long an edit takes to reach a fleet's nodes: a three-member etcd
# cluster on 127.0.0.1 ports (as tests/fleet/ starts it), two certbindd
# nodes serving etcd://.../certbind/bench, n1 on 127.0.0.2 and n2 on
# 127.0.0.3 (-a), sharing the listener's port. Then N edits (100 by
# default), each a direct put of PREFIX/config through etcd's JSON
# gateway that rebinds the listener to the other of two keys; after each
# put the script handshakes with each node (Python's ssl, a new
# connection each time, no resumption) until the certificate it serves
# has the new key's SHA-256: the time from the put's reply to that
# handshake is that node's propagation time. Median and max per node.
#
# The nodes' checkouts go to $T (under $TMPDIR or /tmp), or under
# FLEET_RUNDIR when it is set: a refresh writes and fsyncs every file of
# the checkout, so the file system counts (/run is a tmpfs on a Debian
# host; FLEET_RUNDIR=/dev/shm measures that).
#
# Usage: [FLEET_RUNDIR=DIR] sh bench/fleet/propagation.sh [EDITS]  (after make)
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${B:-build}
N=${1:-100}
PY=${PYTHON:-python3}
for tool in etcd "$PY" openssl; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "propagation: $tool is not installed (make bench-deps)" >&2
		exit 1
	}
done
[ -x "$B/certbindd" ] || { echo "propagation: no $B/certbindd (make)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/certbind-bench-fleet.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$T"
	[ -n "${FLEET_RUNDIR:-}" ] && rm -rf "$CERTBIND_RUNDIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

base=$((23000 + ($$ % 300) * 10))
cport() { echo $((base + $1 - 1)); }
pport() { echo $((base + 2 + $1)); }
P=$((base + 6)) PB=$((base + 7))
cluster="m1=http://127.0.0.1:$(pport 1),m2=http://127.0.0.1:$(pport 2),m3=http://127.0.0.1:$(pport 3)"
EP="127.0.0.1:$(cport 1),127.0.0.1:$(cport 2),127.0.0.1:$(cport 3)"
PFX=/certbind/bench
if [ -n "${FLEET_RUNDIR:-}" ]; then
	CERTBIND_RUNDIR=$(mktemp -d "$FLEET_RUNDIR/certbind-bench.XXXXXX") || exit 1
else
	CERTBIND_RUNDIR="$T/run"
	mkdir -p "$CERTBIND_RUNDIR"
fi
export CERTBIND_RUNDIR
echo "checkouts in $CERTBIND_RUNDIR ($(stat -f -c %T "$CERTBIND_RUNDIR"))"

for m in 1 2 3; do
	etcd --name "m$m" --data-dir "$T/m$m" \
	    --listen-client-urls "http://127.0.0.1:$(cport $m)" \
	    --advertise-client-urls "http://127.0.0.1:$(cport $m)" \
	    --listen-peer-urls "http://127.0.0.1:$(pport $m)" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$(pport $m)" \
	    --initial-cluster "$cluster" --initial-cluster-state new \
	    --initial-cluster-token "certbind-bench-$$" \
	    --logger zap --log-level error >>"$T/m$m.log" 2>&1 &
	pids="$pids $!"
done

# Two keys made here (the test fixtures' script), and the config.
. "$top/tests/fixtures/mkcert.sh"
mkcert_leaf "$T/s" one one.example.com >/dev/null || exit 1
mkcert_leaf "$T/s" two two.example.com >/dev/null || exit 1
conf() {
	cat <<EOC
version = 1;
server = {
  listen = ( { endpoint = "*:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
};
keys = (
  { name = "one"; key = "one.key"; cert = "one.pem"; },
  { name = "two"; key = "two.key"; cert = "two.pem"; }
);
bindings = ( { key = "$1"; endpoint = "*:*"; } );
EOC
}
conf one >"$T/conf.one"
conf two >"$T/conf.two"

# The rest in Python: the gateway's puts and the handshakes.
$PY - "$EP" "$PFX" "$T" "$N" "$P" "$B/certbindd" <<'EOPY'
import base64, hashlib, json, os, socket, ssl, statistics, subprocess
import sys, time, urllib.request

eps, pfx, tdir, n, port, certbindd = sys.argv[1:7]
n, port = int(n), int(port)
urls = ["http://" + e for e in eps.split(",")]

def call(path, body, timeout=3):
    for u in urls:
        try:
            r = urllib.request.urlopen(urllib.request.Request(
                u + path, json.dumps(body).encode(),
                {"Content-Type": "application/json"}), timeout=timeout)
            return json.load(r)
        except OSError:
            continue
    raise OSError("no etcd endpoint answers")

def b64(b):
    return base64.b64encode(b).decode()

def put(key, value):
    return call("/v3/kv/put", {"key": b64(key.encode()), "value": b64(value)})

deadline = time.monotonic() + 30
while True:
    try:
        h = call("/v3/maintenance/status", {}, 1)
        if h.get("leader"):
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("propagation: the cluster did not start")
    time.sleep(0.3)

for f in ("one.key", "one.pem", "two.key", "two.pem"):
    put(pfx + "/files/" + f, open(os.path.join(tdir, "s", f), "rb").read())
confs = {k: open(os.path.join(tdir, "conf." + k), "rb").read()
         for k in ("one", "two")}
put(pfx + "/config", confs["one"])

def der_fpr(path):
    pem = open(path).read()
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
fpr = {k: der_fpr(os.path.join(tdir, "s", k + ".pem")) for k in ("one", "two")}

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def served(addr):
    try:
        with socket.create_connection((addr, port), timeout=2) as s:
            with ctx.wrap_socket(s) as t:
                return hashlib.sha256(t.getpeercert(True)).hexdigest()
    except OSError:
        return None

loc = "etcd://" + eps + pfx
nodes = {"n1": "127.0.0.2", "n2": "127.0.0.3"}
procs = []
for name, addr in nodes.items():
    log = open(os.path.join(tdir, name + ".log"), "w")
    procs.append(subprocess.Popen([certbindd, "-f", "-c", loc, "-n", name,
                                   "-a", addr], stderr=log))
with open(os.path.join(tdir, "node.pids"), "w") as f:
    f.write(" ".join(str(p.pid) for p in procs))
try:
    deadline = time.monotonic() + 30
    while any(served(a) != fpr["one"] for a in nodes.values()):
        if time.monotonic() > deadline:
            sys.exit("propagation: the nodes did not start serving")
        time.sleep(0.2)
    times = {name: [] for name in nodes}
    key = "one"
    for i in range(n):
        key = "two" if key == "one" else "one"
        put(pfx + "/config", confs[key])
        t0 = time.monotonic()
        left = dict(nodes)
        while left:
            for name, addr in list(left.items()):
                if served(addr) == fpr[key]:
                    times[name].append(time.monotonic() - t0)
                    del left[name]
            if time.monotonic() - t0 > 30:
                sys.exit("propagation: edit %d did not reach %s in 30 s"
                         % (i + 1, ", ".join(left)))
    allt = times["n1"] + times["n2"]
    print("%d edits (put of PREFIX/config), 2 nodes, 3-member etcd; "
          "time from the put's reply to the node serving the new "
          "certificate (its SHA-256 in a handshake):" % n)
    for name in list(nodes) + ["both"]:
        t = allt if name == "both" else times[name]
        print("  %-4s median %6.1f ms   max %6.1f ms   mean %6.1f ms"
              % (name, statistics.median(t) * 1000, max(t) * 1000,
                 statistics.mean(t) * 1000))
    last = [max(a, b) for a, b in zip(times["n1"], times["n2"])]
    print("  last node of each edit: median %.1f ms, max %.1f ms"
          % (statistics.median(last) * 1000, max(last) * 1000))
finally:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
EOPY
