#!/bin/sh
# Notes in the terminal UI (issue 14): a key's note in the details pane, a
# listener's and a binding's at the end of their detail rows in the
# endpoints pane, as written in the file (escaped: a backslash shows
# doubled), and a binding with nothing but a note gets a detail row.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

mkdir -p "$T/s"
(
	. tests/fixtures/mkcert.sh
	mkcert_leaf "$T/s" www www.example.com www.example.com
) || { t_fail "make the certificates"; exit 1; }
C=$T/s/certbind.conf
cat >"$C" <<'CONF'
version = 1;
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080";
      note = "standby web, ticket 12"; }
  );
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem";
    note = "renewed by hand \\ see wiki"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.3:8443";
    note = "moved from 10.56.65.200, ticket 4711"; }
);
CONF

tm_start 120 40 -- -c "$C"
if tm_ready; then
	s=$(tm_screen)
	t_match "the details pane shows the key's note, escaped" "$s" \
	    'Note +renewed by hand \\\\ see wiki'
	t_match "the listener's detail row ends with its note" "$s" \
	    '-> 127\.0\.0\.1:8080 \(listener.s\)  note: standby web, ticket 12'
	t_match "the binding gets a detail row with its note" "$s" \
	    '^. +note: moved from 10\.56\.65\.200, ticket 4711'
else
	t_fail "the UI did not start" "$(tm_screen)"
fi
tm_keys q
t_ok "quits" tm_wait "certbind-exit=0"
t_done
