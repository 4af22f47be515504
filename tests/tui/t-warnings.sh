#!/bin/sh
# What the library reports without printing reaches the UI's message line
# and nothing else writes to the terminal: a config naming a server group
# that does not exist, so the key the walkthrough makes stays 0600 and the
# warning says so, with the screen intact around it; and, at the end, a
# chown(2) that really fails (certbind as nobody giving a key to a group
# it is not in). Then "-" typed as
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
tm_keys 5
t_ok "5 asks for the names of a self-signed key" tm_wait "Valid days"
tm_keys -l 'a'
tm_keys Enter
t_ok "the key is made" tm_wait "Key a made, with a self-signed certificate"
t_ok "the warning is on the message line" tm_wait \
    'Warning: keys/a.key: server.group "nosuchgroup": no such group'
t_ok "the walkthrough's frame is intact" frame_intact "Walkthrough: "
t_is "the key file is mode 600" "$(stat -c %a "$D/keys/a.key" 2>/dev/null)" 600

tm_keys Escape
t_ok "Esc closes the walkthrough" tm_wait "Walkthrough closed"
scr=$(tm_screen)
t_match "the keys pane is drawn with its title" "$scr" '^[+┌] Keys \(1\) '
t_match "the endpoints pane is drawn with its title" "$scr" \
    '^[+┌] Endpoints: 0 listeners, 0 bindings '
t_match "the new key is listed" "$scr" '>a +ok +36[45] '
t_nomatch "no stray text from the library" "$scr" 'no such group'

# "-" as the file to import: refused, and the form still works.
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 4
t_ok "4 asks for a file to import" tm_wait "PEM or PKCS#12"
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
tm_keys 3
t_ok "3 asks for the CA's answer" tm_wait "Paste the certificate"
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

# A chown that really fails: certbind runs as nobody, and the config gives
# the keys to group daemon, which nobody is not in, so chown(2) says EPERM.
# The key stays 0600 and the message line says so; nothing else reaches
# the terminal.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1 ||
    ! getent group daemon >/dev/null 2>&1 ||
    id -nG nobody 2>/dev/null | grep -qw daemon; then
	t_skip "a failing chown reaches the message line" \
	    "needs root, setpriv, a group daemon and a user nobody outside it"
	t_done
	exit 0
fi
N=$(mktemp -d /tmp/certbind-chown.XXXXXX)
chmod 755 "$N"
rm_n() { rm -rf "$N"; }
t_at_exit rm_n
cat >"$N/certbind.conf" <<'CONF'
version = 1;
server = {
  group = "daemon";
};
CONF
chown -R nobody:nogroup "$N"
CERTBIND="setpriv --reuid=nobody --regid=nogroup --clear-groups $CERTBIND"
tm_start 80 24 -- -c "$N/certbind.conf"
tm_wait "Start the walkthrough" >/dev/null
tm_keys n
tm_wait "w starts the walkthrough" >/dev/null
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 5
tm_wait "Valid days" >/dev/null
tm_keys -l 'b'
tm_keys Enter
t_ok "as nobody, the key is made" \
    tm_wait "Key b made, with a self-signed certificate"
t_ok "the failed chown is on the message line" tm_wait \
    "Warning: keys/b.key: left mode 0600: could not give it to group daemon"
t_ok "the walkthrough's frame is intact after it" frame_intact "Walkthrough: "
t_is "the key is nobody's" "$(stat -c %U "$N/keys/b.key" 2>/dev/null)" nobody
t_is "and mode 600" "$(stat -c %a "$N/keys/b.key" 2>/dev/null)" 600
tm_keys Escape
tm_wait "Walkthrough closed" >/dev/null
scr=$(tm_screen)
t_match "the keys pane is drawn with its title" "$scr" '^[+┌] Keys \(1\) '
t_nomatch "no stray text from the library" "$scr" 'certbind:'
tm_keys q
tm_wait "Quit without committing" >/dev/null
tm_keys y
t_ok "certbind as nobody exits 0" tm_wait "certbind-exit=0"

t_done
