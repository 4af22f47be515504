#!/bin/sh
# Untrusted text: a certificate whose CN holds ESC ]0;...BEL (which would
# retitle the terminal) and U+202E (a bidi override) is shown escaped, and
# none of its bytes reach the terminal raw; pasted text (bracketed paste)
# lands in the focused field as text, never as keystrokes.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

mkdir -p "$T/h"
cn=$(printf 'evil\033]0;pwned\007\342\200\256gnp.exe')
(
	. tests/fixtures/mkcert.sh
	MKCERT_NOT_BEFORE="2025-01-01 00:00:00" \
	MKCERT_NOT_AFTER="2031-06-01 12:00:00" \
	    mkcert_leaf "$T/h" evil "$cn" www.example.com
) || { t_fail "make the hostile certificate"; exit 1; }
cat >"$T/h/certbind.conf" <<'CONF'
version = 1;
keys = ( { name = "evil"; key = "evil.key"; cert = "evil.pem"; } );
bindings = ( { key = "evil"; endpoint = "*:*"; } );
CONF

# Everything certbind writes to the terminal goes to a log too: certbind
# waits a moment so that pipe-pane is in place before the first byte.
hostile_run() {
	tm_stop_wait
	tm_n=$((tm_n + 1))
	tm_sock="certbind-test-$$-$tm_n"
	tm_socks="$tm_socks $tm_sock"
	: >"$T/out.log"
	tm new-session -d -x 120 -y 40 "sleep 1; env TERM=xterm-256color $1 \
	    $CERTBIND -c $T/h/certbind.conf; echo certbind-exit=\$?; sleep 600"
	tm pipe-pane -o "cat >>$T/out.log"
}

hostile_run LC_ALL=C.UTF-8
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
scr=$(tm_screen)
# GnuTLS writes the DN in RFC 4514 form, where ';' is '\;'; certbind's
# escaping then shows ESC, BEL and U+202E as \x1B, \x07 and \u{202E} and
# doubles the backslash.
t_match "the hostile CN is shown escaped in the subject" "$scr" \
    'Subject +CN=evil\\x1B\]0\\\\;pwned\\x07\\u\{202E\}gnp\.exe'
t_is "the pane title was not changed by the CN" \
    "$(tm display-message -p '#{pane_title}')" "$(hostname)"
t_nomatch "no raw BEL reached the terminal" \
    "$(od -An -c "$T/out.log" | tr -s ' ')" '\\a'
t_nomatch "no OSC (ESC ]) reached the terminal" \
    "$(od -An -tx1 "$T/out.log" | tr -d '\n' | tr -s ' ')" '1b 5d'
t_nomatch "no U+202E reached the terminal" \
    "$(od -An -tx1 "$T/out.log" | tr -d '\n' | tr -s ' ')" 'e2 80 ae'
t_ok "the log did record the session" grep -q 'Endpoints' "$T/out.log"

# Bracketed paste: text pasted in the bind dialog's address field.
tm_keys b
tm_wait "Bind a key" >/dev/null
tm_keys C-u
tm set-buffer -- '127.0.0.9'
tm paste-buffer -p
t_ok "pasted text lands in the field" tm_wait "Address    127.0.0.9"
# A paste that holds a newline and control characters: only the text of
# the first line is taken, and it does not accept the dialog.
tm_keys C-u
tm set-buffer -- "$(printf '127.0.0.8\nq')"
tm paste-buffer -p
t_ok "a pasted newline does not submit" tm_wait "Address    127.0.0.8"
t_match "the dialog is still open" "$(tm_screen)" 'Bind a key'
tm_keys Escape
tm_gone "Bind a key" >/dev/null
tm_keys q
tm_wait "certbind-exit=0" >/dev/null

# The C locale: the same, every non-ASCII character escaped.
hostile_run LC_ALL=C
tm_ready || t_fail "LC_ALL=C: the UI did not start" "$(tm_screen)"
t_match "C locale: the hostile CN is shown escaped" "$(tm_screen)" \
    'Subject +CN=evil\\x1B\]0\\\\;pwned\\x07\\u\{202E\}gnp\.exe'
t_nomatch "C locale: no byte of U+202E reached the terminal" \
    "$(od -An -tx1 "$T/out.log" | tr -d '\n' | tr -s ' ')" 'e2 80 ae'
tm_keys q
t_ok "quits" tm_wait "certbind-exit=0"
t_done
