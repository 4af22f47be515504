#!/bin/sh
# server.ticket_keys: the ticket master key file is created 0600 when
# missing (under umask 022 too), kept, and shared across a restart, so a
# session resumes after certbindd restarts, in TLS 1.3 and TLS 1.2;
# without it a restart forgets the tickets. A new file given at SIGHUP
# takes over for new sessions (the rotation). A file of the wrong size or
# mode is refused at load; certbindd -t does not create it.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
K=$T/keys/tickets.key
mkdir -p "$T/keys"
# conf [SERVER-SETTINGS]
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 2;
  $1
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; } );
EOC
}

# sc ARGS...: s_client with stdin open a moment, so a TLS 1.3 ticket
# arrives before it quits; its output in $T/sc.
sc() {
	(sleep 1) | timeout 10 openssl s_client -connect "127.0.0.2:$P" \
	    -noservername "$@" >"$T/sc" 2>&1
}
# restart: SIGTERM, wait, start again on the same config.
restart() {
	srv_term
	srv_exit_status 10
	srv_start "$C"
}

umask 022
conf "ticket_keys = \"$K\";"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_is "certbindd -t accepts a missing ticket key file" "$?" 0
t_ok "and does not create it" [ ! -e "$K" ]

srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_ok "the file is created at start" [ -f "$K" ]
t_is "0600 under umask 022" "$(stat -c %a "$K")" 600
t_is "64 bytes, GnuTLS's master key size" "$(stat -c %s "$K")" 64
cp "$K" "$T/key.before"

sc -tls1_3 -sess_out "$T/s13"
t_match "TLS 1.3: a new session with a ticket" "$(cat "$T/sc")" \
    'New, TLSv1\.3'
sc -tls1_2 -sess_out "$T/s12"
t_match "TLS 1.2: a new session with a ticket" "$(cat "$T/sc")" \
    'New, TLSv1\.2'
sc -tls1_3 -sess_in "$T/s13"
t_match "TLS 1.3: resumed before the restart" "$(cat "$T/sc")" \
    'Reused, TLSv1\.3'

restart || { t_fail "certbindd restarts" "$(cat "$srv_log")"; exit 1; }
t_ok "the restart kept the key file" cmp -s "$K" "$T/key.before"
sc -tls1_3 -sess_in "$T/s13"
t_match "TLS 1.3: the session resumes across the restart" \
    "$(cat "$T/sc")" 'Reused, TLSv1\.3'
sc -tls1_2 -sess_in "$T/s12"
t_match "TLS 1.2: the session resumes across the restart" \
    "$(cat "$T/sc")" 'Reused, TLSv1\.2'
t_nomatch "the key never reaches the log" "$(cat "$srv_log")" 'ticket'

# Rotation: a new file, then SIGHUP. New sessions use the new key, so an
# old ticket gives a full handshake; a new one resumes.
head -c 64 /dev/urandom >"$K.new" && chmod 600 "$K.new" && mv "$K.new" "$K"
srv_hup
srv_wait_log 1 'reloaded:' 10
sc -tls1_3 -sess_in "$T/s13"
t_match "after a new key and SIGHUP: the old ticket is not resumed" \
    "$(cat "$T/sc")" 'New, TLSv1\.3'
sc -tls1_3 -sess_out "$T/s13b"
sc -tls1_3 -sess_in "$T/s13b"
t_match "a ticket under the new key resumes" "$(cat "$T/sc")" \
    'Reused, TLSv1\.3'

# Refused files: the reload fails with the reason, the key stays.
head -c 32 /dev/urandom >"$K"
srv_hup
srv_wait_log 1 'reload failed' 10
t_match "32 bytes: the reload fails and says why" "$(cat "$srv_log")" \
    'server\.ticket_keys: .*tickets\.key: a ticket key file holds exactly 64 bytes, this one 32'
head -c 64 /dev/urandom >"$K" && chmod 644 "$K"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "0644: refused like a private key file" "$out" \
    'server\.ticket_keys: .*tickets\.key'
rm -f "$K"

# Without ticket_keys a restart forgets the tickets (a key made at start).
conf ""
srv_hup
srv_wait_log 2 'reloaded:' 10
sc -tls1_3 -sess_out "$T/s13c"
sc -tls1_3 -sess_in "$T/s13c"
t_match "without ticket_keys: resumed while running" "$(cat "$T/sc")" \
    'Reused, TLSv1\.3'
restart || { t_fail "certbindd restarts" "$(cat "$srv_log")"; exit 1; }
sc -tls1_3 -sess_in "$T/s13c"
t_match "without ticket_keys: not resumed after a restart" \
    "$(cat "$T/sc")" 'New, TLSv1\.3'
t_ok "and no key file appeared" [ ! -e "$K" ]
srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0

# With server.user: the file is created as root before the drop, and a
# reload reads it through the keeper.
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	t_skip "ticket_keys with server.user" "needs root and user nobody"
	t_done
	exit 0
fi
conf "ticket_keys = \"$K\"; user = \"nobody\";"
chmod 755 "$T"
srv_start "$C" || { t_fail "certbindd starts as nobody" "$(cat "$srv_log")"; exit 1; }
t_is "server.user: created root's, 0600" "$(stat -c '%U %a' "$K")" "root 600"
sc -tls1_3 -sess_out "$T/s13d"
srv_hup
srv_wait_log 1 'reloaded:' 10
t_nomatch "server.user: the reload read it through the keeper" \
    "$(cat "$srv_log")" 'reload failed'
sc -tls1_3 -sess_in "$T/s13d"
t_match "server.user: resumed after the reload" "$(cat "$T/sc")" \
    'Reused, TLSv1\.3'
restart || { t_fail "certbindd restarts" "$(cat "$srv_log")"; exit 1; }
sc -tls1_3 -sess_in "$T/s13d"
t_match "server.user: resumed after a restart" "$(cat "$T/sc")" \
    'Reused, TLSv1\.3'
srv_term
srv_exit_status 10
t_is "server.user: SIGTERM exits 0" "$srv_rc" 0
t_done
