#!/bin/sh
# The terminal UI's nodes window (n) on an etcd location, against a real
# three-member cluster with node records written here: each node with its
# revision and state, the one behind marked [BEHIND] in the warning
# colour, a refused revision with its reason, a bad record, a hostile
# record's strings escaped, g reading again, the help listing n; and n on
# a config file saying what it is for.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tmux.sh"
. "$top/tests/fleet/etcdlib.sh"
fleet_need 7
fleet_cluster
d() { "$drive" -e "$EP" -t 2000 "$@"; }
P=/cb/prod
rev() { sed -n 's/^revision //p'; }
now=$(date +%s)
lease=$(d grant 300 | cut -d' ' -f1)
node() { d put "$P/nodes/$1" "$2" "$lease" >/dev/null; }

r1=$(d put "$P/config" 'version = 1;' | rev)
r2=$(d put "$P/files/notes.txt" 'two' | rev)
node web1 "{\"address\":\"127.0.0.21\",\"revision\":$r1,\"loaded\":$((now - 600))}"
node web2 "{\"address\":\"127.0.0.22\",\"revision\":$r2,\"loaded\":$now}"
node web3 "{\"address\":null,\"revision\":$r1,\"loaded\":$now,\"refused_revision\":$r2,\"refused\":\"certbind.conf line 1: syntax error\"}"
node evil "{\"address\":\"x\\u001b[2Jy\",\"revision\":$r2,\"loaded\":$now}"
d put "$P/nodes/broken" 'not json' "$lease" >/dev/null

tm_start 100 30 -- -c "etcd://$EP$P"
if ! tm_ready; then
	t_fail "the UI opens the etcd location" "$(tm_screen)"
	t_done
	exit 1
fi
t_pass "the UI opens the etcd location"
# No keys yet: the first question is the walkthrough's; n declines it.
no_walkthrough() {
	tm_wait "There are no keys yet" && tm_keys n && tm_gone "Confirm"
}
no_walkthrough
tm_keys n
t_ok "n opens the nodes" tm_wait "Fleet nodes"
scr=$(tm_screen)
t_match "the fleet's content revision" "$scr" \
    "content revision $r2, read at revision [0-9]+: 4 nodes"
t_match "a current node with its revision" "$scr" \
    "web2 +127\.0\.0\.22 +$r2  [0-9-]+ [0-9:]+ \(.*\) +current"
t_match "the node behind marked, by how many" "$scr" \
    "web1 +127\.0\.0\.21 +$r1  [0-9-]+ [0-9:]+ \(10m\) +\[BEHIND\] $((r2 - r1)) revs?"
t_match "the refusing node, behind too" "$scr" "web3 +- +$r1 .*\[BEHIND\]"
t_match "its refused revision and why" "$scr" \
    "\[REFUSED\] revision $r2: certbind\.conf line 1: syntax error"
t_match "the bad record" "$scr" "\[BAD\] broken: the record is not JSON"
t_match "the hostile address escaped" "$scr" 'evil +x\\x1B\[2Jy'
t_match "the summary" "$scr" "2 behind, 1 refusing a revision, 1 bad record"
t_match "the hint line says the window's keys" "$scr" "g:read again .*q:close"

# The colours: the behind row in yellow (warning), the refusal in red.
col=$(tm capture-pane -p -e)
t_match "the behind node is drawn in the warning colour" \
    "$(printf '%s\n' "$col" | grep 'web1')" "$(printf '\033')\[(33|38;5;3|93)m"
t_match "the refusal in the error colour" \
    "$(printf '%s\n' "$col" | grep 'REFUSED')" "$(printf '\033')\[(31|38;5;1|91)m"

# g reads again: web1 catches up.
node web1 "{\"address\":\"127.0.0.21\",\"revision\":$r2,\"loaded\":$now}"
tm_keys g
t_ok "g reads again" tm_wait "1 behind, 1 refusing"
t_match "web1 is current now" "$(tm_screen)" "web1 .* current"
tm_keys q
t_ok "q closes the nodes" tm_gone "Fleet nodes"

tm_keys '?'
tm_wait "Keys"
t_match "the help lists n" "$(tm_screen)" "n +a fleet's nodes"
tm_keys q

# No node at all.
d revoke "$lease" >/dev/null
tm_keys n
t_ok "no node registered is said" tm_wait "No node is registered under $P/nodes/"
tm_keys q
tm_gone "Fleet nodes" >/dev/null
tm_keys q
t_ok "the UI quits cleanly (exit 0; under valgrind: no error)" \
    tm_wait "certbind-exit=0"

# A config file: n says what it is for.
mkdir -p "$T/s"
$CERTBIND -c "$T/s/certbind.conf" init >/dev/null 2>&1
tm_start 100 30 -- -c "$T/s/certbind.conf"
tm_ready
no_walkthrough
tm_keys n
t_ok "on a file, n says it is for an etcd location" \
    tm_wait "n shows the nodes of a fleet: open an etcd"
tm_keys q
t_ok "and quits cleanly" tm_wait "certbind-exit=0"

t_done
