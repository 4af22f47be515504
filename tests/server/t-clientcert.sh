#!/bin/sh
# Client certificates per binding (client_ca, client_auth): a verified
# certificate reaches the backend; a required one that is missing, one
# from another CA, one made for servers only, a chain of 100 certificates
# and one of 1 MB are refused, each refusal with one escaped log line
# (but the 1 MB one, which GnuTLS stops as it arrives); optional lets a
# client without a certificate in. A session resumed on a binding that
# asks for a certificate is verified again. The CA files are judged at
# load time, with the file and line. Certificates are made by certtool.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www req.test opt.test none.test ||
    { t_fail "fixtures"; exit 1; }
mkcert_ca "$T" ca1 "Client CA one" && mkcert_ca "$T" ca2 "Client CA two" ||
    { t_fail "CA fixtures"; exit 1; }

# mkclient NAME CN CA: $T/NAME.key and .pem, a client certificate
# (extended key usage clientAuth) signed by $T/CA.
mkclient() {
	mkcert__key "$T/$1.key" || return 1
	printf 'cn = "%s"\nexpiration_days = 30\ntls_www_client\nsigning_key\n' \
	    "$2" >"$T/$1.tmpl"
	mkcert__run certtool --generate-certificate --no-text \
	    --load-privkey "$T/$1.key" --load-ca-privkey "$T/$3.key" \
	    --load-ca-certificate "$T/$3.pem" --template "$T/$1.tmpl" \
	    --outfile "$T/$1.pem"
}
mkclient alice alice ca1 && mkclient bob bob ca2 &&
    mkclient evil "$(printf 'ev\033[31mil\342\200\256x')" ca2 ||
    { t_fail "client fixtures"; exit 1; }
# A certificate for servers only (serverAuth), from the right CA.
MKCERT_CA=$T/ca1 mkcert_leaf "$T" srv srv.test || { t_fail "fixtures"; exit 1; }

P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
# conf [CLIENT_CA-OF-req.test]
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 2;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = (
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "req.test";
    client_ca = "${1:-$T/ca1.pem}"; client_auth = "required"; },
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "opt.test";
    client_ca = "$T/ca1.pem"; client_auth = "optional"; },
  { key = "www"; endpoint = "127.0.0.2:*"; sni = "none.test"; }
);
EOC
}

# echo_via SNI [OPENSSL-ARGS...]: "ping" back through certbindd and the
# echo backend when the handshake is accepted, else "refused".
echo_via() {
	sni=$1; shift
	r=$( (printf 'ping\n'; sleep 1) | timeout 10 openssl s_client \
	    -connect "127.0.0.2:$P" -servername "$sni" -quiet "$@" \
	    2>"$T/sc.err" | head -1)
	echo "${r:-refused}"
}
nref() { grep -c 'client certificate refused' "$srv_log"; }

conf
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

t_is "required, a certificate from the CA: reaches the backend" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key")" ping
t_is "required, the same over TLS 1.2" \
    "$(echo_via req.test -tls1_2 -cert "$T/alice.pem" -key "$T/alice.key")" \
    ping
t_is "no refusal logged for them" "$(nref)" 0

t_is "required, no certificate: refused" "$(echo_via req.test)" refused
srv_wait_log 1 'client certificate refused' 5
t_match "with one line: client, endpoint, sni, why" "$(cat "$srv_log")" \
    "client certificate refused: client 127\\.0\\.0\\.1:[0-9]+ on 127\\.0\\.0\\.2:$P sni \"req\\.test\": no certificate: handshake refused"
t_is "one line for one refusal" "$(nref)" 1
t_is "required, no certificate, TLS 1.2: refused" \
    "$(echo_via req.test -tls1_2)" refused
srv_wait_log 2 'client certificate refused' 5
t_is "one line again" "$(nref)" 2

t_is "required, a certificate from another CA: refused" \
    "$(echo_via req.test -cert "$T/bob.pem" -key "$T/bob.key")" refused
srv_wait_log 3 'client certificate refused' 5
t_match "logged as not trusted, with its CN" "$(cat "$srv_log")" \
    'sni "req\.test": not trusted: .* \(CN "bob"\): handshake refused'
t_is "required, a server-only certificate from the CA: refused" \
    "$(echo_via req.test -cert "$T/srv.pem" -key "$T/srv.key")" refused
srv_wait_log 4 'client certificate refused' 5

t_is "optional, no certificate: accepted" "$(echo_via opt.test)" ping
t_is "optional, the CA's certificate: accepted" \
    "$(echo_via opt.test -cert "$T/alice.pem" -key "$T/alice.key")" ping
t_is "optional, another CA's certificate: refused" \
    "$(echo_via opt.test -cert "$T/bob.pem" -key "$T/bob.key")" refused
t_is "no client_ca: served without asking" "$(echo_via none.test)" ping
srv_wait_log 5 'client certificate refused' 5

# A hostile CN (ESC, U+202E) is escaped in the line.
t_is "a hostile CN from another CA: refused" \
    "$(echo_via req.test -cert "$T/evil.pem" -key "$T/evil.key")" refused
srv_wait_log 6 'client certificate refused' 5
esc=$(printf '\033')
t_nomatch "no raw ESC in the log" "$(cat "$srv_log")" "$esc"
t_match "the CN is there, escaped" "$(cat "$srv_log")" 'CN "ev\\x1B'

# 100 certificates: the leaf and 99 copies of its CA, under 64 KB.
i=0
: >"$T/chain100.pem"
while [ $i -lt 99 ]; do
	cat "$T/ca1.pem" >>"$T/chain100.pem"
	i=$((i + 1))
done
t_is "a chain of 100 certificates: refused" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key" \
    -cert_chain "$T/chain100.pem")" refused
srv_wait_log 7 'client certificate refused' 5
t_match "logged: more than 10" "$(cat "$srv_log")" \
    'a chain of 100 certificates, more than 10: handshake refused'

# 1 MB: GnuTLS refuses the Certificate message as it arrives (certbindd
# caps handshake messages on bindings that ask for a certificate).
: >"$T/chain1m.pem"
while [ "$(stat -c %s "$T/chain1m.pem")" -lt 1100000 ]; do
	cat "$T/chain100.pem" >>"$T/chain1m.pem"
done
t_is "a chain of 1 MB: refused" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key" \
    -cert_chain "$T/chain1m.pem")" refused
t_ok "certbindd is still running" kill -0 "$srv_pid"
t_is "and still serves" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key")" ping

# Resumption: a session resumed on the required binding keeps its
# verified certificate; a ticket from a binding without client_ca does not
# get around it.
sess() {
	(sleep 1) | timeout 10 openssl s_client -connect "127.0.0.2:$P" \
	    "$@" >"$T/sc" 2>&1
}
sess -servername req.test -cert "$T/alice.pem" -key "$T/alice.key" \
    -sess_out "$T/sess.alice"
sess -servername req.test -sess_in "$T/sess.alice"
t_match "required: alice's session is resumed (no certificate sent again)" \
    "$(cat "$T/sc")" 'Reused, TLSv1\.3'
nb=$(nref)	# not $n: srv_wait_log uses it
t_is "and the resumed connection reaches the backend" \
    "$(echo_via req.test -sess_in "$T/sess.alice")" ping
sess -servername none.test -sess_out "$T/sess.none"
t_is "a ticket from none.test does not open req.test" \
    "$(echo_via req.test -sess_in "$T/sess.none")" refused
srv_wait_log $((nb + 1)) 'client certificate refused' 5
t_is "and the refusal is logged once" "$(nref)" $((nb + 1))
t_match "as a missing certificate" \
    "$(grep -v ' certbindd: access ' "$srv_log" | tail -1)" \
    'sni "req\.test": no certificate: handshake refused'

# Clients refused in a loop for 2 seconds (4 windows of a second at
# most): at most 20 lines a second, then one line saying how many were
# left out.
before=$(nref)
timeout 30 $PY tests/server/alpn.py loop 127.0.0.2 "$P" 2 req.test - \
    >"$T/loop1" 2>/dev/null &
l1=$!
set -- $(timeout 30 $PY tests/server/alpn.py loop 127.0.0.2 "$P" 2 \
    req.test - 2>/dev/null)
made=$((${1:-0} + ${2:-0}))
wait $l1
set -- $(cat "$T/loop1")
made=$((made + ${1:-0} + ${2:-0}))
sleep 1.2
echo_via req.test >/dev/null
srv_wait_log 1 'refused handshakes? (was|were) not logged' 5
logged=$(($(nref) - before))
t_ok "a loop of $made refusals: at most 20 lines a second ($logged)" \
    [ "$logged" -lt "$made" ] && [ "$logged" -le 81 ]
t_match "and a line says how many were not logged" "$(cat "$srv_log")" \
    '[0-9]+ refused handshakes were not logged \(more than 20 a second\)'

# The CA files are judged at load: certbindd -t and a reload say which
# binding, with the file and line.
conf "$T/nothere.pem"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "a missing client_ca: certbindd -t fails with the line" "$out" \
    'client-ca .*sni=req\.test: .*nothere\.pem: .*client_ca on line 9'
conf "$T/alice.pem"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "a client certificate as client_ca: not a CA" "$out" \
    'client-ca .*alice\.pem: .*not a CA certificate.*line 9'
MKCERT_NOT_BEFORE="2020-01-01 00:00:00" MKCERT_NOT_AFTER="2021-01-01 00:00:00" \
    mkcert_ca "$T" old "Old CA"
conf "$T/old.pem"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "an expired CA: refused" "$out" 'client-ca .*has expired.*line 9'
out=$("$CERTBIND" -c "$C" check --offline 2>&1)
t_match "certbind check: the client-ca finding" "$out" \
    '^error client-ca www@127\.0\.0\.2:\*,sni=req\.test: .*old\.pem: .*has expired'
srv_hup
srv_wait_log 1 'reload failed' 10
t_match "a reload with it fails with the line" "$(cat "$srv_log")" \
    'reload: .*certbind\.conf:9: the binding of key "www" sni "req\.test": client_ca: .*has expired'
t_is "and the old generation keeps verifying" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key")" ping

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0

# With server.user: a root-owned 0600 CA file loads at start, and again at
# a reload, through the keeper.
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	t_skip "client_ca with server.user" "needs root and user nobody"
	t_done
	exit 0
fi
conf
sed -i 's/^  workers = 2;/  workers = 2; user = "nobody";/' "$C"
cp "$T/ca1.pem" "$T/ca1.root.pem"
chown root:root "$T/ca1.root.pem" && chmod 600 "$T/ca1.root.pem"
sed -i "s|$T/ca1.pem|$T/ca1.root.pem|" "$C"
chmod 755 "$T"
srv_start "$C" || { t_fail "certbindd starts as nobody" "$(cat "$srv_log")"; exit 1; }
t_is "server.user: running as nobody" \
    "$(awk '/^Uid:/ { print $2 }' "/proc/$srv_pid/status")" "$(id -u nobody)"
t_is "server.user: the root-only CA verifies alice" \
    "$(echo_via req.test -cert "$T/alice.pem" -key "$T/alice.key")" ping
srv_hup
srv_wait_log 1 'reloaded:' 10
t_nomatch "server.user: the reload read it through the keeper" \
    "$(cat "$srv_log")" 'reload failed'
t_is "server.user: after the reload, bob is still refused" \
    "$(echo_via req.test -cert "$T/bob.pem" -key "$T/bob.key")" refused
srv_term
srv_exit_status 10
t_is "server.user: SIGTERM exits 0" "$srv_rc" 0
t_done
