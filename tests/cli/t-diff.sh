#!/bin/sh
# certbind diff OLD NEW (issue 14): who serves each endpoint and name in
# each file (key, rule, backend), the findings NEW adds and removes, and
# exit 1 when NEW adds an error, so a config repository's CI can gate on
# it. The seed's failure as a proposal: a listener moved to .201 with its
# binding left on .200.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "diff" "certtool is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh
D=$T/d
mkcert_leaf "$D" www www.example.com dns:www.example.com || exit 1
mkcert_leaf "$D" api api.example.com dns:api.example.com || exit 1
# conf FILE LISTEN BINDINGS
conf() {
	cat >"$1" <<EOC
version = 1;
server = { listen = ( $2 ); };
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; },
         { name = "api"; key = "api.key"; cert = "api.pem"; } );
bindings = ( $3 );
EOC
}
conf "$D/old.conf" '{ endpoint = "127.0.0.2:8443"; backend = "127.0.0.1:8080"; }' \
    '{ key = "www"; endpoint = "127.0.0.2:8443"; },
     { key = "api"; endpoint = "127.0.0.2:8443"; sni = "api.example.com"; }'
# A clean move: listener and bindings to 127.0.0.3.
conf "$D/moved.conf" '{ endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; }' \
    '{ key = "www"; endpoint = "127.0.0.3:8443"; },
     { key = "api"; endpoint = "127.0.0.3:8443"; sni = "api.example.com"; backend = "127.0.0.1:9090"; }'
# The seed's failure: the listener moved, the bindings left behind.
conf "$D/stale.conf" '{ endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; }' \
    '{ key = "www"; endpoint = "127.0.0.2:8443"; },
     { key = "api"; endpoint = "127.0.0.2:8443"; sni = "api.example.com"; }'

cb diff "$D/old.conf" "$D/moved.conf"
t_is "a clean move: exit 0" "$rc" 0 "$err"
# block HEADER: the row HEADER and its before and after lines.
block() { printf '%s\n' "$out" | grep -x -A2 -- "$1"; }
t_is "127.0.0.2 without sni: www before, nothing after" \
    "$(block '127.0.0.2:8443 without sni')" \
    "$(printf '127.0.0.2:8443 without sni\n  before: www (address:port), backend 127.0.0.1:8080\n  after:  nothing: the handshake is refused')"
t_is "api.example.com on .3: nothing before, api after with its own backend" \
    "$(block '127.0.0.3:8443 sni api.example.com')" \
    "$(printf '127.0.0.3:8443 sni api.example.com\n  before: nothing: the handshake is refused\n  after:  api (address:port, exact sni), backend 127.0.0.1:9090')"
t_match "no error added" "$err" '4 connections served differently, 0 errors added'

cb diff "$D/old.conf" "$D/stale.conf"
t_is "the binding left behind: exit 1" "$rc" 1
t_match "the unserved listener is an added error" "$out" \
    '^  \+ error unserved-listener 127\.0\.0\.3:8443:'
t_match "and the stale bindings added warnings" "$out" \
    '^  \+ warning stale-binding www@127\.0\.0\.2:8443:'

cb diff "$D/old.conf" "$D/old.conf"
t_is "a file against itself: exit 0" "$rc" 0
t_match "nothing served differently" "$out" '^no connection is served differently$'
cb diff "$D/old.conf" "$D/old.conf" --all
t_match "--all shows the unchanged rows too" "$out" \
    '^\(same\) 127\.0\.0\.2:8443 sni api\.example\.com$'

cb diff "$D/old.conf" "$D/moved.conf" --json
t_is "--json exits as the text does" "$rc" 0
t_is "--json: the rows that changed, with before and after" \
    "$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["connections"]), [c["after"] for c in d["connections"] if c["endpoint"] == "127.0.0.3:8443" and c["sni"] == "api.example.com"][0], d["errors_added"])')" \
    "4 {'key': 'api', 'rule': 'address:port, exact sni', 'backend': '127.0.0.1:9090'} 0"

printf 'version = 1;\nkeys = ( { name = "x"; } );\n' >"$D/bad.conf"
cb diff "$D/old.conf" "$D/bad.conf"
t_is "a file that does not load: exit 2" "$rc" 2
t_match "with its file and line" "$err" 'bad\.conf:2:'
t_done
