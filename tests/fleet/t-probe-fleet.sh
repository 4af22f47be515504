#!/bin/sh
# certbind probe --fleet against a real three-member etcd cluster on
# 127.0.0.1, with node records written here (on a lease, as certbindd
# writes them: op/fleet.h): no node, a current node, one behind, one that
# refused a revision, records that do not parse, a record whose strings
# hold terminal escapes; the exit statuses, --json, the lease ending a
# registration, and no etcd location at all.
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/etcdlib.sh"
fleet_need 6
cport() { echo $((base + $1 - 1)); }
pport() { echo $((base + 2 + $1)); }
cluster="m1=http://127.0.0.1:$(pport 1),m2=http://127.0.0.1:$(pport 2),m3=http://127.0.0.1:$(pport 3)"
EP="127.0.0.1:$(cport 1),127.0.0.1:$(cport 2),127.0.0.1:$(cport 3)"
d() { "$drive" -e "$EP" -t 2000 "$@"; }
LOC="etcd://$EP/cb/prod"
P=/cb/prod

PYJ=/usr/bin/python3
[ -x "$PYJ" ] || PYJ=python3
jq() { printf '%s' "$out" | $PYJ -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start_member() {
	etcd --name "m$1" --data-dir "$T/m$1" \
	    --listen-client-urls "http://127.0.0.1:$(cport "$1")" \
	    --advertise-client-urls "http://127.0.0.1:$(cport "$1")" \
	    --listen-peer-urls "http://127.0.0.1:$(pport "$1")" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$(pport "$1")" \
	    --initial-cluster "$cluster" --initial-cluster-state new \
	    --initial-cluster-token "certbind-test-$$" \
	    --logger zap --log-level error >>"$T/m$1.log" 2>&1 &
	echo $! >"$T/m$1.pid"
}
stop_member() {
	[ -f "$T/m$1.pid" ] || return 0
	pid=$(cat "$T/m$1.pid")
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$T/m$1.pid"
}
stop_all() { for m in 1 2 3; do stop_member $m; done; }
t_at_exit stop_all
healthy() {
	i=0
	while [ $i -lt 60 ]; do
		all=1
		for m in 1 2 3; do
			"$drive" -e "127.0.0.1:$(cport "$m")" -t 500 status 2>/dev/null |
			    grep -q 'leader yes' || all=0
		done
		[ $all -eq 1 ] && return 0
		sleep 0.5; i=$((i + 1))
	done
	return 1
}
for m in 1 2 3; do start_member $m; done
if ! healthy; then
	t_fail "a three-member cluster starts" "$(tail -n 5 "$T"/m*.log)"
	t_done
	exit 1
fi
t_pass "a three-member cluster on 127.0.0.1:$(cport 1)-$(cport 3) is healthy"

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
