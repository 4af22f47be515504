#!/bin/sh
# The situation certbind exists for, end to end against the real server:
# a site bound to 127.0.0.2 whose listener moves to 127.0.0.3.
#   without a default        -> the handshake on 127.0.0.3 is refused
#   with a *:* default       -> the default's certificate (the quiet failure)
#   certbind move + SIGHUP   -> the site's own certificate again
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" def default.example.com || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
def=$(mkcert_fpr "$S/def.pem")
t_not "the two fixtures differ" [ "$www" = "$def" ]

P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf

# conf LISTENER-ADDRESS [DEFAULT-BINDING]
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "$1:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "def"; key = "def.key"; cert = "def.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.2:$P"; }$2
);
EOC
}

conf 127.0.0.2
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "before the move: 127.0.0.2 serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"

conf 127.0.0.3
srv_hup
t_ok "reload after moving the listener" \
    srv_wait_log 1 'reloaded: serving generation 2' 10
t_is "moved without a default: 127.0.0.3 is refused" \
    "$(srv_fpr 127.0.0.3 "$P")" refused
t_is "the old address no longer listens" "$(srv_fpr 127.0.0.2 "$P")" refused
t_match "the refusal names the unserved endpoint" "$(cat "$srv_log")" \
    "no binding serves 127\\.0\\.0\\.3:$P without sni .*handshake refused"

conf 127.0.0.3 ',
  { key = "def"; endpoint = "*:*"; }'
srv_hup
t_ok "reload with a default" \
    srv_wait_log 1 'reloaded: serving generation 3' 10
t_is "moved with a default: 127.0.0.3 serves the default" \
    "$(srv_fpr 127.0.0.3 "$P")" "$def"

cb -c "$C" move "127.0.0.2:$P" "127.0.0.3:$P"
t_is "certbind move succeeds" "$rc" 0
cb -c "$C" resolve "127.0.0.3:$P"
t_match "certbind now predicts www on 127.0.0.3" "$out" '^www '
t_is "until SIGHUP the server still serves the default" \
    "$(srv_fpr 127.0.0.3 "$P")" "$def"
srv_hup
t_ok "reload after certbind move" \
    srv_wait_log 1 'reloaded: serving generation 4' 10
t_is "after certbind move and SIGHUP: 127.0.0.3 serves www" \
    "$(srv_fpr 127.0.0.3 "$P")" "$www"
t_done
