#!/bin/sh
# proxy_protocol = 2 with a client certificate (client_ca, client_auth =
# "required" on the binding): the SSL TLV that pp_backend.py reads says a
# certificate came with the connection and the session (client bits
# 0x07), that it verified (verify 0), and carries its subject's CN. The
# expected CN is the one the test wrote into the certificate.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool certtool

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
mkcert_ca "$T" ca "Client CA" || { t_fail "CA fixture"; exit 1; }
# A client certificate (extended key usage clientAuth) signed by the CA.
mkcert__key "$T/alice.key" &&
    printf 'cn = "alice.client"\nexpiration_days = 30\ntls_www_client\nsigning_key\n' \
    >"$T/alice.tmpl" &&
    mkcert__run certtool --generate-certificate --no-text \
    --load-privkey "$T/alice.key" --load-ca-privkey "$T/ca.key" \
    --load-ca-certificate "$T/ca.pem" --template "$T/alice.tmpl" \
    --outfile "$T/alice.pem" || { t_fail "client fixture"; exit 1; }

P=$(srv_port) PB=$(srv_port)
R=$T/report
srv_pp_backend "$PB" "$R" || { t_fail "PROXY backend starts"; exit 1; }
C=$T/certbind.conf
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB";
               proxy_protocol = 2; } );
  workers = 1;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "127.0.0.2:*"; client_ca = "$T/ca.pem";
               client_auth = "required"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

# Without a certificate the handshake must be refused; a build that does
# not ask for client certificates lets it through, and has nothing to
# say in the SSL TLV.
seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --sni www.example.com --bytes 10 2>&1)
rm -f "$R"
case $seen in
*echo=ok*)
	t_skip "the SSL TLV of a verified client certificate" \
	    "this build does not ask for client certificates (client_ca)"
	t_done
	exit 0
	;;
esac

seen=$(timeout 30 $PY tests/server/pp_client.py tls 127.0.0.2 "$P" \
    --src 127.0.0.5 --sni www.example.com --cert "$T/alice.pem" \
    --key "$T/alice.key" --bytes 500 2>&1)
t_match "with a certificate from the CA: echo" "$seen" 'echo=ok close=clean'
rep=$(srv_pp_report "$R" 10)
t_match "SSL TLV: a certificate with the connection and the session" \
    "$rep" '^ssl_client=0x07$'
t_match "SSL TLV: verified" "$rep" '^ssl_verify=0$'
t_match "SSL TLV: the CN written into it" "$rep" '^ssl_cn=alice\.client$'
t_match "SSL TLV: then the version and cipher, as without a certificate" \
    "$rep" "^ssl_version=$(srv_field "$seen" version)\$"
t_done
