#!/bin/sh
# proxy_protocol = 1 and 2 read by a real nginx (listen ... proxy_protocol)
# that the test starts with its own config in $T: nginx's access log
# names the test client's address and port ($proxy_protocol_addr,
# $proxy_protocol_port) and the certbindd listener the client reached
# ($proxy_protocol_server_addr, $proxy_protocol_server_port). nginx 1.22
# has no variables for v2's TLVs (pp_backend.py checks those, t-pp-v2).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool nginx curl

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P1=$(srv_port) P2=$(srv_port) N1=$(srv_port) N2=$(srv_port)
mkdir -p "$T/nginx"
cat >"$T/nginx.conf" <<EOC
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
error_log $T/nginx.err;
events { worker_connections 64; }
http {
  access_log off;
  log_format pp '\$proxy_protocol_addr \$proxy_protocol_port \$proxy_protocol_server_addr \$proxy_protocol_server_port \$server_port';
  server {
    listen 127.0.0.1:$N1 proxy_protocol;
    listen 127.0.0.1:$N2 proxy_protocol;
    access_log $T/nginx.access pp;
    location / { return 200 "served by nginx\n"; }
  }
}
EOC
nginx -p "$T/nginx" -e "$T/nginx.err" -c "$T/nginx.conf" \
    -g "daemon off; pid $T/nginx.pid;" >"$T/nginx.out" 2>&1 &
srv_pids="$srv_pids $!"
srv_wait_file "$T/nginx.pid" 10 || {
	t_fail "nginx starts" "$(cat "$T/nginx.out" "$T/nginx.err" 2>/dev/null)"
	exit 1
}

C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P1"; backend = "127.0.0.1:$N1"; proxy_protocol = 1; },
    { endpoint = "127.0.0.2:$P2"; backend = "127.0.0.1:$N2"; proxy_protocol = 2; }
  );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
want_fpr=$(mkcert_fpr "$S/www.pem")

# get VERSION PORT SRC: a request from SRC through certbindd's listener
# on PORT; nginx's log line for it must name SRC and curl's own port.
get() {
	t_is "v$1: certbindd serves www's certificate" \
	    "$(srv_fpr 127.0.0.2 "$2" www.example.com)" "$want_fpr"
	n0=$(cat "$T/nginx.access" 2>/dev/null | wc -l)
	r=$(timeout 20 curl -sk --interface "$3" \
	    --resolve "www.example.com:$2:127.0.0.2" \
	    -w ' %{local_ip} %{local_port}' "https://www.example.com:$2/" 2>&1)
	t_match "v$1: nginx answered through certbindd" "$r" '^served by nginx'
	lport=$(printf '%s\n' "$r" | awk 'END { print $NF }')
	i=0
	while [ "$(cat "$T/nginx.access" 2>/dev/null | wc -l)" -le "$n0" ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	n=$N1
	[ "$1" = 2 ] && n=$N2
	t_is "v$1: nginx's \$proxy_protocol_* name the client and the listener" \
	    "$(tail -n 1 "$T/nginx.access" 2>/dev/null)" \
	    "$3 $lport 127.0.0.2 $2 $n" "$(cat "$T/nginx.err" 2>/dev/null)"
}
get 1 "$P1" 127.0.0.5
get 2 "$P2" 127.0.0.6
t_done
