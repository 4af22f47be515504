# The servers of the certbindd benchmark, shared by bench/server/run.sh
# and bench/server/profile.sh. A POSIX sh function library: set top (the
# tree), B (the build directory), W (a scratch directory, removed by the
# caller), KEYS (key types, e.g. "ecdsa rsa") and pids (""), then source
# it and call bench_setup, then the start_* functions. WRAP, when set, is
# a command prefix for the servers (profile.sh: valgrind).
#
# Every server is one process (nginx: a master and one worker) with one
# worker thread, and has two listeners per key type, both on 127.0.0.2:
# P proxies to the backend that discards (sink B, the "close" load), Q to
# the backend that speaks first (sink C: the "banner" and resuming loads).
# The key types share a process rather than each having a run of its own,
# so that the RSA and ECDSA figures of a round are taken on the same
# server, minutes apart rather than a whole run apart, and a burst of other
# work on the machine cannot favour one key type over the other.
#
# Two sets of servers:
#   full    tickets and session caches off, TLS 1.3 only: every handshake
#           is a full one (loads "banner" and "hs", the close load);
#   resume  tickets on, TLS 1.2 and 1.3 (loads "resume13" and "resume12").
#
# $W/servers gets a line "NAME PID SET" per server that came up,
# $W/listeners a line "NAME KEY P Q" per key type.

. tests/fixtures/mkcert.sh

# bench_setup: builds the clients and sinks, makes a certificate per key
# type ($W/KEY.pem, $W/KEY.key, $W/KEY.combined.pem for haproxy) and
# starts the sinks (PB, SB: discarding; PC, SC: banner).
bench_setup() {
	[ -x "$B/certbindd" ] ||
	    { echo "bench: build certbindd first (make)" >&2; return 2; }
	cc -O2 -o "$W/hsload" bench/server/hsload.c \
	    $(pkg-config --cflags --libs gnutls) -lpthread || return 2
	cc -O2 -o "$W/sink" bench/server/sink.c -lpthread || return 2
	for k in $KEYS; do
		MKCERT_KEYTYPE=$k mkcert_leaf "$W" "$k" bench.example.com ||
		    return 2
		cat "$W/$k.pem" "$W/$k.key" >"$W/$k.combined.pem"
	done
	: >"$W/servers"
	: >"$W/listeners"
	PB=$(port)
	"$W/sink" 127.0.0.1 "$PB" >"$W/sink.B" &
	SB=$!
	PC=$(port)
	"$W/sink" 127.0.0.1 "$PC" "220 bench.example.com ready" >"$W/sink.C" &
	SC=$!
	pids="$pids $SB $SC"
}

# ports [N]: N (1) distinct free ports, one a line (all held open until
# printed, so that they differ; python3 starts slowly, so ask once).
ports() {
	python3 -c 'import socket, sys
ss = [socket.socket() for i in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
for s in ss: print(s.getsockname()[1])' "${1:-1}"
}
port() { ports 1; }

# wait_port PORT [PID]: until something accepts on 127.0.0.2:PORT (10 s),
# or that process is gone.
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		[ -z "$2" ] || kill -0 "$2" 2>/dev/null || return 1
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.2", int(sys.argv[1])), 1)' \
		    "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# accepted SINKPID: the connections that sink has accepted so far.
accepted() {
	f=$W/sink.B
	[ "$1" = "$SC" ] && f=$W/sink.C
	n0=$(wc -l <"$f")
	kill -USR1 "$1"
	i=0
	while [ "$(wc -l <"$f")" -le "$n0" ] && [ $i -lt 40 ]; do
		sleep 0.05; i=$((i + 1))
	done
	tail -n 1 "$f"
}

# procs PID: that process and its children (nginx's worker is the
# master's child).
procs() {
	echo "$1" $(ps -o pid= --ppid "$1" 2>/dev/null)
}

# cpu_ticks PID: user + system clock ticks of that process and its
# children.
cpu_ticks() {
	t=0
	for p in $(procs "$1"); do
		v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo $t
}

# up NAME PID SET PORT: records the server once PORT accepts.
up() {
	if wait_port "$4" "$2"; then
		echo "$1 $2 $3" >>"$W/servers"
		return 0
	fi
	return 1
}

# certbindd_conf NBINDINGS SET SERVER-SETTINGS LISTENER-OPTIONS, with
# "KEY P Q" lines on the standard input.
certbindd_conf() {
	tickets=false
	[ "$2" = resume ] && tickets=true
	ls=$W/cb.$$.l
	cat >"$ls"
	echo 'version = 1;'
	echo "store = \"$W\";"
	echo 'server = {'
	echo '  listen = ('
	# P to the discarding backend, Q to the banner one.
	awk -v b="$PB" -v c="$PC" -v o="$4" '
	    function l(p, be) {
		printf "    { endpoint = \"127.0.0.2:%s\";", p
		printf " backend = \"127.0.0.1:%s\"; %s },\n", be, o
	    }
	    { l($2, b); l($3, c) }' "$ls" | sed '$ s/,$//'
	echo '  );'
	echo '  workers = 1;'
	echo "  tickets = $tickets;"
	echo '  max_connections = 100000;'
	# Written only when asked for, so that the benchmark runs with a
	# certbindd that has no such setting.
	[ -n "${BENCH_SIGNER:-}" ] && echo "  signer = \"$BENCH_SIGNER\";"
	echo "  $3"
	echo '};'
	echo 'keys = ('
	for k in $KEYS; do
		echo "  { name = \"$k\"; key = \"$k.key\"; cert = \"$k.pem\"; },"
	done | sed '$ s/,$//'
	echo ');'
	echo 'bindings = ('
	if [ "$1" -gt 1 ]; then
		# 10.A.B.C:443 for distinct addresses, none of them served.
		awk -v n="$1" -v k="${KEYS%% *}" 'BEGIN { for (i = 0; i < n - 1; i++)
		    printf "  { key = \"%s\"; endpoint = \"10.%d.%d.%d:443\"; },\n",
		    k, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
	fi
	awk '{ printf "  { key = \"%s\"; endpoint = \"127.0.0.2:%s\"; },\n", $1, $2
		printf "  { key = \"%s\"; endpoint = \"127.0.0.2:%s\"; },\n", $1, $3 }' \
	    "$ls" | sed '$ s/,$//'
	echo ');'
	rm -f "$ls"
}

# new_listeners NAME: a "KEY P Q" line per key type, also recorded in
# $W/listeners for NAME.
new_listeners() {
	ports $(($(echo $KEYS | wc -w) * 2)) >"$W/l.ports"
	i=0
	for k in $KEYS; do
		i=$((i + 2))
		echo "$k $(sed -n "$((i - 1))p" "$W/l.ports") $(sed -n "${i}p" "$W/l.ports")"
	done >"$W/l.new"
	sed "s|^|$1 |" "$W/l.new" >>"$W/listeners"
	cat "$W/l.new"
}

# start_certbindd VARIANT NBINDINGS SET SERVER-SETTINGS LISTENER-OPTIONS
start_certbindd() {
	name="certbindd($1)"
	new_listeners "$name" >"$W/l.$1"
	certbindd_conf "$2" "$3" "$4" "$5" <"$W/l.$1" >"$W/certbind.$1.conf"
	$WRAP "$B/certbindd" -f -c "$W/certbind.$1.conf" 2>"$W/certbindd.$1.log" &
	pid=$!
	pids="$pids $pid"
	up "$name" "$pid" "$3" "$(awk 'NR == 1 { print $2 }' "$W/l.$1")" ||
	    { echo "bench: $name did not start: $(cat "$W/certbindd.$1.log")" >&2
	      return 1; }
}

# haproxy_name SET, nginx_name SET: the server's name in the table.
haproxy_name() {
	n=haproxy-$(haproxy -v | awk 'NR == 1 { sub(/-.*/, "", $3); print $3 }')
	[ "$1" = resume ] && n="$n(tickets)"
	echo "$n"
}
nginx_name() {
	n=nginx-$(nginx -v 2>&1 | sed 's|.*/||')
	[ "$1" = resume ] && n="$n(tickets)"
	echo "$n"
}
have_haproxy() { command -v haproxy >/dev/null 2>&1; }
have_nginx() {
	command -v nginx >/dev/null 2>&1 &&
	    [ -f /usr/lib/nginx/modules/ngx_stream_module.so ]
}

# start_haproxy SET
start_haproxy() {
	name=$(haproxy_name "$1")
	new_listeners "$name" >"$W/l.ha.$1"
	if [ "$1" = resume ]; then
		minver=TLSv1.2 tick=""
	else
		minver=TLSv1.3 tick=no-tls-tickets
	fi
	{
		cat <<EOC
global
  nbthread 1
  ssl-default-bind-options ssl-min-ver $minver
  tune.ssl.cachesize 0
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
backend be
  server s1 127.0.0.1:$PB
backend be2
  server s2 127.0.0.1:$PC
EOC
		while read -r k p q; do
			cat <<EOC
frontend fe_$k
  bind 127.0.0.2:$p ssl crt $W/$k.combined.pem $tick
  default_backend be
frontend fe2_$k
  bind 127.0.0.2:$q ssl crt $W/$k.combined.pem $tick
  default_backend be2
EOC
		done <"$W/l.ha.$1"
	} >"$W/haproxy.$1.cfg"
	$WRAP haproxy -db -f "$W/haproxy.$1.cfg" >"$W/haproxy.$1.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	up "$name" "$pid" "$1" "$(awk 'NR == 1 { print $2 }' "$W/l.ha.$1")" ||
	    { echo "bench: haproxy did not start: $(cat "$W/haproxy.$1.log")" >&2
	      return 1; }
}

# start_nginx SET
start_nginx() {
	set_=$1
	name=$(nginx_name "$set_")
	new_listeners "$name" >"$W/l.ng.$set_"
	if [ "$set_" = resume ]; then
		tls="ssl_protocols TLSv1.2 TLSv1.3; ssl_session_tickets on;"
	else
		tls="ssl_protocols TLSv1.3; ssl_session_tickets off;"
	fi
	mkdir -p "$W/nginx.$set_"
	{
		cat <<EOC
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid $W/nginx.$set_.pid;
error_log $W/nginx.$set_.err;
events { worker_connections 8192; }
stream {
EOC
		while read -r k p q; do
			for l in "$p $PB" "$q $PC"; do
				set -- $l
				cat <<EOC
  server {
    listen 127.0.0.2:$1 ssl;
    ssl_certificate $W/$k.pem;
    ssl_certificate_key $W/$k.key;
    $tls
    ssl_session_cache off;
    proxy_pass 127.0.0.1:$2;
  }
EOC
			done
		done <"$W/l.ng.$set_"
		echo '}'
	} >"$W/nginx.$set_.conf"
	$WRAP nginx -p "$W/nginx.$set_" -c "$W/nginx.$set_.conf" >"$W/nginx.$set_.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	up "$name" "$pid" "$set_" "$(awk 'NR == 1 { print $2 }' "$W/l.ng.$set_")" ||
	    { echo "bench: nginx did not start: $(cat "$W/nginx.$set_.err" "$W/nginx.$set_.log")" >&2
	      return 1; }
}
