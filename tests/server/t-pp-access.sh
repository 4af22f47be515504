#!/bin/sh
# The access log (server.access_log, on by default): one line per
# connection with the client, the local endpoint, SNI, ALPN, the key, the
# backend, the bytes each way, the duration and how it ended. Checked for
# a normal connection (a known payload through an echo backend, counted
# both ways), a backend chosen by the binding (binding backend overrides
# the listener's), a backend that is down, refused and failed handshakes,
# the handshake and idle timeouts, max_connections, shutdown, and
# access_log = false.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com other.example.com dead.example.com ||
    { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port) PB2=$(srv_port) PDEAD=$(srv_port)
srv_backend "$PB" || { t_fail "echo backend starts"; exit 1; }
srv_backend "$PB2" || { t_fail "second echo backend starts"; exit 1; }
C=$T/certbind.conf
# conf SERVER-SETTINGS
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  handshake_timeout = 2;
  idle_timeout = 2;
  shutdown_timeout = 1;
  max_connections = 2;
  $1
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = (
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "www.example.com"; },
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "other.example.com";
    backend = "127.0.0.1:$PB2"; },
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "dead.example.com";
    backend = "127.0.0.1:$PDEAD"; }
);
EOC
}
conf ""
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

# mark, then last: the newest access line, once there is one more than
# at the mark (last runs in $(...): it only reads n0).
mark() { n0=$(srv_access . | wc -l); }
last() {
	srv_wait_log $((n0 + 1)) ' certbindd: access ' 10
	srv_access . | tail -n 1
}

mark
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --src 127.0.0.5 --sni www.example.com --bytes 54321 2>&1)
t_match "a normal connection is echoed" "$seen" 'echo=ok close=clean'
l=$(last)
src=$(srv_field "$seen" src)
alpn=$(srv_field "$seen" alpn)
t_match "normal: one line, every field in order" "$l" \
    "^access time=[^ ]+ client=$src local=127\\.0\\.0\\.2:$P sni=www\\.example\\.com alpn=$alpn key=www backend=127\\.0\\.0\\.1:$PB to_backend=54321 to_client=54321 ms=[0-9]+ end=closed error=-\$"
# The time is the accept time, UTC with milliseconds, and now-ish.
t_ok "normal: time= is ISO 8601 UTC with milliseconds, within a minute" \
    $PY -c 'import sys, datetime as d
t = d.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ")
assert len(sys.argv[1]) == 24
age = d.datetime.utcnow() - t
assert d.timedelta(0) <= age < d.timedelta(minutes=1), age' \
    "$(srv_field "$l" time)"

mark
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --sni other.example.com --bytes 100 2>&1)
t_match "a binding's own backend serves its connections" "$seen" 'echo=ok'
t_match "binding backend: the line names it" "$(last)" \
    "sni=other\\.example\\.com .*key=www backend=127\\.0\\.0\\.1:$PB2 to_backend=100 to_client=100 .*end=closed"

mark
timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --sni dead.example.com --bytes 10 >/dev/null 2>&1
t_match "backend down: backend-refused, with the errno's name" "$(last)" \
    "sni=dead\\.example\\.com .*key=www backend=127\\.0\\.0\\.1:$PDEAD to_backend=0 to_client=0 ms=[0-9]+ end=backend-refused error=ECONNREFUSED\$"

mark
r=$(srv_fpr 127.0.0.2 "$P" nope.example.com)
t_is "an SNI nothing is bound to is refused" "$r" refused
t_match "refused: no-binding, the SNI it asked for, no key, no backend" \
    "$(last)" \
    "sni=nope\\.example\\.com alpn=- key=- backend=- to_backend=0 to_client=0 ms=[0-9]+ end=no-binding error=GNUTLS_E_[A-Z_]+\$"

mark
r=$(timeout 20 $PY tests/server/pp_client.py raw 127.0.0.2 "$P" garbage 10)
t_match "not TLS at all: closed ($r)" "$r" '^closed'
t_match "not TLS: handshake-failed with GnuTLS's error name" "$(last)" \
    'sni=- alpn=- key=- backend=- .* end=handshake-failed error=GNUTLS_E_[A-Z_]+$'

mark
r=$(timeout 20 $PY tests/server/client.py silent 127.0.0.2 "$P" 10)
t_match "a silent client: handshake-timeout after about 2 s" "$(last)" \
    'ms=(19[0-9][0-9]|[234][0-9]{3}) end=handshake-timeout error=-$'

# max_connections = 2: two clients that idle hold both; a third is
# refused (max-connections); then the two are cut at idle_timeout.
ipids=""
for i in 1 2; do
	timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
	    --sni www.example.com --idle 10 >"$T/idle.$i" 2>&1 &
	ipids="$ipids $!"
done
i=0
while [ "$(cat "$T/idle.1" "$T/idle.2" | grep -c ready)" -lt 2 ] &&
    [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
mark
r=$(srv_fpr 127.0.0.2 "$P" www.example.com)
t_is "a third connection over max_connections is refused" "$r" refused
t_match "over the limit: max-connections, the client named" "$(last)" \
    "client=127\\.0\\.0\\.1:[0-9]+ local=127\\.0\\.0\\.2:$P sni=- alpn=- key=- backend=- .* end=max-connections error=-\$"
for p in $ipids; do wait "$p"; done
t_match "the idle clients were cut" "$(cat "$T/idle.1" "$T/idle.2")" \
    'closed_after=(1\.[5-9]|[234]\.)'
srv_wait_log 2 'end=idle-timeout' 10
t_is "idle: idle-timeout, twice" \
    "$(srv_access 'end=idle-timeout' | wc -l | tr -d ' ')" 2

# access_log = false: the reload takes effect for new connections.
conf "access_log = false;"
srv_hup
srv_wait_log 1 'reloaded:' 10
mark
timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --sni www.example.com --bytes 10 >/dev/null 2>&1
sleep 0.5
t_is "access_log = false: no line for a new connection" \
    "$(srv_access . | wc -l | tr -d ' ')" "$(echo $n0)"

# Shutdown with a connection open: recorded as shutdown at the deadline.
conf ""
srv_hup
srv_wait_log 2 'reloaded:' 10
timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --sni www.example.com --idle 10 >"$T/idle.3" 2>&1 &
ipid=$!
i=0
while ! grep -q ready "$T/idle.3" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
srv_term
srv_exit_status 15
wait "$ipid"
t_match "shutdown: the open connection is recorded as shutdown" \
    "$(srv_access . | tail -n 1)" 'ms=[0-9]+ end=shutdown error=-$'

# No raw control character ever reaches the log.
esc=$(printf '\033')
t_nomatch "no raw ESC in the log" "$(cat "$srv_log")" "$esc"
t_done
