#!/bin/sh
# accept_proxy = true: certbindd behind a load balancer, a real haproxy in
# tcp mode on another loopback address (127.0.0.3) that sends PROXY v2
# (send-proxy-v2). The header's destination chooses the binding: the
# bindings for haproxy's address and for certbindd's own serve different
# keys, the certificate served through haproxy is the one for haproxy's
# address, and certbind resolve predicts it. The header's source is what
# the backend is told (proxy_protocol = 2 onward, read by pp_backend.py)
# and what the access log says. Headers that are malformed, too long or
# never sent are closed and logged, and certbindd goes on serving.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool haproxy

S=$T/store
mkcert_leaf "$S" lb lb.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" own own.example.com || { t_fail "fixtures"; exit 1; }
PC=$(srv_port) PH=$(srv_port) PB=$(srv_port)
R=$T/report
srv_pp_backend "$PB" "$R" || { t_fail "PROXY backend starts"; exit 1; }
cat >"$T/haproxy.cfg" <<EOC
defaults
  mode tcp
  timeout connect 5s
  timeout client 20s
  timeout server 20s
frontend lb
  bind 127.0.0.3:$PH
  default_backend certbindd
backend certbindd
  server s 127.0.0.1:$PC send-proxy-v2
EOC
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
srv_pids="$srv_pids $!"

C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.1:$PC"; backend = "127.0.0.1:$PB";
               accept_proxy = true; proxy_protocol = 2; } );
  workers = 1;
  handshake_timeout = 2;
};
keys = ( { name = "lb"; key = "lb.key"; cert = "lb.pem"; },
         { name = "own"; key = "own.key"; cert = "own.pem"; } );
bindings = ( { key = "lb"; endpoint = "127.0.0.3:$PH"; },
             { key = "own"; endpoint = "127.0.0.1:$PC"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
lb=$(mkcert_fpr "$S/lb.pem")
own=$(mkcert_fpr "$S/own.pem")

# Through haproxy: the header names 127.0.0.3:PH, whose binding is "lb".
t_is "through haproxy: the key bound to haproxy's address serves" \
    "$(srv_fpr 127.0.0.3 "$PH")" "$lb" "$(cat "$srv_log")"
srv_pp_report "$R" 10 >/dev/null
cb -c "$C" resolve "127.0.0.3:$PH"
t_is "certbind resolve predicts it" "$(echo "$out" | awk 'NR == 1 { print $1 }')" lb
cb -c "$C" resolve "127.0.0.1:$PC"
t_is "and resolves certbindd's own address to the other key" \
    "$(echo "$out" | awk 'NR == 1 { print $1 }')" own

seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.3 "$PH" \
    --src 127.0.0.5 --bytes 3000 2>&1)
t_match "a client through haproxy gets its echo" "$seen" 'echo=ok close=clean'
rep=$(srv_pp_report "$R" 10)
src=$(srv_field "$seen" src)
t_match "the backend is told the client haproxy saw" "$rep" "^src=$src\$"
t_match "and the address the client reached (haproxy's)" "$rep" \
    "^dst=127\\.0\\.0\\.3:$PH\$"
srv_wait_log 2 ' certbindd: access ' 10
t_match "the access log names the client and haproxy's address" \
    "$(srv_access "client=$src ")" \
    "client=$src local=127\\.0\\.0\\.3:$PH sni=- alpn=- key=lb .* to_backend=3000 to_client=3000 .*end=closed"

# hexof TEXT: the bytes of TEXT (printf escapes allowed) in hex.
hexof() { printf "$1" | od -An -tx1 | tr -d ' \n'; }

# A v2 LOCAL header (a health check): the socket's addresses stand.
local2=0d0a0d0a000d0a515549540a20000000
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.1 "$PC" \
    --pre "$local2" --bytes 10 2>&1)
t_is "v2 LOCAL: certbindd's own address chooses the binding" \
    "$(srv_field "$seen" fpr)" "$own" "$seen"
rep=$(srv_pp_report "$R" 10)
t_match "v2 LOCAL: the backend is told the socket's client" "$rep" \
    "^src=$(srv_field "$seen" src)\$"

# A v1 header from another load balancer naming a client far away.
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.1 "$PC" \
    --pre "$(hexof "PROXY TCP4 192.0.2.7 127.0.0.3 4321 $PH\r\n")" \
    --bytes 10 2>&1)
t_is "v1 header: its destination chooses the binding" \
    "$(srv_field "$seen" fpr)" "$lb" "$seen"
rep=$(srv_pp_report "$R" 10)
t_match "v1 header: the backend is told its source" "$rep" \
    '^src=192\.0\.2\.7:4321$'
srv_wait_log 4 ' certbindd: access ' 10
t_match "v1 header: so is the access log" \
    "$(srv_access 'client=192\.0\.2\.7:4321 ')" "local=127\\.0\\.0\\.3:$PH .*key=lb"

# bad KIND WHAT END: a bad header is closed at once, logged, recorded.
bad() {
	n0=$(grep -c 'accept_proxy: client' "$srv_log")
	r=$(timeout 20 $PY tests/server/pp_client.py raw 127.0.0.1 "$PC" "$1" 10)
	t_match "$2: closed at once, not at the timeout ($r)" "$r" \
	    '^closed (0\.[0-9]|1\.[0-4])$'
	srv_wait_log $((n0 + 1)) 'accept_proxy: client' 5
	t_match "$2: one warning naming the client" \
	    "$(grep 'accept_proxy: client' "$srv_log" | tail -n 1)" \
	    "accept_proxy: client 127\\.0\\.0\\.1:[0-9]+ on 127\\.0\\.0\\.1:$PC: .*connection closed"
}
nacc=$(grep -c ' certbindd: access ' "$srv_log")
bad garbage "a malformed v1 header"
bad long "a v2 header of 5000 bytes"
bad longv1 "a v1 line of 5000 bytes"
srv_wait_log $((nacc + 3)) ' certbindd: access ' 10
t_is "each is in the access log as proxy-header-bad" \
    "$(srv_access 'end=proxy-header-bad' | wc -l | tr -d ' ')" 3

# A TLS client that sends no header: refused, its bytes shown escaped.
r=$(srv_fpr 127.0.0.1 "$PC")
t_is "a ClientHello without a header is refused" "$r" refused
srv_wait_log 4 'accept_proxy: client' 5
t_match "and logged with its first bytes escaped" \
    "$(grep 'accept_proxy: client' "$srv_log" | tail -n 1)" \
    'beginning "\\x16\\x03'

# Nothing, or half a header: closed at handshake_timeout (2 s), logged.
for kind in silent partial; do
	r=$(timeout 20 $PY tests/server/pp_client.py raw 127.0.0.1 "$PC" "$kind" 10)
	t_ok "$kind: closed at the handshake timeout ($r)" \
	    awk -v t="${r#closed }" -v r="$r" \
	    'BEGIN { exit !(r ~ /^closed/ && t + 0 >= 1.5 && t + 0 <= 4.5) }'
done
srv_wait_log 2 'no complete PROXY header within handshake_timeout' 5
t_match "the timeouts are logged naming the client" "$(cat "$srv_log")" \
    "accept_proxy: client 127\\.0\\.0\\.1:[0-9]+ on 127\\.0\\.0\\.1:$PC: no complete PROXY header within handshake_timeout \\(0 bytes"
srv_wait_log 2 'end=proxy-header-timeout' 5
t_is "and recorded as proxy-header-timeout" \
    "$(srv_access 'end=proxy-header-timeout' | wc -l | tr -d ' ')" 2

t_is "certbindd still serves through haproxy" "$(srv_fpr 127.0.0.3 "$PH")" "$lb"
t_ok "certbindd is still running" kill -0 "$srv_pid"
t_done
