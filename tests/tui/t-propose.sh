#!/bin/sh
# certbind -c CURRENT --propose NEW (issue 14): the key manager opens with
# NEW as the edited copy of CURRENT, the review shows the delta and the
# findings, and c applies it through the same commit; nothing is written
# before. A proposal that does not load, or whose paths would mean other
# files once committed, is refused before the terminal is taken.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }
conf="$T/s/certbind.conf"
cp "$conf" "$T/before.conf"
# The proposal, beside it (the same store): the stale binding moved.
sed 's/{ key = "www"; endpoint = "127.0.0.2:8443"; }/{ key = "www"; endpoint = "127.0.0.3:8443"; }/' \
    "$conf" >"$T/s/proposal.conf"

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
