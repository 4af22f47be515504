#!/bin/sh
# keys/jws.c checked by openssl, which shares no code with it: an ES256 and
# an RS256 JWS verify with `openssl dgst -verify` (the ECDSA r||s turned
# back into DER by `openssl asn1parse -genconf`), and the JWK thumbprint,
# key authorization and dns-01 value are recomputed from the key with
# openssl alone (RFC 7638, RFC 8555 sections 8.1 and 8.4).
. "$(dirname "$0")/../lib.sh"

if ! command -v openssl >/dev/null 2>&1; then
	t_skip "JWS checked by openssl" "openssl is not installed"
	t_done
	exit
fi

libs=$(cb_lib_libs)
cflags=$(cb_lib_cflags)
helper="$T/jws-helper"
# shellcheck disable=SC2086
if ! ${CC:-cc} $cflags ${CFLAGS:--g} -o "$helper" tests/cli/jws-helper.c \
    "$B/libcertbind.a" $libs ${LDFLAGS:-} 2>"$T/cc.err"; then
	t_fail "the JWS helper builds" "$(cat "$T/cc.err")"
	t_done
	exit
fi

# b64url_dec: base64url on stdin to bytes on stdout.
b64url_dec() {
	s=$(tr -- '-_' '+/')
	case $((${#s} % 4)) in
	2) s="$s==" ;;
	3) s="$s=" ;;
	esac
	printf '%s' "$s" | openssl base64 -d -A
}
b64url_enc() { openssl base64 -A | tr -- '+/' '-_' | tr -d '='; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
# member NAME JSON: a string member of the compact JWS (base64url values
# hold no quotes).
member() { printf '%s' "$2" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

token=evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA
payload='{"identifiers":[{"type":"dns","value":"www.example.com"}]}'

for kind in ES256 RS256; do
	key=$T/$kind.key
	case $kind in
	ES256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$key" 2>/dev/null ;;
	RS256) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$key" 2>/dev/null ;;
	esac
	openssl pkey -in "$key" -pubout -out "$T/$kind.pub" 2>/dev/null
	if ! "$helper" "$key" "$token" "$payload" >"$T/$kind.out" \
	    2>"$T/$kind.err"; then
		t_fail "$kind: the helper signs" "$(cat "$T/$kind.err")"
		continue
	fi
	jws=$(sed -n 1p "$T/$kind.out")
	jwk=$(sed -n 2p "$T/$kind.out")
	tp=$(sed -n 3p "$T/$kind.out")
	ka=$(sed -n 4p "$T/$kind.out")
	dns01=$(sed -n 5p "$T/$kind.out")

	prot=$(member protected "$jws")
	pl=$(member payload "$jws")
	sig=$(member signature "$jws")
	t_is "$kind: the payload is the one given" \
	    "$(printf '%s' "$pl" | b64url_dec)" "$payload"
	t_match "$kind: the protected header names the algorithm" \
	    "$(printf '%s' "$prot" | b64url_dec)" "\"alg\":\"$kind\""
	printf '%s.%s' "$prot" "$pl" >"$T/$kind.input"
	printf '%s' "$sig" | b64url_dec >"$T/$kind.sig"
	if [ "$kind" = ES256 ]; then
		len=$(wc -c <"$T/$kind.sig" | tr -d ' ')
		t_is "ES256: the signature is r||s, 64 bytes" "$len" 64
		r=$(head -c 32 "$T/$kind.sig" | hex)
		s=$(tail -c 32 "$T/$kind.sig" | hex)
		printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
		    "$r" "$s" >"$T/sig.cnf"
		openssl asn1parse -genconf "$T/sig.cnf" -out "$T/$kind.der" \
		    >/dev/null
		sigfile=$T/$kind.der
	else
		sigfile=$T/$kind.sig
	fi
	t_ok "$kind: openssl verifies the JWS signature" \
	    openssl dgst -sha256 -verify "$T/$kind.pub" -signature "$sigfile" \
	    "$T/$kind.input"
	printf 'x' >>"$T/$kind.input"
	t_not "$kind: openssl refuses it over other bytes" \
	    openssl dgst -sha256 -verify "$T/$kind.pub" -signature "$sigfile" \
	    "$T/$kind.input"

	# The JWK from openssl's view of the key (RFC 7638's member order).
	if [ "$kind" = ES256 ]; then
		# The SubjectPublicKeyInfo ends with the point 04 || x || y.
		openssl pkey -pubin -in "$T/$kind.pub" -outform DER \
		    -out "$T/spki.der" 2>/dev/null
		x=$(tail -c 64 "$T/spki.der" | head -c 32 | b64url_enc)
		y=$(tail -c 32 "$T/spki.der" | b64url_enc)
		want='{"crv":"P-256","kty":"EC","x":"'$x'","y":"'$y'"}'
	else
		n=$(openssl rsa -pubin -in "$T/$kind.pub" -noout -modulus \
		    2>/dev/null | sed 's/^Modulus=//')
		# hex to bytes without xxd: printf with octal escapes.
		nb=$(printf '%s' "$n" | sed 's/../& /g' | {
			out=
			for b in $(cat); do
				out="$out\\$(printf '%03o' "0x$b")"
			done
			printf '%s' "$out"
		})
		# shellcheck disable=SC2059
		nn=$(printf "$nb" | b64url_enc)
		want='{"e":"AQAB","kty":"RSA","n":"'$nn'"}'
	fi
	t_is "$kind: the JWK is the key's, as openssl sees it" "$jwk" "$want"
	t_is "$kind: the thumbprint is base64url(SHA-256(JWK))" "$tp" \
	    "$(printf '%s' "$want" | openssl dgst -sha256 -binary | b64url_enc)"
	t_is "$kind: the key authorization is token.thumbprint" "$ka" \
	    "$token.$tp"
	t_is "$kind: dns-01 is base64url(SHA-256(key authorization))" \
	    "$dns01" \
	    "$(printf '%s' "$ka" | openssl dgst -sha256 -binary | b64url_enc)"
done

# The tls-alpn-01 challenge file as openssl reads it (RFC 8737 section 3).
ka=$token.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs
if "$helper" alpn www.example.com "$ka" >"$T/alpn.pem" 2>"$T/alpn.err"; then
	text=$(openssl x509 -in "$T/alpn.pem" -noout -text 2>&1)
	t_match "alpn: the acmeIdentifier extension is critical" "$text" \
	    '1\.3\.6\.1\.5\.5\.7\.1\.31: critical'
	t_match "alpn: the one SAN is the domain" "$text" \
	    '^ *DNS:www\.example\.com$'
	# The extension's value: 04 20 then SHA-256 of the key authorization.
	# openssl shows an unknown extension as a hex dump; look for the
	# exact bytes in the certificate's DER instead.
	want=0420$(printf '%s' "$ka" | openssl dgst -sha256 -binary | hex)
	der=$(openssl x509 -in "$T/alpn.pem" -outform DER | hex)
	case $der in
	*"$want"*) t_pass "alpn: the extension holds the DER of SHA-256(key authorization)" ;;
	*) t_fail "alpn: the extension holds the DER of SHA-256(key authorization)" \
	    "want $want in the certificate" ;;
	esac
	t_is "alpn: the key in the file is the certificate's" \
	    "$(openssl pkey -in "$T/alpn.pem" -pubout 2>/dev/null)" \
	    "$(openssl x509 -in "$T/alpn.pem" -noout -pubkey)"
	# openssl does not know the extension: it must be told that a
	# critical extension it cannot read is fine here.
	t_ok "alpn: the certificate is self-signed and verifies" \
	    openssl verify -ignore_critical -CAfile "$T/alpn.pem" \
	    -check_ss_sig "$T/alpn.pem"
else
	t_fail "alpn: the helper makes the challenge file" "$(cat "$T/alpn.err")"
fi
t_done
