#!/bin/sh
# certbind probe --fleet against a real three-member etcd cluster on
# 127.0.0.1, with node records written here (on a lease, as certbindd
# writes them: op/fleet.h): no node, a current node, one behind, one that
# refused a revision, records that do not parse, a record whose strings
# hold terminal escapes; the exit statuses, --json, the lease ending a
# registration, and no etcd location at all.
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/etcdlib.sh"
fleet_need 7
fleet_cluster
d() { "$drive" -e "$EP" -t 2000 "$@"; }
LOC="etcd://$EP/cb/prod"
P=/cb/prod

PYJ=/usr/bin/python3
[ -x "$PYJ" ] || PYJ=python3
jq() { printf '%s' "$out" | $PYJ -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

rev() { sed -n 's/^revision //p'; }
now=$(date +%s)
# node NAME JSON: a record on the lease, as certbindd keeps it.
lease=$(d grant 300 | cut -d' ' -f1)
node() { d put "$P/nodes/$1" "$2" "$lease" >/dev/null; }

# Without an etcd location, and with an etcd that does not answer.
cb -c "$T/certbind.conf" probe --fleet
t_is "probe --fleet without an etcd location exits 2" "$rc" 2
t_match "and says it needs one" "$err" "needs the fleet's etcd location"
cb -c "etcd://127.0.0.1:$(cport 1)/cb/prod" probe --fleet extra:443
t_is "probe --fleet takes no ENDPOINT" "$rc" 2

# No node.
d put "$P/config" 'listeners = ( );' >/dev/null
cb -c "$LOC" probe --fleet
t_is "no node registered: exit 0" "$rc" 0 "$err"
t_match "no node registered is said plainly" "$out" \
    "^no node is registered under /cb/prod/nodes/"
t_match "the fleet's content revision is shown" "$out" \
    "^fleet etcd://.*/cb/prod: content revision [0-9]+ .*; 0 nodes registered"

# A current node: the revision of the newest content (config, files/).
r1=$(d put "$P/files/keys/www.crt" "cert one" | rev)
node web1 "{\"address\":null,\"host\":\"h1\",\"pid\":11,\"version\":\"0.1.0\",\"revision\":$r1,\"loaded\":$((now - 120)),\"generation\":2}"
cb -c "$LOC" probe --fleet
t_is "one current node: exit 0" "$rc" 0 "$out $err"
t_match "it is listed with its revision and state" "$out" \
    "^node web1 address - revision $r1 loaded [0-9-]+ [0-9:]+ UTC \(2m ago\): current$"
t_match "and said in one line on stderr" "$err" \
    "every node serves content revision $r1"
t_match "it has no address to probe" "$out" "not probed: its record gives no address"

# Writes under nodes/ and locks/ are not content: web1 stays current.
d put "$P/locks/renew-www" x >/dev/null
cb -c "$LOC" probe --fleet
t_is "a write under locks/ leaves the node current" "$rc" 0 "$out"

# The content moves on: web1 is behind, web2 is current.
r2=$(d put "$P/files/keys/www.crt" "cert two" | rev)
node web2 "{\"address\":null,\"revision\":$r2,\"loaded\":$now}"
cb -c "$LOC" probe --fleet
t_is "a node behind: exit 1" "$rc" 1 "$out $err"
t_match "it is node-behind, by how many and since when" "$out" \
    "^node web1 .*revision $r1 .*: node-behind: $((r2 - r1)) revisions? behind the fleet's $r2, serving revision $r1 since [0-9-]+ [0-9:]+ UTC$"
t_match "the other is current" "$out" "^node web2 .*revision $r2 .*: current$"
t_match "the fleet says 2 nodes" "$out" "; 2 nodes registered$"

# A node that refused the newest revision.
node web1 "{\"address\":null,\"revision\":$r1,\"loaded\":$((now - 7200)),\"refused_revision\":$r2,\"refused\":\"certbind.conf line 3: syntax error\"}"
cb -c "$LOC" probe --fleet
t_is "a node refusing a revision: exit 1" "$rc" 1
t_match "the refused revision and its reason are shown" "$out" \
    "^  refused revision $r2: certbind.conf line 3: syntax error$"
t_match "it is behind since it loaded (2h ago)" "$out" \
    "^node web1 .*\(2h 0m ago\): node-behind"

# It catches up; an old refusal is no longer one.
node web1 "{\"address\":null,\"revision\":$r2,\"loaded\":$now,\"refused_revision\":$r1,\"refused\":\"old\"}"
cb -c "$LOC" probe --fleet
t_is "every node current again: exit 0" "$rc" 0 "$out"
t_nomatch "a refusal older than what it serves is not shown" "$out" "refused"

# Records that do not parse.
d put "$P/nodes/broken" 'not json SECRET' "$lease" >/dev/null
d put "$P/nodes/.hidden" "{\"revision\":$r2,\"loaded\":1}" "$lease" >/dev/null
d put "$P/nodes/old" '{"revision":"12","loaded":1}' "$lease" >/dev/null
cb -c "$LOC" probe --fleet
t_is "bad records: exit 1" "$rc" 1
t_match "a record that is not JSON" "$out" \
    "^bad-record broken: the record is not JSON .*cannot tell"
t_match "a node name that is not one" "$out" \
    "^bad-record .hidden: a node name may not start with a dot"
t_match "a field of the wrong type" "$out" \
    "^bad-record old: .*revision is not an integer"
t_nomatch "no cause quotes the record" "$out" "SECRET"
t_match "the good nodes are still listed" "$out" "^node web2 .*: current$"
d del "$P/nodes/broken" >/dev/null
d del "$P/nodes/.hidden" >/dev/null
d del "$P/nodes/old" >/dev/null

# Terminal escapes in every string of a record are shown escaped.
esc=$(printf '\033')
bel=$(printf '\007')
node evil "{\"address\":\"1.2.3.4\\u001b]0;pwned\\u0007\",\"host\":\"h\\u001b[2J\",\"revision\":$r1,\"loaded\":$now,\"refused_revision\":$r2,\"refused\":\"bad\\u001b[31mred\\u202e\"}"
cb -c "$LOC" probe --fleet
t_is "the hostile node is behind: exit 1" "$rc" 1
case "$out$err" in
*"$esc"*|*"$bel"*) t_fail "no raw escape reaches the terminal" "$out" ;;
*) t_pass "no raw escape reaches the terminal" ;;
esac
t_match "its address is shown escaped" "$out" \
    '^node evil address 1\.2\.3\.4\\x1B\]0;pwned\\x07 revision'
t_match "its refusal too, bidi controls included" "$out" \
    '^  refused revision [0-9]+: bad\\x1B\[31mred\\u\{202E\}$'
t_match "its address is not an IP address: not probed" "$out" \
    "not probed: its address is not an IP address"

# --json: the documented shape, ASCII only.
cb -c "$LOC" probe --fleet --json
t_is "--json exits as the text does" "$rc" 1
t_is "--json's members" \
    "$(jq 'sorted(d.keys())')" \
    "['bad_records', 'behind', 'config_revision', 'content_revision', 'errors', 'location', 'nodes', 'read_revision', 'refusing', 'warnings']"
t_is "--json's nodes, sorted by name" \
    "$(jq '[(n["name"], n["state"], n["behind"]) for n in d["nodes"]]')" \
    "[('evil', 'node-behind', $((r2 - r1))), ('web1', 'current', 0), ('web2', 'current', 0)]"
t_is "--json counts" "$(jq '(d["content_revision"], d["behind"], d["refusing"])')" \
    "($r2, 1, 1)"
t_is "--json keeps the hostile strings as JSON escapes" \
    "$(jq 'd["nodes"][0]["host"] == "h\x1b[2J"')" True
case "$out" in
*"$esc"*) t_fail "--json is ASCII" ;;
*) t_pass "--json is ASCII" ;;
esac

# What the nodes serve: a fleet whose config and files are in etcd, and
# a certbindd serving the same files (from a file copy: the node's side
# is certbindd's own test) on "*:PORT". A node record with an address is
# probed there, "*" put in its place.
if command -v openssl >/dev/null 2>&1 && [ -x "$CERTBINDD" ]; then
	. "$top/tests/server/srvlib.sh"
	SP=/cb/served SLOC="etcd://$EP/cb/served"
	D=$T/node
	mkcert_leaf "$D" www www.example.com >/dev/null 2>&1
	mkcert_leaf "$T/renewed" www www.example.com >/dev/null 2>&1
	PORT=$(srv_port)
	cat >"$D/certbind.conf" <<EOC
version = 1;
server = {
  listen = ( { endpoint = "*:$PORT"; backend = "127.0.0.1:9"; } );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:$PORT"; } );
EOC
	chmod 600 "$D/www.key"
	ctl put "$SP/files/www.key" <"$D/www.key" >/dev/null
	ctl put "$SP/files/www.pem" <"$D/www.pem" >/dev/null
	ctl put "$SP/config" <"$D/certbind.conf" >/dev/null
	cur=$(d get "$SP/config" | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
	lease2=$(d grant 300 | cut -d' ' -f1)
	snode() { d put "$SP/nodes/$1" "$2" "$lease2" >/dev/null; }
	if ! srv_start "$D/certbind.conf"; then
		t_fail "certbindd starts" "$(cat "$srv_log")"
	else
		snode a "{\"address\":\"127.0.0.1\",\"revision\":$cur,\"loaded\":$now}"
		cb -c "$SLOC" probe --fleet
		t_is "a node serving what the fleet's config says: exit 0" \
		    "$rc" 0 "$out $err"
		t_match "it is probed on its address for the '*' listener" \
		    "$out" "^  serves what the config says \(1 probe on 1 listener\)$"
		cb -c "$SLOC" probe --fleet --verbose
		t_match "--verbose: the probe that matched, under the node" \
		    "$out" "^  ok 127\.0\.0\.1:$PORT: key www $(mkcert_fpr "$D/www.pem")$"
		cb -c "$SLOC" probe --fleet --json
		t_is "--json: what matched, under the node" \
		    "$(jq 'd["nodes"][0]["probe"]["matched"][0]["object"], d["nodes"][0]["probe"]["matched"][0]["key"]')" \
		    "127.0.0.1:$PORT www"

		# The certificate is renewed in etcd; this certbindd does not
		# follow. Node a's record says so (behind); node b's record
		# claims the new revision, but the probe sees the old one.
		new=$(ctl put "$SP/files/www.pem" <"$T/renewed/www.pem" >/dev/null &&
		    d get "$SP/files/www.pem" | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
		snode b "{\"address\":\"127.0.0.2\",\"revision\":$new,\"loaded\":$now}"
		cb -c "$SLOC" probe --fleet
		t_is "a node behind, one lying: exit 1" "$rc" 1 "$out $err"
		t_match "node a is behind" "$out" "^node a .*: node-behind: "
		t_match "node b's record says current" "$out" "^node b .*: current$"
		t_match "but what node b serves is not the fleet's certificate" \
		    "$out" "^  warning not-reloaded 127\.0\.0\.2:$PORT: certbindd serves certificate $(mkcert_fpr "$D/www.pem"), but key 'www' now has $(mkcert_fpr "$T/renewed/www.pem")"
		d del "$SP/nodes/a" >/dev/null
		cb -c "$SLOC" probe --fleet
		t_is "a mismatch alone is a warning: exit 0" "$rc" 0 "$out"
		cb -c "$SLOC" probe --fleet --strict
		t_is "and with --strict exit 1" "$rc" 1 "$out"

		# Nothing listens any more: an error under the node.
		srv_cleanup
		cb -c "$SLOC" probe --fleet
		t_is "a node that does not answer: exit 1" "$rc" 1 "$out"
		t_match "unserved-listener under it" "$out" \
		    "^  error unserved-listener 127\.0\.0\.2:$PORT: nothing accepts connections"
	fi
	d revoke "$lease2" >/dev/null
else
	t_skip "what the nodes serve" "openssl or certbindd missing"
fi

# The lease ends: the registrations go with it.
d revoke "$lease" >/dev/null
cb -c "$LOC" probe --fleet
t_is "the lease revoked: no node, exit 0" "$rc" 0 "$out"
t_match "no node is registered" "$out" "^no node is registered"

# etcd unreachable: exit 2 naming the endpoint.
stop_all
cb -c "etcd://127.0.0.1:$(cport 1)/cb/prod" probe --fleet --timeout 2
t_is "etcd down: exit 2" "$rc" 2
t_match "naming the endpoint tried" "$err" "127\.0\.0\.1:$(cport 1)"

t_done
