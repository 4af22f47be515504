#!/bin/sh
# certbindd's settings from the command line (issue 12): resolve prints
# the key, then the rule, then the backend (the binding's own wins over
# the listener's; none without a listener) and the client-certificate
# policy, and --json says the same as one JSON document; listen and bind
# set the listener's and the binding's options, change an existing
# listener or binding and say what changed, and refuse a bad value by
# naming it, leaving the file byte-identical.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/s"
(
	. tests/fixtures/mkcert.sh
	mkcert_ca "$T/s" ca &&
	MKCERT_CA="$T/s/ca" mkcert_leaf "$T/s" www www.example.com \
	    www.example.com &&
	MKCERT_CA="$T/s/ca" mkcert_leaf "$T/s" api api.example.com \
	    api.example.com
) || { t_fail "make the certificates"; exit 1; }
C=$T/s/certbind.conf
cat >"$C" <<'EOF'
version = 1;
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; }
  );
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "api"; key = "api.key"; cert = "api.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.3:8443"; },
  { key = "api"; endpoint = "127.0.0.3:8443"; sni = "api.example.com";
    backend = "127.0.0.1:9000"; },
  { key = "www"; endpoint = "*:*"; }
);
EOF

# --- resolve: the key, then the rule, then the backend.
cb -c "$C" resolve 127.0.0.3:8443
t_is "resolve exits 0" "$rc" 0 "$err"
t_is "the key first" "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" www
t_ok "then the rule, then the backend" sh -c '
    printf "%s\n" "$1" | awk "
	/address:port/ && !r { r = NR }
	/backend/ && !b { b = NR }
	END { exit !(r == 1 && b > r) }"' sh "$out"
t_match "the listener's backend, said to be the listener's" "$out" \
    '^  backend 127\.0\.0\.1:8080 \(the listener.s\)$'

cb -c "$C" resolve 127.0.0.3:8443 --sni api.example.com
t_is "resolve with sni: api" "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" api
t_match "the binding's own backend wins over the listener's" "$out" \
    '^  backend 127\.0\.0\.1:9000 \(the binding.s own\)$'
t_nomatch "and the listener's is not given as the backend" "$out" '8080'

cb -c "$C" resolve 127.0.0.9:443
t_is "the default serves an address without a listener" "$rc" 0
t_match "and says there is no listener" "$out" \
    'backend none: no listener on 127\.0\.0\.9:443'

cb -c "$C" resolve 127.0.0.3:8443 --sni nobody.example.com --json
t_is "an unserved name: still exit 0 (the binding without sni serves)" "$rc" 0

# --- resolve --json.
have_py=1
command -v python3 >/dev/null 2>&1 || have_py=0
json_get() {	# json_get FILE EXPR: prints the Python expression on j
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}
cb -c "$C" resolve 127.0.0.3:8443 --sni api.example.com --json
printf '%s\n' "$out" >"$T/r.json"
if [ "$have_py" = 1 ]; then
	t_ok "--json is one JSON document" python3 -c \
	    'import json, sys; json.load(open(sys.argv[1]))' "$T/r.json"
	t_is "json: key" "$(json_get "$T/r.json" 'j["key"]')" api
	t_is "json: binding" "$(json_get "$T/r.json" \
	    '(j["binding"]["endpoint"], j["binding"]["sni"], j["binding"]["line"] > 0)')" \
	    "('127.0.0.3:8443', 'api.example.com', True)"
	t_is "json: rule" "$(json_get "$T/r.json" \
	    '(j["rule"]["level"], j["rule"]["sni"], j["rule"]["text"])')" \
	    "('A:P', 'exact', 'address:port, exact sni')"
	t_is "json: backend, the binding's" "$(json_get "$T/r.json" \
	    '(j["backend"]["endpoint"], j["backend"]["from"])')" \
	    "('127.0.0.1:9000', 'binding')"
	t_is "json: no client certificates" "$(json_get "$T/r.json" \
	    '(j["client_auth"], j["client_ca"])')" "('none', None)"
	cb -c "$C" resolve 127.0.0.3:8443 --json
	printf '%s\n' "$out" >"$T/r.json"
	t_is "json: the listener's backend" "$(json_get "$T/r.json" \
	    '(j["key"], j["backend"]["endpoint"], j["backend"]["from"])')" \
	    "('www', '127.0.0.1:8080', 'listener')"
	cb -c "$C" resolve 127.0.0.9:443 --json
	printf '%s\n' "$out" >"$T/r.json"
	t_is "json: no listener, backend null" "$(json_get "$T/r.json" \
	    '(j["key"], j["backend"], j["listener"])')" "('www', None, None)"
else
	t_skip "resolve --json parses" "python3 is not installed"
fi
cp "$C" "$T/nolisten.conf"
cat >"$T/none.conf" <<'EOF'
version = 1;
keys = ( );
bindings = ( );
EOF
cb -c "$T/none.conf" resolve 127.0.0.3:8443 --json
t_is "json: nothing serves it: still exit 3" "$rc" 3
if [ "$have_py" = 1 ]; then
	printf '%s\n' "$out" >"$T/r.json"
	t_is "json: nothing serves it: key null" \
	    "$(json_get "$T/r.json" 'j["key"]')" None
fi
cb -c "$T/none.conf" resolve 127.0.0.3:8443
t_is "text: nothing serves it: exit 3, nothing on stdout" "$rc:$out" "3:"

# --- listen: the options, written and read back.
cp "$C" "$T/before"
cb -c "$C" listen 127.0.0.3:8443 --proxy-protocol 2 --alpn h2,http/1.1 \
    --freebind --accept-proxy
t_is "listen with options on an existing listener: exit 0" "$rc" 0 "$err"
t_match "it says what changed" "$err" \
    'listener 127\.0\.0\.3:8443: proxy_protocol 0 -> 2'
t_match "the file has the options" "$(grep 127.0.0.3:8443 "$C" | head -n 1)" \
    'backend = "127\.0\.0\.1:8080"; proxy_protocol = 2; alpn = \( "h2", "http/1\.1" \); freebind = true; accept_proxy = true;'
cb -c "$C" check --offline
t_is "certbind check loads it without error" "$rc" 0 "$out$err"
cb -c "$C" listen 127.0.0.3:8443 --proxy-protocol 2 --alpn h2,http/1.1 \
    --freebind --accept-proxy
t_is "the same again: certbind reads them back as set" "$rc" 0
t_match "and writes nothing" "$err" 'has these settings already; nothing was written'
cb -c "$C" listen 127.0.0.3:8443 --no-freebind --alpn ''
t_match "--no-freebind and --alpn '' clear them" "$(grep 127.0.0.3:8443 "$C" | head -n 1)" \
    'proxy_protocol = 2; accept_proxy = true;'
t_match "and say so" "$err" 'freebind on -> off'
cb -c "$C" listen 127.0.0.4:8443 --backend 127.0.0.1:8081 --proxy-protocol 1
t_is "a new listener with options" "$rc" 0 "$err"
t_match "is written with them" "$(cat "$C")" \
    '"127\.0\.0\.4:8443"; backend = "127\.0\.0\.1:8081"; proxy_protocol = 1;'

# --- bind: the binding's settings.
cb -c "$C" bind www 127.0.0.3:8443 --backend 127.0.0.1:7000
t_is "bind --backend on an existing binding: exit 0" "$rc" 0 "$err"
t_match "it says what changed" "$err" "backend the listener's -> 127\\.0\\.0\\.1:7000"
cb -c "$C" resolve 127.0.0.3:8443
t_match "resolve now gives the binding's own" "$out" \
    '^  backend 127\.0\.0\.1:7000 \(the binding.s own\)$'
cb -c "$C" bind api 127.0.0.3:8443 --sni api.example.com \
    --client-ca "$T/s/ca.pem" --client-auth optional
t_is "bind --client-ca --client-auth: exit 0" "$rc" 0 "$err"
t_match "the file has them" "$(grep '"api.example.com"' "$C")" \
    "client_ca = \"$T/s/ca.pem\"; client_auth = \"optional\";"
cb -c "$C" resolve 127.0.0.3:8443 --sni api.example.com
t_match "resolve gives the policy" "$out" \
    "^  client certificates optional, verified against $T/s/ca\\.pem\$"
cb -c "$C" bind api 127.0.0.3:8443 --sni api.example.com --no-backend \
    --no-client-ca
t_match "--no-backend --no-client-ca clear them" \
    "$(grep '"api.example.com"' "$C")" 'sni = "api\.example\.com"; }'
cb -c "$C" bind api 127.0.0.5:443 --backend 127.0.0.1:9100
t_is "a new binding with a backend" "$rc" 0 "$err"
t_match "is written with it" "$(cat "$C")" \
    'key = "api"; endpoint = "127\.0\.0\.5:443"; backend = "127\.0\.0\.1:9100";'
cb -c "$C" bind api 127.0.0.5:443
t_is "bind without settings on an existing binding: refused as before" "$rc" 1

# --- Bad values: named, refused, the file untouched.
refused() {	# refused NAME WANT-RC ERR-REGEX ARGS...
	name=$1 want=$2 re=$3
	shift 3
	cp "$C" "$T/before"
	cb -c "$C" "$@"
	t_is "$name: exit $want" "$rc" "$want" "$err"
	t_match "$name: says what is wrong" "$err" "$re"
	t_ok "$name: the file is byte-identical" cmp -s "$C" "$T/before"
}
refused "--proxy-protocol 3" 2 \
    "proxy_protocol 3 is not a version: use 0 \\(none\\), 1 or 2" \
    listen 127.0.0.3:8443 --proxy-protocol 3
refused "--proxy-protocol v2" 2 "'v2' is not a version: use 0 \\(none\\), 1 or 2" \
    listen 127.0.0.3:8443 --proxy-protocol v2
refused "--alpn h2,h2" 2 'alpn "h2" is given twice' \
    listen 127.0.0.3:8443 --alpn h2,h2
refused "--alpn with an empty name" 2 'alpn "" is not a protocol name' \
    listen 127.0.0.3:8443 --alpn 'h2,,http/1.1'
refused "--freebind --no-freebind" 2 'opposite' \
    listen 127.0.0.3:8443 --freebind --no-freebind
refused "a new listener without --backend" 2 'needs --backend' \
    listen 127.0.0.6:8443 --proxy-protocol 1
refused "--backend with '*'" 2 "'\\*:80' must be an address and a port" \
    bind www 127.0.0.3:8443 --backend '*:80'
refused "--backend with a bad port" 2 '127\.0\.0\.1:99999' \
    bind www 127.0.0.3:8443 --backend 127.0.0.1:99999
refused "--client-auth maybe" 2 \
    "'maybe' is not a policy: use required or optional" \
    bind www 127.0.0.3:8443 --client-auth maybe
refused "--client-auth without a CA" 1 'client_auth "optional" needs client_ca' \
    bind www 127.0.0.3:8443 --client-auth optional
refused "--client-ca ''" 2 "names no file" \
    bind www 127.0.0.3:8443 --client-ca ''

# --- The help says what the options are.
cb resolve --help
t_match "resolve --help: --json" "$out" '\[--json\]'
t_match "resolve --help: the backend" "$out" 'backend'
cb listen --help
for o in --proxy-protocol --alpn freebind accept-proxy; do
	t_match "listen --help: $o" "$out" "$o"
done
cb bind --help
for o in --backend --client-ca --client-auth; do
	t_match "bind --help: $o" "$out" "$o"
done
t_done
