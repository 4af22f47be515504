#!/bin/sh
# certbindd under faults (issue 6): a backend that is down, one that
# resets every connection, one that closes mid-stream (FIN, and RST); a
# flood of clients resetting mid-handshake; a key file removed or spoilt
# before a reload; running out of descriptors. Each time: the client is closed promptly, certbindd
# keeps serving the others, says why in its log, and leaks no descriptor.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

NHALF=500
[ -n "$T_SLOW" ] && NHALF=100

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
P=$(srv_port) PB=$(srv_port)
PDOWN=$(srv_port) PRST=$(srv_port) PFIN=$(srv_port) PMRST=$(srv_port)
BDOWN=$(srv_port) BRST=$(srv_port) BFIN=$(srv_port) BMRST=$(srv_port)

st_backend() {
	rm -f "$T/backend.$2"
	$PY "$top/tests/server/stress.py" backend "$1" 127.0.0.1 "$2" \
	    "$T/backend.$2" >"$T/backend.$2.log" 2>&1 &
	srv_pids="$srv_pids $!"
	srv_wait_file "$T/backend.$2" 10
}
fds() { ls "/proc/$srv_pid/fd" 2>/dev/null | wc -l; }
settle_fds() {
	i=0
	while [ "$(fds)" -gt "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	fds
}
kv() { sed -n "s/^$2=//p" "$1" | head -1; }
# echo_ok PORT: a handshake and an echo through the good listener.
echo_ok() {
	r=$(timeout 20 $PY tests/server/stress.py read 127.0.0.2 "$1" 4 2>&1)
	printf '%s\n' "$r" | grep -q '^bytes=4$'
}

st_backend echo "$PB" || { t_fail "echo backend starts"; exit 1; }
st_backend rst "$BRST" || { t_fail "rst backend starts"; exit 1; }
st_backend midfin "$BFIN" || { t_fail "midfin backend starts"; exit 1; }
st_backend midrst "$BMRST" || { t_fail "midrst backend starts"; exit 1; }
C=$T/certbind.conf
# conf KEYNAME
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; },
    { endpoint = "127.0.0.2:$PDOWN"; backend = "127.0.0.1:$BDOWN"; },
    { endpoint = "127.0.0.2:$PRST"; backend = "127.0.0.1:$BRST"; },
    { endpoint = "127.0.0.2:$PFIN"; backend = "127.0.0.1:$BFIN"; },
    { endpoint = "127.0.0.2:$PMRST"; backend = "127.0.0.1:$BMRST"; }
  );
  handshake_timeout = 3;
  idle_timeout = 20;
  workers = 2;
  shutdown_timeout = 5;
};
keys = ( { name = "k"; key = "$1.key"; cert = "$1.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
EOC
}
conf www
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"
fd0=$(fds)

# 4. Backend faults. Each client: handshake, "ping", read to the end. A
# prompt end (not the client's 10 s timeout) is a clean close here; the
# backend's FIN must arrive as close_notify after its 1000 bytes. Backend
# errors are logged at most once a second per worker: pause between.
prompt_end() { [ -n "$1" ] && [ "$1" != timeout ]; }
abrupt_end() { prompt_end "$1" && [ "$1" != close_notify ]; }
# backend_case NAME PORT BACKENDPORT WANT-BYTES WANT-END LOG-REGEX
backend_case() {
	timeout 30 $PY tests/server/stress.py read 127.0.0.2 "$2" \
	    >"$T/$1.out" 2>&1
	echo "# $1: $(tr '\n' ' ' <"$T/$1.out")"
	t_is "$1: the client gets $4 bytes" "$(kv "$T/$1.out" bytes)" "$4"
	end=$(kv "$T/$1.out" end)
	case $5 in
	close_notify)
		t_is "$1: then close_notify" "$end" close_notify ;;
	abrupt)
		# A reset is not an end of stream: the client must be able
		# to tell the truncation, so no close_notify.
		t_ok "$1: then an abrupt end, not close_notify (end=$end)" \
		    abrupt_end "$end" ;;
	*)
		t_ok "$1: then the connection ends promptly (end=$end)" \
		    prompt_end "$end" ;;
	esac
	t_ok "$1: certbindd still serves others" echo_ok "$P"
	if [ -n "$6" ]; then
		srv_wait_log 1 "$6" 3
		t_match "$1: logged" "$(cat "$srv_log")" "$6"
	fi
	sleep 1.1
}
backend_case "backend down" "$PDOWN" "$BDOWN" 0 any \
    "backend 127\\.0\\.0\\.1:$BDOWN .*refused"
backend_case "backend resets" "$PRST" "$BRST" 0 abrupt \
    "backend 127\\.0\\.0\\.1:$BRST .*(reset|closed)"
backend_case "backend closes mid-stream (FIN)" "$PFIN" "$BFIN" 1000 \
    close_notify ""
backend_case "backend resets mid-stream" "$PMRST" "$BMRST" 1000 abrupt \
    "backend 127\\.0\\.0\\.1:$BMRST .*(reset|closed)"
# Many at once: no descriptor left behind by any of the paths.
pids=""
for port in "$PDOWN" "$PRST" "$PFIN" "$PMRST"; do
	i=0
	while [ $i -lt 10 ]; do
		timeout 30 $PY tests/server/stress.py read 127.0.0.2 "$port" \
		    >/dev/null 2>&1 &
		pids="$pids $!"
		srv_pids="$srv_pids $!"
		i=$((i + 1))
	done
done
for p in $pids; do wait "$p"; done
fd1=$(settle_fds "$fd0" 15)
t_is "backend faults: certbindd's descriptors back to $fd0" "$fd1" "$fd0"
t_ok "backend faults: certbindd alive" kill -0 "$srv_pid"

# 5. Clients that send half a ClientHello, then reset.
timeout 60 $PY tests/server/stress.py halfhello 127.0.0.2 "$P" "$NHALF" \
    >"$T/half.out" 2>&1
t_is "$NHALF clients reset mid-handshake" "$(kv "$T/half.out" reset)" "$NHALF"
t_ok "mid-handshake resets: certbindd alive" kill -0 "$srv_pid"
t_ok "mid-handshake resets: still serving" echo_ok "$P"
fd1=$(settle_fds "$fd0" 15)
t_is "mid-handshake resets: descriptors back to $fd0" "$fd1" "$fd0"

# 6. A key file removed, then spoilt, before a reload: the reload fails
# naming the file, and the old config keeps serving.
nfail=0
reload_fails() {
	nfail=$((nfail + 1))
	srv_hup
	srv_wait_log "$nfail" 'reload failed' 10
}
conf two
mv "$S/two.key" "$S/two.key.away"
reload_fails
t_match "key removed: the reload fails naming the file" \
    "$(grep 'reload: ' "$srv_log")" 'two\.key'
t_match "key removed: logged as failed" "$(cat "$srv_log")" \
    'reload failed: still serving generation 1'
t_is "key removed: still serving www" "$(srv_fpr 127.0.0.2 "$P")" "$www"
(umask 077 && echo 'not a key' >"$S/two.key")
reload_fails
t_is "key spoilt: the reload fails naming the file" \
    "$(grep 'reload: ' "$srv_log" | grep -c 'two\.key')" 2
t_is "key spoilt: still serving www" "$(srv_fpr 127.0.0.2 "$P")" "$www"
if [ "$(id -u)" != 0 ]; then
	cp "$S/two.key.away" "$S/two.key" && chmod 000 "$S/two.key"
	reload_fails
	t_is "key unreadable: the reload fails naming the file" \
	    "$(grep 'reload: ' "$srv_log" | grep -c 'two\.key')" 3
	t_is "key unreadable: still serving www" \
	    "$(srv_fpr 127.0.0.2 "$P")" "$www"
fi
t_ok "failed reloads: certbindd still echoes" echo_ok "$P"
mv "$S/two.key.away" "$S/two.key"
srv_hup
srv_wait_log 1 'reloaded: serving generation 2' 10
t_is "key restored: the reload serves two" "$(srv_fpr 127.0.0.2 "$P")" \
    "$(mkcert_fpr "$S/two.pem")"
fd1=$(settle_fds "$fd0" 10)
t_is "after the failed reloads: descriptors back to $fd0" "$fd1" "$fd0"

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0

# 6b. After the drop to server.user = "nobody" the keeper, still root,
# opens the files for a reload: a key file that has gone away fails the
# reload, naming the file, and the old key keeps serving; once it is back
# the reload serves it.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	U=$T/u
	mkdir -p "$U"
	chmod 711 "$T" "$U"
	cp "$S/www.key" "$S/www.pem" "$S/two.key" "$S/two.pem" "$U/"
	chmod 600 "$U"/*.key
	chmod 644 "$U"/*.pem
	PU=$(srv_port)
	# uconf KEYNAME
	uconf() {
		cat >"$T/u.conf" <<EOC
version = 1;
store = "$U";
server = {
  listen = ( { endpoint = "127.0.0.2:$PU"; backend = "127.0.0.1:$PB"; } );
  user = "nobody";
  workers = 1;
  shutdown_timeout = 5;
};
keys = ( { name = "k"; key = "$1.key"; cert = "$1.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
EOC
		chmod 644 "$T/u.conf"
	}
	uconf www
	srv_log=$T/user.log
	if ! srv_start "$T/u.conf"; then
		t_fail "certbindd starts as nobody" "$(cat "$srv_log")"
	else
		t_is "as nobody: serves www" "$(srv_fpr 127.0.0.2 "$PU")" "$www"
		mv "$U/two.key" "$U/two.key.away"
		uconf two
		nfail=0
		reload_fails
		t_match "as nobody, key gone: the reload fails naming the file" \
		    "$(grep 'reload: ' "$srv_log")" 'two\.key: .*No such file'
		t_match "key gone: logged as failed" "$(cat "$srv_log")" \
		    'reload failed: still serving generation 1'
		t_is "key gone: still serving www" \
		    "$(srv_fpr 127.0.0.2 "$PU")" "$www"
		mv "$U/two.key.away" "$U/two.key"
		srv_hup
		srv_wait_log 1 'reloaded: serving generation 2' 10
		t_is "key back: the reload serves two" \
		    "$(srv_fpr 127.0.0.2 "$PU")" "$(mkcert_fpr "$S/two.pem")"
		srv_term
		srv_exit_status 10
		t_is "as nobody: SIGTERM exits 0" "$srv_rc" 0
	fi
else
	t_skip "a key gone after the privilege drop" \
	    "needs root and a user nobody to drop to"
fi

# 7. Out of descriptors: a second certbindd with ulimit -n 64 and the
# default max_connections (10000), so accept() and the backend's socket()
# hit EMFILE long before the limit. It must neither crash nor spin, the
# open connections keep working, and once they close it serves again.
srv_log=$T/emfile.log
: >"$srv_log"
conf www
sh -c 'ulimit -n 64 && exec "$0" -f -c "$1"' "$CERTBINDD" "$C" \
    2>>"$srv_log" &
srv_pid=$!
srv_pids="$srv_pids $srv_pid"
if ! srv_wait_log 1 ' ready: ' 15; then
	t_fail "certbindd starts with 64 descriptors" "$(cat "$srv_log")"
else
	mkfifo "$T/emf.in"
	timeout 60 $PY tests/server/stress.py open 127.0.0.2 "$P" 40 30 \
	    <"$T/emf.in" >"$T/emf.out" 2>&1 &
	opid=$!
	srv_pids="$srv_pids $opid"
	exec 7>"$T/emf.in"
	i=0
	while ! grep -q '^opened=' "$T/emf.out" && [ $i -lt 300 ]; do
		sleep 0.1; i=$((i + 1))
	done
	echo "# out of descriptors: $(tr '\n' ' ' <"$T/emf.out")"
	opened=$(kv "$T/emf.out" opened)
	t_ok "out of descriptors: some connections served ($opened of 40)" \
	    [ "${opened:-0}" -ge 10 ]
	t_ok "out of descriptors: the others refused" \
	    [ "$(kv "$T/emf.out" failed)" -ge 1 ]
	t_match "out of descriptors: logged" "$(cat "$srv_log")" \
	    'Too many open files'
	# A spinning accept loop would burn a core: over 2 s with clients
	# knocking, certbindd may use well under half a second of CPU.
	cpu() { awk '{ print $14 + $15 }' "/proc/$srv_pid/stat"; }
	c0=$(cpu)
	timeout 20 $PY tests/server/stress.py read 127.0.0.2 "$P" 4 \
	    >/dev/null 2>&1
	sleep 2
	c1=$(cpu)
	t_ok "out of descriptors: no busy loop ($((c1 - c0)) ticks of CPU in 2 s)" \
	    [ $((c1 - c0)) -lt $(( $(getconf CLK_TCK) / 2 )) ]
	exec 7>&-
	wait $opid
	t_is "out of descriptors: the open connections still echo" \
	    "$(kv "$T/emf.out" echo_failed)" 0
	i=0 ok=0
	while [ $i -lt 20 ] && [ $ok = 0 ]; do
		echo_ok "$P" && ok=1
		sleep 0.2; i=$((i + 1))
	done
	t_is "out of descriptors: once they close, it serves again" "$ok" 1
	t_ok "out of descriptors: certbindd alive" kill -0 "$srv_pid"
	srv_term
	srv_exit_status 10
	t_is "out of descriptors: SIGTERM exits 0" "$srv_rc" 0
fi
t_done
