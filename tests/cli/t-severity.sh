#!/bin/sh
# Severity follows what is served (issue 14, bug 7): an expired or
# mismatched certificate on a key that no binding names is a warning that
# says nothing serves it, and check exits 0; bound, the same is an error
# and check exits 1. And a stale binding's message does not guess at a
# move when nothing suggests one.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "severity of unserved keys" "certtool is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh

S=$T/store C=$S/certbind.conf
mkdir -p "$S"
MKCERT_NOT_BEFORE="2020-01-01 00:00:00" MKCERT_NOT_AFTER="2021-01-01 00:00:00" \
    mkcert_leaf "$S" old old.example.com || exit 1
mkcert_leaf "$S" live live.example.com || exit 1
mkcert_leaf "$S" other other.example.com || exit 1
conf() {
	cat >"$C" <<EOC
version = 1;
server = { listen = ( { endpoint = "127.0.0.2:8443"; backend = "127.0.0.1:8080"; } ); };
keys = (
  { name = "live"; key = "live.key"; cert = "live.pem"; },
  { name = "spare"; key = "old.key"; cert = "old.pem"; },
  { name = "wrong"; key = "other.key"; cert = "live.pem"; }
);
bindings = ( { key = "live"; endpoint = "127.0.0.2:8443"; }$1 );
EOC
}

conf ""
cb -c "$C" check --offline
t_is "unbound expired and mismatched keys: check exits 0" "$rc" 0 "$out"
t_match "the expired spare is a warning" "$out" \
    '^warning expired spare: .*Nothing serves this key \(no binding names it\)'
t_match "the mismatched key is a warning" "$out" \
    '^warning key-mismatch wrong: .*Nothing serves this key'
t_nomatch "and neither is an error" "$out" '^error '

conf ', { key = "spare"; endpoint = "127.0.0.2:8443"; sni = "old.example.com"; }'
cb -c "$C" check --offline
t_is "bound, the expired key makes check exit 1" "$rc" 1 "$out"
t_match "as an error, without the unserved note" "$out" \
    '^error expired spare: the certificate expired [0-9]+ days ago; renew it \(certbind renew spare\)\.$'

# A binding on an address no listener has, and no listener short of one.
conf ', { key = "live"; endpoint = "127.0.0.9:9999"; }'
cb -c "$C" check --offline
t_match "a stale binding is a warning" "$out" '^warning stale-binding live@127\.0\.0\.9:9999'
t_nomatch "that does not guess at a move" "$out" 'probably left behind'
t_match "and says it serves nothing" "$out" \
    'no listener receives connections for this binding .*, so it serves nothing'
t_done
