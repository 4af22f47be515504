#!/bin/sh
# proxy_protocol = 1 and 2 read by a real haproxy (bind ... accept-proxy)
# that the test starts with its own config in $T, in tcp mode in front of
# an echo backend: haproxy's log names the test client's address and port
# (%ci %cp) and the certbindd listener it reached (%fi %fp), and for v2
# the SNI the client sent, from the AUTHORITY TLV (%[fc_pp_authority]).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool haproxy

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P1=$(srv_port) P2=$(srv_port) H1=$(srv_port) H2=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "echo backend starts"; exit 1; }
cat >"$T/haproxy.cfg" <<EOC
global
  log stdout format raw local0
defaults
  mode tcp
  log global
  timeout connect 5s
  timeout client 20s
  timeout server 20s
frontend v1
  bind 127.0.0.1:$H1 accept-proxy
  log-format "v1 %ci %cp %fi %fp"
  default_backend echo
frontend v2
  bind 127.0.0.1:$H2 accept-proxy
  log-format "v2 %ci %cp %fi %fp %[fc_pp_authority]"
  default_backend echo
backend echo
  server s 127.0.0.1:$PB
EOC
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
srv_pids="$srv_pids $!"
i=0
until $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
    "$H2" 2>/dev/null || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1))
done

C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P1"; backend = "127.0.0.1:$H1"; proxy_protocol = 1; },
    { endpoint = "127.0.0.2:$P2"; backend = "127.0.0.1:$H2"; proxy_protocol = 2; }
  );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
want_fpr=$(mkcert_fpr "$S/www.pem")

# through VERSION PORT SRC [SNI]: one connection; haproxy's line for it.
through() {
	seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$2" \
	    --src "$3" ${4:+--sni "$4"} --bytes 2000 2>&1)
	t_match "v$1: echo through certbindd and haproxy" "$seen" \
	    'echo=ok close=clean'
	t_is "v$1: certbindd served www's certificate" \
	    "$(srv_field "$seen" fpr)" "$want_fpr"
	i=0
	while ! grep -q "^v$1 " "$T/haproxy.log" && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	line=$(grep "^v$1 " "$T/haproxy.log" | tail -n 1)
	src=$(srv_field "$seen" src)
	want="v$1 ${src%:*} ${src##*:} 127.0.0.2 $2"
}
through 1 "$P1" 127.0.0.5
t_is "v1: haproxy's %ci %cp %fi %fp are the client and the listener" \
    "$line" "$want" "$(cat "$T/haproxy.log")"
through 2 "$P2" 127.0.0.6 www.example.com
t_is "v2: the same, and fc_pp_authority is the SNI sent" "$line" \
    "$want www.example.com" "$(cat "$T/haproxy.log")"
t_done
