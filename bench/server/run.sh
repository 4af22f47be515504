#!/bin/sh
# certbindd against haproxy and nginx (Debian's packages), side by side in
# one run, on the same ECDSA P-256 certificate, TLS 1.3, one worker each:
#
#   - full handshakes (no resumption) per server CPU-second, loaded by
#     bench/server/hsload.c (a GnuTLS client) on loopback; the server's CPU
#     time is read from /proc (user + system, every thread and child) so
#     that the load generator sharing the machine does not skew it;
#   - certbindd again with 100,000 bindings loaded;
#   - bulk throughput through each proxy to a discarding backend.
#
# Usage: sh bench/server/run.sh   (from the top of the tree, after make)
# Knobs: BENCH_SECS (10), BENCH_THREADS (client threads, 4), BENCH_MB (400),
# BENCH_ROUNDS (3). All servers run at once, idle but one; the rounds go
# round the servers in turn so that a burst of other work on the shared
# machine does not fall on one server only, and the table gives the median
# rate with every round's figure. Prints a Markdown table. A proxy that is
# not installed is left out.

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${B:-build}
SECS=${BENCH_SECS:-10}
THREADS=${BENCH_THREADS:-4}
MB=${BENCH_MB:-400}
ROUNDS=${BENCH_ROUNDS:-3}
W=$(mktemp -d "${TMPDIR:-/tmp}/certbind-bench.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

. tests/fixtures/mkcert.sh
[ -x "$B/certbindd" ] || { echo "bench: build certbindd first (make)" >&2; exit 2; }
cc -O2 -o "$W/hsload" bench/server/hsload.c \
    $(pkg-config --cflags --libs gnutls) -lpthread || exit 2
cc -O2 -o "$W/sink" bench/server/sink.c -lpthread || exit 2
MKCERT_KEYTYPE=ecdsa mkcert_leaf "$W" www bench.example.com || exit 2
cat "$W/www.pem" "$W/www.key" >"$W/combined.pem"

port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PB=$(port)
"$W/sink" 127.0.0.1 "$PB" &
pids="$pids $!"

# cpu_ticks PID...: user + system clock ticks of those processes and their
# children (nginx's worker is the master's child).
cpu_ticks() {
	all=""
	for p in "$@"; do
		all="$all $p $(ps -o pid= --ppid "$p" 2>/dev/null)"
	done
	t=0
	for p in $all; do
		v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo $t
}

# wait_port PORT: until something accepts on 127.0.0.2:PORT (10 s).
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.2", int(sys.argv[1])), 1)' \
		    "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

HZ=$(getconf CLK_TCK)
servers=""	# "NAME|PORT|PID" entries, NAME without spaces

# rate PORT PID: one run of the load; prints handshakes per CPU-second.
rate() {
	c0=$(cpu_ticks "$2")
	set -- "$1" "$2" $("$W/hsload" hs 127.0.0.2 "$1" "$SECS" "$THREADS")
	c1=$(cpu_ticks "$2")
	[ "${4:-1}" = 0 ] || echo "bench: $4 handshakes failed" >&2
	awk -v n="$3" -v a="$c0" -v b="$c1" -v hz="$HZ" \
	    'BEGIN { c = (b - a) / hz; printf "%.0f", (c > 0 ? n / c : 0) }'
}

# certbindd, with one binding and with 100,000.
certbindd_conf() {
	cat <<EOC
version = 1;
store = "$W";
server = {
  listen = ( { endpoint = "127.0.0.2:$1"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  tickets = false;
  max_connections = 100000;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = (
EOC
	if [ "$2" -gt 1 ]; then
		# 10.A.B.C:443 for distinct addresses, none of them this one.
		awk -v n="$2" 'BEGIN { for (i = 0; i < n - 1; i++)
		    printf "  { key = \"www\"; endpoint = \"10.%d.%d.%d:443\"; },\n",
		    int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
	fi
	echo '  { key = "www"; endpoint = "*:*"; }'
	echo ');'
}
for n in 1 100000; do
	P=$(port)
	certbindd_conf "$P" $n >"$W/certbind.$n.conf"
	"$B/certbindd" -f -c "$W/certbind.$n.conf" 2>"$W/certbindd.$n.log" &
	pid=$!
	pids="$pids $pid"
	if wait_port "$P"; then
		servers="$servers certbindd($n-binding$([ $n -gt 1 ] && echo s))|$P|$pid"
	else
		echo "bench: certbindd did not start: $(cat "$W/certbindd.$n.log")" >&2
	fi
done

if command -v haproxy >/dev/null 2>&1; then
	P=$(port)
	cat >"$W/haproxy.cfg" <<EOC
global
  nbthread 1
  ssl-default-bind-options ssl-min-ver TLSv1.3
  tune.ssl.cachesize 0
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.2:$P ssl crt $W/combined.pem no-tls-tickets
  default_backend be
backend be
  server s1 127.0.0.1:$PB
EOC
	haproxy -db -f "$W/haproxy.cfg" >"$W/haproxy.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	if wait_port "$P"; then
		servers="$servers haproxy-$(haproxy -v | awk 'NR == 1 { print $3 }')|$P|$pid"
	else
		echo "bench: haproxy did not start: $(cat "$W/haproxy.log")" >&2
	fi
fi

if command -v nginx >/dev/null 2>&1 &&
    [ -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
	P=$(port)
	mkdir -p "$W/nginx"
	cat >"$W/nginx.conf" <<EOC
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx.err;
events { worker_connections 8192; }
stream {
  server {
    listen 127.0.0.2:$P ssl;
    ssl_certificate $W/www.pem;
    ssl_certificate_key $W/www.key;
    ssl_protocols TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    proxy_pass 127.0.0.1:$PB;
  }
}
EOC
	nginx -p "$W/nginx" -c "$W/nginx.conf" >"$W/nginx.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	if wait_port "$P"; then
		servers="$servers nginx-$(nginx -v 2>&1 | sed 's|.*/||')|$P|$pid"
	else
		echo "bench: nginx did not start: $(cat "$W/nginx.err" "$W/nginx.log")" >&2
	fi
fi

# Warm up, then the rounds.
for s in $servers; do
	IFS='|' read -r name P pid <<EOS
$s
EOS
	"$W/hsload" hs 127.0.0.2 "$P" 1 "$THREADS" >/dev/null
done
r=1
while [ $r -le "$ROUNDS" ]; do
	for s in $servers; do
		IFS='|' read -r name P pid <<EOS
$s
EOS
		echo "$name $(rate "$P" "$pid")" >>"$W/rates"
	done
	r=$((r + 1))
done

echo "| server | handshakes per CPU-s (median) | rounds | bulk MB/s |"
echo "| --- | ---: | --- | ---: |"
for s in $servers; do
	IFS='|' read -r name P pid <<EOS
$s
EOS
	all=$(awk -v n="$name" '$1 == n { print $2 }' "$W/rates" | tr '\n' ' ')
	med=$(printf '%s\n' $all | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	bulk=$("$W/hsload" bulk 127.0.0.2 "$P" "$MB" 2>/dev/null || echo -)
	printf '| %s | %s | %s| %s |\n' "$name" "$med" "$all" "$bulk"
	echo "$name $med" >>"$W/medians"
done
echo
echo "client: hsload, $THREADS threads, $ROUNDS rounds of $SECS s per server, TLS 1.3 X25519, ECDSA P-256; bulk: $MB MB, one connection"

# Issue 4's targets; the exit status says whether all were met.
awk '
	$1 ~ /^certbindd\(1-/ { one = $2 }
	$1 ~ /^certbindd\(100000-/ { many = $2 }
	$1 ~ /^haproxy/ { ha = $2 }
	$1 ~ /^nginx/ { ng = $2 }
	function verdict(name, ok, text) {
		printf "%s %s: %s\n", ok ? "met" : "MISSED", name, text
		if (!ok) bad = 1
	}
	END {
		if (ha) verdict("vs haproxy", one >= 1.1 * ha,
		    sprintf("%.2f x, target 1.1 x", one / ha))
		if (ng) verdict("vs nginx", one >= 1.1 * ng,
		    sprintf("%.2f x, target 1.1 x", one / ng))
		if (one && many) verdict("100,000 bindings",
		    many >= 0.95 * one && many <= 1.05 * one,
		    sprintf("%+.1f%% against 1 binding, target within 5%%",
		    100 * (many - one) / one))
		exit bad
	}' "$W/medians"
