# The ACME test environment: a real CA (pebble) and its DNS
# (pebble-challtestsrv), both on 127.0.0.1 at free ports, for the
# end-to-end tests tests/acme/t-*.sh. Sourced after tests/lib.sh:
#
#   . tests/lib.sh
#   . tests/acme/acmelib.sh
#   acme_need                   SKIP the whole script without pebble & co.
#                               ("# SKIP pebble not installed"); call it
#                               first (acme_env_start calls it too)
#   acme_env_start              starts both; exports what a test needs:
#     ACME_DIR_URL              https://127.0.0.1:PORT/dir
#     ACME_CA_BUNDLE            the CA that signed pebble's HTTPS certificate
#                               (acme.ca_bundle), not the CA pebble issues from
#     ACME_HTTP_PORT            where pebble's VA connects for http-01
#     ACME_TLS_PORT             ... and for tls-alpn-01
#                               (both chosen here unless set before the call)
#     ACME_MGMT_URL             pebble's management API (HTTPS, same CA)
#     CHALLTESTSRV_MGMT         http://127.0.0.1:PORT: challtestsrv's API
#     ACME_DNS_PORT             its DNS server (UDP and TCP, 127.0.0.1)
#     ACME_PEBBLE_PID, ACME_CHALLTESTSRV_PID
#     ACME_DNS_HOOK             tests/acme/dns-hook.sh, for acme.dns_hook
#                               ACME_EAB_KID and ACME_EAB_HMAC set before
#                               the call make pebble require External
#                               Account Binding with that key;
#                               PEBBLE_WFE_NONCEREJECT (percent) is passed on
#   acme_env_stop               stops both by PID (also run at exit)
#   acme_dns_a NAME ADDR        NAME resolves to ADDR (A, or AAAA for IPv6)
#   acme_dns_clear NAME         NAME's A and AAAA records removed
#   acme_issuer_pem [root|intermediate]
#                               pebble's issuing root and intermediate
#                               (both by default: intermediate first), PEM
#   acme_port [N]               N distinct free TCP ports (default 1)
#   acme_group                  the config's acme group for this CA
#
# The answers to challenges come from certbind and certbindd, never from
# challtestsrv: its http-01, https-01 and tls-alpn-01 servers are off, and
# it only serves DNS. A name it was not told about resolves to 127.0.0.1
# and has no AAAA record (so the VA never tries ::1, where nothing is).
#
# pebble runs with PEBBLE_VA_NOSLEEP=1 (validation at once), without
# PEBBLE_VA_ALWAYS_VALID whatever the caller's environment holds (every
# challenge is really validated), with PEBBLE_AUTHZREUSE=0 unless the caller
# sets it (each order is validated again, not served from an earlier
# authorization), and with its default 5% of nonces rejected: a client
# must retry badNonce.
#
# Every wait has a deadline; logs are in $T/acme/*.log and shown on failure.
#
# A certbind config for this CA:
#   acme = { server = "$ACME_DIR_URL"; ca_bundle = "$ACME_CA_BUNDLE";
#            challenge_http_port = $ACME_HTTP_PORT;
#            challenge_tls_port = $ACME_TLS_PORT; };
# tls-alpn-01 wants a certbindd listener on 127.0.0.1:$ACME_TLS_PORT;
# http-01 standalone wants http_port = $ACME_HTTP_PORT on the key; dns-01
# wants dns_hook = "$ACME_DNS_HOOK". Any name works as a domain (pebble
# resolves it through challtestsrv: 127.0.0.1), e.g. www.certbind.test;
# the preflight resolves it with the system's resolver, where it does not
# resolve (a warning, not a refusal) unless it is "localhost".

ACME_PEBBLE=${PEBBLE:-pebble}
ACME_CHALLTESTSRV=${PEBBLE_CHALLTESTSRV:-pebble-challtestsrv}
ACME_PY=${PYTHON:-python3}
ACME_PEBBLE_PID=""
ACME_CHALLTESTSRV_PID=""
ACME_DNS_HOOK="$top/tests/acme/dns-hook.sh"
export ACME_DNS_HOOK

acme_need() {
	for tool in "$ACME_PEBBLE" "$ACME_CHALLTESTSRV" openssl curl \
	    "$ACME_PY"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			case $tool in
			"$ACME_PEBBLE"|"$ACME_CHALLTESTSRV")
				t_skip "${0##*/}" "pebble not installed" ;;
			*)	t_skip "${0##*/}" "$tool is not installed" ;;
			esac
			exit 0
		fi
	done
}

acme_port() {
	$ACME_PY - "${1:-1}" <<'EOF'
import socket, sys
# All held open at once, so the ports are distinct; free on IPv4 and IPv6
# where the host has both (certbind's http-01 responder binds both).
held = []
while len(held) < int(sys.argv[1]):
    try:
        s = socket.socket(socket.AF_INET6)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", 0))
    except OSError:
        s = socket.socket(socket.AF_INET)
        s.bind(("0.0.0.0", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
EOF
}

# acme_wait_http URL SECS [CURL-ARGS...]: until URL answers with any HTTP
# status (or SECS pass); fails as soon as one of our processes is gone.
acme_wait_http() {
	url=$1 secs=$2
	shift 2
	i=0
	while [ $i -lt $((secs * 10)) ]; do
		code=$(curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 2 \
		    "$@" "$url" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && return 0
		for p in $ACME_CHALLTESTSRV_PID $ACME_PEBBLE_PID; do
			acme_alive "$p" || return 1
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

acme_logs() {
	for f in "$T"/acme/*.log; do
		[ -f "$f" ] || continue
		echo "--- ${f##*/}"
		tail -n 20 "$f"
	done
}

# The CA that signs pebble's HTTPS certificate, for 127.0.0.1 and localhost.
acme_mkcerts() {
	d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
	    -subj "/CN=certbind test CA for pebble's HTTPS" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    >"$d/openssl.log" 2>&1 || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$d/pebble.key" -out "$d/pebble.csr" \
	    -subj "/CN=localhost" >>"$d/openssl.log" 2>&1 || return 1
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	    "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" >"$d/pebble.ext"
	openssl x509 -req -in "$d/pebble.csr" -CA "$d/ca.pem" \
	    -CAkey "$d/ca.key" -CAcreateserial -days 2 \
	    -extfile "$d/pebble.ext" -out "$d/pebble.pem" \
	    >>"$d/openssl.log" 2>&1 || return 1
	chmod 600 "$d/ca.key" "$d/pebble.key"
}

acme_env_start() {
	acme_need		# a test that forgot it skips all the same
	d="$T/acme"
	mkdir -p "$d"
	if ! acme_mkcerts "$d"; then
		echo "acme_env_start: openssl failed:" >&2
		cat "$d/openssl.log" >&2
		return 1
	fi
	# shellcheck disable=SC2046
	set -- $(acme_port 6)
	if [ $# -ne 6 ]; then
		echo "acme_env_start: no free ports" >&2
		return 1
	fi
	pebble_port=$1 pebble_mgmt=$2 ACME_DNS_PORT=$3 cts_mgmt=$4
	ACME_HTTP_PORT=${ACME_HTTP_PORT:-$5}
	ACME_TLS_PORT=${ACME_TLS_PORT:-$6}

	"$ACME_CHALLTESTSRV" -dns01 "127.0.0.1:$ACME_DNS_PORT" \
	    -management "127.0.0.1:$cts_mgmt" \
	    -http01 "" -https01 "" -tlsalpn01 "" \
	    -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
	    >"$d/challtestsrv.log" 2>&1 </dev/null &
	ACME_CHALLTESTSRV_PID=$!
	CHALLTESTSRV_MGMT="http://127.0.0.1:$cts_mgmt"
	if ! acme_wait_http "$CHALLTESTSRV_MGMT/" 20; then
		echo "acme_env_start: pebble-challtestsrv did not start" >&2
		acme_logs >&2
		return 1
	fi

	# External Account Binding, when the test sets ACME_EAB_KID and
	# ACME_EAB_HMAC (base64url) before the call.
	eab_required=false eab_keys=""
	if [ -n "${ACME_EAB_KID:-}" ]; then
		eab_required=true
		eab_keys="\"$ACME_EAB_KID\": \"$ACME_EAB_HMAC\""
	fi
	cat >"$d/pebble.json" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$pebble_port",
    "managementListenAddress": "127.0.0.1:$pebble_mgmt",
    "certificate": "$d/pebble.pem",
    "privateKey": "$d/pebble.key",
    "httpPort": $ACME_HTTP_PORT,
    "tlsPort": $ACME_TLS_PORT,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $eab_required,
    "externalAccountMACKeys": { $eab_keys }
  }
}
EOF
	env -u PEBBLE_VA_ALWAYS_VALID PEBBLE_VA_NOSLEEP=1 \
	    PEBBLE_AUTHZREUSE="${PEBBLE_AUTHZREUSE:-0}" \
	    "$ACME_PEBBLE" -config "$d/pebble.json" \
	    -dnsserver "127.0.0.1:$ACME_DNS_PORT" \
	    >"$d/pebble.log" 2>&1 </dev/null &
	ACME_PEBBLE_PID=$!
	ACME_DIR_URL="https://127.0.0.1:$pebble_port/dir"
	ACME_MGMT_URL="https://127.0.0.1:$pebble_mgmt"
	ACME_CA_BUNDLE="$d/ca.pem"
	if ! acme_wait_http "$ACME_DIR_URL" 30 --cacert "$ACME_CA_BUNDLE"
	then
		echo "acme_env_start: pebble did not answer $ACME_DIR_URL" >&2
		acme_logs >&2
		return 1
	fi
	export ACME_DIR_URL ACME_CA_BUNDLE ACME_HTTP_PORT ACME_TLS_PORT \
	    ACME_MGMT_URL CHALLTESTSRV_MGMT ACME_DNS_PORT ACME_PEBBLE_PID \
	    ACME_CHALLTESTSRV_PID
}

# acme_group: the config's acme group for this CA (account key in the
# store's acme/account.key).
acme_group() {
	cat <<EOG
acme = {
  server = "$ACME_DIR_URL"; account = "acme/account.key";
  ca_bundle = "$ACME_CA_BUNDLE";
  challenge_http_port = $ACME_HTTP_PORT; challenge_tls_port = $ACME_TLS_PORT;
};
EOG
}

# acme_alive PID: running, and not a zombie waiting for this shell's wait.
acme_alive() {
	if [ -r "/proc/$1/stat" ]; then
		st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
	else
		kill -0 "$1" 2>/dev/null
	fi
}

acme_env_stop() {
	for p in $ACME_PEBBLE_PID $ACME_CHALLTESTSRV_PID; do
		kill "$p" 2>/dev/null
	done
	for p in $ACME_PEBBLE_PID $ACME_CHALLTESTSRV_PID; do
		i=0
		while acme_alive "$p" && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ACME_PEBBLE_PID="" ACME_CHALLTESTSRV_PID=""
}
t_at_exit acme_env_stop

# acme_cts PATH JSON: a POST to challtestsrv's management API.
acme_cts() {
	curl --noproxy '*' -sS -f --max-time 10 -X POST -d "$2" "$CHALLTESTSRV_MGMT$1" \
	    >/dev/null
}

acme_fqdn() {
	case $1 in
	*.) printf '%s' "$1" ;;
	*)  printf '%s.' "$1" ;;
	esac
}

acme_dns_a() {
	case $2 in
	*:*) acme_cts /add-aaaa "{\"host\":\"$(acme_fqdn "$1")\",\"addresses\":[\"$2\"]}" ;;
	*)   acme_cts /add-a "{\"host\":\"$(acme_fqdn "$1")\",\"addresses\":[\"$2\"]}" ;;
	esac
}

acme_dns_clear() {
	acme_cts /clear-a "{\"host\":\"$(acme_fqdn "$1")\"}" &&
	    acme_cts /clear-aaaa "{\"host\":\"$(acme_fqdn "$1")\"}"
}

acme_issuer_pem() {
	case ${1:-both} in
	root)
		curl --noproxy '*' -sS -f --max-time 10 --cacert "$ACME_CA_BUNDLE" \
		    "$ACME_MGMT_URL/roots/0" ;;
	intermediate)
		curl --noproxy '*' -sS -f --max-time 10 --cacert "$ACME_CA_BUNDLE" \
		    "$ACME_MGMT_URL/intermediates/0" ;;
	both)
		acme_issuer_pem intermediate && acme_issuer_pem root ;;
	*)
		echo "acme_issuer_pem: root or intermediate" >&2
		return 2 ;;
	esac
}
