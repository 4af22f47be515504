#!/bin/sh
# Config locations in etcd (op/location.h) against a real three-member
# cluster: every command works on etcd://EP/PREFIX as on a file; a write
# is one transaction that a concurrent writer makes refuse, naming the
# winner; rollback works through revisions, files included; a revision
# that does not parse or names a missing file is said by check; etcd
# unreachable is exit 2 naming the endpoints; the UI's commit is refused,
# nothing claimed, when etcd goes away under it.
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/etcdlib.sh"
fleet_need 8
fleet_cluster
port=$((base + 7))
L="etcd://$EP/site/a"
# The checkouts go here, so the test sees that none is left behind.
CERTBIND_RUNDIR="$T/run"
export CERTBIND_RUNDIR
mkdir -p "$CERTBIND_RUNDIR"
no_checkout_left() {
	[ -z "$(ls -A "$CERTBIND_RUNDIR")" ]
}

cb -c "$L" list
t_is "list before init: cannot run" "$rc" 2 "$err"
t_match "it says how to begin, with the etcd location" "$err" \
    "make one with 'certbind -c etcd://.*/site/a init'"

cb -c "$L" init
t_is "init on etcd" "$rc" 0 "$err"
t_match "init names the location and the revision" "$err" \
    "created the config in etcd://.*/site/a at revision [0-9]+"
t_match "PREFIX/config is in etcd" "$(ctl get --print-value-only /site/a/config)" \
    '^version = 1;'
cb -c "$L" init
t_is "init again is refused" "$rc" 1 "$err"

cb -c "$L" selfsign www --cn www.example.com
t_is "selfsign on etcd" "$rc" 0 "$err"
t_match "its messages name etcd keys, not the checkout" "$err" \
    "key etcd://.*/site/a/files/keys/www\.key"
t_nomatch "and never the checkout directory" "$err" "$CERTBIND_RUNDIR"
cb -c "$L" selfsign api --cn api.example.com
cb -c "$L" bind www "*:$port"
cb -c "$L" bind api "*:$port" --sni api.example.com
cb -c "$L" listen "*:$port" --backend 127.0.0.1:9
t_is "bind and listen on etcd" "$rc" 0 "$err"
keys=$(ctl get --prefix --keys-only /site/a/files/ | grep .)
t_is "every file the config names is under PREFIX/files/" "$keys" \
    "$(printf '%s\n' /site/a/files/certs/api.pem /site/a/files/certs/www.pem \
    /site/a/files/keys/api.key /site/a/files/keys/www.key)"
t_match "a key file is the private key" \
    "$(ctl get --print-value-only /site/a/files/keys/www.key)" \
    'BEGIN PRIVATE KEY'
t_match "PREFIX/commit says who wrote the last revision and when" \
    "$(ctl get --print-value-only /site/a/commit)" \
    '^20[0-9-]+T[0-9:]+Z by [^@]+@.+ \(certbind, pid [0-9]+\)$'
t_ok "no checkout is left behind" no_checkout_left

cb -c "$L" resolve "127.0.0.1:$port" --sni api.example.com
t_match "resolve reads the etcd config" "$out" "^api "
cb -c "$L" resolve "127.0.0.1:$port"
t_match "resolve without sni: www" "$out" "^www "
cb -c "$L" check
t_is "check on etcd: no error" "$rc" 0 "$out$err"

# A file that etcd did not have: the checkout's key files are 0600.
cb -c "$L" list --json
t_match "list --json works on etcd" "$out" '"name": *"api"'

# Two writers at once: one wins, the others are refused, nothing lost.
rev0=$(ctl get /site/a/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')
round=0 raced=0 lost=0 won=0
while [ $round -lt 5 ] && [ $raced -eq 0 ]; do
	round=$((round + 1))
	pids=""
	for i in 1 2 3 4; do
		( $CERTBIND -c "$L" bind www "*:$port" --sni "r$round-$i.example.com" \
		    >/dev/null 2>"$T/w$i.err"; echo $? >"$T/w$i.rc" ) &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids	# the writers, not the etcd members
	for i in 1 2 3 4; do
		wrc=$(cat "$T/w$i.rc")
		present=0
		ctl get --print-value-only /site/a/config |
		    grep -q "r$round-$i\.example\.com" && present=1
		if [ "$wrc" = 0 ] && [ $present = 1 ]; then
			won=$((won + 1))
		elif [ "$wrc" = 1 ] && [ $present = 0 ] && grep -qE \
		    'refused: etcd://.*/site/a changed since it was read at revision [0-9]+: revision [0-9]+ was written 20[0-9-]+T[0-9:]+Z by .*\(certbind, pid [0-9]+\); it was not overwritten' \
		    "$T/w$i.err"; then
			raced=1 lost=$((lost + 1))
		else
			t_fail "writer $i of round $round: exit $wrc, in the config: $present" \
			    "$(cat "$T/w$i.err")"
		fi
	done
done
t_ok "concurrent writers raced (within 5 rounds of 4)" test $raced -eq 1
t_ok "each refused writer named the winner's revision; each winner's edit is there ($won won, $lost refused)" \
    test $((won + lost)) -eq $((round * 4))
rev1=$(ctl get /site/a/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')
t_ok "the winners wrote revisions after $rev0" test "$rev1" -gt "$rev0"

# rollback through revisions: remove api (its files leave etcd's keys/),
# then roll back: the config and api's files come back.
cb -c "$L" remove api --force
t_is "remove on etcd" "$rc" 0 "$err"
t_is "api's key left PREFIX/files/keys/" \
    "$(ctl get --keys-only /site/a/files/keys/api.key | grep -c .)" 0
t_match "its files moved to removed/ in etcd" \
    "$(ctl get --prefix --keys-only /site/a/files/removed/ | grep .)" \
    'removed/.*/api\.key'
cb -c "$L" rollback --list
t_match "rollback --list names revisions" "$out" '^1  revision [0-9]+ '
cb -c "$L" rollback --to 2
t_is "rollback on etcd" "$rc" 0 "$err"
t_match "it says the revision it wrote and the one restored" "$err" \
    'restored etcd://.*/site/a at revision [0-9]+ from the version before \(revision [0-9]+\)'
t_is "api's key is back in PREFIX/files/keys/" \
    "$(ctl get --keys-only /site/a/files/keys/api.key | grep -c .)" 1
cb -c "$L" resolve "127.0.0.1:$port" --sni api.example.com
t_match "and api serves its name again" "$out" "^api "
cb -c "$L" check
t_is "the rolled-back revision checks clean" "$rc" 0 "$out$err"

# A revision that names a missing file: check says which, in etcd's words.
ctl del /site/a/files/certs/www.pem >/dev/null
cb -c "$L" check
t_is "check: a missing file is an error" "$rc" 1 "$out"
t_match "named as the etcd key" "$out$err" \
    'etcd://.*/site/a/files/certs/www\.pem'
cb -c "$L" rollback
t_is "rollback after someone else's bad revision: refused, nothing to restore from here" "$rc" 0 "$err"

# A revision that does not parse.
ctl put /site/a/config 'this is not a config' >/dev/null
cb -c "$L" list
t_is "list on a config that does not parse: cannot run" "$rc" 2
t_match "the error names PREFIX/config and the line" "$err" \
    'etcd://.*/site/a/config:1: syntax error'
cb -c "$L" rollback --force
t_is "rollback restores the revision before" "$rc" 0 "$err"
cb -c "$L" list
t_is "and it loads again" "$rc" 0 "$err"

# Unreachable: exit 2, naming every endpoint tried.
dead="127.0.0.1:$((base + 9))"
cb -c "etcd://$dead,127.0.0.1:$((base + 8))/site/a" list
t_is "etcd unreachable: cannot run" "$rc" 2
t_match "the endpoints tried are named" "$err" \
    "no member answered \(http://$dead, http://127.0.0.1:$((base + 8))\)"
cb -c "etcd://$EP/../x" list
t_is "a bad prefix: cannot run" "$rc" 2
t_match "said plainly" "$err" 'the prefix must be'
t_ok "still no checkout left behind" no_checkout_left

# The UI on etcd: a proposal committed while every member is down is
# refused and nothing is claimed; committed once etcd is back, it lands.
if command -v tmux >/dev/null 2>&1; then
	. tests/tui/tmux.sh
	ctl get --print-value-only /site/a/config >"$T/new.conf"
	sed -i 's/"r[0-9]-[0-9]\.example\.com"/"ui.example.com"/' "$T/new.conf"
	grep -q ui.example.com "$T/new.conf" ||
	    t_fail "the proposal names ui.example.com" "$(cat "$T/new.conf")"
	before=$(ctl get /site/a/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')
	tm_start 100 30 "CERTBIND_RUNDIR=$CERTBIND_RUNDIR" -- -c "$L" \
	    --propose "$T/new.conf"
	tm_ready || t_fail "the UI starts on etcd" "$(tm_screen)"
	stop_all
	tm_keys c
	tm_wait "Write " >/dev/null && tm_keys y
	t_ok "the commit is refused while etcd is down" tm_wait "Not written"
	for m in 1 2 3; do start_member $m; done
	healthy 1 2 3 || t_fail "the cluster comes back" "$(tail -n 5 "$T"/m*.log)"
	after=$(ctl get /site/a/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')
	t_is "nothing was written to etcd" "$after" "$before"
	tm_keys c
	tm_wait "Write " >/dev/null && tm_keys y
	t_ok "committed once etcd is back" tm_wait "Written"
	t_match "etcd has the UI's change" \
	    "$(ctl get --print-value-only /site/a/config)" 'ui\.example\.com'
	tm_keys q
	tm_stop_wait
	t_ok "the UI's checkout is removed when it quits" no_checkout_left

	# A session cut with unsaved edits keeps them beside, not in, the
	# checkout (which goes), and the next session offers them back.
	sed -i 's/"ui\.example\.com"/"cut.example.com"/' "$T/new.conf"
	tm_start 100 30 "CERTBIND_RUNDIR=$CERTBIND_RUNDIR" -- -c "$L" \
	    --propose "$T/new.conf"
	tm_ready || t_fail "the UI starts again" "$(tm_screen)"
	kill -HUP "$(tm_pid)"
	tm_wait "certbind-exit=" >/dev/null
	rec="$CERTBIND_RUNDIR/certbind-etcd-site_a.recover"
	t_is "SIGHUP: the edits are kept in the run directory, mode 600" \
	    "$(stat -c %a "$rec" 2>/dev/null)" 600
	t_match "they hold the unsaved edit" "$(cat "$rec" 2>/dev/null)" \
	    'cut\.example\.com'
	t_is "the cut session's checkout is gone" \
	    "$(ls "$CERTBIND_RUNDIR" | grep -c '^certbind-etcd\.')" 0
	tm_start 100 30 "CERTBIND_RUNDIR=$CERTBIND_RUNDIR" -- -c "$L"
	t_ok "the next session offers them back" tm_wait "Unsaved edits"
	tm_keys n
	tm_keys q
	tm_stop_wait
	t_ok "n discards them" test ! -e "$rec"
else
	t_skip "the UI on etcd" "tmux is not installed"
fi

t_done
