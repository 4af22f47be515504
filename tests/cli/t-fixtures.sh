#!/bin/sh
# `certbind check` on fixture stores generated here with certtool
# (tests/fixtures/mkcert.sh): one store per case, each asserted on the
# finding's code and on the exit status. The cases are the file findings
# of DESIGN.md's table: good, expired, expiring, not yet valid, key/cert
# mismatch, wildcard and IP SANs with sni-not-in-cert, incomplete chain,
# hostile text (ESC sequences and a U+202E bidi override) that must reach
# the terminal escaped, a world-readable key, a missing file, an
# unparsable file, an orphan file, a weak key, a pending key.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "fixture stores" "certtool (gnutls-bin) is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh

# The CA lives outside every store, so it is never an orphan file.
CA=$T/ca
mkcert_ca "$CA" root "certbind fixtures root" || exit 1
mkcert_intermediate "$CA" inter "$CA/root" "certbind fixtures intermediate" ||
    exit 1

# store NAME: a fresh store directory $T/NAME; sets D and C.
store() {
	D=$T/$1
	C=$T/$1.conf
	mkdir -p "$D"
}

# conf KEYS BINDINGS: writes $C for the store $D, one listener on
# 127.0.0.2:8443 and the root CA as the trust store.
conf() {
	cat >"$C" <<EOF
version = 1;
store = "$D";
server = {
  listen = ( { endpoint = "127.0.0.2:8443"; backend = "127.0.0.1:8080"; } );
  trust = "$CA/root.pem";
};
keys = ( $1 );
bindings = ( $2 );
EOF
}

# simple NAME: the usual one key k (k.key, k.pem) bound to the listener.
simple() {
	conf '{ name = "k"; key = "k.key"; cert = "k.pem"; }' \
	    '{ key = "k"; endpoint = "127.0.0.2:8443"; }'
}

# leaf CN [SAN...]: k.key and k.pem in $D, signed by the root.
leaf() {
	MKCERT_CA=$CA/root mkcert_leaf "$D" k "$@"
}

# lines REGEX: the lines of $out that match.
lines() { printf '%s\n' "$out" | grep -E "$1"; }

# --- good
store good
leaf good.example.com dns:good.example.com || exit 1
simple
cb -c "$C" check --offline
t_is "good: exit 0" "$rc" 0
t_is "good: no error or warning" "$(lines '^(error|warning) ')" ""
cb -c "$C" check --offline --strict
t_is "good: --strict exit 0" "$rc" 0
cb -c "$C" check
t_is "good: online check exit 0" "$rc" 0
t_is "good: the key file is 0600 (mkcert)" "$(stat -c %a "$D/k.key")" 600

# --- expired
store expired
MKCERT_NOT_BEFORE="2020-01-01 00:00:00" MKCERT_NOT_AFTER="2021-01-01 00:00:00" \
    leaf expired.example.com dns:expired.example.com || exit 1
simple
cb -c "$C" check --offline
t_is "expired: exit 1" "$rc" 1
t_match "expired: error expired k" "$out" '^error expired k: '
t_nomatch "expired: not also expiring" "$out" '^warning expiring k: '

# --- expiring in 10 days
store expiring
MKCERT_DAYS=10 leaf soon.example.com dns:soon.example.com || exit 1
simple
cb -c "$C" check --offline
t_is "expiring: exit 0 (a warning)" "$rc" 0
t_match "expiring: warning expiring k" "$out" '^warning expiring k: '
t_match "expiring: says in how many days" "$(lines '^warning expiring')" \
    '(^|[^0-9])(9|10)([^0-9]|$)'
cb -c "$C" check --offline --strict
t_is "expiring: --strict exit 1" "$rc" 1
cb -c "$C" check --offline --warn-days 5
t_nomatch "expiring: --warn-days 5 is quiet about 10 days" "$out" 'expiring'
cb -c "$C" check --offline --warn-days 60
t_match "expiring: --warn-days 60 warns" "$out" '^warning expiring k: '
cb -c "$C" check --offline --warn-days nonsense
t_is "--warn-days nonsense: exit 2" "$rc" 2

# --- not yet valid
store future
MKCERT_NOT_BEFORE="2035-01-01 00:00:00" MKCERT_NOT_AFTER="2036-01-01 00:00:00" \
    leaf future.example.com dns:future.example.com || exit 1
simple
cb -c "$C" check --offline
t_is "not yet valid: exit 1" "$rc" 1
t_match "not yet valid: error not-yet-valid k" "$out" \
    '^error not-yet-valid k: '
t_nomatch "not yet valid: not expired" "$out" '^error expired '

# --- the key of another certificate
store mismatch
leaf a.example.com dns:a.example.com || exit 1
mv "$D/k.pem" "$D/a.pem"
mv "$D/k.key" "$D/a.key"
leaf b.example.com dns:b.example.com || exit 1
conf '{ name = "k"; key = "a.key"; cert = "k.pem"; },
  { name = "a"; key = "k.key"; cert = "a.pem"; },
  { name = "ok"; key = "k.key"; cert = "k.pem"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "a"; endpoint = "127.0.0.2:8443"; sni = "a.example.com"; },
  { key = "ok"; endpoint = "127.0.0.2:8443"; sni = "b.example.com"; }'
cb -c "$C" check --offline
t_is "mismatch: exit 1" "$rc" 1
t_match "mismatch: error key-mismatch k" "$out" '^error key-mismatch k: '
t_match "mismatch: error key-mismatch a" "$out" '^error key-mismatch a: '
t_nomatch "mismatch: the matching pair is fine" "$out" 'key-mismatch ok: '

# --- wildcard and IP SANs
store sans
leaf "wild card" 'dns:*.example.com' ip:127.0.0.2 ip:::1 || exit 1
conf '{ name = "k"; key = "k.key"; cert = "k.pem"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "a.example.com"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "B.Example.Com"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "a.b.example.com"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "example.com"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "other.org"; }'
cb -c "$C" check --offline
t_is "sans: exit 0 (warnings)" "$rc" 0
t_nomatch "sans: a.example.com is covered by *.example.com" "$out" \
    'sni-not-in-cert [^ ]*sni=a\.example\.com:'
t_nomatch "sans: B.Example.Com is covered (case-insensitive)" "$out" \
    'sni-not-in-cert [^ ]*sni=[bB]\.[eE]xample\.[cC]om:'
t_match "sans: a.b.example.com is two labels: not covered" "$out" \
    '^warning sni-not-in-cert k@127\.0\.0\.2:8443,sni=a\.b\.example\.com: '
t_match "sans: the bare domain is not covered" "$out" \
    '^warning sni-not-in-cert k@127\.0\.0\.2:8443,sni=example\.com: '
t_match "sans: other.org is not covered" "$out" \
    '^warning sni-not-in-cert k@127\.0\.0\.2:8443,sni=other\.org: '
t_is "sans: exactly three" "$(lines '^warning sni-not-in-cert ' | wc -l)" 3
cb -c "$C" check --offline --strict
t_is "sans: --strict exit 1" "$rc" 1

# --- incomplete chain: a leaf of the intermediate, shipped without it
store chain
MKCERT_CA=$CA/inter mkcert_leaf "$D" k chain.example.com \
    dns:chain.example.com || exit 1
MKCERT_CA=$CA/inter MKCERT_CHAIN=1 mkcert_leaf "$D" full \
    full.example.com dns:full.example.com || exit 1
t_is "chain: fixture full.pem holds two certificates" \
    "$(grep -c 'BEGIN CERTIFICATE' "$D/full.pem")" 2
conf '{ name = "k"; key = "k.key"; cert = "k.pem"; },
  { name = "full"; key = "full.key"; cert = "full.pem"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "full"; endpoint = "127.0.0.2:8443"; sni = "full.example.com"; }'
cb -c "$C" check --offline
t_is "chain: exit 0 (a warning)" "$rc" 0
t_match "chain: warning chain-incomplete k" "$out" \
    '^warning chain-incomplete k: '
t_nomatch "chain: the full chain is complete" "$out" \
    'chain-incomplete full'
t_match "chain: the message names the missing issuer" \
    "$(lines '^warning chain-incomplete k')" 'intermediate'

# --- hostile text: ESC sequences and U+202E in a certificate and a path
ESC=$(printf '\033')
RLO=$(printf '\342\200\256')
store hostile
# No SAN: the CN is all the certificate says, so a message about its
# names can only quote the CN.
leaf "$(printf 'evil\033[31mRED\033]0;title\007\342\200\256gpj.exe')" || exit 1
conf '{ name = "k"; key = "k.key"; cert = "k.pem"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "k"; endpoint = "127.0.0.2:8443"; sni = "nope.example.org"; }'
t_is "hostile: the fixture certificate holds a raw ESC" \
    "$(openssl x509 -in "$D/k.pem" -outform DER | od -An -v -tx1 |
    tr ' ' '\n' | grep -cx 1b | awk '{ print ($1 > 0) }')" 1
cb -c "$C" check --offline
t_is "hostile: check exits 0 or 1" "$( [ "$rc" -le 1 ] && echo yes)" yes
t_match "hostile: the uncovered sni is reported" "$out" \
    '^warning sni-not-in-cert k@127\.0\.0\.2:8443,sni=nope\.example\.org: '
t_is "hostile: check stdout has no raw ESC" \
    "$(printf '%s' "$out" | grep -c "$ESC")" 0
t_is "hostile: check stdout has no raw U+202E" \
    "$(printf '%s' "$out" | grep -c "$RLO")" 0
t_is "hostile: check output has no BEL" \
    "$(printf '%s%s' "$out" "$err" | tr -cd '\007' | wc -c)" 0
cb -c "$C" list
t_is "hostile: list exits 0" "$rc" 0
# escape.h: control characters as \xHH, bidi controls as \u{HHHH}.
t_match "hostile: list shows the subject with ESC escaped" "$out" \
    'evil\\x1[bB]\[31mRED'
t_match "hostile: list shows U+202E escaped" "$out" '\\u\{202[eE]\}'
t_is "hostile: list has no raw ESC" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$ESC")" 0
t_is "hostile: list has no raw U+202E" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$RLO")" 0
cb -c "$C" resolve 127.0.0.2:8443 --sni "$(printf 'a\033[2Jb')"
t_is "hostile: resolve does not echo a raw ESC from its argument" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$ESC")" 0

# A path from the config file is untrusted text too.
store hostpath
leaf hostpath.example.com dns:hostpath.example.com || exit 1
conf "{ name = \"k\"; key = \"k.key\"; cert = \"k.pem\"; },
  { name = \"gone\"; key = \"k.key\"; cert = \"$(printf 'x\033[2J\342\200\256y.pem')\"; }" \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "gone"; endpoint = "127.0.0.2:8443"; sni = "gone.example.com"; }'
cb -c "$C" check --offline
t_is "hostile path: check exits 1 or 2" \
    "$( [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] && echo yes)" yes
t_match "hostile path: the file is named (escaped)" "$out$err" 'x.*y\.pem'
t_is "hostile path: no raw ESC on stdout or stderr" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$ESC")" 0
t_is "hostile path: no raw U+202E on stdout or stderr" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$RLO")" 0

# --- a private key others can read
store loose
leaf loose.example.com dns:loose.example.com || exit 1
mv "$D/k.key" "$D/loose.key"
conf '{ name = "loose"; key = "loose.key"; cert = "k.pem"; }' \
    '{ key = "loose"; endpoint = "127.0.0.2:8443"; }'
chmod 644 "$D/loose.key"
cb -c "$C" check --offline
t_is "world-readable key: exit 1" "$rc" 1
t_match "world-readable key: error key-permissions" "$out" \
    '^error key-permissions [^ ]*loose'
chmod 600 "$D/loose.key"
cb -c "$C" check --offline
t_is "after chmod 600: exit 0" "$rc" 0
t_nomatch "after chmod 600: no key-permissions" "$out" 'key-permissions'
chmod 604 "$D/loose.key"
cb -c "$C" check --offline
t_match "readable by others only (0604): key-permissions" "$out" \
    '^error key-permissions [^ ]*loose'

# 0640: fine for the server's own group, an error for any other group.
chmod 640 "$D/loose.key"
g=$(stat -c %G "$D/loose.key")
sed -i "s/^server = {/server = {\n  group = \"$g\";/" "$C"
cb -c "$C" check --offline
t_nomatch "0640 in the server's group ($g): no key-permissions" "$out" \
    'key-permissions'
other=$(getent group nogroup >/dev/null && echo nogroup)
if [ -n "$other" ] && [ "$other" != "$g" ]; then
	sed -i "s/group = \"$g\"/group = \"$other\"/" "$C"
	cb -c "$C" check --offline
	t_match "0640 in another group than the server's ($other): error" \
	    "$out" '^error key-permissions [^ ]*loose'
else
	t_skip "0640 in another group than the server's" "no nogroup group"
fi
chmod 600 "$D/loose.key"

# --- a missing file, an unparsable one, an orphan one
store files
leaf files.example.com dns:files.example.com || exit 1
printf 'this is not a certificate\n' >"$D/junk.pem"
# The store's keys/, certs/ and requests/ are where orphans are looked for.
mkdir -p "$D/certs" "$D/keys"
cp "$D/k.pem" "$D/certs/orphan.pem"
cp "$D/k.pem" "$D/certs/used.pem"
conf '{ name = "k"; key = "k.key"; cert = "k.pem"; },
  { name = "used"; key = "k.key"; cert = "certs/used.pem"; },
  { name = "gone"; key = "gone.key"; cert = "gone.pem"; },
  { name = "junk"; key = "k.key"; cert = "junk.pem"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; },
  { key = "gone"; endpoint = "127.0.0.2:8443"; sni = "gone.example.com"; },
  { key = "junk"; endpoint = "127.0.0.2:8443"; sni = "junk.example.com"; }'
cb -c "$C" check --offline
t_is "files: exit 1" "$rc" 1
t_match "files: missing-file about gone" "$out" \
    '^error missing-file (gone|[^ ]*gone\.(key|pem)): '
t_match "files: the missing-file message names the file" \
    "$(lines '^error missing-file')" 'gone\.(key|pem)'
t_match "files: unreadable junk.pem" "$out" '^error unreadable [^ ]*junk'
t_match "files: orphan-file orphan.pem" "$out" \
    '^info orphan-file [^ ]*orphan\.pem'
t_nomatch "files: referenced files are not orphans" "$out" \
    'orphan-file ([^ ]*/)?(k\.pem|k\.key|junk\.pem|used\.pem):'
t_nomatch "files: the config is not an orphan" "$out" \
    'orphan-file [^ ]*\.conf'

# --- every format a key or certificate may come in (DESIGN: PEM or DER,
# PKCS#8, PKCS#1, SEC1), converted by openssl
store formats
leaf ec.example.com dns:ec.example.com || exit 1
mv "$D/k.key" "$D/ec.key"; mv "$D/k.pem" "$D/ec.pem"
MKCERT_KEYTYPE=rsa leaf rsa.example.com dns:rsa.example.com || exit 1
mv "$D/k.key" "$D/rsa.key"; mv "$D/k.pem" "$D/rsa.pem"
(umask 077
openssl ec -in "$D/ec.key" -out "$D/ec-sec1.key" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$D/ec.key" -outform DER \
    -out "$D/ec-p8.der" 2>/dev/null
openssl rsa -traditional -in "$D/rsa.key" -out "$D/rsa-p1.key" 2>/dev/null)
mkcert_der "$D/ec.pem" "$D/ec.der"
printf 'not a key\n' >"$D/junk.key"
chmod 600 "$D"/*.key "$D"/*.der
t_match "formats: the SEC1 fixture is SEC1" "$(head -n 1 "$D/ec-sec1.key")" \
    'BEGIN EC PRIVATE KEY'
t_match "formats: the PKCS#1 fixture is PKCS#1" "$(head -n 1 "$D/rsa-p1.key")" \
    'BEGIN RSA PRIVATE KEY'
conf '{ name = "sec1"; key = "ec-sec1.key"; cert = "ec.pem"; },
  { name = "p8der"; key = "ec-p8.der"; cert = "ec.der"; },
  { name = "pkcs1"; key = "rsa-p1.key"; cert = "rsa.pem"; },
  { name = "junk"; key = "junk.key"; cert = "ec.pem"; }' \
    '{ key = "sec1"; endpoint = "127.0.0.2:8443"; },
  { key = "p8der"; endpoint = "127.0.0.2:8443"; sni = "ec.example.com"; },
  { key = "pkcs1"; endpoint = "127.0.0.2:8443"; sni = "rsa.example.com"; },
  { key = "junk"; endpoint = "127.0.0.2:8443"; sni = "junk.example.com"; }'
cb -c "$C" check --offline
t_is "formats: exit 1 (the junk key)" "$rc" 1
t_match "formats: a key that is not a key is unreadable" "$out" \
    '^error unreadable (junk|[^ ]*junk\.key)'
for k in sec1 p8der pkcs1; do
	t_nomatch "formats: $k loads and matches its certificate" "$out" \
	    "^error [a-z-]+ ([^ ]*@)?$k[:@]"
done

# --- weak keys: RSA 1024, SHA-1
store weak
MKCERT_KEYTYPE=rsa1024 leaf weak.example.com dns:weak.example.com || exit 1
mv "$D/k.key" "$D/rsa.key"; mv "$D/k.pem" "$D/rsa.pem"
if MKCERT_SHA1=1 leaf sha1.example.com dns:sha1.example.com 2>/dev/null; then
	sha1=1
	mv "$D/k.key" "$D/sha1.key"; mv "$D/k.pem" "$D/sha1.pem"
else
	sha1=0
fi
MKCERT_KEYTYPE=rsa leaf strong.example.com dns:strong.example.com || exit 1
mv "$D/k.key" "$D/strong.key"; mv "$D/k.pem" "$D/strong.pem"
keys='{ name = "rsa"; key = "rsa.key"; cert = "rsa.pem"; },
  { name = "strong"; key = "strong.key"; cert = "strong.pem"; }'
binds='{ key = "rsa"; endpoint = "127.0.0.2:8443"; },
  { key = "strong"; endpoint = "127.0.0.2:8443"; sni = "strong.example.com"; }'
if [ "$sha1" = 1 ]; then
	keys="$keys, { name = \"sha1\"; key = \"sha1.key\"; cert = \"sha1.pem\"; }"
	binds="$binds, { key = \"sha1\"; endpoint = \"127.0.0.2:8443\"; sni = \"sha1.example.com\"; }"
fi
conf "$keys" "$binds"
t_match "weak: the fixture is RSA 1024 (openssl says)" \
    "$(openssl x509 -in "$D/rsa.pem" -noout -text)" '(Public-Key|Key): \(1024 bit\)'
cb -c "$C" check --offline
t_is "weak: exit 0 (a warning)" "$rc" 0
t_match "weak: RSA 1024 is weak-key" "$out" '^warning weak-key rsa: '
t_nomatch "weak: RSA 2048 is not" "$out" 'weak-key strong'
if [ "$sha1" = 1 ]; then
	t_match "weak: a SHA-1 signature is weak-key" "$out" \
	    '^warning weak-key sha1: '
else
	t_skip "weak: a SHA-1 signature is weak-key" \
	    "certtool refused to sign with SHA-1"
fi

# --- pending: a key waiting for its certificate
store pending
leaf pend.example.com dns:pend.example.com || exit 1
mkcert_csr "$D" new new.example.com dns:new.example.com || exit 1
conf '{ name = "k"; key = "k.key"; cert = "k.pem"; },
  { name = "new"; key = "new.key"; request = "new.csr"; }' \
    '{ key = "k"; endpoint = "127.0.0.2:8443"; }'
cb -c "$C" check --offline
t_is "pending: exit 0" "$rc" 0
t_match "pending: info pending new" "$out" '^info pending new: '
t_nomatch "pending: the request is not an orphan" "$out" 'orphan-file'
t_nomatch "pending: a pending key is not unbound-key" "$out" \
    'unbound-key new'

t_done
