#!/bin/sh
# The ACME test environment itself (acmelib.sh): pebble answers its
# directory over HTTPS trusted through ACME_CA_BUNDLE only, hands out
# nonces, gives its issuing chain; challtestsrv takes A and TXT records
# (through dns-hook.sh as certbind would run it) and serves them; pebble
# runs without PEBBLE_VA_ALWAYS_VALID even when the caller had it; and
# acme_env_stop leaves no process behind.

. "$(dirname "$0")/../lib.sh"
. "$top/tests/acme/acmelib.sh"

acme_need

# Whatever the caller's environment says, pebble must really validate.
PEBBLE_VA_ALWAYS_VALID=1
export PEBBLE_VA_ALWAYS_VALID

if ! acme_env_start 2>"$T/start.err"; then
	t_fail "acme_env_start" "$(cat "$T/start.err")"
	exit 1
fi
t_pass "acme_env_start"
t_match "ACME_DIR_URL is on 127.0.0.1" "$ACME_DIR_URL" \
    '^https://127\.0\.0\.1:[0-9]+/dir$'
t_match "challenge ports are set" "$ACME_HTTP_PORT $ACME_TLS_PORT" \
    '^[0-9]+ [0-9]+$'

# The directory, trusted through the bundle.
dir=$(curl --noproxy '*' -sS -f --max-time 10 --cacert "$ACME_CA_BUNDLE" "$ACME_DIR_URL" \
    2>&1)
t_match "directory has newNonce" "$dir" '"newNonce"'
t_match "directory has newAccount" "$dir" '"newAccount"'
t_match "directory has newOrder" "$dir" '"newOrder"'
t_not "pebble is not trusted without the bundle" \
    curl --noproxy '*' -sS -f --max-time 10 --capath /nonexistent --cacert /dev/null \
    "$ACME_DIR_URL"

nonce_url=$(printf '%s' "$dir" | $ACME_PY -c \
    'import json, sys; print(json.load(sys.stdin)["newNonce"])' 2>&1)
hdrs=$(curl --noproxy '*' -sS -f --max-time 10 --cacert "$ACME_CA_BUNDLE" -I "$nonce_url" \
    2>&1)
t_match "newNonce gives a Replay-Nonce" "$hdrs" '^[Rr]eplay-[Nn]once: '

# pebble's environment: NOSLEEP set, ALWAYS_VALID gone.
if [ -r "/proc/$ACME_PEBBLE_PID/environ" ]; then
	penv=$(tr '\0' '\n' <"/proc/$ACME_PEBBLE_PID/environ")
	t_match "pebble runs with PEBBLE_VA_NOSLEEP=1" "$penv" \
	    '^PEBBLE_VA_NOSLEEP=1$'
	t_nomatch "pebble runs without PEBBLE_VA_ALWAYS_VALID" "$penv" \
	    '^PEBBLE_VA_ALWAYS_VALID='
	t_nomatch "pebble rejects nonces as by default" "$penv" \
	    '^PEBBLE_WFE_NONCEREJECT='
else
	t_skip "pebble's environment" "no /proc/PID/environ"
fi

# The issuing chain: an intermediate signed by a self-signed root.
acme_issuer_pem root >"$T/root.pem" 2>"$T/issuer.err"
acme_issuer_pem intermediate >"$T/int.pem" 2>>"$T/issuer.err"
acme_issuer_pem >"$T/both.pem" 2>>"$T/issuer.err"
t_is "issuer PEMs fetched" "$(cat "$T/issuer.err")" ""
t_is "both: two certificates" \
    "$(grep -c 'BEGIN CERTIFICATE' "$T/both.pem")" 2
rs=$(openssl x509 -in "$T/root.pem" -noout -subject 2>&1)
ri=$(openssl x509 -in "$T/root.pem" -noout -issuer 2>&1)
t_is "root is self-signed" "${ri#issuer=}" "${rs#subject=}"
t_ok "intermediate verifies against the root" \
    openssl verify -CAfile "$T/root.pem" "$T/int.pem"
t_not "pebble's HTTPS CA is not the issuing root" \
    openssl verify -CAfile "$ACME_CA_BUNDLE" "$T/int.pem"

# challtestsrv's management API and the dns-01 hook.
t_ok "acme_dns_a" acme_dns_a www.certbind.test 127.0.0.1
t_ok "acme_dns_a (IPv6)" acme_dns_a www.certbind.test ::1
t_ok "acme_dns_clear" acme_dns_clear www.certbind.test
DNS_HOOK_LOG="$T/hook.log"
export DNS_HOOK_LOG
t_ok "dns-hook.sh add" "$ACME_DNS_HOOK" add \
    _acme-challenge.www.certbind.test. abc_DEF-123
t_ok "dns-hook.sh remove" "$ACME_DNS_HOOK" remove \
    _acme-challenge.www.certbind.test. abc_DEF-123
t_is "dns-hook.sh logs its calls" "$(cat "$T/hook.log")" \
"add _acme-challenge.www.certbind.test. abc_DEF-123
remove _acme-challenge.www.certbind.test. abc_DEF-123"
t_not "dns-hook.sh refuses a bad verb" "$ACME_DNS_HOOK" frob x. y
t_not "dns-hook.sh refuses JSON in a value" "$ACME_DNS_HOOK" add x. 'a"b'
t_not "dns-hook.sh without challtestsrv fails" \
    env CHALLTESTSRV_MGMT=http://127.0.0.1:1 "$ACME_DNS_HOOK" add x. y

# What challtestsrv's DNS serves: with dnspython only (no dig here), in
# the python on PATH or Debian's (python3-dnspython is Debian's package).
DNSPY=$ACME_PY
$DNSPY -c 'import dns.resolver' 2>/dev/null || DNSPY=/usr/bin/python3
if $DNSPY -c 'import dns.resolver' 2>/dev/null; then
	acme_dns_a a.certbind.test 127.0.0.9
	"$ACME_DNS_HOOK" add _acme-challenge.a.certbind.test. txtvalue \
	    >/dev/null
	q=$($DNSPY - "$ACME_DNS_PORT" <<'EOF' 2>&1
import sys
import dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = int(sys.argv[1])
r.lifetime = 5
def ask(name, rtype):
    try:
        return ",".join(sorted(x.to_text() for x in r.resolve(name, rtype)))
    except dns.resolver.NoAnswer:
        return "none"
    except Exception as e:
        return "error " + type(e).__name__
print("A", ask("a.certbind.test.", "A"))
print("default", ask("other.certbind.test.", "A"))
print("AAAA", ask("other.certbind.test.", "AAAA"))
print("TXT", ask("_acme-challenge.a.certbind.test.", "TXT"))
EOF
)
	t_match "DNS: an added A record" "$q" '^A 127\.0\.0\.9$'
	t_match "DNS: other names are 127.0.0.1" "$q" '^default 127\.0\.0\.1$'
	t_match "DNS: no AAAA record" "$q" '^AAAA (none|error NXDOMAIN)$'
	t_match "DNS: the hook's TXT record" "$q" '^TXT "txtvalue"$'
else
	t_skip "challtestsrv's DNS answers" \
	    "dnspython (python3-dnspython) is not installed"
fi

# Stopped by PID: nothing left.
pp=$ACME_PEBBLE_PID cp=$ACME_CHALLTESTSRV_PID
acme_env_stop
t_not "pebble stopped" acme_alive "$pp"
t_not "pebble-challtestsrv stopped" acme_alive "$cp"
t_not "the directory is gone" \
    curl --noproxy '*' -sS -f --max-time 5 --cacert "$ACME_CA_BUNDLE" "$ACME_DIR_URL"

t_done
