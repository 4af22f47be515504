#!/bin/sh
# The terminal side: live resize (too small says so, larger redraws),
# NO_COLOR and a monochrome terminal (the words stay, the colours go), the
# C locale (ASCII lines, no UTF-8 on the screen), and a terminal that
# cannot be driven (a clear message, exit 2).
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }
conf="$T/s/certbind.conf"

# Resize down below 80x24 and back up.
tm_start 80 24 -- -c "$conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
tm resize-window -x 70 -y 20
t_ok "below 80x24 it says the terminal is too small" \
    tm_wait "terminal too small: 70x20, certbind needs 80x24"
t_nomatch "and draws no pane" "$(tm_screen)" 'Endpoints:'
tm resize-window -x 120 -y 40
t_ok "enlarged, the panes come back" tm_ready
scr=$(tm_screen)
t_is "the screen has 40 lines" "$(printf '%s\n' "$scr" | wc -l)" 40
t_is "and uses the 120 columns" "$(printf '%s\n' "$scr" | wc -L)" 120
t_match "the hint line, at the bottom, lists w at 120 columns" \
    "$(printf '%s\n' "$scr" | tail -n 1)" 'w:walkthrough'
# A dialog stays open through a resize, drawn at the new size.
tm_keys m
tm_wait "Move an endpoint" >/dev/null
tm resize-window -x 80 -y 24
t_ok "a dialog stays open through a resize" tm_wait "Probable move found"
t_is "back to 24 lines" "$(tm_screen | wc -l)" 24
t_is "and to 80 columns" "$(tm_screen | wc -L)" 80
tm_keys Escape
tm_gone "Move an endpoint" >/dev/null

# Colour is there by default, on the markers.
esc=$(printf '\033')
col=$(tm capture-pane -p -e)
t_match "with colour, [STALE] is coloured" "$col" \
    "${esc}\\[[0-9;]*3[1-7][;m][^ ]*\\[STALE\\]"
tm_keys q
tm_wait "certbind-exit=" >/dev/null

# NO_COLOR: the same words, no colour.
tm_start 80 24 NO_COLOR=1 -- -c "$conf"
tm_ready || t_fail "NO_COLOR: the UI did not start" "$(tm_screen)"
col=$(tm capture-pane -p -e)
t_nomatch "NO_COLOR: no colour on the screen" "$col" \
    "${esc}\\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[;m]"
t_match "NO_COLOR: the markers are words" "$(tm_screen)" \
    '\[STALE\] \[MOVE\?\]'
t_match "NO_COLOR: the default says so" "$(tm_screen)" \
    '\[DEFAULT\] all unassigned'
tm_keys q
tm_wait "certbind-exit=" >/dev/null

# A monochrome terminal: vt100 has no colours.
tm_start 80 24 TERM=vt100 -- -c "$conf"
tm_ready || t_fail "vt100: the UI did not start" "$(tm_screen)"
col=$(tm capture-pane -p -e)
t_nomatch "vt100: no colour" "$col" "${esc}\\[[0-9;]*(3[0-7]|4[0-7])[;m]"
t_match "vt100: the markers are words" "$(tm_screen)" '\[STALE\] \[MOVE\?\]'
tm_keys q
tm_wait "certbind-exit=" >/dev/null

# The C locale: ASCII frames, nothing but ASCII on the screen.
tm_start 80 24 LC_ALL=C -- -c "$conf"
tm_ready || t_fail "LC_ALL=C: the UI did not start" "$(tm_screen)"
scr=$(tm_screen)
t_match "LC_ALL=C: ASCII corners and lines" "$scr" '^\+ Endpoints: .*-+\+$'
t_match "LC_ALL=C: ASCII sides" "$scr" '^\| ENDPOINT .*\|$'
t_ok "LC_ALL=C: no byte outside ASCII on the screen" \
    sh -c "! printf '%s\n' \"\$1\" | LC_ALL=C grep -q '[^ -~]'" sh "$scr"
t_match "LC_ALL=C: the markers are there" "$scr" '\[STALE\] \[MOVE\?\]'
tm_keys q
tm_wait "certbind-exit=" >/dev/null

# A terminal that cannot be driven.
tm_start 80 24 TERM=dumb -- -c "$conf"
t_ok "TERM=dumb: exits 2" tm_wait "certbind-exit=2"
t_match "TERM=dumb: says why and points to the subcommands" \
    "$(tm_screen | tr '\n' ' ')" 'cannot be driven|no cursor addressing'
t_match "TERM=dumb: names a subcommand" "$(tm_screen | tr '\n' ' ')" \
    'certbind +list'
tm_start 80 24 TERM=no-such-terminal-xyz -- -c "$conf"
t_ok "unknown TERM: exits 2" tm_wait "certbind-exit=2"
t_match "unknown TERM: says why" "$(tm_screen | tr '\n' ' ')" \
    'TERM=no-such-terminal-xyz\) cannot be driven'

# A config that does not parse: its errors, with their line, and exit 2.
printf 'version = 1;\nkeys = ( { name = "x"; key = "x.key" } \n' >"$T/bad.conf"
tm_start 80 24 -- -c "$T/bad.conf"
t_ok "an unparsable config: exits 2" tm_wait "certbind-exit=2"
t_match "and says where" "$(tm_screen | tr '\n' ' ')" 'bad\.conf:[0-9]+'
t_done
