#!/bin/sh
# Where connections go, in the terminal UI at 80 columns (issue 12): the
# endpoints pane shows each listener's backend and options and a
# binding's own backend, saying whose it is; the edit dialog edits a
# binding's backend and its effect preview names the backend the
# connections will reach; the commit writes it.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

mkdir -p "$T/s"
(
	. tests/fixtures/mkcert.sh
	mkcert_leaf "$T/s" www www.example.com www.example.com &&
	mkcert_leaf "$T/s" api api.example.com api.example.com
) || { t_fail "make the certificates"; exit 1; }
C=$T/s/certbind.conf
cat >"$C" <<'CONF'
version = 1;
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080";
      proxy_protocol = 2; alpn = ( "h2", "http/1.1" ); freebind = true;
      accept_proxy = true; }
  );
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "api"; key = "api.key"; cert = "api.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.3:8443"; },
  { key = "api"; endpoint = "127.0.0.3:8443"; sni = "api.example.com";
    backend = "127.0.0.1:9000"; }
);
CONF

# The endpoints pane as a whole (its 14 lines), at 80 columns.
cat >"$T/want" <<'SCREEN'
┌ Endpoints: 1 listener, 2 bindings ───────────────────────────────────────────┐
│ ENDPOINT            SNI              KEY        SERVED BY / NOTES            │
│Listeners (who serves a connection without SNI, then per SNI name)            │
│>127.0.0.3:8443      -                www        address:port                 │
│   -> 127.0.0.1:8080 (listener's)  PROXY v2  alpn h2,http/1.1  freebind  accep│
│   "                 api.example.com  api        address:port                 │
│     -> 127.0.0.1:9000 (binding's)                                            │
│Bindings                                                                      │
│ 127.0.0.3:8443      -                www                                     │
│ 127.0.0.3:8443      api.example.com  api                                     │
│   -> 127.0.0.1:9000 (binding's)                                              │
│                                                                              │
└──────────────────────────────────────────────────────────────────────────────┘
SCREEN

tm_start 80 24 -- -c "$C"
if tm_ready; then
	tm_normal | sed -n '10,22p' >"$T/.pane"
	if diff -u "$T/want" "$T/.pane" >"$T/.diff"; then
		t_pass "80x24: the pane shows the backends, whose, and the options"
	else
		t_fail "80x24: the pane shows the backends, whose, and the options" \
		    "$(cat "$T/.diff")"
	fi
else
	t_fail "the UI did not start" "$(tm_screen)"
fi

# e on the www binding: its Backend field, and the effect names it.
tm_keys Tab Tab Down Down
tm_keys e
t_ok "the edit dialog opens on the www binding" \
    tm_wait "Edit the binding of www on 127.0.0.3:8443"
t_match "it has a Backend field, empty for the listener's" "$(tm_screen)" \
    'Backend +\(empty: the listener.s\)'
tm_keys Tab Tab Tab 127.0.0.1:7000
t_ok "the effect preview names the backend the connections reach" \
    tm_wait "127.0.0.1:8080 -> 127.0.0.1:7000 (the binding's)"
t_match "on the listener www serves" "$(tm_screen)" \
    '127\.0\.0\.3:8443: www \(address:port\) -> www \(address:port\)'
tm_keys Enter
t_ok "accepted: the pane shows the binding's own backend" \
    tm_wait "-> 127.0.0.1:7000 (binding's; listener's 127.0.0.1:8080)"
t_match "and under the binding, marked as its own" "$(tm_screen)" \
    '^│   -> 127\.0\.0\.1:7000 \(binding.s\) +│$'

# The api binding's own backend, emptied: back to the listener's.
tm_keys Down e
t_ok "the edit dialog opens on the api binding" \
    tm_wait "Edit the binding of api on 127.0.0.3:8443 sni=api.example.com"
t_match "its Backend field holds its own backend" "$(tm_screen)" \
    'Backend +127\.0\.0\.1:9000'
tm_keys Tab Tab Tab C-u
t_ok "emptied: the effect says the connections go to the listener's" \
    tm_wait "127.0.0.1:8080 (the listener's)"
t_match "from the binding's own" "$(tm_screen)" \
    'api \(address:port, exact sni\), backend 127\.0\.0\.1:9000 ->'

tm_keys Enter
t_ok "accepted" tm_gone "Edit the binding"

tm_keys c
tm_wait "Write " >/dev/null
tm_keys y
t_ok "committed" tm_wait "Written"
t_match "the file: www's own backend" "$(grep '"www"; endpoint' "$C")" \
    'backend = "127\.0\.0\.1:7000";'
t_nomatch "the file: api has none" "$(grep 'api.example.com' "$C")" 'backend'
cb -c "$C" resolve 127.0.0.3:8443 --sni api.example.com
t_match "certbind resolve agrees" "$out" \
    'backend 127\.0\.0\.1:8080 \(the listener.s\)'
tm_keys q
t_ok "quits" tm_wait "certbind-exit=0"
t_done
