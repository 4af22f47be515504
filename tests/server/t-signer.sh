#!/bin/sh
# The two signers (issue 13): certbindd serves every key type certbind makes
# (and two that OpenSSL's path does not take) with server.signer at its
# default, OpenSSL, and after a reload with "gnutls". Each key is checked
# with OpenSSL's and GnuTLS's clients, which verify the handshake
# signature and the chain against the test CA, over TLS 1.3 and TLS 1.2,
# RSA with both PKCS#1 v1.5 and PSS; the served certificate is identified
# by its SHA-256. The log must say which library signs for how many keys,
# and name each key that falls back to GnuTLS, once.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool gnutls-cli openssl certtool
case $("$CERTBINDD" --version) in
*"signing with OpenSSL"*) ;;
*)	t_skip "${0##*/}" "certbindd was built without OpenSSL (make OPENSSL=no)"
	exit 0 ;;
esac

S=$T/store
mkdir -p "$S"
mkcert_ca "$S" ca "Signer Test CA" || { t_fail "fixtures: CA"; exit 1; }
# name MKCERT_KEYTYPE: the keys certbind makes, then the two fallbacks.
kinds="p256:ecdsa p384:ecdsa384 ed25519:ed25519 rsa2048:rsa rsa3072:rsa3072
rsa4096:rsa4096 ed448:ed448 rsapss:rsa-pss"
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
keys="" bindings="" listen="" i=1
for kind in $kinds; do
	name=${kind%%:*}
	MKCERT_CA=$S/ca MKCERT_KEYTYPE=${kind#*:} mkcert_leaf "$S" "$name" \
	    "$name.example.com" "ip:127.0.10.$i" ||
	    { t_fail "fixtures: $name"; exit 1; }
	keys="$keys { name = \"$name\"; key = \"$name.key\"; cert = \"$name.pem\"; },"
	listen="$listen { endpoint = \"127.0.10.$i:$P\"; backend = \"127.0.0.1:$PB\"; },"
	bindings="$bindings { key = \"$name\"; endpoint = \"127.0.10.$i:$P\"; },"
	i=$((i + 1))
done
C=$T/certbind.conf
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( ${listen%,} );
  workers = 2;
  $1
};
keys = ( ${keys%,} );
bindings = ( ${bindings%,} );
EOC
}

# osc ADDR ARGS...: OpenSSL's client, verifying against the CA; the
# output in $T/osc.
osc() {
	a=$1; shift
	timeout 10 openssl s_client -connect "$a:$P" -noservername \
	    -CAfile "$S/ca.pem" -verify_return_error "$@" </dev/null \
	    >"$T/osc" 2>&1
}
# gcli ADDR PRIORITY: GnuTLS's client, verifying the chain and the
# address; the output in $T/gcli.
gcli() {
	timeout 10 gnutls-cli --x509cafile "$S/ca.pem" --port "$P" \
	    --priority "$2" "$1" </dev/null >"$T/gcli" 2>&1
}

# clients SIGNER: every key through every client this key type allows.
clients() {
	i=1
	for kind in $kinds; do
		name=${kind%%:*}
		a=127.0.10.$i
		i=$((i + 1))
		want=$(mkcert_fpr "$S/$name.pem")
		t_is "$1: $name: the served certificate is $name's" \
		    "$(srv_fpr "$a" "$P")" "$want"
		osc "$a" -tls1_3
		t_match "$1: $name: OpenSSL verifies a TLS 1.3 handshake" \
		    "$(cat "$T/osc")" 'Verify return code: 0 \(ok\)'
		gcli "$a" "NORMAL:-VERS-ALL:+VERS-TLS1.3"
		t_match "$1: $name: GnuTLS verifies a TLS 1.3 handshake" \
		    "$(cat "$T/gcli")" 'Handshake was completed'
		case $name in
		rsa*)	;;
		*)	continue ;;
		esac
		[ "$name" = rsapss ] && continue
		# TLS 1.2 RSA, with each padding the client may ask for.
		osc "$a" -tls1_2 -sigalgs RSA+SHA256
		t_match "$1: $name: OpenSSL, TLS 1.2, PKCS#1 v1.5 signature" \
		    "$(cat "$T/osc")" 'Peer signature type: RSA$'
		osc "$a" -tls1_2 -sigalgs rsa_pss_rsae_sha384
		t_match "$1: $name: OpenSSL, TLS 1.2, RSA-PSS signature" \
		    "$(cat "$T/osc")" 'Peer signature type: RSA-PSS'
		gcli "$a" "NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+SIGN-RSA-SHA512"
		t_match "$1: $name: GnuTLS, TLS 1.2, PKCS#1 v1.5 SHA-512" \
		    "$(cat "$T/gcli")" 'Handshake was completed'
		gcli "$a" "NORMAL:-VERS-ALL:+VERS-TLS1.2:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256"
		t_match "$1: $name: GnuTLS, TLS 1.2, RSA-PSS SHA-256" \
		    "$(cat "$T/gcli")" 'Handshake was completed'
	done
	# ECDSA and Ed25519 over TLS 1.2 too.
	osc 127.0.10.1 -tls1_2
	t_match "$1: p256: OpenSSL verifies a TLS 1.2 ECDSA handshake" \
	    "$(cat "$T/osc")" 'Peer signature type: ECDSA'
	gcli 127.0.10.2 "NORMAL:-VERS-ALL:+VERS-TLS1.2"
	t_match "$1: p384: GnuTLS verifies a TLS 1.2 ECDSA handshake" \
	    "$(cat "$T/gcli")" 'Handshake was completed'
	gcli 127.0.10.3 "NORMAL:-VERS-ALL:+VERS-TLS1.2"
	t_match "$1: ed25519: GnuTLS verifies a TLS 1.2 Ed25519 handshake" \
	    "$(cat "$T/gcli")" 'Handshake was completed'
}

conf ""
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_match "the log says OpenSSL signs for six keys and GnuTLS for two" \
    "$(cat "$srv_log")" 'signing: OpenSSL [0-9][^ ]* .* for 6 keys, GnuTLS [0-9.]+ for 2$'
t_is "one line for each key that falls back to GnuTLS" \
    "$(grep -c 'signed by GnuTLS, not OpenSSL' "$srv_log")" 2
t_match "the Ed448 key is named, and why" "$(cat "$srv_log")" \
    'ed448\.key: signed by GnuTLS, not OpenSSL: OpenSSL signs RSA, ECDSA and Ed25519 keys here, and this is a EdDSA \(Ed448\) key'
t_match "the RSA-PSS key is named" "$(cat "$srv_log")" \
    'rsapss\.key: signed by GnuTLS, not OpenSSL: .*RSA-PSS'
t_nomatch "no key material in the log" "$(cat "$srv_log")" 'PRIVATE KEY'
clients openssl

conf 'signer = "gnutls";'
srv_hup
srv_wait_log 1 'reloaded:' 20 || t_fail "reload" "$(cat "$srv_log")"
t_match "after the reload, GnuTLS signs for all eight keys, and says why" \
    "$(cat "$srv_log")" 'signing: GnuTLS [0-9.]+ for all 8 keys \(server.signer = "gnutls"\)$'
t_is "no fallback line with server.signer = \"gnutls\"" \
    "$(grep -c 'signed by GnuTLS, not OpenSSL' "$srv_log")" 2
clients gnutls

# A signer name certbindd does not know is refused with the file and line.
conf 'signer = "fastest";'
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "an unknown signer is refused, naming the file, line and value" \
    "$out" "certbind\\.conf:[0-9]+: .*signer \"fastest\" is not a signer"
t_done
