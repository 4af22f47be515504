#!/bin/sh
# certbindd serving an etcd location: a real three-member etcd cluster on
# 127.0.0.1 ports and two certbindd nodes on one host, n1 on 127.0.0.2
# and n2 on 127.0.0.3 (-a: the config's "*:PORT" listener binds each
# node's own address, so both share the port; the per-node address
# override rather than network namespaces, which need root and a veth
# pair). The served certificate is identified by its SHA-256 through
# openssl s_client. An edit reaches both nodes; a bad revision is refused
# by both, which keep serving and say so in their node records; a member
# killed, then all of them, then restarted; a node stopped unregisters.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
. "$(dirname "$0")/etcdlib.sh"
srv_need
fleet_need 7
fleet_cluster_vars
P=$((base + 6))
PFX=/certbind/t
LOC="etcd://$EP$PFX"
# The checkouts go into $T, not /run/certbind.
export CERTBIND_RUNDIR="$T/run"
mkdir -p "$CERTBIND_RUNDIR"
# As root, the nodes drop to nobody (server.user): the refreshes then
# write checkouts as nobody, and the keeper must not read them as root.
user=""
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	user='user = "nobody";'
	chmod 711 "$T" "$CERTBIND_RUNDIR"
fi

# start_node N: certbindd -f as node nN on 127.0.0.(N+1), log in $T/nN.log.
start_node() {
	: >"$T/n$1.log"
	"$CERTBINDD" -f -c "$LOC" -n "n$1" -a "127.0.0.$(($1 + 1))" \
	    2>>"$T/n$1.log" &
	echo $! >"$T/n$1.pid"
	srv_pids="$srv_pids $!"
	node_wait_log "$1" 1 ' ready: ' 20
}
stop_node() { fleet_stop_pidfile "$T/n$1.pid" TERM 100; }
# node_wait_log N COUNT REGEX SECS
node_wait_log() {
	i=0
	while [ $i -lt $(($4 * 10)) ]; do
		c=$(grep -cE -- "$3" "$T/n$1.log" 2>/dev/null)
		[ "${c:-0}" -ge "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
fpr() { srv_fpr "127.0.0.$(($1 + 1))" "$P"; }
# serves N FPR: node N serves FPR within 15 s (polled at most 75 times).
serves() {
	i=0
	while [ $i -lt 75 ]; do
		[ "$(fpr "$1")" = "$2" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
# t_serves NAME N FPR: a test that node N serves FPR (its log if not).
t_serves() {
	if serves "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1" "serves $(fpr "$2")" \
		    "$(grep -v ' access ' "$T/n$2.log" | tail -n 15)"
	fi
}
# record N FIELD: a field of node nN's record ("" when there is none).
record() {
	ctl get --print-value-only "$PFX/nodes/n$1" 2>/dev/null |
	    $PY -c 'import json, sys
t = sys.stdin.read().strip()
if t:
    v = json.loads(t).get(sys.argv[1])
    print("" if v is None else v)' "$2"
}
# record_is N FIELD VALUE: within 15 s.
record_is() {
	i=0
	while [ $i -lt 75 ]; do
		[ "$(record "$1" "$2")" = "$3" ] && return 0
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
# The content revision of PREFIX/config (its mod revision).
config_rev() {
	ctl get "$PFX/config" -w json | $PY -c 'import json, sys
print(json.load(sys.stdin)["kvs"][0]["mod_revision"])'
}

# The store: two keys; the config binds one of them.
S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
one=$(mkcert_fpr "$S/one.pem")
two=$(mkcert_fpr "$S/two.pem")
PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
# conf KEY [EXTRA-KEYS [EXTRA-LISTENERS]]: the config binding KEY.
conf() {
	cat <<EOC
version = 1;
server = {
  listen = ( { endpoint = "*:$P"; backend = "127.0.0.1:$PB"; }$3 );
  workers = 1;
  shutdown_timeout = 2;
  $user
};
keys = (
  { name = "one"; key = "one.key"; cert = "one.pem"; },
  { name = "two"; key = "two.key"; cert = "two.pem"; }
$2);
bindings = ( { key = "$1"; endpoint = "*:*"; } );
EOC
}
# put_conf KEY [EXTRA]: puts it, trying again while the cluster elects a
# leader (after a member is killed): at most 10 times.
put_conf() {
	conf "$@" >"$T/conf.put"
	putconf_file "$T/conf.put"
}
putconf_file() {
	i=0
	while [ $i -lt 10 ]; do
		ctl put --command-timeout=3s "$PFX/config" <"$1" \
		    >/dev/null 2>&1 && return 0
		sleep 0.5; i=$((i + 1))
	done
	t_fail "put of $PFX/config" "$(tail -n 3 "$T"/m*.log)"
	return 1
}

for m in 1 2 3; do start_member $m; done
if ! healthy 1 2 3; then
	t_fail "a three-member cluster starts" "$(tail -n 5 "$T"/m*.log)"
	t_done
	exit 1
fi
t_pass "a three-member cluster on 127.0.0.1:$(cport 1)-$(cport 3) is healthy"

# -a without etcd: a file config's "*:PORT" listener binds the address.
P2=$(srv_port)
conf one | sed "s/\*:$P/*:$P2/" >"$S/certbind.conf"
: >"$T/a.log"
"$CERTBINDD" -f -c "$S/certbind.conf" -a 127.0.0.4 2>>"$T/a.log" &
apid=$!
srv_pids="$srv_pids $apid"
i=0
while ! grep -q ' ready: ' "$T/a.log" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
t_is "-a 127.0.0.4 on a file config: served there" \
    "$(srv_fpr 127.0.0.4 "$P2")" "$one"
t_is "and not on 127.0.0.5 (not bound on every address)" \
    "$(srv_fpr 127.0.0.5 "$P2")" refused
kill -TERM "$apid"
wait "$apid" 2>/dev/null
"$CERTBINDD" -f -c "$S/certbind.conf" -a nosuch >"$T/a2.out" 2>&1
t_is "-a with something that is not an address exits 2" "$?" 2
"$CERTBINDD" -f -c "$S/certbind.conf" -n n1 >"$T/a3.out" 2>&1
t_is "-n without an etcd location exits 2" "$?" 2

# Unreachable at start: exit 2 naming the endpoints tried.
"$CERTBINDD" -f -c "etcd://127.0.0.1:$((base + 9))$PFX" -n nx \
    >"$T/nx.out" 2>&1
t_is "certbindd on an etcd nobody answers exits 2" "$?" 2
t_match "and names the endpoint it tried" "$(cat "$T/nx.out")" \
    "127\\.0\\.0\\.1:$((base + 9))"
"$CERTBINDD" -f -c "$LOC" -n 'bad/name' >"$T/nb.out" 2>&1
t_is "a bad node name is refused (exit 2)" "$?" 2

# Upload the store as the location says: PREFIX/config, PREFIX/files/.
for f in one.key one.pem two.key two.pem; do
	ctl put "$PFX/files/$f" <"$S/$f" >/dev/null ||
	    t_fail "etcdctl put $f"
done
put_conf one
"$CERTBINDD" -t -c "$LOC" >"$T/t.out" 2>&1
t_is "-t on the etcd location exits 0" "$?" 0
t_match "-t names the location" "$(cat "$T/t.out")" "$PFX is good: 1 listener"

start_node 1 || t_fail "node n1 starts" "$(cat "$T/n1.log")"
start_node 2 || t_fail "node n2 starts" "$(cat "$T/n2.log")"
t_is "n1 (127.0.0.2) serves one" "$(fpr 1)" "$one"
t_is "n2 (127.0.0.3) serves one" "$(fpr 2)" "$one"
"$CERTBINDD" -f -c "$LOC" -n n1 -a 127.0.0.4 >"$T/dup.out" 2>&1
t_is "a second n1 on this host is refused" "$?" 1
t_match "naming the node that runs" "$(cat "$T/dup.out")" \
    "already runs on etcd://.* node n1"
rev=$(config_rev)
t_ok "n1's record: the revision it serves" record_is 1 revision "$rev"
t_ok "n2's record too" record_is 2 revision "$rev"
t_is "n1's record has its address" "$(record 1 address)" 127.0.0.2
t_is "n2's record has its pid" "$(record 2 pid)" "$(cat "$T/n2.pid")"
if [ -n "$user" ]; then
	t_is "n1 runs as nobody" \
	    "$(ps -o user= -p "$(cat "$T/n1.pid")" | tr -d ' ')" nobody
	t_is "its checkout directory is nobody's" \
	    "$(stat -c %U "$CERTBIND_RUNDIR"/certbind-etcd.* | sort -u)" nobody
else
	t_skip "privileges dropped to nobody" "not root, or no user nobody"
fi

# An edit: rebind to the other key.
put_conf two
t_serves "the edit reaches n1" 1 "$two"
t_serves "the edit reaches n2" 2 "$two"
rev=$(config_rev)
t_ok "n1's record says the new revision" record_is 1 revision "$rev"
t_ok "n2's record says the new revision" record_is 2 revision "$rev"

# SIGHUP: reads the latest revision (nothing new) and reloads.
kill -HUP "$(cat "$T/n1.pid")"
t_ok "SIGHUP reloads n1 from the latest revision" \
    node_wait_log 1 1 "SIGHUP: revision $rev: reloading" 10
t_is "n1 still serves two" "$(fpr 1)" "$two"

# An edit through certbind itself: a push, one etcd transaction.
"$CERTBIND" -c "$LOC" rebind two one >"$T/rebind.out" 2>&1
t_is "certbind -c etcd://... rebind two one exits 0" "$?" 0 \
    "$(cat "$T/rebind.out")"
t_serves "certbind's edit reaches n1" 1 "$one"
t_serves "and n2" 2 "$one"
put_conf two
t_serves "a put back to two reaches n1" 1 "$two"
t_serves "and n2" 2 "$two"
rev=$(config_rev)

# A revision that adds a listener: bound on each node's address (by the
# node itself when it runs as nobody: the keeper binds only the
# listeners of the config it started with, and never reads a checkout).
P3=$(srv_port)
put_conf two '' ", { endpoint = \"*:$P3\"; backend = \"127.0.0.1:$PB\"; }"
if serves 1 "$two" && node_wait_log 1 1 'on 2 listeners' 15; then
	t_is "n1 serves the new listener on 127.0.0.2:$P3" \
	    "$(srv_fpr 127.0.0.2 "$P3")" "$two"
else
	t_fail "n1 loads the revision with a second listener" \
	    "$(grep -v ' access ' "$T/n1.log" | tail -n 8)"
fi
node_wait_log 2 1 'on 2 listeners' 15
t_is "n2 serves it on 127.0.0.3:$P3" "$(srv_fpr 127.0.0.3 "$P3")" "$two"
put_conf two
node_wait_log 1 1 'serving generation [0-9]+ on 1 listeners' 15
rev=$(config_rev)
t_ok "n1's record follows" record_is 1 revision "$rev"
t_ok "n2's record follows" record_is 2 revision "$rev"

# Writes under nodes/ and locks/ are no content change.
n=$(grep -c 'reloading' "$T/n1.log")
ctl put "$PFX/locks/x" y >/dev/null
ctl del "$PFX/locks/x" >/dev/null
sleep 1
t_is "a write under locks/ reloads nothing" \
    "$(grep -c 'reloading' "$T/n1.log")" "$n"

# Bad revisions: refused by both, which keep serving.
printf 'version = 1;\ngarbage = (\n' >"$T/bad.conf"
putconf_file "$T/bad.conf"
bad=$(config_rev)
t_ok "n1 refuses the unparsable revision" \
    node_wait_log 1 1 "revision $bad refused: " 15
t_ok "n2 too" node_wait_log 2 1 "revision $bad refused: " 15
t_is "n1 still serves two" "$(fpr 1)" "$two"
t_is "n2 still serves two" "$(fpr 2)" "$two"
t_ok "n1's record: refused_revision" record_is 1 refused_revision "$bad"
t_ok "n2's record: refused_revision" record_is 2 refused_revision "$bad"
t_is "n1's record still says the revision it serves" \
    "$(record 1 revision)" "$rev"
t_match "n2's record says why" "$(record 2 refused)" '.'
put_conf one '  , { name = "three"; key = "three.key"; cert = "three.pem"; }
'
bad=$(config_rev)
t_ok "n1 refuses a revision naming a missing file" \
    node_wait_log 1 1 "revision $bad refused: " 15
t_ok "n2 too" node_wait_log 2 1 "revision $bad refused: " 15
t_is "n1 still serves two" "$(fpr 1)" "$two"
t_ok "n2's record: refused_revision" record_is 2 refused_revision "$bad"
put_conf one
t_serves "a good edit after them reaches n1" 1 "$one"
t_serves "and n2" 2 "$one"
t_ok "n1's record has no refusal any more" record_is 1 refused_revision ""

# One member killed: edits and the watch go on.
stop_member 1 KILL
put_conf two
t_serves "with m1 killed, the edit reaches n1" 1 "$two"
t_serves "and n2" 2 "$two"
start_member 1
healthy 1 2 3 || t_fail "m1 rejoins" "$(tail -n 5 "$T/m1.log")"

# All members killed: the nodes keep serving; then catch up.
for m in 1 2 3; do stop_member $m KILL; done
sleep 2
t_is "etcd down: n1 still serves" "$(fpr 1)" "$two"
t_is "etcd down: n2 still serves" "$(fpr 2)" "$two"
t_ok "n1 says the watch failed" \
    node_wait_log 1 1 'watch failed|etcd is unreachable' 15
t_ok "n1 is still running" kill -0 "$(cat "$T/n1.pid")"
for m in 1 2 3; do start_member $m; done
if ! healthy 1 2 3; then
	t_fail "the cluster restarts" "$(tail -n 5 "$T"/m*.log)"
fi
put_conf one
t_serves "an edit after etcd returned reaches n1" 1 "$one"
t_serves "and n2" 2 "$one"
rev=$(config_rev)
t_ok "n1's record is back with the revision" record_is 1 revision "$rev"
t_ok "n2's record too" record_is 2 revision "$rev"
keys=$(ctl get --prefix --keys-only "$PFX/nodes/" | grep -c .)
t_is "two records under nodes/" "$keys" 2

# The watch's history compacted before n1 could read it: n1 stopped
# (SIGSTOP) while the cluster is killed and restarted under it and an
# edit and a compaction are made; when n1 continues, its watch resumes
# from a compacted revision, and n1 refreshes at the latest instead.
kill -STOP "$(cat "$T/n1.pid")"
for m in 1 2 3; do stop_member $m KILL; done
for m in 1 2 3; do start_member $m; done
healthy 1 2 3 || t_fail "the cluster restarts" "$(tail -n 5 "$T"/m*.log)"
put_conf two
rev=$(config_rev)
# Past the edit, so that the watch's next revision is compacted too.
ctl put "$PFX/locks/later" x >/dev/null
srev=$(ctl get "$PFX/config" -w json | $PY -c 'import json, sys
print(json.load(sys.stdin)["header"]["revision"])')
ctl compact "$srev" >/dev/null 2>&1 || t_fail "etcdctl compact $srev"
kill -CONT "$(cat "$T/n1.pid")"
if node_wait_log 1 1 'was compacted' 20; then
	t_pass "n1's watch finds its revision compacted"
else
	t_fail "n1's watch finds its revision compacted" \
	    "$(grep -v ' access ' "$T/n1.log" | tail -n 12)"
fi
t_serves "n1 serves the edit made meanwhile" 1 "$two"
t_serves "and n2" 2 "$two"
t_ok "n1's record says the revision" record_is 1 revision "$rev"
t_ok "n2's record too" record_is 2 revision "$rev"

# The lease revoked under n1 (its record goes): within a renewal (a
# third of the 10 s TTL) n1 takes a new lease and puts its record again.
lease_of() {
	ctl get "$PFX/nodes/n$1" -w json | $PY -c 'import json, sys
kvs = json.load(sys.stdin).get("kvs") or [{"lease": 0}]
print("%x" % kvs[0]["lease"])'
}
lease=$(lease_of 1)
ctl lease revoke "$lease" >/dev/null
t_ok "n1 registers again" node_wait_log 1 1 'lease expired: registering anew' 10
t_ok "its record is back" record_is 1 revision "$rev"
t_nomatch "on a new lease" "$(lease_of 1)" "^$lease\$"

# certbind probe --fleet with the real nodes: both current, each probed
# on its address; n2 held behind (SIGSTOP) through an edit is flagged
# node-behind, and what it serves is not the fleet's key; once it runs
# again it catches up and the fleet is current.
cb -c "$LOC" probe --fleet
t_is "probe --fleet: both nodes current, exit 0" "$rc" 0 "$out $err"
t_match "n1 is listed at its address, current" "$out" \
    "^node n1 address 127\.0\.0\.2 revision $rev .*: current$"
t_match "n2 too" "$out" "^node n2 address 127\.0\.0\.3 revision $rev .*: current$"
t_match "each is probed where it listens" "$out" \
    "^  serves what the config says \(1 probe on 1 listener\)$"
kill -STOP "$(cat "$T/n2.pid")"
put_conf one
held=$(config_rev)
t_serves "with n2 held, the edit reaches n1" 1 "$one"
t_ok "n1's record says it" record_is 1 revision "$held"
cb -c "$LOC" probe --fleet
t_is "probe --fleet with n2 held behind: exit 1" "$rc" 1 "$out $err"
t_match "n2 is node-behind, serving the revision before" "$out" \
    "^node n2 address 127\.0\.0\.3 revision $rev .*: node-behind: [0-9]+ revisions? behind the fleet's $held, serving revision $rev since "
t_match "a held node does not answer its probe" "$out" \
    "^  error unserved-listener 127\.0\.0\.3:$P: "
t_match "n1 is current" "$out" "^node n1 address 127\.0\.0\.2 revision $held .*: current$"
kill -CONT "$(cat "$T/n2.pid")"
t_serves "n2, running again, catches up" 2 "$one"
t_ok "its record says the fleet's revision" record_is 2 revision "$held"
cb -c "$LOC" probe --fleet
t_is "probe --fleet: current again, exit 0" "$rc" 0 "$out $err"
rev=$held

# A node stopped: its record goes with its lease.
stop_node 2
t_ok "n2's record is gone" record_is 2 revision ""
t_match "n2 said it unregistered" "$(cat "$T/n2.log")" 'unregistered'
t_is "n1 still has its record" "$(record 1 revision)" "$rev"
stop_node 1
t_ok "n1's record is gone" record_is 1 revision ""
for n in 1 2; do
	t_nomatch "n$n's log has no sanitizer report" "$(cat "$T/n$n.log")" \
	    'Sanitizer|runtime error'
done
t_done
