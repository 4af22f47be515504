#!/bin/sh
# From an empty machine to a served certificate, with the commands only:
# init, request, the CA signs (certtool), install, bind, listen, check
# free of errors, and certbindd serves the new certificate on 127.0.0.2
# (identified by openssl's SHA-256 fingerprint). Then renew: after the
# renewal is installed and certbindd reloaded (SIGHUP), the same endpoint
# serves the renewed certificate.

. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"

srv_need
if ! command -v certtool >/dev/null 2>&1; then
	t_skip "served after install" "certtool (gnutls-bin) is not installed"
	exit 0
fi

S=$T/store
C=$T/certbind.conf
mkcert_ca "$T/ca" root || exit 1
PORT=$(srv_port)
BPORT=$(srv_port)

cb -c "$C" init --store "$S"
t_is "init" "$rc" 0
cb -c "$C" request site --cn site.example.com --san site.example.com \
    --san 127.0.0.2
t_is "request" "$rc" 0
printf '%s\n' "$out" >"$T/site.csr"
mkcert_sign_csr "$T/site.csr" "$T/ca/root" "$T/site.pem" || exit 1
cb -c "$C" install "$T/site.pem"
t_is "install" "$rc" 0
cb -c "$C" bind site "127.0.0.2:$PORT"
t_is "bind" "$rc" 0
cb -c "$C" listen "127.0.0.2:$PORT" --backend "127.0.0.1:$BPORT"
t_is "listen" "$rc" 0
cb -c "$C" check
t_nomatch "check shows no error" "$out" '^error '
t_is "check exits 0" "$rc" 0

srv_backend "$BPORT" || { t_fail "backend started"; exit 1; }
if ! srv_start "$C"; then
	t_fail "certbindd starts on the config" "$(tail -n 20 "$srv_log")"
	exit 1
fi
t_pass "certbindd starts on the config"
t_is "certbindd serves the installed certificate on 127.0.0.2" \
    "$(srv_fpr 127.0.0.2 "$PORT")" "$(mkcert_fpr "$T/site.pem")"

cb -c "$C" renew site
t_is "renew" "$rc" 0
printf '%s\n' "$out" >"$T/renew.csr"
mkcert_sign_csr "$T/renew.csr" "$T/ca/root" "$T/renew.pem" || exit 1
cb -c "$C" install "$T/renew.pem"
t_is "install the renewal" "$rc" 0
t_is "until the reload, the old certificate is served" \
    "$(srv_fpr 127.0.0.2 "$PORT")" "$(mkcert_fpr "$T/site.pem")"
srv_hup
srv_wait_log 2 ' ready: |reload' 10
# The reload is asynchronous: poll the served certificate, bounded.
want=$(mkcert_fpr "$T/renew.pem")
i=0
while [ $i -lt 50 ]; do
	got=$(srv_fpr 127.0.0.2 "$PORT")
	[ "$got" = "$want" ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "after SIGHUP certbindd serves the renewed certificate" "$got" "$want"

t_done
