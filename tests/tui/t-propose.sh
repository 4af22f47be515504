#!/bin/sh
# certbind -c CURRENT --propose NEW (issue 14): the key manager opens with
# NEW as the edited copy of CURRENT, the review shows the delta and the
# findings, and c applies it through the same commit; nothing is written
# before. The panes mark the rows the proposal adds ([NEW]) and changes
# ([CHANGED]), and their titles count what it removes. A proposal that does not load, or whose paths would mean other
# files once committed, is refused before the terminal is taken.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }
conf="$T/s/certbind.conf"
cp "$conf" "$T/before.conf"
# The proposal, beside it (the same store): the stale binding moved.
sed 's/{ key = "www"; endpoint = "127.0.0.2:8443"; }/{ key = "www"; endpoint = "127.0.0.3:8443"; }/' \
    "$conf" >"$T/s/proposal.conf"

# A second proposal marks the panes' rows: it also adds a key (www2),
# changes a key (a note on api), a listener (127.0.0.4:9443's backend)
# and a binding (a note on api's), and removes a key (new-2027).
cat >"$T/s/marks.conf" <<'CONF'
version = 1;
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; },
    { endpoint = "127.0.0.4:9443"; backend = "127.0.0.1:8082"; }
  );
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "api"; key = "api.key"; cert = "api.pem"; note = "renewed"; },
  { name = "www2"; key = "www.key"; cert = "www.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.3:8443"; },
  { key = "api"; endpoint = "127.0.0.4:9443"; sni = "api.example.com";
    note = "kept"; },
  { key = "www"; endpoint = "*:*"; }
);
CONF
tm_start 120 40 -- -c "$conf" --propose "$T/s/marks.conf"
if tm_ready && tm_wait "Proposal"; then
	scr=$(tm_screen)
	lis=$(printf '%s\n' "$scr" | sed -n '/│Listeners/,/│Bindings/p')
	bin=$(printf '%s\n' "$scr" | sed -n '/│Bindings/,$p')
	t_match "keys: www2 is [NEW]" "$scr" '^│[> ]www2 +\[NEW\] ok '
	t_match "keys: api is [CHANGED]" "$scr" '^│[> ]api +\[CHANGED\] ok '
	t_match "keys: www is not marked" "$scr" '^│[> ]www +ok '
	t_match "keys: the title counts the removed key" "$scr" \
	    'Keys \(3; the proposal removes 1\)'
	t_match "endpoints: the moved binding is [NEW]" "$bin" \
	    '^│ 127\.0\.0\.3:8443 +- +www +\[NEW\]'
	t_match "endpoints: api's binding is [CHANGED]" "$bin" \
	    '^│ 127\.0\.0\.4:9443 +api\.example\.com +api +\[CHANGED\]'
	t_match "endpoints: the *:* binding is not marked" "$bin" \
	    '^│ \*:\* +- +www +\[DEFAULT\]'
	t_match "endpoints: the listener 127.0.0.4:9443 is [CHANGED]" "$lis" \
	    '^│[> ]127\.0\.0\.4:9443 +- +www +\[CHANGED\]'
	t_match "endpoints: the listener 127.0.0.3:8443 is not marked" "$lis" \
	    '^│[> ]127\.0\.0\.3:8443 +- +www +address:port'
	t_nomatch "details: www, unchanged, has no Proposal line" "$scr" \
	    '│ Proposal '
	tm_keys Down
	t_ok "details: api's Proposal line names the note" \
	    tm_wait "Proposal  changes note"
	tm_keys Down
	t_ok "details: www2's says the proposal adds it" \
	    tm_wait "Proposal  adds this key"
	t_match "endpoints: the title counts the removed binding" "$scr" \
	    'the proposal removes 0 listeners, 1 binding'
else
	t_fail "the UI starts with the marking proposal" "$(tm_screen)"
fi
tm_stop
t_ok "nothing is written by looking" cmp -s "$conf" "$T/before.conf"

tm_start 100 30 -- -c "$conf" --propose "$T/s/proposal.conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
t_ok "it says a proposal is open and what to press" \
    tm_wait "r reviews what it changes, c applies it"
t_ok "the edit is marked unsaved" tm_wait "[modified]"
t_ok "nothing is written on opening" cmp -s "$conf" "$T/before.conf"

tm_keys r
tm_wait "Review" >/dev/null
scr=$(tm_screen)
t_match "review: the stale binding's line removed" "$scr" \
    '^│ - +\{ key = "www"; endpoint = "127\.0\.0\.2:8443"; \}'
t_match "review: the moved one added" "$scr" \
    '^│ \+ +\{ key = "www"; endpoint = "127\.0\.0\.3:8443"; \}'
tm_keys G
t_ok "review: the findings it removes" tm_wait "Findings the change removes"

tm_keys c
t_ok "commit asks first" tm_wait "Write "
tm_keys y
t_ok "commit says it wrote" tm_wait "Written"
t_match "the file now binds www on 127.0.0.3" "$(grep -v '^#' "$conf")" \
    'key = "www"; *endpoint = "127\.0\.0\.3:8443"; *\}'
t_is "the backup is the file as it was" "$(cat "$conf.bak")" \
    "$(cat "$T/before.conf")"
t_nomatch "once committed, no row is marked" "$(tm_screen)" \
    '\[(NEW|CHANGED)\]|the proposal removes'
tm_keys q
tm_stop

# Refusals, before the terminal: a proposal that does not load, one from
# another directory without the store, a command with --propose.
printf 'version = 1;\nkeys = ( { name = "x"; } );\n' >"$T/bad.conf"
cb -c "$conf" --propose "$T/bad.conf"
t_is "a proposal that does not load: exit 2" "$rc" 2
t_match "naming its file and line" "$err" 'bad\.conf:2:'
mkdir -p "$T/elsewhere"
cp "$T/s/proposal.conf" "$T/elsewhere/p.conf"
$CERTBIND -c "$conf" --propose "$T/elsewhere/p.conf" </dev/null >"$T/.out" 2>"$T/.err"
t_is "not on a terminal: exit 2" "$?" 2
cb -c "$conf" --propose "$T/s/proposal.conf" list
t_is "--propose with a command: exit 2" "$rc" 2
t_match "saying what to use instead" "$err" 'certbind diff OLD NEW'
t_done
