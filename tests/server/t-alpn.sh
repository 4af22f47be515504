#!/bin/sh
# ALPN per listener (alpn = (...)): the listener's protocols are offered
# in the server's order, a client offering none of them is served without
# ALPN (the behaviour certbindd.8 documents, the same for every listener),
# a listener without alpn selects nothing, and a list GnuTLS cannot hold
# fails the load with the file and line. HTTP/2 end to end: curl --http2
# through certbindd to an nginx that speaks h2c (prior knowledge).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) P2=$(srv_port) PB=$(srv_port) PN=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }

# nginx speaking h2c on PN, when it is installed: the h2 backend.
nginx_ok=""
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$T/nginx/logs"
	cat >"$T/nginx/nginx.conf" <<EON
daemon off;
master_process off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
  access_log $T/nginx/access.log;
  client_body_temp_path $T/nginx;
  proxy_temp_path $T/nginx;
  fastcgi_temp_path $T/nginx;
  uwsgi_temp_path $T/nginx;
  scgi_temp_path $T/nginx;
  server {
    listen 127.0.0.1:$PN http2;
    location / { return 200 "proto=\$server_protocol\n"; }
  }
}
EON
	"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" \
	    >"$T/nginx/out.log" 2>&1 &
	srv_pids="$srv_pids $!"
	i=0
	while [ $i -lt 50 ]; do
		if $PY -c "import socket,sys; socket.create_connection(('127.0.0.1', $PN), 1)" \
		    2>/dev/null; then
			nginx_ok=1
			break
		fi
		sleep 0.1; i=$((i + 1))
	done
fi

C=$T/certbind.conf
# conf ALPN-OF-THE-FIRST-LISTENER
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:${BACK:-$PB}"; $1 },
    { endpoint = "127.0.0.2:$P2"; backend = "127.0.0.1:$PB"; }
  );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; } );
EOC
}

# alpn PORT [OPENSSL-ARGS...]: "VERSION ALPN" as openssl s_client saw it,
# "-" for no ALPN, or "refused".
alpn() {
	ap=$1; shift
	timeout 10 openssl s_client -connect "127.0.0.2:$ap" -noservername \
	    "$@" </dev/null >"$T/sc" 2>&1
	v=$(sed -n 's/^New, \(TLSv1\.[23]\), Cipher is.*/\1/p' "$T/sc")
	[ -n "$v" ] || { echo refused; return; }
	a=$(sed -n 's/^ALPN protocol: //p' "$T/sc")
	echo "$v ${a:--}"
}

conf 'alpn = ( "h2", "http/1.1" );'
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "-alpn h2: h2" "$(alpn "$P" -alpn h2)" "TLSv1.3 h2"
t_is "-alpn http/1.1: http/1.1" "$(alpn "$P" -alpn http/1.1)" \
    "TLSv1.3 http/1.1"
t_is "-alpn http/1.1,h2: h2, the server's order" \
    "$(alpn "$P" -alpn http/1.1,h2)" "TLSv1.3 h2"
t_is "TLS 1.2, -alpn http/1.1,h2: h2 too" \
    "$(alpn "$P" -tls1_2 -alpn http/1.1,h2)" "TLSv1.2 h2"
t_is "-alpn foo: served without ALPN (no alert)" \
    "$(alpn "$P" -alpn foo)" "TLSv1.3 -"
t_nomatch "-alpn foo: no no_application_protocol alert" "$(cat "$T/sc")" \
    'alert'
t_is "no ALPN offered: none selected" "$(alpn "$P")" "TLSv1.3 -"
t_is "a listener without alpn: -alpn h2 selects nothing" \
    "$(alpn "$P2" -alpn h2)" "TLSv1.3 -"
t_is "a listener without alpn: -alpn foo is served the same way" \
    "$(alpn "$P2" -alpn foo)" "TLSv1.3 -"
t_is "the data still flows after -alpn foo" \
    "$(printf 'ping\n' | timeout 10 openssl s_client -connect \
    "127.0.0.2:$P" -noservername -alpn foo -quiet 2>/dev/null | head -1)" \
    "ping"

# Python's ssl (OpenSSL), the same as tls-alpn-01's test client.
t_is "python ssl, h2 and http/1.1 offered: h2" \
    "$($PY -c "
import socket, ssl
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
c.check_hostname = False
c.verify_mode = ssl.CERT_NONE
c.set_alpn_protocols(['http/1.1', 'h2'])
with socket.create_connection(('127.0.0.2', $P), timeout=5) as s:
    with c.wrap_socket(s) as t:
        print(t.selected_alpn_protocol())
")" "h2"

# HTTP/2 end to end: curl negotiates h2 with certbindd, which passes the
# stream to nginx speaking h2c.
if ! command -v curl >/dev/null 2>&1; then
	t_skip "curl --http2" "curl is not installed"
elif [ -z "$nginx_ok" ]; then
	curl -sv --http2 -k --resolve "www.example.com:$P:127.0.0.2" \
	    "https://www.example.com:$P/" -o /dev/null >"$T/curl" 2>&1
	t_match "curl --http2: ALPN h2 accepted" "$(cat "$T/curl")" \
	    'ALPN.*(server accepted|accepted) h2'
	t_skip "curl --http2 through to an h2c backend" \
	    "nginx is not installed or did not start"
else
	BACK=$PN conf 'alpn = ( "h2", "http/1.1" );'
	srv_hup
	srv_wait_log 1 'reloaded:' 10
	out=$(curl -sv --http2 -k --resolve "www.example.com:$P:127.0.0.2" \
	    "https://www.example.com:$P/" 2>"$T/curl")
	t_match "curl --http2: ALPN h2 accepted" "$(cat "$T/curl")" \
	    'ALPN.*(server accepted|accepted) h2'
	t_is "curl --http2 through certbindd to nginx h2c: HTTP/2.0" \
	    "$out" "proto=HTTP/2.0"
	t_match "nginx logged the HTTP/2.0 request" \
	    "$(cat "$T/nginx/access.log")" '"GET / HTTP/2\.0" 200'
fi

# GnuTLS holds 8 protocols of up to 31 bytes: a longer list is a load
# error with the line (the config rule, config_listener_check()), for
# certbindd -t and a reload alike.
conf 'alpn = ( "a", "b", "c", "d", "e", "f", "g", "h" );'
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "8 protocols: certbindd -t names the line" "$out" \
    "certbind\\.conf:5: alpn has 8 protocols: at most 7 are offered"
conf "alpn = ( \"$(printf '%032d' 0)\" );"
out=$("$CERTBINDD" -t -c "$C" 2>&1)
t_match "a 32-byte protocol: refused with the line" "$out" \
    'certbind\.conf:5: alpn "0+" is not a protocol name: 1 to 31 printable characters'
srv_hup
srv_wait_log 1 'reload failed' 10
t_is "a reload with it fails, the old generation serves on" \
    "$(alpn "$P" -alpn h2)" "TLSv1.3 h2"
srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0
t_done
