#!/bin/sh
# certbind reload (issue 11): certbindd writes server.pidfile; certbind
# reload finds certbindd by it, sends SIGHUP and probes until what is
# served matches the config, exit 0; exit 1 when certbindd keeps serving
# the old config; exit 2, with a message saying why, when there is no
# pidfile setting, no file, a dead pid or a pid that is not certbindd.
# The pidfile goes away when certbindd exits.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
one=$(mkcert_fpr "$S/one.pem")
two=$(mkcert_fpr "$S/two.pem")
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf
# Relative: it resolves against the store, for certbind and certbindd alike.
PIDF=$S/certbindd.pid

# conf KEYNAME [PIDFILE-SETTING]
conf() {
	if [ $# -ge 2 ]; then pidset=$2; else pidset='pidfile = "certbindd.pid";'; fi
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.3:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  shutdown_timeout = 5;
  $pidset
};
keys = ( { name = "k"; key = "$1.key"; cert = "$1.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
EOC
}

# No certbindd yet: the file does not exist.
conf one
cb -c "$C" reload --timeout 1
t_is "reload with no certbindd: exit 2" "$rc" 2
t_match "it says the pidfile does not exist" "$err" \
    "^certbind: $PIDF does not exist: is certbindd started\\?"

srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "serves one" "$(srv_fpr 127.0.0.3 "$P")" "$one"
t_ok "certbindd wrote server.pidfile" test -f "$PIDF"
t_is "the pidfile holds certbindd's pid" "$(cat "$PIDF")" "$srv_pid"
t_is "the pidfile is mode 0644" "$(stat -c %a "$PIDF")" 644

# Nothing changed: a reload matches at once.
cb -c "$C" reload --timeout 5
t_is "reload with nothing changed: exit 0" "$rc" 0
t_is "and prints nothing" "$out" ""
t_ok "certbindd logged the reload" srv_wait_log 1 'SIGHUP' 5

# The key takes another certificate: reload serves it.
conf two
cb -c "$C" reload --verbose
t_is "reload after a new certificate: exit 0" "$rc" 0
t_match "--verbose prints the probe that matched" "$out" \
    "^ok 127\\.0\\.0\\.3:$P: key k $two\$"
t_is "the new certificate is served" "$(srv_fpr 127.0.0.3 "$P")" "$two"

# A config certbindd refuses (a key others can read) while certbind
# accepts it: the old certificate stays served, reload says so.
cp "$S/one.key" "$S/open.key"
cp "$S/one.pem" "$S/open.pem"
chmod 644 "$S/open.key"
conf open
cb -c "$C" reload --timeout 3
t_is "reload that certbindd refuses: exit 1" "$rc" 1
t_match "the finding is not-reloaded" "$out" \
    "^warning not-reloaded 127\\.0\\.0\\.3:$P"
t_match "and certbind says the server does not match" "$err" \
    "does not match the config yet"
t_is "two is still served" "$(srv_fpr 127.0.0.3 "$P")" "$two"
conf two

# No server.pidfile in the config.
conf two ""
cb -c "$C" reload
t_is "reload without server.pidfile: exit 2" "$rc" 2
t_match "it names the config and the setting" "$err" \
    "^certbind: no server.pidfile in .*certbind.conf: add pidfile"
conf two

# A pidfile that names a dead process.
cp "$PIDF" "$T/pid.saved"
sh -c 'exit 0' &
dead=$!
wait "$dead"
echo "$dead" >"$PIDF"
cb -c "$C" reload
t_is "reload with a dead pid: exit 2" "$rc" 2
t_match "it says the pid is not running" "$err" \
    "names pid $dead, which is not running: is certbindd started\\?"

# A pidfile that names another program.
sleep 30 &
other=$!
srv_pids="$srv_pids $other"
echo "$other" >"$PIDF"
cb -c "$C" reload
t_is "reload with a pid that is not certbindd: exit 2" "$rc" 2
t_match "it names the program and says the file is stale" "$err" \
    "names pid $other, which is 'sleep', not certbindd: the file is stale"
t_ok "the other program was not signalled" kill -0 "$other"
kill "$other" 2>/dev/null

echo "not a pid" >"$PIDF"
cb -c "$C" reload
t_is "reload with garbage in the pidfile: exit 2" "$rc" 2
t_match "it says so" "$err" "does not hold a pid but 'not a pid"

cp "$T/pid.saved" "$PIDF"
cb -c "$C" reload --timeout 5
t_is "with the pidfile back, reload works again" "$rc" 0

# At exit certbindd removes its pidfile.
srv_term
srv_exit_status 15
t_is "certbindd exits 0 on SIGTERM" "$srv_rc" 0
t_not "the pidfile is gone" test -e "$PIDF"
cb -c "$C" reload --timeout 1
t_is "reload after certbindd stopped: exit 2" "$rc" 2

# An unwritable pidfile: certbindd refuses to start, and says why.
sed -i "s|pidfile = \"certbindd.pid\";|pidfile = \"$T/nosuchdir/c.pid\";|" "$C"
: >"$srv_log"
"$CERTBINDD" -f -c "$C" 2>>"$srv_log" &
bad=$!
srv_pids="$srv_pids $bad"
srv_pid=$bad
srv_exit_status 15
t_is "certbindd with an unwritable pidfile exits 1" "$srv_rc" 1
t_match "it names server.pidfile" "$(cat "$srv_log")" \
    "cannot write server.pidfile .*nosuchdir/c.pid"

t_done
