#!/bin/sh
# Bind, move (the probable-move fix offered by m), review and commit
# through the real UI, and check the file that results; nothing is written
# before the commit, and q with unsaved changes asks first.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }
conf="$T/s/certbind.conf"
cp "$conf" "$T/before.conf"

tm_start 80 24 -- -c "$conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }

# m: the probable move is offered; Enter accepts it.
tm_keys m
t_ok "m offers the probable move" \
    tm_wait "Probable move found: 127.0.0.2:8443 -> 127.0.0.3:8443"
tm_keys Enter
t_ok "the stale binding is gone from the screen" tm_gone "[STALE]"
t_ok "the change is marked unsaved" tm_wait "[modified]"
t_ok "nothing is written before commit" cmp -s "$conf" "$T/before.conf"

# b: bind api to 127.0.0.3:8443 with its SNI name. The cursor starts on
# the address; Shift-Tab goes back to the key.
tm_keys b
tm_wait "Bind a key to an endpoint" || t_fail "b opens the bind dialog" "$(tm_screen)"
tm_keys BTab C-u api Tab C-u 127.0.0.3 Tab C-u 8443 Tab
tm_keys -l 'bad name!'
t_ok "an invalid SNI is refused as it is typed" tm_wait "not a server name"
tm_keys C-u
tm_keys -l 'api.example.com'
t_ok "the dialog shows the effect before accepting" \
    tm_wait "127.0.0.3:8443 sni=api.example.com: www"
t_match "the effect names the new key and rule" \
    "$(tm_screen | sed 's/[│┐┘]//g' | tr '\n' ' ' | tr -s ' ')" \
    '-> api \(address:port, exact sni\)'
tm_keys Enter
t_ok "the bind dialog closes" tm_gone "Bind a key"
t_ok "still nothing written" cmp -s "$conf" "$T/before.conf"

# r: the review shows the change as lines of the file, and the findings.
tm_keys r
tm_wait "Review" >/dev/null
scr=$(tm_screen)
t_match "review: the old binding removed" "$scr" \
    '^│ - +\{ key = "www"; endpoint = "127\.0\.0\.2:8443"; \}'
t_match "review: the moved binding added" "$scr" \
    '^│ \+ +\{ key = "www"; endpoint = "127\.0\.0\.3:8443"; \}'
tm_keys G
tm_wait "Findings the change removes" >/dev/null
scr=$(tm_screen)
t_match "review: the findings removed include the stale binding" "$scr" \
    'warning stale-binding www@127\.0\.0\.2:8443'

# c from the review, then y.
tm_keys c
t_ok "commit asks first" tm_wait "Write "
tm_keys y
t_ok "commit says it wrote" tm_wait "Written"
t_ok "the previous file is kept as .bak" cmp -s "$conf.bak" "$T/before.conf"
f=$(grep -v '^#' "$conf")
t_nomatch "the written file has no binding on the old address" "$f" \
    '127\.0\.0\.2:8443'
t_match "the written file binds www on the new address" "$f" \
    'key = "www"; *endpoint = "127\.0\.0\.3:8443"; *\}'
t_match "the written file binds api with its sni" "$f" \
    'key = "api"; *endpoint = "127\.0\.0\.3:8443"; *sni = "api\.example\.com"'
t_match "the written file keeps the default" "$f" \
    'key = "www"; *endpoint = "\*:\*"'
# What the server will do, asked of the command line.
cb -c "$conf" resolve 127.0.0.3:8443 --sni api.example.com
t_match "certbind resolve agrees: api serves the name" "$out" '^api '
cb -c "$conf" resolve 127.0.0.3:8443
t_match "certbind resolve agrees: www serves without sni" "$out" '^www '
cp "$conf" "$T/committed.conf"
t_ok "[modified] is gone after commit" tm_gone "[modified]"

# d on the default binding, then q: it asks, n stays, y leaves unsaved.
tm_keys Tab Tab /
tm_wait "Filter endpoints" >/dev/null
tm_keys -l '*:*'
tm_keys Enter G d
t_ok "d asks before unbinding, with the effect" tm_wait "Unbind www from *:*?"
t_match "the unbind question says which listener loses its key" \
    "$(tm_screen)" '127\.0\.0\.4:9443: www .*-> nothing'
tm_keys y
tm_wait "[modified]" >/dev/null
tm_keys q
t_ok "q with unsaved changes asks" tm_wait "There are unsaved changes"
tm_keys n
t_ok "n keeps the session" tm_gone "There are unsaved changes"
t_match "still modified" "$(tm_screen)" '\[modified\]'
tm_keys q
tm_wait "There are unsaved changes" >/dev/null
tm_keys y
t_ok "y quits" tm_wait "certbind-exit=0"
t_ok "quitting without commit leaves the file as committed" \
    cmp -s "$conf" "$T/committed.conf"
t_not "no recovery file after a normal quit" test -e "$conf.recover"
t_not "the lock file is removed" test -e "$conf.lock"
t_done
