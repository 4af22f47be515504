#!/bin/sh
# A certificate file that carries its own root (as a PKCS#12 exported
# from Windows often does) is not trusted for it: only the trust store
# (the system's bundle, or server.trust) holds trust anchors (issue 14,
# bug 1). Before the fix, import said "chain complete: 2 certificates up
# to a trusted root" and check said nothing.

. "$(dirname "$0")/../lib.sh"

for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "trust anchors" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

CA=$T/ca
mkcert_ca "$CA" root "Private Root" || exit 1
MKCERT_CA=$CA/root mkcert_leaf "$T/src" www www.example.com \
    dns:www.example.com || exit 1
openssl pkcs12 -export -inkey "$T/src/www.key" -in "$T/src/www.pem" \
    -certfile "$CA/root.pem" -passout pass:pw -out "$T/www.p12" || exit 1

S=$T/store C=$T/store/certbind.conf
cb -c "$C" init
t_is "init" "$rc" 0
printf 'pw\n' >"$T/pw"
cb -c "$C" import "$T/www.p12" --name www --password-file "$T/pw"
t_is "the PKCS#12 with its own root imports" "$rc" 0
t_nomatch "import does not call the file's own root trusted" "$out$err" \
    'up to a trusted root'
t_match "import says the chain ends at its own, untrusted root" "$out$err" \
    "chain ends at its own root.*Private Root.*in no trust store"

cb -c "$C" check --offline
t_match "check warns that the chain ends at an untrusted root" "$out" \
    '^warning chain-incomplete www: .*own root .*Private Root.*no trust store'

# With the root in server.trust, the same chain is trusted.
sed "s|^version = 1;|version = 1;\nserver = { listen = ( ); trust = \"$CA/root.pem\"; };|" \
    "$C" >"$C.new" && mv "$C.new" "$C"
cb -c "$C" check --offline
t_is "check reads the config with server.trust" "$rc" 0 "$err"
t_match "and finds no warning" "$err" '0 errors, 0 warnings'
t_nomatch "with server.trust naming the root, no chain finding" "$out" \
    'chain-incomplete'
t_done
