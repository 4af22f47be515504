#!/bin/sh
# One certbindd per config, and never two sharing a listener (server/
# instance.c): a second certbindd on the same config, on a listener the
# first holds, or on "*" of a port the first holds an address of, exits 1
# naming the first (pid and config) while the first keeps serving the same
# certificate; a config with disjoint listeners runs beside it; a reload
# that adds a listener another certbindd holds refuses that listener only,
# and certbind probe says who holds it; one pidfile is locked.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
two=$(mkcert_fpr "$S/two.pem")
P=$(srv_port) P3=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }

# mkconf FILE KEY PIDFILE LISTENER...
mkconf() {
	f=$1 k=$2 pf=$3
	shift 3
	ls=""
	for l in "$@"; do
		ls="$ls${ls:+, }{ endpoint = \"$l\"; backend = \"127.0.0.1:$PB\"; }"
	done
	cat >"$f" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( $ls );
  workers = 1;
  shutdown_timeout = ${SDT:-2};
  ${pf:+pidfile = \"$pf\";}
};
keys = ( { name = "k"; key = "$k.key"; cert = "$k.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
EOC
}

# second CONF: runs a second certbindd in the foreground, bounded; its
# exit status in $rc2 and its log in $log2. One that starts after all is
# stopped by its pid.
second() {
	log2f=$T/second.log
	: >"$log2f"
	"$CERTBINDD" -f -c "$1" 2>"$log2f" &
	p2=$!
	i=0
	while kill -0 "$p2" 2>/dev/null && ! grep -q ' ready: ' "$log2f" &&
	    [ $i -lt 150 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$p2" 2>/dev/null; then
		kill "$p2"
	fi
	wait "$p2"
	rc2=$?
	log2=$(cat "$log2f")
}

A=$T/a.conf
mkconf "$A" www "$T/a.pid" "127.0.0.2:$P"
srv_start "$A" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
first=$srv_pid
t_is "the first certbindd serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"
if command -v ss >/dev/null 2>&1; then
	t_match "its claims are abstract unix sockets" \
	    "$(ss -Hxl 2>/dev/null)" "@certbindd/listen/127\\.0\\.0\\.2:$P"
else
	t_skip "its claims are abstract unix sockets" "ss is not installed"
fi

# The same config, by its path and through a symbolic link.
second "$A"
t_is "a second certbindd on the same config exits 1" "$rc2" 1
t_match "naming the first: its pid and config" "$log2" \
    "certbindd: certbindd pid $first \\(config [^)]*/a\\.conf\\) already runs on [^ ]*/a\\.conf"
ln -s a.conf "$T/link.conf"
second "$T/link.conf"
t_is "the same config through a symbolic link: exits 1 too" "$rc2" 1
t_is "the first still runs" "$(kill -0 "$first" 2>/dev/null && echo yes)" yes
t_is "and serves the same certificate" "$(srv_fpr 127.0.0.2 "$P")" "$www"

# Another config on the same listener.
B=$T/b.conf
mkconf "$B" two "" "127.0.0.3:$P3" "127.0.0.2:$P"
second "$B"
t_is "another config on a listener the first holds: exits 1" "$rc2" 1
t_match "naming the first and the listener" "$log2" \
    "certbindd pid $first \\(config [^)]*/a\\.conf\\) already serves 127\\.0\\.0\\.2:$P"
t_nomatch "it never said ready" "$log2" ' ready: '
t_is "the first still serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"

# "*" of the same port would share it just as well (SO_REUSEPORT).
mkconf "$B" two "" "*:$P"
second "$B"
t_is "another config on \"*\" of the first's port: exits 1" "$rc2" 1
t_match "naming the first and its listener" "$log2" \
    "certbindd pid $first \\(config [^)]*/a\\.conf\\) already serves 127\\.0\\.0\\.2:$P, which \\*:$P would share"
t_is "the first still serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"

# The pidfile: one certbindd per pidfile.
mkconf "$B" two "$T/a.pid" "127.0.0.3:$P3"
second "$B"
t_is "another config with the first's pidfile: exits 1" "$rc2" 1
t_match "the pidfile is locked by the first" "$log2" \
    "certbindd pid $first holds server\\.pidfile [^ ]*/a\\.pid"
t_is "the pidfile still names the first" "$(cat "$T/a.pid")" "$first"

# Disjoint listeners: both run.
mkconf "$B" two "" "127.0.0.3:$P3"
: >"$T/b.log"
"$CERTBINDD" -f -c "$B" 2>"$T/b.log" &
bpid=$!
srv_pids="$srv_pids $bpid"
i=0
while ! grep -q ' ready: ' "$T/b.log" && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
t_match "a config with disjoint listeners starts beside it" \
    "$(cat "$T/b.log")" ' ready: '
t_is "it serves two on its listener" "$(srv_fpr 127.0.0.3 "$P3")" "$two"
t_is "and the first still serves www on its own" \
    "$(srv_fpr 127.0.0.2 "$P")" "$www"

# A reload of the first that adds the second's listener refuses that one
# listener, naming the holder, and serves the rest.
mkconf "$A" www "$T/a.pid" "127.0.0.2:$P" "127.0.0.3:$P3"
srv_hup
t_ok "the reload goes through" srv_wait_log 1 'reloaded: ' 10
t_match "refusing the listener the other holds, naming it" "$(cat "$srv_log")" \
    "reload: listener refused: certbindd pid $bpid \\(config [^)]*/b\\.conf\\) already serves 127\\.0\\.0\\.3:$P3"
t_match "and says one listener is not listening" "$(cat "$srv_log")" \
    'reloaded: serving generation 2 on 1 listeners \(1 not listening\)'
t_is "the second still serves two there" "$(srv_fpr 127.0.0.3 "$P3")" "$two"
t_is "the first still serves www" "$(srv_fpr 127.0.0.2 "$P")" "$www"
if $CERTBIND probe --help >/dev/null 2>&1; then
	cb -c "$A" probe
	t_is "certbind probe: exit 1" "$rc" 1
	t_match "certbind probe: not-listening, naming the holder" "$out" \
	    "^error not-listening 127\\.0\\.0\\.3:$P3: certbindd pid $bpid \\(config [^)]*/b\\.conf\\) holds this listener"
fi

# Once the second stops, the next reload takes the listener.
kill "$bpid"
i=0
while kill -0 "$bpid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
srv_hup
t_ok "the second stopped: the next reload serves both" \
    srv_wait_log 1 'reloaded: serving generation 3 on 2 listeners$' 10
t_is "www on the listener that was refused" "$(srv_fpr 127.0.0.3 "$P3")" "$www"

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0
t_ok "the pidfile is gone" test ! -e "$T/a.pid"
# The claims went with the process: a new one starts on the same config.
SDT=30 mkconf "$A" www "$T/a.pid" "127.0.0.2:$P"
srv_start "$A" || t_fail "after the first stopped, certbindd starts on its config" "$(cat "$srv_log")"
t_is "and serves" "$(srv_fpr 127.0.0.2 "$P")" "$www"

# SIGTERM releases the claims once the listeners are closed: while its
# connections drain, a new certbindd starts on the same config.
old=$srv_pid
mkfifo "$T/hold.in"
timeout 60 $PY tests/server/client.py hold 127.0.0.2 "$P" 1 60 \
    <"$T/hold.in" >"$T/hold.out" 2>&1 &
hpid=$!
exec 7>"$T/hold.in"
i=0
while ! grep -q '^ok' "$T/hold.out" && [ $i -lt 150 ]; do
	sleep 0.1; i=$((i + 1))
done
srv_term
if srv_wait_log 1 'stopping: 1 connections open' 10; then
	srv_log=$T/new.log
	# Not with the client's stdin: it must see EOF below.
	srv_start "$A" 7>&-
	t_match "while the old one drains, a new one starts on its config" \
	    "$(cat "$srv_log")" ' ready: '
	t_is "the old one is still draining" \
	    "$(kill -0 "$old" 2>/dev/null && echo yes)" yes
	t_is "the new one serves" "$(srv_fpr 127.0.0.2 "$P")" "$www"
else
	t_fail "SIGTERM with a connection open" "$(cat "$srv_log")"
fi
exec 7>&-
wait "$hpid"
t_match "the drained connection still proxied" "$(cat "$T/hold.out")" \
    '^echo ok$'
t_done
