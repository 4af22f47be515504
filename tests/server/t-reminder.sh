#!/bin/sh
# After a change certbindd would serve differently, certbind says the
# running certbindd needs a reload, naming its pid; --reload does it
# (issue 14: reminders after bind, move and rollback). A change certbindd
# does not see (a pending request) says nothing of the kind.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
one=$(mkcert_fpr "$S/one.pem")
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.3:$P"; backend = "127.0.0.1:$PB"; },
             { endpoint = "127.0.0.4:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  shutdown_timeout = 5;
  pidfile = "certbindd.pid";
};
keys = ( { name = "k"; key = "one.key"; cert = "one.pem"; } );
bindings = ( { key = "k"; endpoint = "127.0.0.3:$P"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "serves 127.0.0.3" "$(srv_fpr 127.0.0.3 "$P")" "$one"
t_is "127.0.0.4 has no binding yet" "$(srv_fpr 127.0.0.4 "$P")" refused

cb -c "$C" bind k "127.0.0.4:$P"
t_is "bind exits 0" "$rc" 0 "$err"
t_match "bind says certbindd needs a reload, naming its pid" "$err" \
    "^certbind: certbindd \\(pid $srv_pid\\) serves the previous version until it reloads: certbind reload\$"
t_is "which is true: 127.0.0.4 is still refused" \
    "$(srv_fpr 127.0.0.4 "$P")" refused

cb -c "$C" reload
t_is "certbind reload, as it said" "$rc" 0 "$err"
t_is "then 127.0.0.4 is served" "$(srv_fpr 127.0.0.4 "$P")" "$one"

# The previous version leaves 127.0.0.4 unserved (an error): --force.
cb -c "$C" rollback --force --reload
t_is "rollback --reload exits 0" "$rc" 0 "$err"
t_nomatch "it does not remind, it reloads" "$err" 'until it reloads'
t_is "127.0.0.4 is refused again at once" "$(srv_fpr 127.0.0.4 "$P")" \
    refused

cb -c "$C" move "127.0.0.3:$P" "127.0.0.5:$P" --reload
t_is "move --reload exits 0" "$rc" 0 "$err"
t_is "the moved listener and binding are served at once" \
    "$(srv_fpr 127.0.0.5 "$P")" "$one"

cb -c "$C" --force listen "127.0.0.6:$P" --backend "127.0.0.1:$PB"
t_is "listen on 127.0.0.6 (unserved until bound: --force)" "$rc" 0 "$err"
cb -c "$C" bind k "127.0.0.6:$P" --reload
t_is "bind --reload exits 0" "$rc" 0 "$err"
t_nomatch "it does not remind, it reloads" "$err" 'until it reloads'
t_is "127.0.0.6 is served at once" "$(srv_fpr 127.0.0.6 "$P")" "$one"

# probe --json (issue 14): the probes that matched, with the served
# certificate's SHA-256, and the findings.
cb -c "$C" probe --json
t_is "probe --json exits 0" "$rc" 0 "$err"
t_is "it names what it matched and by which certificate" \
    "$(printf '%s' "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print([(m["object"], m["key"], m["sha256"]) for m in d["matched"] if m["object"].startswith("127.0.0.5:")][0], d["errors"], len(d["findings"]))')" \
    "('127.0.0.5:$P', 'k', '$one') 0 0"

cb -c "$C" request later --cn later.example.com
t_is "request exits 0" "$rc" 0 "$err"
t_nomatch "a pending key needs no reload" "$err" 'reload'
t_done
