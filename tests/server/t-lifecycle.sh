#!/bin/sh
# The service's life: READY=1, RELOADING=1 and STOPPING=1 sent to
# $NOTIFY_SOCKET (path and abstract), SIGTERM that stops accepting but lets
# an open connection finish, the shutdown_timeout that cuts one that does
# not, and (as root) the privilege drop to server.user.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  ${1:-shutdown_timeout = 2;}
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
}
conf ""

# notify_run ADDR: start certbindd with NOTIFY_SOCKET=ADDR, HUP, TERM.
notify_run() {
	rm -f "$T/n.ready" "$T/n.out"
	$PY tests/server/notify.py "$1" "$T/n.ready" "$T/n.out" 30 &
	npid=$!
	srv_pids="$srv_pids $npid"
	srv_wait_file "$T/n.ready" 10
	NOTIFY_SOCKET=$1 srv_start "$C" || return 1
	srv_hup
	srv_wait_log 1 'reloaded:' 10
	srv_term
	srv_exit_status 10
	i=0
	while ! grep -q STOPPING "$T/n.out" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill "$npid" 2>/dev/null
	tr '\n' ' ' <"$T/n.out"
}
got=$(notify_run "$T/notify.sock")
t_match "notify (path): READY, RELOADING with MONOTONIC_USEC, READY, STOPPING" \
    "$got" '^READY=1 RELOADING=1\|MONOTONIC_USEC=[0-9]+ READY=1 STOPPING=1 $'
got=$(notify_run "@certbind-test-$$")
t_match "notify (abstract socket): the same" \
    "$got" '^READY=1 RELOADING=1\|MONOTONIC_USEC=[0-9]+ READY=1 STOPPING=1 $'

# Idle connections hold no proxy buffers: 200 open connections that have
# done their handshake cost certbindd well under the 2 x 32 kB of buffers
# plus the read-ahead each would hold if it kept them.
conf ""
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
if grep -q AddressSanitizer "$CERTBINDD" 2>/dev/null; then
	t_skip "idle connections are cheap" \
	    "AddressSanitizer's allocator changes the figures"
else
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$srv_pid/status")
	mkfifo "$T/idle.in"
	timeout 60 $PY tests/server/client.py hold 127.0.0.2 "$P" 200 30 \
	    <"$T/idle.in" >"$T/idle.out" 2>&1 &
	ipid=$!
	exec 9>"$T/idle.in"
	i=0
	while [ "$(grep -c '^ok' "$T/idle.out")" -lt 200 ] && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 0.5
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$srv_pid/status")
	exec 9>&-
	wait $ipid
	per=$(( (${rss1:-999999} - ${rss0:-0}) / 200 ))
	t_is "200 idle connections open" "$(grep -c '^ok' "$T/idle.out")" 200
	t_ok "an idle connection costs ${per} kB (under 32)" [ "$per" -lt 32 ]
	t_match "and they all still proxy" "$(cat "$T/idle.out")" '^echo ok$'
fi
srv_term
srv_exit_status 10

# SIGTERM with a connection open: no new connections, the open one goes
# on, and the server exits 0 once it closes (before shutdown_timeout).
conf "shutdown_timeout = 20;"
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
mkfifo "$T/hold.in"
timeout 60 $PY tests/server/client.py hold 127.0.0.2 "$P" 1 60 \
    <"$T/hold.in" >"$T/hold.out" 2>&1 &
hpid=$!
exec 7>"$T/hold.in"
i=0
while ! grep -q '^ok' "$T/hold.out" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
srv_term
srv_wait_log 1 'stopping: 1 connections open' 10
t_is "after SIGTERM new connections are refused" \
    "$(srv_fpr 127.0.0.2 "$P")" refused
t_ok "after SIGTERM the server waits for the open connection" \
    kill -0 "$srv_pid"
exec 7>&-
wait $hpid
t_match "the open connection still proxies after SIGTERM" \
    "$(cat "$T/hold.out")" '^echo ok$'
srv_exit_status 10
t_is "then the server exits 0" "$srv_rc" 0

# A connection that never ends is cut at shutdown_timeout (2 s).
conf ""
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
rm -f "$T/hold.out"
timeout 60 $PY tests/server/client.py idle 127.0.0.2 "$P" 30 \
    >"$T/idle.out" 2>&1 &
ipid=$!
# The client prints nothing until the end: wait (bounded) for its TCP
# connection to be established, as a loaded machine may take seconds to
# start python, then give its handshake a moment; the check below sees
# that the server did count it open.
i=0
if command -v ss >/dev/null 2>&1; then
	while [ $i -lt 100 ] &&
	    [ -z "$(ss -Htn state established "( sport = :$P )" 2>/dev/null)" ]; do
		sleep 0.1; i=$((i + 1))
	done
fi
sleep 1
t0=$(date +%s)
srv_term
t_ok "SIGTERM with 1 connection open" \
    srv_wait_log 1 'stopping: 1 connections open' 5
srv_exit_status 15
t1=$(date +%s)
t_is "a lingering connection: exits 0 at shutdown_timeout" "$srv_rc" 0
t_ok "within the deadline (took $((t1 - t0)) s)" [ $((t1 - t0)) -le 5 ]
wait $ipid
t_nomatch "the lingering connection was cut" "$(cat "$T/idle.out")" '^open$'

# Privilege drop: only root can test it.
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	t_skip "privilege drop to server.user" "needs root and user nobody"
else
	conf 'shutdown_timeout = 2; user = "nobody";'
	srv_start "$C" || { t_fail "certbindd starts as nobody" "$(cat "$srv_log")"; exit 1; }
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$srv_pid/status")
	n=$(id -u nobody)
	t_is "after start every uid is nobody's" "$uids" "$n $n $n $n"
	t_is "still serving after the drop" "$(srv_fpr 127.0.0.2 "$P")" \
	    "$(mkcert_fpr "$S/www.pem")"
	# The keeper: one child of certbindd that stays root for the reloads,
	# and holds nothing but stdio and its end of the socket pair.
	kp=$(ps -o pid= --ppid "$srv_pid" | tr -d ' ')
	t_is "one keeper process" "$(echo "$kp" | wc -w)" 1
	t_is "the keeper is root" \
	    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$kp/status")" \
	    "0 0 0 0"
	t_is "the keeper holds stdio and its socket only" \
	    "$(ls "/proc/$kp/fd" | sort -n | tr '\n' ' ')" "0 1 2 3 "
	# Reloads go through the keeper: a key that only root can read (0600
	# in a 0700 directory) and a listener on a port below 1024, which
	# nobody could not bind, both work after the drop.
	mkcert_leaf "$S" two two.example.com || t_fail "fixtures"
	chmod 700 "$S"
	chmod 600 "$S/two.key"
	low=$($PY -c 'import socket, sys
for p in range(900, 1000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.2", p))
    except OSError:
        continue
    print(p)
    sys.exit(0)')
	sed -e 's/"www\.key"/"two.key"/' -e 's/"www\.pem"/"two.pem"/' \
	    -e "/listen = /s|} );|}, { endpoint = \"127.0.0.2:$low\"; backend = \"127.0.0.1:$PB\"; } );|" \
	    "$C" >"$C.new" && mv "$C.new" "$C"
	srv_hup
	if srv_wait_log 1 'reloaded: serving generation 2 on 2 listeners' 10
	then
		t_ok "as nobody, a reload with a root-only key and port $low succeeds" true
	else
		t_fail "as nobody, a reload with a root-only key and port $low succeeds" \
		    "$(cat "$srv_log")"
	fi
	t_is "the reload serves the new key" "$(srv_fpr 127.0.0.2 "$P")" \
	    "$(mkcert_fpr "$S/two.pem")"
	t_is "on the new port below 1024 too" "$(srv_fpr 127.0.0.2 "$low")" \
	    "$(mkcert_fpr "$S/two.pem")"
	t_match "the listener's socket is certbindd's" \
	    "$(ss -Hltnp "sport = :$low" 2>/dev/null)" "pid=$srv_pid,"
	# A keeper that died (killed here) fails the reload, saying so, and
	# the running config stays. The first SIGHUP goes at once, so the
	# EPIPE of the pair may come before the keeper's exit is seen; the
	# second comes once it is a zombie or gone. Both must say it.
	kill -9 "$kp"
	srv_hup
	t_ok "keeper gone: the reload fails" \
	    srv_wait_log 1 'reload failed: still serving generation 2' 10
	i=0
	while [ $i -lt 50 ] && [ -e "/proc/$kp" ] &&
	    [ "$(awk '{ print $3 }' "/proc/$kp/stat" 2>/dev/null)" != Z ]; do
		sleep 0.1; i=$((i + 1))
	done
	srv_hup
	t_ok "keeper gone: a second reload fails too" \
	    srv_wait_log 2 'reload failed: still serving generation 2' 10
	t_is "and each says to restart certbindd" \
	    "$(grep -c 'keeper process .* has exited; restart certbindd' "$srv_log")" 2
	t_is "still serving two" "$(srv_fpr 127.0.0.2 "$P")" \
	    "$(mkcert_fpr "$S/two.pem")"
	srv_term
	srv_exit_status 10
	t_is "as nobody: SIGTERM exits 0" "$srv_rc" 0
fi
# Without -f: certbindd detaches into "/", so a relative -c must still
# name the same file at a reload. It logs to syslog then, so the test
# looks at what it serves.
DC=detached-$$.conf
P2=$(srv_port)
cp "$C" "$T/$DC"
chmod 755 "$S"
(cd "$T" && "$CERTBINDD" -c "$DC")
dpid=
i=0
while [ -z "$dpid" ] && [ $i -lt 50 ]; do
	dpid=$(pgrep -f -- "-c $DC\$" | head -n 1)
	[ -n "$dpid" ] || sleep 0.1
	i=$((i + 1))
done
if [ -z "$dpid" ]; then
	t_fail "without -f: certbindd detaches and runs"
else
	srv_pids="$srv_pids $dpid"
	dkp=$(ps -o pid= --ppid "$dpid" | tr -d ' ')
	t_is "without -f: its working directory is /" \
	    "$(readlink "/proc/$dpid/cwd")" "/"
	sed -i "/listen = /s|} );|}, { endpoint = \"127.0.0.2:$P2\"; backend = \"127.0.0.1:$PB\"; } );|" \
	    "$T/$DC"
	kill -HUP "$dpid"
	i=0
	while ! ss -Hltn "sport = :$P2" | grep -q . && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	t_ok "without -f, -c relative: a reload adds the new listener" \
	    [ -n "$(ss -Hltn "sport = :$P2")" ]
	kill -TERM "$dpid"
	i=0
	while kill -0 "$dpid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	t_ok "without -f: SIGTERM stops it" sh -c "! kill -0 $dpid 2>/dev/null"
	if [ -n "$dkp" ]; then
		# As root, dropping to nobody: it had a keeper.
		i=0
		while kill -0 "$dkp" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		t_ok "the keeper exits with certbindd" \
		    sh -c "! kill -0 $dkp 2>/dev/null"
	fi
fi
t_done
