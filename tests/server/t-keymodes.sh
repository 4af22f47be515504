#!/bin/sh
# The key-file policy, end to end: certbind check and certbindd must agree
# on every private key file. For each row of a matrix of key modes x
# owners x server identities (server.user, server.group), the test asks
#
#   certbind check --offline   is there a key-permissions error?
#   certbindd -t               does it exit 1 naming the key?
#   certbindd (a real start)   does it refuse to start, naming the key, or
#                              start and serve the key's certificate?
#
# and asserts the three verdicts are the same, row by row. The rule itself
# is keys/keyfile.c's (a table in tests/unit/test_keyfile.c); this test is
# there so that no caller drifts from it. The matrix holds rows where all
# refuse and rows where all accept, checked at the end.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1 ||
    ! getent group nogroup >/dev/null 2>&1 ||
    ! getent group daemon >/dev/null 2>&1; then
	t_skip "key modes x owners x server identities" \
	    "needs root, user nobody and groups nogroup and daemon"
	exit 0
fi

S=$T/store
mkcert_leaf "$S" www www.example.com || { t_fail "fixtures"; exit 1; }
www=$(mkcert_fpr "$S/www.pem")
chmod 644 "$S/www.pem"
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
base_pids=$srv_pids
C=$T/certbind.conf

# conf WHO: the server's identity for one column of the matrix: root
# (neither server.user nor server.group), user (nobody, whose group is
# nogroup), user+group (nobody and nogroup), group (nogroup only).
conf() {
	case $1 in
	root)		ident='' ;;
	user)		ident='user = "nobody";' ;;
	user+group)	ident='user = "nobody"; group = "nogroup";' ;;
	group)		ident='group = "nogroup";' ;;
	esac
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  shutdown_timeout = 2;
  $ident
};
keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
}

# Each verdict is "serve" or "refuse"; anything else is a test failure
# reported with what the program said.

verdict_check() {
	cb -c "$C" check --offline
	if [ "$rc" -eq 0 ] && ! printf '%s\n' "$out" | grep -q key-permissions
	then
		echo serve
	elif [ "$rc" -eq 1 ] &&
	    printf '%s\n' "$out" | grep -q '^error key-permissions www:' &&
	    [ "$(printf '%s\n' "$out" | grep -c '^error')" -eq 1 ]; then
		echo refuse
	else
		echo "check-rc=$rc: $out $err"
	fi
}

verdict_t() {
	"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
	trc=$?
	if [ "$trc" -eq 0 ]; then
		echo serve
	elif [ "$trc" -eq 1 ] && grep -q 'www\.key: ' "$T/t.out"; then
		echo refuse
	else
		echo "-t-rc=$trc: $(cat "$T/t.out")"
	fi
}

# start: certbindd -f on $C, until it is ready (0) or has exited (1). Not
# srv_start: a refusal is the expected outcome half the time here, and
# kill -0 cannot see that an unreaped child has exited, /proc can.
start() {
	: >"$srv_log"
	"$CERTBINDD" -f -c "$C" 2>>"$srv_log" &
	srv_pid=$!
	srv_pids="$base_pids $srv_pid"
	i=0
	while [ $i -lt 300 ]; do
		grep -q ' ready: ' "$srv_log" && return 0
		state=$(awk '{ print $3 }' "/proc/$srv_pid/stat" 2>/dev/null)
		case $state in ''|Z) return 1 ;; esac
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# stop: SIGTERM, then reaps certbindd once /proc shows it has exited (10 s
# at most, then SIGKILL); its exit status in $srv_rc.
stop() {
	kill -TERM "$srv_pid"
	i=0
	while [ $i -lt 200 ]; do
		state=$(awk '{ print $3 }' "/proc/$srv_pid/stat" 2>/dev/null)
		case $state in ''|Z) break ;; esac
		sleep 0.05; i=$((i + 1))
	done
	[ $i -lt 200 ] || kill -9 "$srv_pid"
	wait "$srv_pid"
	srv_rc=$?
}

# Not in a $(...) subshell: only this shell can reap certbindd, and the
# verdict is left in $vs. Once it is reaped its PID leaves srv_pids, so
# the cleanup never signals a PID that another process may have reused.
verdict_start() {
	if start; then
		got=$(srv_fpr 127.0.0.2 "$P")
		stop
		srv_pids=$base_pids
		if [ "$got" = "$www" ] && [ "$srv_rc" -eq 0 ]; then
			vs=serve
		else
			vs="started but served '$got', exit $srv_rc: $(cat "$srv_log")"
		fi
		return
	fi
	# It has exited: reap it without srv_exit_status's watchdog.
	wait "$srv_pid"
	srv_rc=$?
	srv_pids=$base_pids
	if [ "$srv_rc" -ne 0 ] && grep -q 'www\.key: .*private key' "$srv_log"
	then
		vs=refuse
	else
		vs="no start, exit $srv_rc: $(cat "$srv_log")"
	fi
}

nserve=0 nrefuse=0
for who in root user user+group group; do
	conf "$who"
	for owner in root:root root:nogroup root:daemon nobody:nogroup; do
		for mode in 0600 0400 0640 0440 0660 0604 0644; do
			chown "$owner" "$S/www.key" && chmod "$mode" "$S/www.key" ||
			    { t_fail "chown $owner, chmod $mode"; continue; }
			vc=$(verdict_check)
			vt=$(verdict_t)
			verdict_start
			row="$who $owner $mode"
			case "$vc $vt $vs" in
			"serve serve serve")
				nserve=$((nserve + 1))
				t_pass "$row: all serve" ;;
			"refuse refuse refuse")
				nrefuse=$((nrefuse + 1))
				t_pass "$row: all refuse" ;;
			*)
				t_fail "$row: check, -t and certbindd agree" \
				    "check:     $vc" "certbindd -t: $vt" \
				    "certbindd: $vs" ;;
			esac
		done
	done
done
t_ok "some rows are served by all ($nserve)" [ "$nserve" -gt 0 ]
t_ok "some rows are refused by all ($nrefuse)" [ "$nrefuse" -gt 0 ]

# A few rows pinned to the rule of certbind.conf(5), so that the three
# cannot drift together either.
chown root:root "$S/www.key"
conf root
chmod 640 "$S/www.key"
t_is "root root:root 0640: refused" "$(verdict_check)" refuse
chmod 600 "$S/www.key"
t_is "root root:root 0600: served" "$(verdict_check)" serve
conf user+group
chown root:nogroup "$S/www.key"
chmod 640 "$S/www.key"
t_is "user+group root:nogroup 0640: served" "$(verdict_check)" serve
chmod 660 "$S/www.key"
t_is "user+group root:nogroup 0660: refused" "$(verdict_check)" refuse
chown root:root "$S/www.key"
chmod 600 "$S/www.key"
t_done
