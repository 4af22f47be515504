#!/bin/sh
# The fleet's ACME lock (issue 15), against a real three-member etcd
# cluster and a real CA (pebble, validation on): a store with an ACME
# account and a certificate (dns-01) is copied to etcd; then
#   - with PREFIX/locks/acme-renew held by someone else (etcd_drive, on a
#     lease), certbind -c etcd://... acme renew --force refuses naming the
#     holder, orders nothing and writes nothing; --dry-run says who holds
#     it;
#   - someone commits between a run's read and its lock: the run sees the
#     config changed, reads it again and renews, keeping the edit (the run
#     is held between the two by a proxy in front of the CA's directory);
#   - released, the renewal proceeds: a new certificate from pebble in
#     PREFIX/files/, the lock gone afterwards, and a fresh read (another
#     node's view) has it, and finds nothing due;
#   - a failed renewal's state reaches etcd: a fresh read backs off;
#   - acme order on etcd, and one renew run over two keys (the lock taken
#     and given back per order);
#   - two renewals at once: the one that takes the lock holds it during
#     its order (seen in etcd with its pid), the other is refused naming
#     it; exactly one new certificate.
# The dns-01 hook is slowed down (a flag file) to keep an order running
# while the other is tried.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/etcdlib.sh"
. "$top/tests/acme/acmelib.sh"
acme_need
fleet_need 7
fleet_cluster
acme_env_start || { t_fail "pebble and pebble-challtestsrv start" "$(acme_logs)"; exit 1; }
t_at_exit acme_env_stop
acme_issuer_pem >"$T/pebble-roots.pem"
CERTBIND_RUNDIR=$T/run
export CERTBIND_RUNDIR
mkdir -m 0700 "$CERTBIND_RUNDIR"

# The hook: the tests' own, after a pause while $T/slow exists; it fails
# while $T/fail exists.
HOOK=$T/slow-hook.sh
cat >"$HOOK" <<EOF
#!/bin/sh
i=0
while [ -f "$T/slow" ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
[ -f "$T/fail" ] && [ "\$1" = add ] && { echo "no DNS today" >&2; exit 1; }
exec "$ACME_DNS_HOOK" "\$@"
EOF
chmod 755 "$HOOK"

S=$T/store C=$T/store/certbind.conf
mkdir -p "$S"
cat >"$C" <<EOC
version = 1;
keys = ( );
bindings = ( );
$(acme_group)
EOC
cb -c "$C" acme register --agree-tos
t_is "acme register on the file store" "$rc" 0 "$err"
cb -c "$C" acme order h --domain h.certbind.test --challenge dns-01 \
    --dns-hook "$HOOK"
t_is "acme order h (dns-01) on the file store" "$rc" 0 "$err"

E="etcd://$EP/p1"
cb copy "$C" "$E"
t_is "the store is copied to etcd" "$rc" 0 "$err"
t_match "the account key with it" "$out" '^copied acme/account.key from'
t_match "and the CA bundle, brought into the store" "$out" \
    "^copied imported/ca.pem from $ACME_CA_BUNDLE"

modrev() { ctl get "$1" -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p'; }
# fpr: the SHA-256 fingerprint of key h's certificate in etcd.
fpr() {
	p=$(ctl get --print-value-only /p1/config |
	    sed -n 's/.*name = "h"; key = "[^"]*"; cert = "\([^"]*\)".*/\1/p')
	ctl get --print-value-only "/p1/files/$p" |
	    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
f0=$(fpr)
t_match "etcd holds h's certificate" "$f0" 'Fingerprint='

# Someone else holds the lock.
lease=$("$drive" -e "$EP" grant 60 | awk '{print $1}')
out=$("$drive" -e "$EP" lock /p1 acme-renew "node-b pid 4242, ordering h" "$lease")
t_match "another node takes the lock (etcd_drive, lease $lease)" "$out" '^acquired'
r0=$(modrev /p1/config)
cb -c "$E" acme renew --force h
t_is "acme renew --force with the lock held: exit 1" "$rc" 1 "$err"
t_match "naming the holder" "$err" \
    "lock \(/p1/locks/acme-renew\) is held by node-b pid 4242, ordering h"
t_nomatch "no order was made" "$err" "order created"
t_is "nothing was written to etcd" "$(modrev /p1/config)" "$r0"
t_is "the certificate is the old one" "$(fpr)" "$f0"
t_is "the holder's lock is untouched" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" "node-b pid 4242, ordering h"
cb -c "$E" acme renew --force --dry-run h
t_is "--dry-run exits 0" "$rc" 0 "$err"
t_match "and says who holds the lock" "$err" \
    "h: would be renewed now \(--force\), but the fleet's ACME lock is held by node-b pid 4242"

# Released: the renewal proceeds.
"$drive" -e "$EP" revoke "$lease" >/dev/null
t_is "the holder's lease is revoked: the lock is free" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" ""
cb -c "$E" acme renew --force h
t_is "acme renew --force h proceeds: exit 0" "$rc" 0 "$err"
t_match "it renewed and committed" "$err" "'h' has its new certificate, committed"
t_match "and says the fleet picks it up" "$err" "picks it up through its watch"
f1=$(fpr)
t_ok "etcd holds a new certificate" test -n "$f1" -a "$f1" != "$f0"
t_is "the lock is given back" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" ""
B=$T/nodeb/certbind.conf
cb copy "$E" "$B"
t_is "another node's fresh read" "$rc" 0 "$err"
cert=$(sed -n 's/.*name = "h"; key = "[^"]*"; cert = "\([^"]*\)".*/\1/p' "$B")
t_is "has the new certificate" \
    "$(openssl x509 -in "$T/nodeb/$cert" -noout -fingerprint -sha256)" "$f1"
t_ok "which verifies up to pebble's root" openssl verify \
    -CAfile "$T/pebble-roots.pem" -untrusted "$T/nodeb/$cert" "$T/nodeb/$cert"
cb -c "$E" acme renew h
t_is "a renew without --force afterwards exits 0" "$rc" 0 "$err"
t_match "and finds nothing due (the state says the order is done)" "$err" \
    "h: not due until"

# Two at once: the first holds the lock for its whole order.
touch "$T/slow"
$CERTBIND -c "$E" acme renew --force h >"$T/a.out" 2>"$T/a.err" &
apid=$!
i=0
while [ -z "$(ctl get --print-value-only /p1/locks/acme-renew)" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
held=$(ctl get --print-value-only /p1/locks/acme-renew)
t_match "while it orders, the lock names it" "$held" \
    "^$(hostname) pid $apid, ordering h since [0-9-]+ [0-9:]+ UTC$"
lid=$(ctl get /p1/locks/acme-renew -w json | sed -n 's/.*"lease":\([0-9]*\).*/\1/p')
ttl=$(ctl lease timetolive "$(printf '%x' "$lid")" | sed -n 's/.*remaining(\([0-9]*\)s).*/\1/p')
t_ok "on a lease that covers an order ($ttl s left)" test "${ttl:-0}" -gt 600
cb -c "$E" acme renew --force h
t_is "the second run is refused: exit 1" "$rc" 1 "$err"
t_match "naming the first" "$err" "is held by $(hostname) pid $apid, ordering h"
rm -f "$T/slow"
wait "$apid"
t_is "the first one renews: exit 0" "$?" 0 "$(cat "$T/a.err")"
f2=$(fpr)
t_ok "one more new certificate" test -n "$f2" -a "$f2" != "$f1"
t_is "the lock is free again" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" ""

# Someone commits between a run's read and its lock: the lock sees the
# config changed, and the run reads it again before deciding. The run is
# held between the two by the CA's directory, fetched through a proxy
# that holds new connections while $T/hold exists.
pport=$(acme_port)
pebble_port=${ACME_DIR_URL#https://127.0.0.1:}
pebble_port=${pebble_port%%/*}
cat >"$T/proxy.py" <<'EOF'
import os, socket, sys, threading, time
lport, dport, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport))
srv.listen(16)
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
def serve(c):
    for _ in range(300):
        if not os.path.exists(flag):
            break
        time.sleep(0.1)
    u = socket.create_connection(("127.0.0.1", dport))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    pipe(u, c)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
"$ACME_PY" "$T/proxy.py" "$pport" "$pebble_port" "$T/hold" >"$T/proxy.log" 2>&1 &
proxy=$!
proxy_stop() { kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null; }
t_at_exit proxy_stop
i=0
until "$ACME_PY" -c "import socket; socket.create_connection(('127.0.0.1', $pport), timeout=1)" 2>/dev/null || [ $i -ge 50 ]; do
	sleep 0.1; i=$((i + 1))
done
cb -c "$E" acme register --server "https://127.0.0.1:$pport/dir" --agree-tos
t_is "acme.server goes through the proxy" "$rc" 0 "$err"
touch "$T/hold"
$CERTBIND -c "$E" acme renew --force h >"$T/c.out" 2>"$T/c.err" &
cpid=$!
sleep 1
rs=$(modrev /p1/config)
cb -c "$E" note h 'edited while a renewal waited'
t_is "someone commits while the run waits for the CA" "$rc" 0 "$err"
rm -f "$T/hold"
wait "$cpid"
crc=$?
cerr=$(cat "$T/c.err")
t_match "the lock sees the config changed since the run read it" "$cerr" \
    "h: the config changed since it was read \(revision $rs, now $((rs + 1))\)"
t_is "the run reads it again, renews and exits 0" "$crc" 0 "$cerr"
t_match "keeping the edit it did not see at first" \
    "$(ctl get --print-value-only /p1/config)" 'note = "edited while a renewal waited"'

# A failed renewal's state reaches etcd: every node backs off alike.
touch "$T/fail"
cb -c "$E" acme renew --force h
t_is "a renewal whose challenge fails: exit 1" "$rc" 1 "$err"
t_match "the failure is in PREFIX/files/acme/state/h.json" \
    "$(ctl get --print-value-only /p1/files/acme/state/h.json)" '"failures": *1'
t_is "the lock is free after a failure" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" ""
rm -f "$T/fail"
cb -c "$E" acme renew h
t_match "another run (a fresh read) waits before trying again" "$err" \
    "h: the last attempt failed; the next is not before"

# acme order on etcd, then one renew run over two keys: the lock is taken
# and given back for each order, and each commit builds on the last.
cb -c "$E" acme order k2 --domain k2.certbind.test --challenge dns-01 \
    --dns-hook "$HOOK"
t_is "acme order k2 on the etcd location" "$rc" 0 "$err"
t_match "k2 is in PREFIX/config" "$(ctl get --print-value-only /p1/config)" \
    'name = "k2"; key = "keys/k2.key"; cert = "certs/k2.pem"'
fh=$(fpr)
cb -c "$E" acme renew --force
t_is "acme renew --force renews both keys in one run" "$rc" 0 "$err"
t_is "each committed" "$(printf '%s\n' "$err" | grep -c 'has its new certificate, committed')" 2
t_ok "h has a new certificate" test "$(fpr)" != "$fh"
t_is "the lock is free at the end" \
    "$(ctl get --print-value-only /p1/locks/acme-renew)" ""
t_done
