#!/bin/sh
# op/etcd.h against a real three-member etcd cluster on 127.0.0.1, started
# here with its own data dirs in $T: reads at a revision, transactions and
# their losers, concurrent writers, leases, the lease lock, the watch
# (order, a member killed under it, compaction) and all members down.
# tests/fleet/etcd_drive.c exposes each call; etcdctl cross-checks.
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/etcdlib.sh"
fleet_need 7
fleet_cluster
d() { "$drive" -e "$EP" -t 2000 "$@"; }

# put, get, range at a revision
r1=$(d put /cb/a one | sed -n 's/^revision //p')
r2=$(d put /cb/a two | sed -n 's/^revision //p')
d put /cb/b bee >/dev/null
t_is "a put returns the next revision" "$r2" "$((r1 + 1))"
out=$(d get /cb/a)
t_match "get gives the latest value with its revisions" "$out" \
    "^/cb/a two create=$r1 mod=$r2 version=2 lease=0$"
t_is "etcdctl agrees" "$(ctl get --print-value-only /cb/a)" "two"
out=$(d get /cb/a "$r1")
t_match "get at an older revision gives the old value" "$out" \
    "^/cb/a one create=$r1 mod=$r1 version=1"
out=$(d range /cb/)
t_is "range of a prefix lists its keys in order" \
    "$(printf '%s\n' "$out" | sed -n 's/ .*//p' | grep '^/cb/' | tr '\n' ' ')" \
    "/cb/a /cb/b "
out=$(d range /cb/ "$r2")
t_is "range at a revision before a key was made omits it" \
    "$(printf '%s\n' "$out" | grep -c '^/cb/')" 1
out=$(d get /cb/none)
t_is "a missing key is an empty answer, not an error" \
    "$(printf '%s\n' "$out" | grep -c '^/')" 0

# transactions
out=$(d txn "/cb/a=$r2" "/cb/new=0" -- put:/cb/a=three put:/cb/new=x)
t_match "a txn whose revisions hold succeeds" "$out" "^succeeded revision"
wrev=$(d get /cb/a | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
out=$(d txn "/cb/a=$r2" -- put:/cb/a=stale); rc=$?
t_is "a txn on a stale revision is refused (exit 1)" "$rc" 1
t_match "the refusal names the winner's revision" "$out" \
    "^lost /cb/a mod=$wrev "
t_is "the refused txn wrote nothing" "$(ctl get --print-value-only /cb/a)" \
    "three"
out=$(d txn "/cb/new=0" -- put:/cb/new=y); rc=$?
t_match "'absent' (0) fails on a present key and names its revision" \
    "$rc $out" "^1 lost /cb/new mod=$wrev "

# a member that takes the connection and never answers: a read times out
# there and is served by the next; a write is not sent twice, and says so
hung=$((base + 6))
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
time.sleep(60)' "$hung" &
hpid=$!
stop_hung() { kill "$hpid" 2>/dev/null; }
t_at_exit stop_hung
i=0
while fleet_port_free "$hung" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(date +%s)
out=$("$drive" -e "127.0.0.1:$hung,$EP" -t 1000 get /cb/a 2>&1); rc=$?
t1=$(date +%s)
t_match "a read fails over from a silent member to the next" "$rc $out" \
    "^0 revision"
t_ok "after about the request timeout (1 s)" test $((t1 - t0)) -le 4
out=$("$drive" -e "127.0.0.1:$hung,$EP" -t 1000 put /cb/h x 2>&1); rc=$?
t_match "a write to a silent member is not sent on: it may have been applied" \
    "$rc $out" "^2 .*etcd at http://127.0.0.1:$hung did not answer .*may have been applied"
t_is "and the next member did not get it" \
    "$(ctl get --print-value-only /cb/h)" ""
stop_hung

# two concurrent writers on one revision: exactly one wins
base_rev=$(d get /cb/race 2>/dev/null | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
d put /cb/race start >/dev/null
base_rev=$(d get /cb/race | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
wins=0 losses=0
for round in 1 2 3 4 5; do
	base_rev=$(d get /cb/race | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
	d txn "/cb/race=$base_rev" -- "put:/cb/race=A$round" >"$T/wa" 2>&1 &
	pa=$!
	"$drive" -e "127.0.0.1:$(cport 2),127.0.0.1:$(cport 3)" txn \
	    "/cb/race=$base_rev" -- "put:/cb/race=B$round" >"$T/wb" 2>&1 &
	pb=$!
	wait $pa; ra=$?
	wait $pb; rb=$?
	case "$ra$rb" in
	01|10) wins=$((wins + 1)) ;;
	*) echo "# round $round: exits $ra $rb: $(cat "$T/wa" "$T/wb")" ;;
	esac
	v=$(ctl get --print-value-only /cb/race)
	if [ "$ra" = 0 ] && [ "$v" != "A$round" ]; then losses=$((losses + 1)); fi
	if [ "$rb" = 0 ] && [ "$v" != "B$round" ]; then losses=$((losses + 1)); fi
done
t_is "two concurrent writers: exactly one wins, 5 rounds out of 5" "$wins" 5
t_is "and the stored value is the winner's" "$losses" 0

# leases
lease=$(d grant 2 | cut -d' ' -f1)
t_match "a lease is granted" "$lease" '^[0-9]+$'
d put /cb/eph here "$lease" >/dev/null
t_is "a key on a lease is there" "$(ctl get --print-value-only /cb/eph)" here
t_match "keepalive renews it" "$(d keepalive "$lease")" '^ttl [1-9]'
i=0
while [ $i -lt 40 ] && [ -n "$(ctl get --print-value-only /cb/eph)" ]; do
	sleep 0.25; i=$((i + 1))
done
t_is "when the lease expires its key is gone" \
    "$(ctl get --print-value-only /cb/eph)" ""
t_is "keepalive of an expired lease says ttl 0" "$(d keepalive "$lease")" \
    "ttl 0"

# the lock
la=$(d grant 30 | cut -d' ' -f1)
lb=$(d grant 30 | cut -d' ' -f1)
out=$(d lock /cb renew node-a "$la"); rc=$?
t_is "the first taker gets the lock" "$rc" 0
lrev=$(printf '%s\n' "$out" | sed -n 's/^acquired revision //p')
out=$(d lock /cb renew node-b "$lb"); rc=$?
t_is "a second taker is refused" "$rc" 1
t_match "and told who holds it" "$out" "^held by node-a since $lrev$"
t_is "the lock is the key PREFIX/locks/NAME" \
    "$(ctl get --print-value-only /cb/locks/renew)" "node-a"
d revoke "$la"
out=$(d lock /cb renew node-b "$lb"); rc=$?
t_is "revoking the holder's lease frees the lock" "$rc" 0
lrev=$(printf '%s\n' "$out" | sed -n 's/^acquired revision //p')
t_ok "its holder releases it" d unlock /cb renew "$lrev"
lc=$(d grant 2 | cut -d' ' -f1)
d lock /cb renew node-c "$lc" >/dev/null
ld=$(d grant 30 | cut -d' ' -f1)
out=$(d lock /cb renew node-d "$ld"); rc=$?
t_is "held by a short lease, the lock is refused" "$rc" 1
got=1 i=0
while [ $i -lt 40 ]; do
	d lock /cb renew node-d "$ld" >/dev/null 2>&1; got=$?
	[ $got -eq 0 ] && break
	sleep 0.25; i=$((i + 1))
done
t_is "and taken once that lease expires" "$got" 0
d revoke "$ld"

# a watch sees N puts in order
start=$(($(d put /w/0 zero | sed -n 's/^revision //p') + 1))
d watch /w/ "$start" 5 10000 >"$T/w1" 2>"$T/w1.err" &
wp=$!
for k in 1 2 3 4 5; do d put "/w/$k" "v$k" >/dev/null; done
wait $wp; rc=$?
t_is "a watch sees 5 puts in order" \
    "$rc $(grep -c '^PUT' "$T/w1") $(sed -n 's/^PUT \([^ ]*\) .*/\1/p' "$T/w1" | tr '\n' ' ')" \
    "0 5 /w/1 /w/2 /w/3 /w/4 /w/5 " "$(cat "$T/w1.err")"
mods=$(sed -n 's/.* mod=//p' "$T/w1" | tr '\n' ' ')
t_is "with consecutive mod revisions from the start" "$mods" \
    "$start $((start + 1)) $((start + 2)) $((start + 3)) $((start + 4)) "

# the callback may use the client while the watch streams
start=$(($(d put /r/0 zero | sed -n 's/^revision //p') + 1))
ETCD_DRIVE_READ=1 d watch /r/ "$start" 3 10000 >"$T/wr" 2>"$T/wr.err" &
wp=$!
for k in 1 2 3; do d put "/r/$k" "r$k" >/dev/null; done
wait $wp; rc=$?
t_is "a watch's callback reads each key through the same client" \
    "$rc $(grep '^read' "$T/wr" | tr '\n' ' ')" "0 read r1 read r2 read r3 " \
    "$(cat "$T/wr.err" "$T/wr")"

# a watch survives killing the member it is connected to
start=$(($(d put /k/0 zero | sed -n 's/^revision //p') + 1))
d watch /k/ "$start" 20 30000 >"$T/w2" 2>"$T/w2.err" &
wp=$!
i=0
while [ $i -lt 50 ] && ! grep -q connected "$T/w2.err"; do
	sleep 0.1; i=$((i + 1))
done
victim=$(sed -n 's/^connected http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' \
    "$T/w2.err" | head -n 1)
vm=$((victim - base + 1))
others=""
for m in 1 2 3; do [ $m -ne $vm ] && others="$others,127.0.0.1:$(cport $m)"; done
others=${others#,}
for k in 1 2 3 4 5 6 7 8 9 10; do d put "/k/$k" "v$k" >/dev/null; done
# Wait until the watch has seen those, then kill its member.
i=0
while [ $i -lt 50 ] && [ "$(grep -c '^PUT' "$T/w2")" -lt 10 ]; do
	sleep 0.1; i=$((i + 1))
done
stop_member "$vm" KILL
# Killing the leader holds writes until the others elect one: retry
# (bounded), since a refused write was not applied.
for k in 11 12 13 14 15 16 17 18 19 20; do
	i=0
	until "$drive" -e "$others" put "/k/$k" "v$k" >/dev/null 2>"$T/put.err"
	do
		i=$((i + 1))
		[ $i -ge 20 ] && { echo "# put /k/$k: $(cat "$T/put.err")"; break; }
		sleep 0.5
	done
done
wait $wp; rc=$?
t_is "the watch ends with all 20 events after its member ($vm) was killed" \
    "$rc $(grep -c '^PUT' "$T/w2")" "0 20" "$(cat "$T/w2.err" "$T/w2")"
t_is "no gap, no duplicate: keys 1..20 once each, in order" \
    "$(sed -n 's/^PUT \/k\/\([0-9]*\) .*/\1/p' "$T/w2" | tr '\n' ' ')" \
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 "
first=$(sed -n 's/.* mod=//p' "$T/w2" | head -n 1)
t_is "and their mod revisions are consecutive" \
    "$(sed -n 's/.* mod=//p' "$T/w2" | tr '\n' ' ')" \
    "$(seq "$first" $((first + 19)) | tr '\n' ' ')"
t_match "it reconnected to another member" "$(tail -n 1 "$T/w2")" \
    "reconnects [1-9]"
t_is "the watch reconnected to a live member" \
    "$(grep -c '^connected' "$T/w2.err")" 2
start_member "$vm"
healthy 1 2 3 || t_fail "the killed member rejoins" "$(tail -n 5 "$T/m$vm.log")"

# a member that loses its leader ends the watch (require-leader) instead
# of leaving it silent: here the only endpoint given, so the watch fails
"$drive" -e "127.0.0.1:$(cport 1)" watch /p/ 0 1 30000 >"$T/w4" 2>"$T/w4.err" &
wp=$!
i=0
while [ $i -lt 50 ] && ! grep -q connected "$T/w4.err"; do
	sleep 0.1; i=$((i + 1))
done
t0=$(date +%s)
stop_member 2
stop_member 3
wait $wp; rc=$?
t1=$(date +%s)
t_is "a watch on a member that lost its leader ends (exit 2)" "$rc" 2 \
    "$(cat "$T/w4.err")"
t_ok "well before its 30 s timeout ($((t1 - t0)) s)" test $((t1 - t0)) -lt 20
start_member 2
start_member 3
healthy 1 2 3 || t_fail "members 2 and 3 rejoin" "$(tail -n 5 "$T/m2.log")"

# compaction is reported
old=$(d put /c/x 1 | sed -n 's/^revision //p')
d put /c/x 2 >/dev/null
now=$(d put /c/x 3 | sed -n 's/^revision //p')
ctl compact "$now" >/dev/null
out=$(d watch /c/ "$old" 5 5000 2>/dev/null); rc=$?
t_is "a watch from a compacted revision ends compacted (exit 3)" "$rc" 3
t_is "and reports the compact revision" "$out" "compacted $now"
out=$(d get /c/x "$old" 2>&1); rc=$?
t_match "a read at a compacted revision is an error saying so" "$rc $out" \
    "^2 .*compacted"

# a watch stops on time when nothing comes
t0=$(date +%s)
out=$(d watch /quiet/ 0 1 1500 2>/dev/null); rc=$?
t1=$(date +%s)
t_is "an idle watch stops at its timeout" "$rc $out" "0 stopped next $((now + 1)) reconnects 0"
t_ok "within about a second of it" test $((t1 - t0)) -le 3

# the stop flag: SIGTERM sets it; the watch ends within about a second
"$drive" -e "$EP" watch /quiet/ 0 1 0 >"$T/w3" 2>"$T/w3.err" &
wp=$!
i=0
while [ $i -lt 50 ] && ! grep -q connected "$T/w3.err"; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $wp
i=0
while kill -0 $wp 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $wp 2>/dev/null; then
	kill -KILL $wp
	t_fail "a watch without a timeout ends soon after its stop flag is set"
else
	t_pass "a watch without a timeout ends soon after its stop flag is set"
fi
wait $wp
t_match "and says it stopped" "$(cat "$T/w3" "$T/w3.err")" "^stopped next"

# all members down: a clear error naming them; then recovery
stop_all
out=$(d get /cb/a 2>&1); rc=$?
t_is "all members down: exit 2" "$rc" 2
t_match "the error names every endpoint tried" "$out" \
    "no etcd endpoint answered \(tried http://127.0.0.1:$(cport 1): .*; http://127.0.0.1:$(cport 2): .*; http://127.0.0.1:$(cport 3): "
out=$(d watch /cb/ 0 1 5000 2>&1); rc=$?
t_is "so does a watch: exit 2" "$rc" 2
t_match "naming the endpoints" "$out" \
    "no etcd endpoint would serve the watch \(tried http://127.0.0.1:$(cport 1): .*; http://127.0.0.1:$(cport 2): .*; http://127.0.0.1:$(cport 3): "
out=$(d put /cb/a x 2>&1); rc=$?
t_match "a write is refused too, naming the endpoints" "$rc $out" \
    "^2 .*no etcd endpoint answered"
for m in 1 2 3; do start_member $m; done
healthy 1 2 3
out=$(d get /cb/a); rc=$?
t_match "when they return, the data is back" "$rc $out" "three create="

# bad input
out=$("$drive" -e "127.0.0.1:x" get /a 2>&1); rc=$?
t_match "a bad endpoint is named" "$rc $out" "^2 .*endpoint '127.0.0.1:x' is not HOST:PORT"
out=$("$drive" -e "127.0.0.1:$(pport 1)" get /a 2>&1); rc=$?
t_match "a peer port that is not the gateway is a clear error" "$rc $out" \
    "^2 .*etcd at http://127.0.0.1:$(pport 1) "

stop_all
t_done
