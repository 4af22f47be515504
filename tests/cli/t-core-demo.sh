#!/bin/sh
# The demo store of `make run` (tools/mkdemo.sh): it must show what it
# promises (the moved site with its binding left behind, the "all
# unassigned" default, a conflict, an expiring and an expired certificate,
# a pending key) and nothing it does not (no missing files, no loose key
# permissions, no incomplete chains); it must work wherever it is, and be
# rebuilt only when missing or asked with --force.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "demo store" "certtool (gnutls-bin) is not installed"
	exit 0
fi

D=$T/demo
sh tools/mkdemo.sh "$D" >"$T/mk.out" 2>&1
t_is "mkdemo exits 0" "$?" 0
t_ok "the config is there" test -f "$D/certbind.conf"
t_is "every private key is 0600" \
    "$(stat -c %a "$D"/keys/*.key | sort -u)" 600
t_is "the demo CA's private key was not kept" \
    "$(find "$D" -name 'ca.key' | wc -l) $(ls "$D/ca")" "0 ca.pem"

# The dates, asked of openssl rather than certbind.
t_not "api-old is expired (openssl)" \
    openssl x509 -in "$D/certs/api-old.pem" -noout -checkend 0
t_ok "shop is valid for 5 more days (openssl)" \
    openssl x509 -in "$D/certs/shop.pem" -noout -checkend 432000
t_not "shop expires within 30 days (openssl)" \
    openssl x509 -in "$D/certs/shop.pem" -noout -checkend 2592000
t_ok "site is valid for 300 days (openssl)" \
    openssl x509 -in "$D/certs/site.pem" -noout -checkend 25920000

# Run from elsewhere: relative paths resolve against the store, not the
# current directory.
democheck() {
	(cd / && $CERTBIND -c "$1/certbind.conf" check "$2") \
	    >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out"); err=$(cat "$T/.err")
}
democheck "$D" --offline
t_is "demo: check exits 1 (errors)" "$rc" 1
t_match "demo: the conflict" "$out" \
    '^error conflict 127\.0\.0\.4:9443,sni=api\.example\.com: '
t_match "demo: the expired certificate" "$out" '^error expired api-old: '
t_match "demo: the expiring certificate" "$out" '^warning expiring shop: '
t_match "demo: the binding left behind" "$out" \
    '^warning stale-binding site@127\.0\.0\.2:8443: '
t_match "demo: the move is offered" "$out" \
    '^warning probable-move site@127\.0\.0\.2:8443: .*127\.0\.0\.3:8443'
t_match "demo: the new address served by the default" "$out" \
    '^info default-served 127\.0\.0\.3:8443: '
t_match "demo: the pending key" "$out" '^info pending new-2027: '
t_nomatch "demo: no accidental findings" "$out" \
    'missing-file|unreadable|key-mismatch|key-permissions|orphan-file|unknown-key|unserved-listener|weak-key|not-yet-valid|sni-not-in-cert'
t_nomatch "demo: the chains are complete (trust = ca/ca.pem, store-relative)" \
    "$out" 'chain-incomplete'
t_ok "demo: findings sorted by severity, code, object" sh -c '
    printf "%s\n" "$1" | awk "{ r = (\$1 == \"error\") ? 0 : (\$1 == \"warning\") ? 1 : 2;
	o = \$3; sub(/:\$/, \"\", o); print r, \$2, o }" |
    LC_ALL=C sort -c -k1,1n -k2,2 -k3,3' sh "$out"
democheck "$D" ""
t_nomatch "demo: the 127.0.0.x addresses are local" "$out" \
    'address-not-local'

(cd / && $CERTBIND -c "$D/certbind.conf" resolve 127.0.0.3:8443) \
    >"$T/.out" 2>&1
t_match "demo: the moved site gets the default's certificate" \
    "$(cat "$T/.out")" '^fallback +\*:\* '
(cd / && $CERTBIND -c "$D/certbind.conf" list) >"$T/.out" 2>&1
t_match "demo: list shows the keys" "$(cat "$T/.out")" 'api-old'

# Idempotent: an existing store is left alone.
cp "$D/certbind.conf" "$T/conf.before"
cp "$D/keys/site.key" "$T/key.before"
sh tools/mkdemo.sh "$D" >"$T/mk.out" 2>&1
t_is "mkdemo again exits 0" "$?" 0
t_ok "mkdemo again leaves the config" cmp -s "$D/certbind.conf" \
    "$T/conf.before"
t_ok "mkdemo again leaves the keys" cmp -s "$D/keys/site.key" \
    "$T/key.before"
sh tools/mkdemo.sh "$D" --force >"$T/mk.out" 2>&1
t_is "mkdemo --force exits 0" "$?" 0
t_not "mkdemo --force makes new keys" cmp -s "$D/keys/site.key" \
    "$T/key.before"
t_is "mkdemo --force leaves no scratch directory" \
    "$(ls "$T" | grep -c '^demo\.')" 0

# A half store (no config) is rebuilt.
rm -f "$D/certbind.conf"
sh tools/mkdemo.sh "$D" >"$T/mk.out" 2>&1
t_ok "a store without its config is rebuilt" test -f "$D/certbind.conf"

# Anywhere: move it, it still works the same.
mkdir -p "$T/else/where"
mv "$D" "$T/else/where/demo"
democheck "$T/else/where/demo" --offline
t_is "moved demo: the same exit status" "$rc" 1
t_match "moved demo: still finds the conflict" "$out" '^error conflict '
t_nomatch "moved demo: no missing files" "$out" 'missing-file'

# Never replaces a directory it did not make.
mkdir -p "$T/mine"
echo precious >"$T/mine/notes"
sh tools/mkdemo.sh "$T/mine" --force >"$T/mk.out" 2>&1
t_is "mkdemo refuses a directory that is not a demo store" "$?" 1
t_is "and leaves it alone" "$(cat "$T/mine/notes")" precious

sh tools/mkdemo.sh >/dev/null 2>&1
t_is "mkdemo without a directory: usage, exit 2" "$?" 2

t_done
