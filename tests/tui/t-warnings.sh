#!/bin/sh
# What the library reports without printing reaches the UI's message line
# and nothing else writes to the terminal: a config naming a server group
# that does not exist, so the key the walkthrough makes stays 0600 and the
# warning says so, with the screen intact around it. Then "-" typed as
# the path to import or install is refused with the library's reason
# (standard input belongs to the command line), and the UI stays usable.

. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

D=$T/etc
C=$D/certbind.conf
mkdir -p "$D"
if getent group nosuchgroup >/dev/null 2>&1; then
	t_skip "warnings" "a group named nosuchgroup exists here"
	t_done
	exit 0
fi
cat >"$C" <<'CONF'
version = 1;
server = {
  group = "nosuchgroup";
};
CONF

# The frame of an overlay, drawn whole: its title on the top line and the
# bottom corners on the last.
frame_intact() {
	tm_screen >"$T/.frame"
	head -n 1 "$T/.frame" | grep -qF "$1" &&
	    tail -n 1 "$T/.frame" | grep -qE '^[+└╰].*[+┘╯]$'
}

tm_start 80 24 -- -c "$C"
tm_wait "Start the walkthrough" >/dev/null
tm_keys n
tm_wait "w starts the walkthrough" >/dev/null
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 4
t_ok "4 asks for the names of a self-signed key" tm_wait "Valid days"
tm_keys -l 'a'
tm_keys Enter
t_ok "the key is made" tm_wait "Key a made, with a self-signed certificate"
t_ok "the warning is on the message line" tm_wait \
    "Warning: keys/a.key: left mode 0600: could not give it to group nosuchgroup"
t_ok "the walkthrough's frame is intact" frame_intact "Walkthrough: "
t_is "the key file is mode 600" "$(stat -c %a "$D/keys/a.key" 2>/dev/null)" 600

tm_keys Escape
t_ok "Esc closes the walkthrough" tm_wait "Walkthrough closed"
scr=$(tm_screen)
t_match "the keys pane is drawn with its title" "$scr" '^[+┌] Keys \(1\) '
t_match "the endpoints pane is drawn with its title" "$scr" \
    '^[+┌] Endpoints: 0 listeners, 0 bindings '
t_match "the new key is listed" "$scr" '>a +ok +36[45] '
t_nomatch "no stray text from the library" "$scr" 'left mode 0600'

# "-" as the file to import: refused, and the form still works.
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 3
t_ok "3 asks for a file to import" tm_wait "PEM or PKCS#12"
tm_keys -l '-'
tm_keys Enter
t_ok "'-' to import is refused with the reason" \
    tm_wait "'-' (standard input) cannot be read here: give the path of a"
t_ok "the import form is intact" frame_intact "Walkthrough: "
tm_keys BSpace
tm_keys -l "$T/none.pem"
t_ok "the next key still edits the path" tm_wait "$T/none.pem"
tm_keys Escape
t_ok "Esc goes back to the choice" tm_wait "What do you want to do?"

# The same for the CA's answer to install.
tm_keys 2
t_ok "2 asks for the CA's answer" tm_wait "Paste the certificate"
tm_keys -l '-'
tm_keys Enter
t_ok "'-' to install is refused with the reason" \
    tm_wait "'-' (standard input) cannot be read here: give the path of a"
t_ok "the install form is intact" frame_intact "Walkthrough: "
tm_keys Escape
t_ok "Esc goes back to the choice" tm_wait "What do you want to do?"
tm_keys Escape
t_ok "a second Esc closes the walkthrough" tm_gone "Walkthrough:"
t_match "the panes are back" "$(tm_screen)" 'Endpoints:'

tm_keys q
t_ok "q asks about the uncommitted key" tm_wait "Quit without committing"
tm_keys y
t_ok "certbind exits 0" tm_wait "certbind-exit=0"

t_done
