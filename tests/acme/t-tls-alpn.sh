#!/bin/sh
# ACME with tls-alpn-01 against pebble, with real validation: the account,
# an order answered by a running certbindd, the certificate then served
# (identified by its SHA-256, and verified up to pebble's root), a forced
# renewal that certbindd serves next, status, and all the while a load of
# ordinary handshakes on the same listener that sees no error and no
# challenge certificate.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
. "$top/tests/acme/acmelib.sh"
srv_need
acme_need

acme_env_start || { t_fail "pebble and pebble-challtestsrv start"; exit 1; }
A=127.0.0.5
acme_dns_a www.certbind.test "$A"

S=$T/store
C=$T/certbind.conf
PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
mkdir -p "$S"
mkcert_leaf "$S" boot boot.certbind.test || { t_fail "fixtures"; exit 1; }
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "$A:$ACME_TLS_PORT"; backend = "127.0.0.1:$PB"; } );
  pidfile = "$T/certbindd.pid";
  workers = 2;
};
keys = ( { name = "boot"; key = "boot.key"; cert = "boot.pem"; } );
bindings = ( { key = "boot"; endpoint = "*:*"; } );
$(acme_group)
EOC

# The account: the terms first, then with --agree-tos.
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --email hostmaster@certbind.test
t_is "register without --agree-tos is refused" "$rc" 1
t_match "and names the CA's terms of service" "$err" "terms of service.*--agree-tos"
t_not "and creates no account key" test -e "$S/acme/account.key"
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --email hostmaster@certbind.test --agree-tos
t_is "register --agree-tos" "$rc" 0 "$err"
t_is "the account key is mode 0600" \
    "$(stat -c %a "$S/acme/account.key" 2>&1)" 600
t_match "the config records the email" "$(cat "$C")" 'email = "hostmaster@certbind.test"'
cb -c "$C" acme register --agree-tos
t_is "registering again finds the same account" "$rc" 0 "$err"
t_match "and says so" "$err" "existing account"

# Without the bundle, pebble's HTTPS certificate is not trusted.
cat >"$T/nobundle.conf" <<EOC
version = 1;
store = "$T/other";
EOC
cb -c "$T/nobundle.conf" acme register --server "$ACME_DIR_URL" --agree-tos
t_is "an untrusted CA certificate is refused" "$rc" 1
t_match "naming acme.ca_bundle" "$err" "does not trust.*ca_bundle"
# An unreachable CA is named.
cb -c "$T/nobundle.conf" acme register --agree-tos \
    --server "https://127.0.0.1:$(srv_port)/dir"
t_is "an unreachable CA is refused" "$rc" 1
t_match "and named" "$err" "cannot reach the ACME server https://127.0.0.1"

srv_start "$C" || { t_fail "certbindd starts"; exit 1; }
boot=$(mkcert_fpr "$S/boot.pem")
t_is "certbindd serves the boot certificate" \
    "$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)" "$boot"

# A load of ordinary handshakes on the same listener throughout.
"$PY" "$top/tests/acme/load.py" "$A" "$ACME_TLS_PORT" www.certbind.test \
    120 "$T/stop-load" >"$T/load.out" 2>&1 &
load=$!
srv_pids="$srv_pids $load"

cb -c "$C" acme order www --domain www.certbind.test \
    --bind "$A:$ACME_TLS_PORT" --sni www.certbind.test
t_is "acme order www (tls-alpn-01)" "$rc" 0 "$err"
t_match "progress: certbindd served the challenge certificate" "$err" \
    "www.certbind.test: certbindd serves the tls-alpn-01 certificate"
t_match "progress: the authorization became valid" "$err" \
    "www.certbind.test: valid \([0-9]+ s\)"
t_match "progress: the probe saw it served" "$err" "served: $A:$ACME_TLS_PORT"
cert=$(sed -n 's/.*name = "www"; key = "\([^"]*\)"; cert = "\([^"]*\)".*/\2/p' "$C")
t_ok "the config names www's certificate" test -n "$cert"
issued=$(mkcert_fpr "$S/$cert")
t_is "certbindd serves the issued certificate on www.certbind.test" \
    "$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)" "$issued"
t_not "which is not the boot certificate" test "$issued" = "$boot"
acme_issuer_pem >"$T/pebble-roots.pem"
t_ok "the chain verifies up to pebble's root" \
    openssl verify -CAfile "$T/pebble-roots.pem" -untrusted "$S/$cert" "$S/$cert"
t_match "the certificate names www.certbind.test" \
    "$(openssl x509 -in "$S/$cert" -noout -ext subjectAltName 2>&1)" \
    "DNS:www.certbind.test"
t_is "no challenge file is left" \
    "$(ls "$S/acme/tls-alpn-01" 2>/dev/null | wc -l)" 0
t_match "the key's acme block is in the config" "$(cat "$C")" \
    'domains = \( "www.certbind.test" \)'
keyfile=$(sed -n 's/.*name = "www"; key = "\([^"]*\)".*/\1/p' "$C")
t_is "the new key is mode 0600" "$(stat -c %a "$S/$keyfile")" 600

# Renewal: a new key and certificate, served.
cb -c "$C" acme renew www
t_is "acme renew when nothing is due" "$rc" 0 "$err"
t_match "says when it is due" "$err" "www: not due until"
cb -c "$C" acme renew --force www
t_is "acme renew --force www" "$rc" 0 "$err"
cert2=$(sed -n 's/.*name = "www"; key = "\([^"]*\)"; cert = "\([^"]*\)".*/\2/p' "$C")
renewed=$(mkcert_fpr "$S/$cert2")
t_not "a new certificate" test "$renewed" = "$issued"
t_is "certbindd serves the renewed certificate" \
    "$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)" "$renewed"
key2=$(sed -n 's/.*name = "www"; key = "\([^"]*\)".*/\1/p' "$C")
t_not "with a new key" cmp -s "$S/$keyfile" "$S/$key2"
t_not "the renewal leaves no www-renew key" grep -q 'name = "www-renew"' "$C"

cb -c "$C" acme status --json
t_is "acme status --json" "$rc" 0 "$err"
t_ok "is JSON naming www, its domain and an ok result" "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
w = [k for k in d if k["name"] == "www"][0]
assert w["domains"] == ["www.certbind.test"], w
assert w["last_result"] == "ok", w
assert w["challenge"] == "tls-alpn-01", w
assert w["next_renewal"] > w["last_attempt"], w
' "$out"
cb -c "$C" check
t_nomatch "check has no acme finding" "$out" "acme-"

touch "$T/stop-load"
wait "$load"
set -- $(cat "$T/load.out")
t_ok "the load ran handshakes meanwhile ($1)" test "${1:-0}" -gt 20
t_is "with zero errors ($*)" "${2:-x}" 0
t_is "and zero challenge certificates" "${3:-x}" 0

srv_cleanup
acme_env_stop
t_done
