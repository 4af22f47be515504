#!/bin/sh
# TLS versions, the priority string, session tickets, and resumption
# after a reload that removed the binding (refused like a new handshake).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
# conf SERVER-SETTINGS BINDINGS
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  $1
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( $2 );
EOC
}
bound='{ key = "www"; endpoint = "127.0.0.2:*"; }'

# sc ARGS...: s_client with stdin open a moment (so a TLS 1.3 ticket
# arrives before it quits); output in $T/sc. No SNI unless -servername.
sc() {
	case " $* " in
	*" -servername "*) ;;
	*) set -- -noservername "$@" ;;
	esac
	(sleep 1) | timeout 10 openssl s_client -connect "127.0.0.2:$P" \
	    "$@" >"$T/sc" 2>&1
}

conf "" "$bound"
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
sc -tls1_2
t_match "TLS 1.2 is served" "$(cat "$T/sc")" 'New, TLSv1\.2'
sc -tls1_3
t_match "TLS 1.3 is served" "$(cat "$T/sc")" 'New, TLSv1\.3'

sc -tls1_3 -sess_out "$T/sess"
sc -tls1_3 -sess_in "$T/sess"
t_match "tickets on (default): a TLS 1.3 session is resumed" \
    "$(cat "$T/sc")" 'Reused, TLSv1\.3'

# The binding goes away; the ticket must not get around the refusal.
conf "" '{ key = "www"; endpoint = "127.0.0.9:*"; }'
srv_hup
srv_wait_log 1 'reloaded:' 10
sc -tls1_3 -sess_in "$T/sess"
t_nomatch "after the binding is removed, the session is not resumed" \
    "$(cat "$T/sc")" 'Reused'
t_match "but refused with a handshake_failure alert" "$(cat "$T/sc")" \
    'alert handshake failure'
t_match "and the refusal is logged" "$(cat "$srv_log")" \
    "no binding serves 127\\.0\\.0\\.2:$P without sni"

# A hostile SNI name (ESC, U+202E) never reaches the log raw: GnuTLS
# refuses such a name, and any name certbindd logs is escaped.
sc -servername "$(printf 'ev\033[31mil\342\200\256x.example')"
t_match "a hostile SNI is refused with an alert" "$(cat "$T/sc")" \
    'alert (illegal parameter|handshake failure|unrecognized name)'
esc=$(printf '\033')
t_nomatch "no raw ESC in the log" "$(cat "$srv_log")" "$esc"

conf 'tickets = false; priority = "NORMAL:-VERS-TLS1.3";' "$bound"
srv_hup
srv_wait_log 2 'reloaded:' 10
sc -tls1_3
t_match "priority without TLS 1.3: a TLS 1.3-only client is refused" \
    "$(cat "$T/sc")" 'New, \(NONE\), Cipher is \(NONE\)'
sc -tls1_2 -sess_out "$T/sess2"
t_match "priority without TLS 1.3: TLS 1.2 still served" \
    "$(cat "$T/sc")" 'New, TLSv1\.2'
sc -tls1_2 -sess_in "$T/sess2"
t_match "tickets off: no resumption" "$(cat "$T/sc")" 'New, TLSv1\.2'
t_done
