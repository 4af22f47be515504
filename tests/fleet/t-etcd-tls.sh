#!/bin/sh
# op/etcd.h over https: a one-member etcd that asks for client
# certificates, all made here with certtool. The client with the CA and
# its certificate works (reads, writes, a watch); without the
# certificate, or trusting another CA, it fails with a cause that names
# the endpoint.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/etcdlib.sh"
fleet_need 2

# A CA, the member's certificate for 127.0.0.1 and a client's. The
# member's is a client certificate too: etcd 3.4's gateway dials the
# member's own gRPC port with it, and --client-cert-auth checks it.
mk() {
	certtool --generate-privkey --key-type=ecdsa --outfile "$T/$1.key" \
	    >/dev/null 2>&1
	printf '%s\n' "$2" expiration_days=2 >"$T/$1.tmpl"
	if [ "$1" = ca ] || [ "$1" = other ]; then
		certtool --generate-self-signed --load-privkey "$T/$1.key" \
		    --template "$T/$1.tmpl" --outfile "$T/$1.pem" >/dev/null 2>&1
	else
		certtool --generate-certificate --load-privkey "$T/$1.key" \
		    --load-ca-certificate "$T/ca.pem" \
		    --load-ca-privkey "$T/ca.key" \
		    --template "$T/$1.tmpl" --outfile "$T/$1.pem" >/dev/null 2>&1
	fi
}
mk ca 'cn = "certbind test CA"
ca
cert_signing_key'
mk other 'cn = "another CA"
ca
cert_signing_key'
mk server 'cn = "127.0.0.1"
ip_address = "127.0.0.1"
tls_www_server
tls_www_client
signing_key'
mk client 'cn = "certbind"
tls_www_client
signing_key'
if [ ! -s "$T/client.pem" ]; then
	t_fail "certtool makes the CA and the certificates"
	t_done
	exit 1
fi

cp=$base pp=$((base + 1))
etcd --name tls --data-dir "$T/tls" \
    --listen-client-urls "https://127.0.0.1:$cp" \
    --advertise-client-urls "https://127.0.0.1:$cp" \
    --listen-peer-urls "http://127.0.0.1:$pp" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "tls=http://127.0.0.1:$pp" \
    --cert-file "$T/server.pem" --key-file "$T/server.key" \
    --client-cert-auth --trusted-ca-file "$T/ca.pem" \
    --logger zap --log-level error >"$T/etcd.log" 2>&1 &
epid=$!
stop_etcd() {
	kill "$epid" 2>/dev/null
	i=0
	while kill -0 "$epid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -KILL "$epid" 2>/dev/null
}
t_at_exit stop_etcd

EP="127.0.0.1:$cp"
d() { "$drive" -e "$EP" -t 2000 -c "$T/ca.pem" -C "$T/client.pem" \
    -K "$T/client.key" "$@"; }
i=0
until d status 2>/dev/null | grep -q 'leader yes'; do
	i=$((i + 1))
	if [ $i -ge 60 ]; then
		t_fail "an etcd member with TLS starts" "$(tail -n 5 "$T/etcd.log")"
		t_done
		exit 1
	fi
	sleep 0.5
done
t_pass "a member serving https on 127.0.0.1:$cp is healthy"

out=$(d put /tls/a secret 2>&1); rc=$?
t_match "a put over https with a client certificate" "$rc $out" "^0 revision"
out=$(d get /tls/a 2>&1)
t_match "and the get" "$out" "^/tls/a secret "
t_is "etcdctl over TLS agrees" "$(ETCDCTL_API=3 etcdctl \
    --endpoints="https://$EP" --cacert "$T/ca.pem" --cert "$T/client.pem" \
    --key "$T/client.key" get --print-value-only /tls/a 2>&1)" "secret"
rev=$(d get /tls/a | sed -n 's/.* mod=\([0-9]*\) .*/\1/p')
out=$(d watch /tls/ "$rev" 1 5000 2>/dev/null)
t_match "a watch over https" "$out" "^PUT /tls/a secret mod=$rev"

out=$("$drive" -e "$EP" -t 2000 -c "$T/ca.pem" get /tls/a 2>&1); rc=$?
t_match "without a client certificate: refused, naming the endpoint" \
    "$rc $out" "^2 .*https://127.0.0.1:$cp.*asks for a client certificate"
echo "# $out"
out=$("$drive" -e "$EP" -t 2000 -c "$T/other.pem" -C "$T/client.pem" \
    -K "$T/client.key" get /tls/a 2>&1); rc=$?
t_match "trusting another CA: refused, naming the endpoint" \
    "$rc $out" "^2 .*https://127.0.0.1:$cp.*not signed by the CA in"
echo "# $out"
out=$("$drive" -e "$EP" -t 2000 -C "$T/client.pem" get /tls/a 2>&1); rc=$?
t_match "a certificate without its key is refused before any request" \
    "$rc $out" "^2 .*needs its key"
out=$("$drive" -e "http://$EP" -t 2000 get /tls/a 2>&1); rc=$?
t_match "plain http to an https member: a clear error" "$rc $out" \
    "^2 .*http://127.0.0.1:$cp"

# certbind itself on an https location, its TLS from the environment.
L="etcd://$EP/tls/site"
CERTBIND_RUNDIR="$T/run"
mkdir -p "$CERTBIND_RUNDIR"
export CERTBIND_RUNDIR
cb -c "$L" list
t_match "certbind without the CA speaks plain http and is refused" \
    "$rc $err" "^2 .*http://127.0.0.1:$cp"
CERTBIND_ETCD_CA="$T/ca.pem" CERTBIND_ETCD_CERT="$T/client.pem" \
    CERTBIND_ETCD_KEY="$T/client.key" cb -c "$L" init
t_is "certbind init over https with \$CERTBIND_ETCD_CA/CERT/KEY" "$rc" 0 "$err"
CERTBIND_ETCD_CA="$T/ca.pem" CERTBIND_ETCD_CERT="$T/client.pem" \
    CERTBIND_ETCD_KEY="$T/client.key" cb -c "$L" selfsign www --cn www.example
t_is "and a key made there" "$rc" 0 "$err"
t_match "lands in etcd" "$(d get /tls/site/files/keys/www.key)" \
    "^/tls/site/files/keys/www.key -----BEGIN PRIVATE KEY"
CERTBIND_ETCD_CA="$T/ca.pem" cb -c "$L" list
t_match "without the client certificate: refused, naming the endpoint" \
    "$rc $err" "^2 .*https://127.0.0.1:$cp.*asks for a client certificate"
cb -c "etcd://10.0.0.1:$cp/tls/site" list
t_match "plain http beyond the loopback is refused before any request" \
    "$rc $err" "^2 .*would be spoken to over plain http.*CERTBIND_ETCD_INSECURE"
stop_etcd
t_done
