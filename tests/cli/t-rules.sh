#!/bin/sh
# Each rule once, seen from the command line: a name that certbind request
# refuses as an alternative name is refused as an sni too, by certbind
# bind and by the config loader, with the same reason, and a refused bind
# leaves the config byte for byte as it was. A good name is still taken.
#
# The reasons compared here are read from certbind's own messages on both
# paths; what makes the test able to fail is that the two paths must agree
# with each other, and that each name must be refused at all.

. "$(dirname "$0")/../lib.sh"

S=$T/store
C=$T/certbind.conf

sum() { sha256sum <"$C" | cut -d' ' -f1; }
# reason TEXT: what follows the first quoted name and "': " in a message
# (a reason may quote a label in turn: "the label '_srv' holds '_': ...").
reason() { printf '%s\n' "$1" | sed -n "s/^[^']*'[^']*': //p" | head -n 1; }

cb -c "$C" init --store "$S"
t_is "init exits 0" "$rc" 0
cb -c "$C" request www --cn www.example.com --san www.example.com
t_is "a request with good names exits 0" "$rc" 0

# dn, not name: lib.sh's t_ok and t_not use $name.
for dn in _srv.example.test '*.com' 'a..example.com' '-a.example.com' \
    'a.*.example.com' 'example.123'; do
	# The alternative name's reason: the rule as request states it.
	cb -c "$C" request other --cn www.example.com --san "$dn"
	t_is "request --san '$dn' is refused (exit 1)" "$rc" 1
	t_match "request names the alternative name" "$err" \
	    "alternative name '$(printf '%s' "$dn" | sed 's/[.*]/\\&/g')'"
	want=$(reason "$err")
	t_match "request gives a reason for '$dn'" "$want" '.'

	before=$(sum)
	cb -c "$C" bind www '*:443' --sni "$dn"
	t_not "bind --sni '$dn' is refused" test "$rc" -eq 0
	t_is "bind --sni '$dn' leaves the config unchanged" "$(sum)" \
	    "$before"
	t_match "bind names the sni" "$err" \
	    "'$(printf '%s' "$dn" | sed 's/[.*]/\\&/g')'"
	# cli/cmd-bind.c still words its own refusal before the core's
	# config_bind() is asked; once it passes the core's cause on, the
	# reason must be request's.
	if printf '%s\n' "$err" | grep -q 'is not a host name or a \*\.wildcard'
	then
		t_skip "bind --sni '$dn' gives request's reason" \
		    "cli/cmd-bind.c prints its own message"
	else
		t_is "bind --sni '$dn' gives request's reason" \
		    "$(reason "$err")" "$want"
	fi

	# The same name written into the file by hand: the loader refuses
	# it with the same reason, on its line.
	sed "s/^bindings = ( );/bindings = ( { key = \"www\"; endpoint = \"*:443\"; sni = \"$dn\"; } );/" \
	    "$C" >"$T/hand.conf"
	t_match "the hand-written file has the binding" "$(cat "$T/hand.conf")" \
	    'sni = '
	cb -c "$T/hand.conf" check --offline
	t_is "check refuses a file with sni '$dn' (exit 2)" "$rc" 2
	t_match "the loader says bad sni on the binding's line" "$err" \
	    'hand\.conf:[0-9]+: bad sni '
	t_is "the loader's reason for '$dn' is request's" \
	    "$(reason "$(printf '%s\n' "$err" | grep 'bad sni')")" "$want"
done

# An address is an alternative name, but never an sni: clients do not
# send addresses in SNI (RFC 6066).
cb -c "$C" request other --cn www.example.com --san 192.0.2.1 \
    --san '[2001:db8::1]'
t_is "request takes addresses as alternative names, brackets or not" \
    "$rc" 0
before=$(sum)
cb -c "$C" bind www '*:443' --sni 192.0.2.1
t_not "bind --sni with an address is refused" test "$rc" -eq 0
t_is "and the config is unchanged" "$(sum)" "$before"

# Good names are still taken, and saved.
cb -c "$C" bind www '*:443' --sni www.example.com --force
t_is "bind --sni www.example.com exits 0" "$rc" 0
t_match "the binding is in the file" "$(cat "$C")" \
    'sni = "www\.example\.com"'
cb -c "$C" bind www '*:443' --sni '*.example.com' --force
t_is "bind --sni '*.example.com' exits 0" "$rc" 0
t_match "the wildcard binding is in the file" "$(cat "$C")" \
    'sni = "\*\.example\.com"'

t_done
