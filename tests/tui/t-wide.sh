#!/bin/sh
# The key manager at 100 columns (issue 14): SNI names longer than 16
# characters are shown whole when the pane has the room, while 80 columns
# keep their layout; a dialog's new findings wrap inside the dialog
# rather than lose their end.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

mkdir -p "$T/s"
(
	. tests/fixtures/mkcert.sh
	mkcert_leaf "$T/s" shop shop.example.com shop.example.com
) || { t_fail "make the certificate"; exit 1; }
C=$T/s/certbind.conf
long=checkout.shop.example.com		# 25 characters
cat >"$C" <<CONF
version = 1;
server = { listen = ( { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; } ); };
keys = ( { name = "shop"; key = "shop.key"; cert = "shop.pem"; } );
bindings = (
  { key = "shop"; endpoint = "127.0.0.3:8443"; },
  { key = "shop"; endpoint = "127.0.0.3:8443"; sni = "$long"; }
);
CONF

tm_start 100 30 -- -c "$C"
if tm_ready; then
	t_match "100 columns: the 25-character SNI name is whole" \
	    "$(tm_screen)" "127\\.0\\.0\\.3:8443 +$long +shop "
else
	t_fail "the UI did not start at 100 columns" "$(tm_screen)"
fi
tm_stop

tm_start 80 24 -- -c "$C"
if tm_ready; then
	t_match "80 columns: cut to 16, as before" "$(tm_screen)" \
	    "127\\.0\\.0\\.3:8443 +checkout\\.shop\\.ex[^a]"
	t_nomatch "and not whole" "$(tm_screen)" "$long"
else
	t_fail "the UI did not start at 80 columns" "$(tm_screen)"
fi
tm_stop

# The bind dialog offers the listeners' addresses, a freebind listener's
# standby address (on no interface of this host) first among them, and
# their ports: the cursor starts on the address; Right goes to the next.
sed -i 's/endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; }/&, { endpoint = "192.0.2.10:9443"; backend = "127.0.0.1:8080"; freebind = true; }/' "$C"
tm_start 100 30 -- -c "$C"
if tm_ready; then
	tm_keys b
	tm_wait "Bind a key to an endpoint" ||
	    t_fail "b opens the bind dialog" "$(tm_screen)"
	# cycle FIELD-REGEX WANT: Right up to 8 times until FIELD shows WANT.
	cycle() {
		cy=0
		while [ $cy -lt 8 ]; do
			tm_keys Right
			sleep 0.2
			tm_screen | grep -qE "$1 +$2" && return 0
			cy=$((cy + 1))
		done
		return 1
	}
	t_ok "the address field offers the freebind listener's 192.0.2.10" \
	    cycle 'Address' '192\.0\.2\.10'
	tm_keys Tab
	t_ok "the port field offers its port, 9443" cycle 'Port' '9443'

else
	t_fail "the UI starts on the config with a freebind listener" \
	    "$(tm_screen)"
fi
tm_stop

# A message longer than the line wraps instead of losing its end: a first
# start on a long path says where, and what to press, whole.
L=$T/a-rather-long-directory-name-for-the-store/and-one-more-level-below-it
mkdir -p "$L"
tm_start 100 30 -- -c "$L/certbind.conf"
if tm_wait "starts the"; then
	t_match "the message's end is on screen" "$(tm_screen)" \
	    'w starts the walkthrough\.'
	t_match "and so is its start, the whole path" \
	    "$(tm_screen | tr -d '\n')" "$(printf '%s' "$L" | sed 's/[.]/\\./g')"
else
	t_fail "the first-start message shows" "$(tm_screen)"
fi
# The bind dialog's new findings wrap: a binding on a port no listener
# has gives a stale-binding finding longer than the dialog; all of it,
# to its last word, is on screen inside the dialog's frame.
cat >"$T/s/w.conf" <<CONF
version = 1;
server = { listen = ( { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; } ); };
keys = ( { name = "shop"; key = "shop.key"; cert = "shop.pem"; } );
bindings = ( { key = "shop"; endpoint = "127.0.0.3:8443"; } );
CONF
cp "$T/s/w.conf" "$T/s/w2.conf"
"$CERTBIND" -c "$T/s/w2.conf" bind shop 127.0.0.3:8444 >"$T/w2.out" 2>&1
want=$(sed -n 's/^  + warning stale-binding //p' "$T/w2.out")
t_match "certbind bind gives the stale-binding finding" "$want" \
    'unbind it\.$'
tm_start 100 30 -- -c "$T/s/w.conf"
if tm_ready; then
	tm_keys b
	tm_wait "Bind a key to an endpoint" ||
	    t_fail "b opens the bind dialog" "$(tm_screen)"
	tm_keys BTab C-u shop Tab C-u 127.0.0.3 Tab C-u 8444
	tm_wait "New findings" ||
	    t_fail "the dialog shows new findings" "$(tm_screen)"
	tm_wait "unbind it" >/dev/null
	tm_screen >"$T/scr"
	# The dialog's text after "New findings:", one string without spaces
	# (a line may break after a comma), read inside the dialog's frame.
	got=$(/usr/bin/python3 - "$T/scr" <<'EOP'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
top = next(i for i, l in enumerate(lines) if "Bind a key to an endpoint" in l)
left = lines[top].index("\u250c", 0 if lines[top][0] != "\u250c" else 1)
right = lines[top].index("\u2510", left)
out, on = [], False
for l in lines[top + 1:]:
    inner = l[left + 1:right] if len(l) > right else ""
    if "New findings:" in inner:
        on = True
        continue
    if "Enter:accept" in inner or (len(l) > left and l[left] == "\u2514"):
        break
    if on:
        out.append(inner)
print("".join(out).replace(" ", ""))
EOP
)
	t_is "the whole finding is in the dialog, wrapped" "$got" \
	    "$(printf 'warning stale-binding %s' "$want" | tr -d ' ')" \
	    "$(cat "$T/scr")"
	t_ok "its last words show" tm_wait "or unbind it."
else
	t_fail "the UI starts for the findings dialog" "$(tm_screen)"
fi
tm_stop
t_done
