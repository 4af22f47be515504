#!/bin/sh
# tls-alpn-01 (RFC 8737): certbindd answers the challenges certbind
# writes to STORE/acme/tls-alpn-01/DOMAIN.pem, re-read on SIGUSR2 (and
# nothing else then), with the challenge certificate for a client that
# offers only acme-tls/1 and names a pending domain, never forwarding such
# a connection to the backend; every other client is served as before,
# also while challenges come and go under load. The challenge certificates
# are made here by openssl, and certificates are told apart by SHA-256.
# With server.user the 0600 root-owned files still load, through the
# keeper. op/probe.c's probe_served() is run through the unit test
# binary's probe mode.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

PROBE="$top/$B/tests/test_probe_served"
S=$T/store
D=$S/acme/tls-alpn-01
mkcert_leaf "$S" www www a.test c.test || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two a.test c.test || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
two=$(mkcert_fpr "$S/two.pem")
P=$(srv_port) PB=$(srv_port)
C=$T/certbind.conf
A="tests/server/alpn.py"

# The backend counts the connections it accepts.
$PY "$A" backend 127.0.0.1 "$PB" "$T/backend.ready" "$T/backend.count" \
    >/dev/null 2>&1 &
srv_pids="$srv_pids $!"
srv_wait_file "$T/backend.ready" 10 || { t_fail "backend starts"; exit 1; }
backend_count() { cat "$T/backend.count"; }

# conf KEY [SERVER-EXTRA]
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 2;
  shutdown_timeout = 2;
  ${2:-}
};
keys = ( { name = "k"; key = "$1.key"; cert = "$1.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
EOC
}

# mkchal DOMAIN [SAN]: a challenge file as certbind writes it (the
# certificate, then its key; mode 0600), by openssl; its certificate's
# SHA-256 in $T/DOMAIN.fpr.
mkchal() {
	mkdir -p "$D" && chmod 700 "$S/acme" "$D"
	ka=$(openssl rand -hex 32 | sed 's/../&:/g; s/:$//')
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$T/chal.key" -out "$T/chal.pem" -days 7 \
	    -subj /CN=acme -addext "subjectAltName=DNS:${2:-$1}" \
	    -addext "1.3.6.1.5.5.7.1.31=critical,DER:04:20:$ka" \
	    >/dev/null 2>&1 || return 1
	mkcert_fpr "$T/chal.pem" >"$T/$1.fpr"
	(umask 077 && cat "$T/chal.pem" "$T/chal.key" >"$D/$1.pem")
	rm -f "$T/chal.key"
}

# usr2 N: SIGUSR2, then waits for the Nth "loaded" line of the log.
nloaded=0
usr2() {
	kill -USR2 "$srv_pid"
	nloaded=$((nloaded + 1))
	srv_wait_log "$nloaded" 'acme: [0-9]+ tls-alpn-01 challenge\(s\) loaded' 10
}

# fpr SNI ALPN: "FPR SELECTED" or "refused".
fpr() { $PY "$A" fpr 127.0.0.2 "$P" "$1" "$2"; }

# settle: lets a backend connection that would follow a handshake happen.
settle() { sleep 0.3; }

conf www
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_nomatch "no directory: no challenge line at start" "$(cat "$srv_log")" \
    'tls-alpn-01'
t_is "no challenge: acme-tls/1 gets the bound certificate, no ALPN" \
    "$(fpr a.test acme-tls/1)" "$www -"

mkchal a.test || { t_fail "openssl makes a challenge certificate"; exit 1; }
cha=$(cat "$T/a.test.fpr")
t_ok "challenge file is 0600" [ "$(stat -c %a "$D/a.test.pem")" = 600 ]
usr2 || t_fail "SIGUSR2 loads the challenges" "$(cat "$srv_log")"
t_match "SIGUSR2: the challenge is logged" "$(cat "$srv_log")" \
    'acme: 1 tls-alpn-01 challenge\(s\) loaded: a\.test$'
t_nomatch "SIGUSR2: no config reload" "$(cat "$srv_log")" 'SIGHUP|reloaded'

settle
before=$(backend_count)
t_is "acme-tls/1, sni a.test: the challenge certificate" \
    "$(fpr a.test acme-tls/1)" "$cha acme-tls/1"
t_is "and again (openssl s_client -alpn acme-tls/1)" \
    "$(timeout 10 openssl s_client -connect "127.0.0.2:$P" \
    -servername a.test -alpn acme-tls/1 </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 | sed 's/^[^=]*=//' |
    tr 'A-F' 'a-f')" "$cha"
settle
t_is "the challenge connections never reached the backend" \
    "$(backend_count)" "$before"
t_match "the answer is logged" "$(cat "$srv_log")" \
    'acme: answered the tls-alpn-01 challenge for a\.test on 127\.0\.0\.2'

t_is "no ALPN, sni a.test: the bound certificate" "$(fpr a.test -)" "$www -"
t_is "ALPN h2 only, sni a.test: the bound certificate, no ALPN" \
    "$(fpr a.test h2)" "$www -"
t_is "openssl s_client without ALPN: the bound certificate" \
    "$(srv_fpr 127.0.0.2 "$P" a.test)" "$www"
settle
t_ok "ordinary connections reach the backend" \
    [ "$(backend_count)" -gt "$before" ]

t_is "acme-tls/1, sni b.test (no challenge): refused" \
    "$(fpr b.test acme-tls/1)" refused
t_match "and logged" "$(cat "$srv_log")" \
    'acme: no tls-alpn-01 challenge is pending for 127\.0\.0\.2:[0-9]+ sni "b\.test" .*handshake refused'
t_is "acme-tls/1 without sni: refused" "$(fpr - acme-tls/1)" refused

# certbind's own check, op/probe.c's probe_served().
if [ -x "$PROBE" ]; then
	t_is "probe_served: the challenge, acme-tls/1 selected" \
	    "$("$PROBE" probe "127.0.0.2:$P" a.test acme-tls/1)" "served $cha"
	t_match "probe_served: b.test refused" \
	    "$("$PROBE" probe "127.0.0.2:$P" b.test acme-tls/1)" \
	    '^error the server refused the handshake'
	t_is "probe_served without ALPN: the bound certificate" \
	    "$("$PROBE" probe "127.0.0.2:$P" a.test)" "served $www"
else
	t_skip "probe_served" "no $PROBE: make check builds it"
fi

# SIGUSR2 re-reads the challenges only: a changed config waits for SIGHUP.
conf two
mkchal c.test
usr2
t_match "SIGUSR2 after a config change: both challenges" "$(cat "$srv_log")" \
    'acme: 2 tls-alpn-01 challenge\(s\) loaded: a\.test, c\.test$'
t_is "SIGUSR2 did not reload the config: still www" \
    "$(fpr a.test -)" "$www -"
t_is "c.test's challenge is served" "$(fpr c.test acme-tls/1)" \
    "$(cat "$T/c.test.fpr") acme-tls/1"
srv_hup
srv_wait_log 1 'reloaded: serving generation 2' 10
nloaded=$((nloaded + 1))
srv_wait_log "$nloaded" 'acme: [0-9]+ tls-alpn-01 challenge\(s\) loaded' 10
t_is "SIGHUP: now two" "$(fpr a.test -)" "$two -"
t_is "SIGHUP: the challenges are still answered" \
    "$(fpr a.test acme-tls/1)" "$cha acme-tls/1"

# Files that cannot be used are skipped, each with a line; the rest load.
printf 'junk\n' >"$D/junk.test.pem"
cp "$D/a.test.pem" "$D/bad_name.pem"
cp "$D/a.test.pem" "$D/d.test.pem"		# its SAN is a.test
ln -s "$D/c.test.pem" "$D/e.test.pem"
printf 'x' >"$D/notes.txt"
printf 'x' >"$D/.a.test.pem.XXXXXX"		# an atomic write in progress
: >"$T/mark"
usr2
t_match "junk: the other two load" "$(cat "$srv_log")" \
    'acme: 2 tls-alpn-01 challenge\(s\) loaded: a\.test, c\.test$'
for f in junk.test.pem bad_name.pem d.test.pem e.test.pem notes.txt; do
	t_is "$f is skipped with one line" \
	    "$(grep -c "acme: acme/tls-alpn-01/$f skipped: " "$srv_log")" 1
done
t_match "a file whose certificate names another domain says so" \
    "$(cat "$srv_log")" 'd\.test\.pem skipped: the certificate.s names'
t_match "a symbolic link is refused" "$(cat "$srv_log")" \
    'e\.test\.pem skipped: .*symbolic link'
t_nomatch "hidden files are ignored" "$(cat "$srv_log")" '\.XXXXXX'
t_is "d.test (skipped) is refused" "$(fpr d.test acme-tls/1)" refused
rm -f "$D/junk.test.pem" "$D/bad_name.pem" "$D/d.test.pem" \
    "$D/e.test.pem" "$D/notes.txt" "$D/.a.test.pem.XXXXXX"

# Removing a file takes its challenge away at the next SIGUSR2.
mv "$D/a.test.pem" "$T/a.test.pem.away"
usr2
t_match "a.test removed: one left" "$(cat "$srv_log")" \
    'acme: 1 tls-alpn-01 challenge\(s\) loaded: c\.test$'
t_is "a.test removed: acme-tls/1 for a.test refused again" \
    "$(fpr a.test acme-tls/1)" refused
t_is "c.test still answered" "$(fpr c.test acme-tls/1)" \
    "$(cat "$T/c.test.fpr") acme-tls/1"

# Ordinary handshakes, with no ALPN and with h2, while challenges come and
# go: none fails and none gets a challenge certificate; a connection open
# from before still proxies after; and c.test's challenge, there all the
# time, is answered throughout.
mkfifo "$T/hold.in"
timeout 60 $PY tests/server/client.py hold 127.0.0.2 "$P" 1 60 \
    <"$T/hold.in" >"$T/hold.out" 2>&1 &
exec 7>"$T/hold.in"
timeout 60 $PY "$A" loop 127.0.0.2 "$P" 4 a.test - >"$T/loop1.out" 2>&1 &
l1=$!
timeout 60 $PY "$A" loop 127.0.0.2 "$P" 4 c.test h2 >"$T/loop2.out" 2>&1 &
l2=$!
timeout 60 $PY "$A" loop 127.0.0.2 "$P" 4 c.test acme-tls/1 \
    >"$T/loop3.out" 2>&1 &
l3=$!
# Not $i: srv_wait_log (in usr2) uses it.
nboth=$(grep -c 'loaded: a\.test, c\.test$' "$srv_log")
flip=0
while [ $flip -lt 8 ]; do
	sleep 0.3
	if [ $((flip % 2)) = 0 ]; then
		cp "$T/a.test.pem.away" "$D/a.test.pem"
	else
		rm -f "$D/a.test.pem"
	fi
	usr2 || t_fail "SIGUSR2 $flip under load"
	flip=$((flip + 1))
done
t_is "under load: a.test came and went 4 times" \
    "$(grep -c 'loaded: a\.test, c\.test$' "$srv_log")" $((nboth + 4))
wait $l1
wait $l2
wait $l3
exec 7>&-
n=0
while ! grep -q '^echo' "$T/hold.out" && [ $n -lt 100 ]; do
	sleep 0.1; n=$((n + 1))
done
t_is "a connection from before the SIGUSR2s still proxies" \
    "$(cat "$T/hold.out")" "ok
echo ok"
set -- $(cat "$T/loop3.out")
t_is "c.test's challenge answered throughout (${1:-?} made; ${4:-})" \
    "${2:-x} ${3:-}" "0 $(cat "$T/c.test.fpr")"
for l in loop1 loop2; do
	set -- $(cat "$T/$l.out")
	t_is "$l: no handshake failed during 8 SIGUSR2s (${1:-?} made; ${4:-})" \
	    "${2:-x}" 0
	t_ok "$l: made handshakes" [ "${1:-0}" -gt 20 ]
	t_is "$l: only the bound certificate was served" "${3:-}" "$two"
done

# Nothing pending: acme-tls/1 is not offered at all.
rm -f "$D"/*.pem
usr2
t_match "all removed: none loaded" "$(cat "$srv_log")" \
    'acme: 0 tls-alpn-01 challenge\(s\) loaded$'
t_is "all removed: acme-tls/1 not selected, the bound certificate" \
    "$(fpr c.test acme-tls/1)" "$two -"
if [ -x "$PROBE" ]; then
	t_is "probe_served says acme-tls/1 was not selected" \
	    "$("$PROBE" probe "127.0.0.2:$P" c.test acme-tls/1)" \
	    "error the server did not select acme-tls/1"
fi

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0

# With server.user: certbindd has dropped root, and the root-owned 0600
# files come through the keeper, at start and on SIGUSR2.
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	t_skip "tls-alpn-01 with server.user" "needs root and user nobody"
	t_done
	exit 0
fi
conf www 'user = "nobody";'
mkchal a.test
cha=$(cat "$T/a.test.fpr")
chown root:root "$D/a.test.pem" && chmod 600 "$D/a.test.pem"
nloaded=1
srv_start "$C" || { t_fail "certbindd starts as nobody" "$(cat "$srv_log")"; exit 1; }
t_match "server.user: the root-owned 0600 challenge loads at start" \
    "$(cat "$srv_log")" 'acme: 1 tls-alpn-01 challenge\(s\) loaded: a\.test$'
t_is "server.user: running as nobody" \
    "$(awk '/^Uid:/ { print $2 }' "/proc/$srv_pid/status")" "$(id -u nobody)"
t_is "server.user: the challenge is served" "$(fpr a.test acme-tls/1)" \
    "$cha acme-tls/1"
mkchal c.test
chown root:root "$D/c.test.pem" && chmod 600 "$D/c.test.pem"
usr2
t_match "server.user: SIGUSR2 reads the new file through the keeper" \
    "$(cat "$srv_log")" 'acme: 2 tls-alpn-01 challenge\(s\) loaded: a\.test, c\.test$'
t_is "server.user: the new challenge is served" "$(fpr c.test acme-tls/1)" \
    "$(cat "$T/c.test.fpr") acme-tls/1"
ln -s "$D/c.test.pem" "$D/e.test.pem"
usr2
t_match "server.user: the keeper refuses a symbolic link" "$(cat "$srv_log")" \
    'e\.test\.pem skipped: .*symbolic link'
t_is "server.user: a normal client still gets the bound certificate" \
    "$(fpr a.test -)" "$www -"
srv_term
srv_exit_status 10
t_is "server.user: SIGTERM exits 0" "$srv_rc" 0
t_done
