#!/bin/sh
# freebind = true (IP_FREEBIND) and listeners whose address is not this
# host's: a freebind listener on 192.0.2.10, 10.255.255.1 (and 2001:db8::10
# with IPv6) starts and listens; a plain one there is logged and stops only
# itself, the rest are served, certbind probe reports it (not-listening)
# and every reload tries it again. Binding is not traffic: nothing is
# ever sent to those addresses (listening is checked with ss or
# /proc/net/tcp, and probe does not connect there). As root, the retry is
# also shown with the address added in a network namespace of the test's
# own, and freebind through the keeper after the drop to nobody.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
P=$(srv_port) PF=$(srv_port) PN=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }

# The test addresses must not be this host's, or the test means nothing.
for a in 192.0.2.10 192.0.2.11 10.255.255.1; do
	if $PY -c "import socket,sys
s=socket.socket()
try:
    s.bind(('$a', 0))
except OSError:
    sys.exit(1)" 2>/dev/null; then
		t_skip "freebind" "this host has the address $a"
		t_done
		exit 0
	fi
done
v6=""
if [ -e /proc/net/if_inet6 ] && $PY -c 'import socket
socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	v6=1
fi

# listening ADDR PORT: whether a socket listens there (ss, else the
# kernel's table), without a packet sent.
listening() {
	if command -v ss >/dev/null 2>&1; then
		ss -Hltn "sport = :$2" 2>/dev/null | awk '{ print $4 }' |
		    grep -qxF "$1:$2"
		return
	fi
	$PY - "$1" "$2" <<'EOP'
import ipaddress, sys
a, p = ipaddress.ip_address(sys.argv[1].strip("[]")), int(sys.argv[2])
files = ["/proc/net/tcp"] if a.version == 4 else ["/proc/net/tcp6"]
for f in files:
    for line in open(f).readlines()[1:]:
        loc, st = line.split()[1], line.split()[3]
        h, port = loc.split(":")
        raw = bytes.fromhex(h)
        if a.version == 4:
            raw = raw[::-1]
        else:
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        if st == "0A" and int(port, 16) == p and raw == a.packed:
            sys.exit(0)
sys.exit(1)
EOP
}

C=$T/certbind.conf
# conf FREEBIND-OF-192.0.2.11
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; },
    { endpoint = "192.0.2.10:$PF"; backend = "127.0.0.1:$PB"; freebind = true; },
    { endpoint = "10.255.255.1:$PF"; backend = "127.0.0.1:$PB"; freebind = true; },
    ${v6:+{ endpoint = \"[2001:db8::10]:$PF\"; backend = \"127.0.0.1:$PB\"; freebind = true; \},}
    { endpoint = "192.0.2.11:$PN"; backend = "127.0.0.1:$PB"; $1 }
  );
  workers = 1;
  shutdown_timeout = 2;
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
}
conf ""
nfb=$((2 + ${v6:-0}))

cb -c "$C" check
t_match "check: a freebind listener's address-not-local is info" "$out" \
    "^info address-not-local 192\\.0\\.2\\.10:$PF: "
t_match "check: a plain listener's is a warning" "$out" \
    "^warning address-not-local 192\\.0\\.2\\.11:$PN: "

srv_start "$C" || { t_fail "certbindd starts with a listener it cannot bind" "$(cat "$srv_log")"; exit 1; }
t_match "it starts, saying one listener is not listening" "$(cat "$srv_log")" \
    "ready: generation 1, $((nfb + 1)) listeners \\(1 not listening\\)"
t_match "the listener it cannot bind is logged, with the reason" \
    "$(cat "$srv_log")" \
    "listener 192\\.0\\.2\\.11:$PN: Cannot assign requested address: not listening on it"
t_ok "freebind: it listens on 192.0.2.10:$PF" listening 192.0.2.10 "$PF"
t_ok "freebind: it listens on 10.255.255.1:$PF" listening 10.255.255.1 "$PF"
if [ -n "$v6" ]; then
	t_ok "freebind: it listens on [2001:db8::10]:$PF" \
	    listening "[2001:db8::10]" "$PF"
else
	t_skip "freebind on IPv6" "no IPv6 on this host"
fi
t_not "no socket on the plain listener's address" listening 192.0.2.11 "$PN"
t_is "the other listeners are served" "$(srv_fpr 127.0.0.2 "$P")" "$www"

cb -c "$C" probe
t_is "certbind probe: exit 1" "$rc" 1
t_match "probe: not-listening, with certbindd's reason" "$out" \
    "^error not-listening 192\\.0\\.2\\.11:$PN: certbindd pid $srv_pid does not listen on this listener: .*Cannot assign requested address"
t_match "probe: the freebind listener is not probed (not this host's address)" \
    "$out" "^info address-not-local 192\\.0\\.2\\.10:$PF: certbindd pid $srv_pid listens on it \\(freebind\\)"
t_nomatch "probe: nothing to say about 127.0.0.2" "$out" "127\\.0\\.0\\.2"

# Every reload tries it again; with freebind now, it listens.
srv_hup
t_ok "a reload with it unchanged: still not listening, and says so" \
    srv_wait_log 1 "reloaded: serving generation 2 on $((nfb + 1)) listeners \\(1 not listening\\)" 10
t_is "the retry is logged" \
    "$(grep -c "listener 192\\.0\\.2\\.11:$PN: Cannot assign" "$srv_log")" 2
conf "freebind = true;"
srv_hup
t_ok "the reload after freebind = true serves every listener" \
    srv_wait_log 1 "reloaded: serving generation 3 on $((nfb + 2)) listeners\$" 10
t_ok "and it listens on 192.0.2.11:$PN" listening 192.0.2.11 "$PN"
cb -c "$C" probe
t_nomatch "probe: no not-listening any more" "$out" "not-listening"
t_is "probe: exit 0" "$rc" 0
srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0

# As root: the address arrives (in a network namespace of this test's
# own), and the next reload listens on it; and freebind goes through the
# keeper after the privilege drop.
if [ "$(id -u)" != 0 ]; then
	t_skip "the address arrives, and a reload listens on it" \
	    "needs root (a network namespace)"
	t_skip "freebind through the keeper" "needs root"
	t_done
	exit 0
fi
if ! command -v unshare >/dev/null 2>&1 || ! command -v nsenter >/dev/null 2>&1 ||
    ! command -v ip >/dev/null 2>&1 || ! unshare -n true 2>/dev/null; then
	t_skip "the address arrives, and a reload listens on it" \
	    "no unshare, nsenter or ip, or no network namespaces here"
else
	conf ""
	# unshare execs the shell that execs certbindd: one pid.
	: >"$srv_log"
	unshare -n sh -c 'ip link set lo up && exec "$0" -f -c "$1"' \
	    "$CERTBINDD" "$C" 2>>"$srv_log" &
	srv_pid=$!
	srv_pids="$srv_pids $srv_pid"
	if ! srv_wait_log 1 ' ready: ' 15; then
		t_fail "in a namespace: certbindd starts" "$(cat "$srv_log")"
	else
		ns() { nsenter -t "$srv_pid" -n "$@"; }
		t_match "in a namespace: 192.0.2.11 is not listening" \
		    "$(cat "$srv_log")" '\(1 not listening\)'
		ns ip addr add 192.0.2.11/32 dev lo
		srv_hup
		t_ok "the address added: the next reload listens on it" \
		    srv_wait_log 1 "reloaded: serving generation 2 on $((nfb + 2)) listeners\$" 10
		# The address is on lo in this namespace: the handshake stays
		# inside it.
		got=$(ns timeout 10 openssl s_client -connect "192.0.2.11:$PN" \
		    -noservername </dev/null 2>/dev/null |
		    openssl x509 -noout -fingerprint -sha256 2>/dev/null |
		    sed 's/^[^=]*=//' | tr 'A-F' 'a-f')
		t_is "and serves there" "$got" "$www"
		srv_term
		srv_exit_status 10
		t_is "in a namespace: SIGTERM exits 0" "$srv_rc" 0
	fi
fi
if ! id nobody >/dev/null 2>&1; then
	t_skip "freebind through the keeper" "no user nobody"
else
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  shutdown_timeout = 2;
  user = "nobody";
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
	chmod 755 "$S" "$T"
	srv_start "$C" || t_fail "as nobody: starts" "$(cat "$srv_log")"
	sed -i "/listen = /s|} );|}, { endpoint = \"192.0.2.12:$PF\"; backend = \"127.0.0.1:$PB\"; freebind = true; } );|" "$C"
	srv_hup
	t_ok "as nobody: a reload adds a freebind listener through the keeper" \
	    srv_wait_log 1 'reloaded: serving generation 2 on 2 listeners$' 10
	t_ok "and it listens on 192.0.2.12:$PF" listening 192.0.2.12 "$PF"
	srv_term
	srv_exit_status 10
fi
t_done
