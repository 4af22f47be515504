#!/bin/sh
# A TLS scanner (sslscan) against certbindd: with the defaults
# (tls_profile "intermediate") no SSLv3, TLS 1.0 or TLS 1.1, no CBC or
# SHA-1 MAC suite, no RSA key exchange, and the server's order;
# tls_profile "modern" offers TLS 1.3 only; an explicit priority still
# wins, and certbind check warns about it (weak-tls). Set
# CERTBIND_SSLSCAN_OUT=FILE to keep the default scan's output.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
if ! command -v sslscan >/dev/null 2>&1; then
	t_skip "TLS scan" "sslscan is not installed"
	exit 0
fi

S=$T/store
# RSA, so that the scan sees every key exchange a server could offer.
MKCERT_KEYTYPE=rsa mkcert_leaf "$S" www www.example.com ||
    { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port)
# A backend that answers: sslscan counts a suite only when the
# connection stays up after the handshake.
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 2;
  $1
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; } );
EOC
}
scan() {
	timeout 120 sslscan --no-colour "$@" "127.0.0.2:$P" >"$T/scan" 2>&1
}
# The suites the scan saw accepted: "VERSION NAME" lines.
suites() {
	awk '$1 == "Accepted" || $1 == "Preferred" { print $2, $5 }' "$T/scan"
}

conf ""
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
scan
[ -n "${CERTBIND_SSLSCAN_OUT:-}" ] && cp "$T/scan" "$CERTBIND_SSLSCAN_OUT"
for v in SSLv2 SSLv3 TLSv1.0 TLSv1.1; do
	t_match "default: $v disabled" "$(cat "$T/scan")" "^$v +disabled"
done
for v in TLSv1.2 TLSv1.3; do
	t_match "default: $v enabled" "$(cat "$T/scan")" "^$v +enabled"
done
t_ok "the scan listed TLS 1.2 and 1.3 suites" \
    sh -c "grep -q 'TLSv1.2' '$T/scan' && [ \$(awk '\$1 == \"Accepted\" || \$1 == \"Preferred\"' '$T/scan' | wc -l) -ge 4 ]"
t_is "default: every suite is AEAD (GCM or ChaCha20-Poly1305)" \
    "$(suites | grep -Ev 'GCM|CHACHA20' || true)" ""
t_is "default: no CBC, no SHA-1 MAC (OpenSSL's -SHA names)" \
    "$(suites | grep -E 'CBC|-SHA$|SHA1' || true)" ""
t_is "default: TLS 1.2 only with ECDHE (no RSA key exchange, no DHE)" \
    "$(suites | awk '$1 == "TLSv1.2" && $2 !~ /^ECDHE-/' || true)" ""
t_is "default: the server's first TLS 1.2 choice is AES-128-GCM" \
    "$(awk '$1 == "Preferred" && $2 == "TLSv1.2" { print $5 }' "$T/scan")" \
    "ECDHE-RSA-AES128-GCM-SHA256"

# The server's order, asked directly: a client that prefers ChaCha20 gets
# AES-128-GCM, which the server lists first.
cipher() {
	timeout 10 openssl s_client -connect "127.0.0.2:$P" -noservername \
	    "$@" </dev/null 2>/dev/null |
	    sed -n 's/^New, TLSv1\.[23], Cipher is //p'
}
t_is "TLS 1.2: the server's order wins over the client's" \
    "$(cipher -tls1_2 -cipher \
    'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256')" \
    ECDHE-RSA-AES128-GCM-SHA256
t_is "TLS 1.3: the server's order wins over the client's" \
    "$(cipher -tls1_3 -ciphersuites \
    'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256')" \
    TLS_AES_128_GCM_SHA256
t_is "TLS 1.2 with only CBC suites: refused" \
    "$(cipher -tls1_2 -cipher 'ECDHE-RSA-AES128-SHA:AES128-SHA256')" ""
t_is "TLS 1.1: refused" "$(cipher -tls1_1 -cipher 'ALL:@SECLEVEL=0')" ""
out=$("$CERTBIND" -c "$C" check --offline 2>&1)
t_nomatch "default: no weak-tls finding" "$out" 'weak-tls'

conf 'tls_profile = "modern";'
srv_hup
srv_wait_log 1 'reloaded:' 10
scan --no-groups --no-heartbleed --no-renegotiation --no-fallback \
    --no-compression --no-check-certificate
t_match "modern: TLS 1.2 disabled" "$(cat "$T/scan")" '^TLSv1\.2 +disabled'
t_match "modern: TLS 1.3 enabled" "$(cat "$T/scan")" '^TLSv1\.3 +enabled'
t_is "modern: only TLS 1.3 suites" \
    "$(suites | awk '$1 != "TLSv1.3"')" ""
t_is "modern: a TLS 1.2 client is refused" \
    "$(cipher -tls1_2)" ""

# An explicit priority wins over the profile, and check warns.
conf 'tls_profile = "modern"; priority = "NORMAL";'
srv_hup
srv_wait_log 2 'reloaded:' 10
scan --no-groups --no-heartbleed --no-renegotiation --no-fallback \
    --no-compression --no-check-certificate
t_match "priority NORMAL wins: TLS 1.0 enabled" "$(cat "$T/scan")" \
    '^TLSv1\.0 +enabled'
out=$("$CERTBIND" -c "$C" check --offline 2>&1)
t_match "certbind check: weak-tls" "$out" \
    '^warning weak-tls server\.priority: the priority string enables TLS1\.0, TLS1\.1 and [0-9]+ CBC suites'
"$CERTBIND" -c "$C" check --offline --strict >/dev/null 2>&1
t_is "check --strict exits 1 on it" "$?" 1
conf 'priority = "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1";'
out=$("$CERTBIND" -c "$C" check --offline 2>&1)
t_match "CBC alone is weak-tls too" "$out" \
    '^warning weak-tls server\.priority: the priority string enables [0-9]+ CBC suites'
conf 'priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3";'
out=$("$CERTBIND" -c "$C" check --offline 2>&1)
t_nomatch "a TLS 1.3-only priority is not weak" "$out" 'weak-tls'

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0
t_done
