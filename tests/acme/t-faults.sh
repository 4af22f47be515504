#!/bin/sh
# ACME when things go wrong, against pebble with real validation:
# - a challenge the CA cannot validate: the order fails naming the domain,
#   the challenge and the CA's detail, and the config, the store and what
#   certbindd serves stay as they were;
# - a renewal that fails: the old certificate stays served, check reports
#   acme-renewal-failing with the expiry, the next attempt waits;
# - the preflight: a name that resolves to an address no listener covers
#   is refused with acme-unreachable before the CA is asked;
# - an order killed midway (kill -9) is resumed by the next run; a pending
#   key swapped meanwhile makes the issued leaf not match, and it is refused.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
. "$top/tests/acme/acmelib.sh"
srv_need
acme_need

acme_env_start || { t_fail "pebble and pebble-challtestsrv start"; exit 1; }
A=127.0.0.5
S=$T/store
C=$T/certbind.conf
PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
mkdir -p "$S"
mkcert_leaf "$S" boot boot.certbind.test || { t_fail "fixtures"; exit 1; }
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "$A:$ACME_TLS_PORT"; backend = "127.0.0.1:$PB"; } );
  pidfile = "$T/certbindd.pid";
  workers = 1;
};
keys = ( { name = "boot"; key = "boot.key"; cert = "boot.pem"; } );
bindings = ( { key = "boot"; endpoint = "*:*"; } );
$(acme_group)
EOC
cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos
t_is "register" "$rc" 0 "$err"
srv_start "$C" || { t_fail "certbindd starts"; exit 1; }
boot=$(mkcert_fpr "$S/boot.pem")

# snapshot / unchanged NAME: the config, the store's key files and what
# certbindd serves are as they were.
snapshot() {
	cp "$C" "$T/conf.before"
	find "$S" -type f ! -path "$S/acme/*" | sort >"$T/store.before"
	served_before=$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)
}
unchanged() {
	t_ok "$1: the config is byte for byte as it was" cmp "$C" "$T/conf.before"
	find "$S" -type f ! -path "$S/acme/*" | sort >"$T/store.after"
	t_ok "$1: no key, request or certificate file is left" \
	    cmp "$T/store.before" "$T/store.after"
	t_is "$1: certbindd serves what it served" \
	    "$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)" "$served_before"
}

# A challenge the CA cannot validate: nothing listens on 127.0.0.9.
acme_dns_a bad.certbind.test 127.0.0.9
snapshot
cb -c "$C" acme order bad --domain bad.certbind.test --no-preflight
t_is "an order whose challenge fails exits 1" "$rc" 1
t_match "naming the domain and the challenge" "$err" \
    "bad.certbind.test: tls-alpn-01 failed"
t_match "with the CA's detail" "$err" "the CA refused it \(.*\): .*127.0.0.9"
unchanged "failed challenge"
t_is "no challenge file is left" \
    "$(ls "$S/acme/tls-alpn-01" 2>/dev/null | wc -l)" 0

# The preflight: the name resolves (here) to an address no listener covers.
if unshare -m true 2>/dev/null; then
	printf '127.0.0.9 far.certbind.test\n' >"$T/hosts"
	snapshot
	unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
	    sh "$T/hosts" $CERTBIND -c "$C" acme order far \
	    --domain far.certbind.test >"$T/.out" 2>"$T/.err"
	rc=$? err=$(cat "$T/.err")
	t_is "preflight: an unreachable domain is refused" "$rc" 1 "$err"
	t_match "with acme-unreachable, the address and the missing listener" \
	    "$err" "acme-unreachable: .*far.certbind.test.*127.0.0.9.*127.0.0.9:$ACME_TLS_PORT"
	t_nomatch "before any order" "$err" "order created"
	unchanged "preflight"
else
	t_skip "preflight: an unreachable domain is refused" \
	    "unshare -m is not permitted here (it needs root)"
fi
cb -c "$C" acme order far2 --domain far2.certbind.test --no-preflight \
    --challenge dns-01 --dns-hook /bin/false
t_is "a dns-01 hook that fails fails the order" "$rc" 1
t_match "saying so" "$err" "hook exited with status 1"

# A working order, then a renewal that fails.
acme_dns_a www.certbind.test "$A"
cb -c "$C" acme order www --domain www.certbind.test \
    --bind "$A:$ACME_TLS_PORT" --sni www.certbind.test
t_is "acme order www" "$rc" 0 "$err"
www=$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)
acme_dns_clear www.certbind.test
acme_dns_a www.certbind.test 127.0.0.9
snapshot
cb -c "$C" acme renew --force www
t_is "a renewal the CA cannot validate exits 1" "$rc" 1
unchanged "failed renewal"
t_is "the old certificate is still served" \
    "$(srv_fpr "$A" "$ACME_TLS_PORT" www.certbind.test)" "$www"
cb -c "$C" check --offline
t_is "check exits 1" "$rc" 1
t_match "with acme-renewal-failing, the CA's problem and the expiry" "$out" \
    "^error acme-renewal-failing www: the last renewal attempt failed \(1 in a row\): .*tls-alpn-01 failed.*expires on [0-9]{4}-[0-9]{2}-[0-9]{2}"
cb -c "$C" acme renew www
t_is "the next renewal waits (exit 0)" "$rc" 0 "$err"
t_match "saying until when" "$err" "www: the last attempt failed; the next is not before"
cb -c "$C" acme status --json
t_ok "status records the failure" "$PY" -c '
import json, sys
w = [k for k in json.loads(sys.argv[1]) if k["name"] == "www"][0]
assert w["last_result"] == "failed" and w["failures"] == 1, w
assert "tls-alpn-01 failed" in w["problem"], w
assert w["next_retry"] > w["last_attempt"], w' "$out"
acme_dns_clear www.certbind.test
acme_dns_a www.certbind.test "$A"
cb -c "$C" acme renew --force www
t_is "the renewal works again once the name points back" "$rc" 0 "$err"
cb -c "$C" check --offline
t_nomatch "and acme-renewal-failing is gone" "$out" "acme-renewal-failing"

# kill -9 midway: the dns-01 hook waits until it is killed.
cat >"$T/slow-hook.sh" <<EOH
#!/bin/sh
if [ "\$1" = add ] && [ ! -e "$T/hook-fast" ]; then
	echo \$\$ >"$T/hook.pid"
	exec sleep 60
fi
exec "$top/tests/acme/dns-hook.sh" "\$@"
EOH
chmod 755 "$T/slow-hook.sh"
snapshot
$CERTBIND -c "$C" acme order k9 --domain k9.certbind.test \
    --challenge dns-01 --dns-hook "$T/slow-hook.sh" >"$T/k9.out" 2>"$T/k9.err" &
k9=$!
i=0
while [ ! -s "$T/hook.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$k9"
wait "$k9" 2>/dev/null
[ -s "$T/hook.pid" ] && kill "$(cat "$T/hook.pid")" 2>/dev/null
t_ok "the killed order had reached the hook" test -s "$T/hook.pid"
t_ok "kill -9: the config is as it was" cmp "$C" "$T/conf.before"
t_ok "the state file names the order" grep -q '"order"' "$S/acme/state/k9.json"
t_is "the state file is mode 0600" "$(stat -c %a "$S/acme/state/k9.json")" 600
touch "$T/hook-fast"
cb -c "$C" acme order k9 --domain k9.certbind.test \
    --challenge dns-01 --dns-hook "$T/slow-hook.sh"
t_is "the next run completes the order" "$rc" 0 "$err"
t_match "resuming it" "$err" "resuming the order a stopped run left"
t_match "k9 is installed" "$(cat "$C")" 'name = "k9"; key = "[^"]*"; cert = '

# A pending key swapped while the order waited: the leaf does not match.
rm -f "$T/hook-fast" "$T/hook.pid"
snapshot
$CERTBIND -c "$C" acme order k10 --domain k10.certbind.test \
    --challenge dns-01 --dns-hook "$T/slow-hook.sh" >"$T/k10.out" 2>"$T/k10.err" &
k10=$!
i=0
while [ ! -s "$T/hook.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$k10"
wait "$k10" 2>/dev/null
[ -s "$T/hook.pid" ] && kill "$(cat "$T/hook.pid")" 2>/dev/null
pk=$(sed -n 's/.*"key": "\([^"]*\)".*/\1/p' "$S/acme/state/k10.json")
t_ok "the state names the pending key" test -f "$S/$pk"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$S/$pk.other" 2>/dev/null && cat "$S/$pk.other" >"$S/$pk"
rm -f "$S/$pk.other"
touch "$T/hook-fast"
cb -c "$C" acme order k10 --domain k10.certbind.test \
    --challenge dns-01 --dns-hook "$T/slow-hook.sh"
t_is "a leaf that does not match the pending key is refused" "$rc" 1 "$err"
t_match "saying so" "$err" "does not match|does not belong"
t_ok "nothing of k10 is installed" cmp "$C" "$T/conf.before"

srv_cleanup
acme_env_stop
t_done
