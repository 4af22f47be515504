#!/bin/sh
# ACME with http-01 (certbind's own responder, and a webroot served by
# another web server) and dns-01 (a hook that publishes the record in
# pebble-challtestsrv), a wildcard included, against pebble with real
# validation. Each certificate is checked for its names and verified up
# to pebble's root.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
. "$top/tests/acme/acmelib.sh"
srv_need
acme_need

acme_env_start || { t_fail "pebble and pebble-challtestsrv start"; exit 1; }
acme_issuer_pem >"$T/pebble-roots.pem"
S=$T/store
C=$T/certbind.conf
mkdir -p "$S"
cat >"$C" <<EOC
version = 1;
store = "$S";
keys = ( );
bindings = ( );
$(acme_group)
EOC
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos
t_is "register" "$rc" 0 "$err"

# cert_of NAME: the certificate file of key NAME, from the config.
cert_of() {
	sed -n "s/.*name = \"$1\"; key = \"[^\"]*\"; cert = \"\\([^\"]*\\)\".*/\\1/p" "$C"
}
# issued NAME SAN: the key's certificate verifies and names SAN.
issued() {
	f=$S/$(cert_of "$1")
	t_ok "$1: the chain verifies up to pebble's root" \
	    openssl verify -CAfile "$T/pebble-roots.pem" -untrusted "$f" "$f"
	t_match "$1: the certificate names $2" \
	    "$(openssl x509 -in "$f" -noout -ext subjectAltName 2>&1)" "DNS:$2"
}

# http-01 with certbind's responder, on the port pebble's VA connects to.
acme_dns_a h.certbind.test 127.0.0.6
cb -c "$C" acme order h --domain h.certbind.test --challenge http-01 \
    --http-port "$ACME_HTTP_PORT"
t_is "acme order h (http-01, standalone)" "$rc" 0 "$err"
t_match "progress: the responder's port" "$err" "answering http-01 on port $ACME_HTTP_PORT"
issued h h.certbind.test
t_match "the key's acme block keeps the port" "$(cat "$C")" \
    "http_port = $ACME_HTTP_PORT"
t_not "the responder is gone" "$PY" -c "
import socket
socket.create_connection(('127.0.0.1', $ACME_HTTP_PORT), timeout=2)"

# http-01 with a webroot served by another web server.
W=$T/webroot
mkdir -p "$W"
"$PY" -m http.server --bind 127.0.0.1 --directory "$W" "$ACME_HTTP_PORT" \
    >"$T/web.log" 2>&1 &
web=$!
srv_pids="$srv_pids $web"
i=0
until "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $ACME_HTTP_PORT), timeout=1)" 2>/dev/null || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
acme_dns_a web.certbind.test 127.0.0.1
cb -c "$C" acme order web --domain web.certbind.test --challenge http-01 \
    --webroot "$W"
t_is "acme order web (http-01, webroot)" "$rc" 0 "$err"
issued web web.certbind.test
t_match "the web server served the token to the CA" "$(cat "$T/web.log")" \
    'GET /.well-known/acme-challenge/[A-Za-z0-9_-]+ HTTP/1.1" 200'
t_is "the token file is removed afterwards" \
    "$(find "$W/.well-known/acme-challenge" -type f 2>/dev/null | wc -l)" 0
kill "$web"

# dns-01 through the hook, with a wildcard and its base name.
cb -c "$C" acme order wild --domain '*.w.certbind.test' \
    --domain w.certbind.test --challenge dns-01 \
    --dns-hook "$top/tests/acme/dns-hook.sh"
t_is "acme order wild (dns-01, wildcard)" "$rc" 0 "$err"
issued wild '\*\.w\.certbind\.test'
issued wild 'w\.certbind\.test'
t_match "progress: the hook ran with the record's name" "$err" \
    "dns-01 hook: .*dns-hook.sh add _acme-challenge.w.certbind.test."

# A wildcard needs dns-01.
cb -c "$C" acme order w2 --domain '*.x.certbind.test'
t_is "a wildcard with tls-alpn-01 is refused" "$rc" 1
t_match "saying it needs dns-01" "$err" "dns-01"

cb -c "$C" acme status
t_is "acme status" "$rc" 0 "$err"
t_match "lists h, web and wild" "$out" "^h: h.certbind.test \(http-01\)"
t_match "with wild's two names" "$out" '^wild: \*.w.certbind.test w.certbind.test \(dns-01\)'

srv_cleanup
acme_env_stop
t_done
