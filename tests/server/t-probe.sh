#!/bin/sh
# certbind probe against a real certbindd: quiet when the server serves
# what the file says; not-reloaded after a certificate is renewed on disk
# but not reloaded; unserved-listener after certbind move moves a listener
# the server does not listen on yet; clean again after SIGHUP.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

if ! $CERTBIND probe --help >/dev/null 2>&1; then
	t_skip "certbind probe" "certbind has no probe command yet (cli/cmd.c table)"
	t_done
	exit 0
fi

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" api api.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) P2=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; },
    { endpoint = "*:$P2"; backend = "127.0.0.1:$PB"; }
  );
  workers = 1;
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "api"; key = "api.key"; cert = "api.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.2:$P"; },
  { key = "api"; endpoint = "*:$P2"; sni = "api.example.com"; },
  { key = "www"; endpoint = "*:$P2"; sni = "*.example.org"; }
);
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

cb -c "$C" probe
t_is "in step: exit 0" "$rc" 0
t_is "in step: no finding" "$out" ""
t_match "in step: one line says how many probes matched" "$err" \
    "^certbind: [0-9]+ probes: certbindd serves what the config says\$"
cb -c "$C" probe --strict
t_is "in step: --strict exits 0 too" "$rc" 0
cb -c "$C" probe --verbose
t_match "verbose: the no-SNI probe of *:$P2 is refused as predicted" "$out" \
    "^ok 127\\.0\\.0\\.1:$P2: refused"
t_match "verbose: api.example.com on *:$P2 is served by api" "$out" \
    "^ok 127\\.0\\.0\\.1:$P2 sni=api\\.example\\.com: key api $(mkcert_fpr "$S/api.pem")\$"
t_match "verbose: the wildcard binding is probed with a name under it" "$out" \
    "^ok 127\\.0\\.0\\.1:$P2 sni=[^ ]+\\.example\\.org: key www "

# Renewal on disk without a reload: the classic outage.
old=$(mkcert_fpr "$S/www.pem")
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
chmod 600 "$S/www.key"
cb -c "$C" probe
t_is "renewed, not reloaded: exit 0 (a warning)" "$rc" 0
t_match "renewed, not reloaded: not-reloaded names the endpoint and both fingerprints" \
    "$out" "^warning not-reloaded 127\\.0\\.0\\.2:$P: certbindd serves certificate $old, but key 'www' now has $(mkcert_fpr "$S/www.pem")"
t_nomatch "renewed, not reloaded: no all-is-well line" "$err" "serves what the config says"
cb -c "$C" probe --strict
t_is "renewed, not reloaded: --strict exits 1 on not-reloaded" "$rc" 1
cb -c "$C" probe "127.0.0.2:$P"
t_match "an endpoint on the command line is probed alone" "$out" \
    "^warning not-reloaded 127\\.0\\.0\\.2:$P:"
t_nomatch "and only it" "$out" ":$P2"
srv_hup
srv_wait_log 1 'reloaded:' 10
cb -c "$C" probe
t_is "reloaded: in step again" "$rc:$out" "0:"

# certbind move: the file says 127.0.0.3, the server still listens on .2.
cb -c "$C" move "127.0.0.2:$P" "127.0.0.3:$P"
t_is "certbind move" "$rc" 0
cb -c "$C" probe
t_is "moved, not reloaded: exit 1" "$rc" 1
t_match "moved, not reloaded: unserved-listener on the new address" "$out" \
    "^error unserved-listener 127\\.0\\.0\\.3:$P: nothing accepts connections"
srv_hup
srv_wait_log 2 'reloaded:' 10
cb -c "$C" probe
t_is "after SIGHUP: in step" "$rc:$out" "0:"

# A server that refuses where the file predicts a key.
srv_term
srv_exit_status 10
cb -c "$C" probe
t_is "server stopped: exit 1" "$rc" 1
t_match "server stopped: unserved-listener" "$out" \
    "^error unserved-listener 127\\.0\\.0\\.3:$P: "
t_done
