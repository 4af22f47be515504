#!/bin/sh
# ACME against a pebble that requires External Account Binding and
# rejects 30% of nonces: registering without EAB or with a wrong HMAC key
# is refused with the CA's reason; with the right key it works, and a
# whole dns-01 order goes through although many nonces are rejected
# (badNonce is retried with the nonce the error brings). Also a key type
# the CA does not issue for.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
. "$top/tests/acme/acmelib.sh"
srv_need
acme_need

ACME_EAB_KID=kid-certbind
ACME_EAB_HMAC=$("$PY" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')
PEBBLE_WFE_NONCEREJECT=30
export PEBBLE_WFE_NONCEREJECT
acme_env_start || { t_fail "pebble (EAB, 30% bad nonces) starts"; exit 1; }
S=$T/store
C=$T/certbind.conf
mkdir -p "$S"
cat >"$C" <<EOC
version = 1;
store = "$S";
keys = ( );
bindings = ( );
EOC
printf '%s\n' "$ACME_EAB_HMAC" >"$T/hmac"
"$PY" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))' >"$T/wrong"

cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos
t_is "without EAB: refused" "$rc" 1
t_match "saying the CA requires it and how to give it" "$err" \
    "requires External Account Binding: give --eab-kid ID and --eab-hmac-file"
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos --eab-kid "$ACME_EAB_KID"
t_is "--eab-kid without --eab-hmac-file" "$rc" 2
cp "$C" "$T/conf.before"
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos \
    --eab-kid "$ACME_EAB_KID" --eab-hmac-file "$T/wrong"
t_is "a wrong EAB HMAC key: refused" "$rc" 1
t_match "with the CA's reason" "$err" "creating the ACME account: the CA refused it \(.*\): .*"
t_ok "and the config is as it was" cmp "$C" "$T/conf.before"
printf 'not base64url!\n' >"$T/junk"
cb -c "$C" acme register --server "$ACME_DIR_URL" --agree-tos \
    --eab-kid "$ACME_EAB_KID" --eab-hmac-file "$T/junk"
t_is "an HMAC file that is not base64url" "$rc" 2
t_match "is named" "$err" "junk: the EAB HMAC key is not base64url"
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos \
    --eab-kid "$ACME_EAB_KID" --eab-hmac-file "$T/hmac"
t_is "the right EAB key: registered" "$rc" 0 "$err"
t_match "a new account" "$err" "new account: https://127.0.0.1"

cb -c "$C" acme order d --domain d.certbind.test --challenge dns-01 \
    --dns-hook "$ACME_DNS_HOOK"
t_is "a dns-01 order with 30% of nonces rejected" "$rc" 0 "$err"
t_match "the certificate is installed" "$(cat "$C")" 'name = "d"; key = "[^"]*"; cert = '
# An order signs some 20 requests: with 30% of nonces rejected, one that
# did not retry badNonce would fail more than 99.9% of the time.

cp "$C" "$T/conf.before"
cb -c "$C" acme order e --domain e.certbind.test --challenge dns-01 \
    --dns-hook "$ACME_DNS_HOOK" --key-type dsa-1024
t_is "a key type certbind does not make: refused" "$rc" 1
t_match "naming it and the types there are" "$err" "dsa-1024.*ecdsa-p256"
t_ok "and the config is as it was" cmp "$C" "$T/conf.before"

acme_env_stop
t_done
