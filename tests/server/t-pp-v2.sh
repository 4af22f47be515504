#!/bin/sh
# proxy_protocol = 1 | 2 on a listener, read byte by byte by a backend
# of the test's own (pp_backend.py): the header comes first, before any
# byte of the client's; v2 names the client's address and port and the
# listener's, and carries the ALPN, the SNI as AUTHORITY and the SSL TLV
# (client bits, verify, version, cipher). Every expected value is what
# the test's client saw on its side of the connection (its own address,
# what OpenSSL reports), not something certbindd printed.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
P2=$(srv_port) P1=$(srv_port) P6=$(srv_port) PB=$(srv_port)
R=$T/report
srv_pp_backend "$PB" "$R" || { t_fail "PROXY backend starts"; exit 1; }
have6=1
$PY -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' \
    2>/dev/null || have6=0
C=$T/certbind.conf
l6=""
[ $have6 = 1 ] && l6=",
    { endpoint = \"[::1]:$P6\"; backend = \"127.0.0.1:$PB\"; proxy_protocol = 2; }"
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P2"; backend = "127.0.0.1:$PB"; proxy_protocol = 2;
      alpn = ( "h2", "http/1.1" ); },
    { endpoint = "127.0.0.2:$P1"; backend = "127.0.0.1:$PB"; proxy_protocol = 1; }$l6
  );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

# iana NAME: the IANA name of an OpenSSL cipher name (the same for TLS 1.3).
iana() {
	openssl ciphers -stdname 'ALL:@SECLEVEL=0' 2>/dev/null |
	    awk -v n="$1" '$3 == n { print $1; exit }'
}

# v2 HOST PORT DST CLIENT-ARGS...: one connection through the v2 listener
# at HOST:PORT; the report must be exactly what the client's own view
# predicts. DST is the listener's endpoint as the header writes it.
v2() {
	host=$1 port=$2 dst=$3; shift 3
	seen=$(timeout 30 $PY tests/server/pp_client.py tls "$host" "$port" \
	    "$@" 2>&1)
	rep=$(srv_pp_report "$R" 10)
	src=$(srv_field "$seen" src)
	alpn=$(srv_field "$seen" alpn)
	sni=$(printf '%s\n' "$@" | sed -n '/^--sni$/{n;p;}')
	fam=TCP4
	case $dst in \[*) fam=TCP6 ;; esac
	want=$(printf 'version=2\ncommand=PROXY\nfamily=%s\nsrc=%s\ndst=%s\n' \
	    "$fam" "$src" "$dst"
	    [ "$alpn" != - ] && echo "alpn=$alpn"
	    [ -n "$sni" ] && echo "authority=$sni"
	    echo "ssl_client=0x01"
	    echo "ssl_verify=0"
	    echo "ssl_version=$(srv_field "$seen" version)"
	    echo "ssl_cipher=$(iana "$(srv_field "$seen" cipher)")")
}

v2 127.0.0.2 "$P2" "127.0.0.2:$P2" --src 127.0.0.5 --sni www.example.com \
    --alpn h2,http/1.1 --tls 1.3 --bytes 4321
t_match "TLS 1.3 with SNI and ALPN: the client got its echo" "$seen" \
    'echo=ok close=clean'
t_is "v2 header: signature, command, family, addresses and every TLV" \
    "$rep" "$want" "client: $seen"
alpn13=$alpn

v2 127.0.0.2 "$P2" "127.0.0.2:$P2" --src 127.0.0.6 --tls 1.2 --bytes 10
t_match "TLS 1.2 without SNI or ALPN: echo" "$seen" 'echo=ok'
t_is "v2 header: no AUTHORITY, no ALPN, TLS 1.2's version and IANA cipher" \
    "$rep" "$want" "client: $seen"

# ALPN: the TLV is exactly what was negotiated; when the listener's alpn
# is in force (helper "tls"), h2.
if [ "$alpn13" = - ]; then
	t_skip "the ALPN TLV carries h2" "no ALPN was negotiated (listener alpn not served by this build)"
else
	t_is "the ALPN TLV carries what OpenSSL negotiated" "$alpn13" h2
fi

if [ $have6 = 1 ]; then
	v2 ::1 "$P6" "[::1]:$P6" --sni www.example.com --bytes 100
	t_is "IPv6: family TCP6 and both addresses" "$rep" "$want" \
	    "client: $seen"
else
	t_skip "IPv6: family TCP6" "no IPv6 loopback here"
fi

# v1: one line, canonical addresses, the ports in decimal.
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P1" \
    --src 127.0.0.7 --sni www.example.com --bytes 777 2>&1)
rep=$(srv_pp_report "$R" 10)
want=$(printf 'version=1\nfamily=TCP4\nsrc=%s\ndst=127.0.0.2:%s\n' \
    "$(srv_field "$seen" src)" "$P1")
t_match "v1: echo through the header" "$seen" 'echo=ok close=clean'
t_is "v1 header: PROXY TCP4 client listener ports" "$rep" "$want" \
    "client: $seen"

# The header is not the client's: the access log counts only its bytes.
srv_wait_log 4 ' certbindd: access ' 10
l=$(srv_access "to_backend=777 ")
t_match "access log: the v1 connection's bytes, without the header" "$l" \
    'to_backend=777 to_client=777 .*end=closed'
l=$(srv_access "to_backend=4321 ")
t_match "access log: the v2 connection's bytes, without the header" "$l" \
    'to_backend=4321 to_client=4321 .*end=closed'
t_done
