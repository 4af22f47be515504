# Helpers shared by the server tests (tests/server/t-*.sh), sourced after
# tests/lib.sh. Everything waits with a deadline, never an open-ended
# sleep, and every process started here is stopped by its PID at exit.
#
#   srv_need                        SKIP the whole script without python3/openssl
#   srv_port                        a free TCP port
#   srv_backend PORT [MODE N]       backend.py on 127.0.0.1:PORT (echo, source N)
#   srv_start CONF [ARGS...]        certbindd -f on CONF; log in $srv_log
#   srv_hup / srv_term              signals to it
#   srv_wait_log COUNT REGEX SECS   until REGEX has matched COUNT lines of the log
#   srv_fpr HOST PORT [SNI]         the served certificate's SHA-256 by
#                                   openssl s_client, or "refused"

. "$top/tests/fixtures/mkcert.sh"

PY=${PYTHON:-python3}
srv_pids=""
srv_pid=""
srv_log="$T/certbindd.log"

srv_cleanup() {
	for p in $srv_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $srv_pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	srv_pids=""
	# Under make check-asan the sanitizers report into certbindd's log.
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$f"
		then
			t_fail "no sanitizer report in ${f##*/}" \
			    "$(grep -A30 -E 'Sanitizer|runtime error:' "$f" | head -40)"
		fi
	done
}
t_at_exit srv_cleanup

srv_need() {
	for tool in "$PY" openssl; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			t_skip "server tests" "$tool is not installed"
			exit 0
		fi
	done
	if [ ! -x "$CERTBINDD" ]; then
		t_fail "certbindd is built" "no $CERTBINDD (make all)"
		exit 1
	fi
}

srv_port() {
	$PY -c 'import socket
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 0))
print(s.getsockname()[1])'
}

# srv_wait_file FILE SECS
srv_wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ -e "$1" ]
}

srv_backend() {
	rm -f "$T/backend.$1"
	$PY "$top/tests/server/backend.py" 127.0.0.1 "$1" "$T/backend.$1" \
	    ${2:-echo} ${3:-0} >/dev/null 2>&1 &
	srv_pids="$srv_pids $!"
	srv_wait_file "$T/backend.$1" 10
}

# srv_wait_log COUNT REGEX SECS: true once COUNT lines match.
srv_wait_log() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		n=$(grep -cE -- "$2" "$srv_log" 2>/dev/null)
		[ "${n:-0}" -ge "$1" ] && return 0
		if [ -n "$srv_pid" ] && ! kill -0 "$srv_pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

srv_start() {
	conf=$1; shift
	: >"$srv_log"
	"$CERTBINDD" -f -c "$conf" "$@" 2>>"$srv_log" &
	srv_pid=$!
	srv_pids="$srv_pids $srv_pid"
	srv_wait_log 1 ' ready: ' 15
}

srv_hup() { kill -HUP "$srv_pid"; }
srv_term() { kill -TERM "$srv_pid"; }

# srv_exit_status SECS: waits for certbindd to exit and leaves its status
# in $srv_rc (137 when it had to be killed at the deadline). Not in a
# $(...) subshell: only this shell can wait for its child. A watchdog bounds the
# wait: kill -0 cannot tell an exited but unreaped child from a live one.
srv_exit_status() {
	(sleep "$1"; kill -9 "$srv_pid" 2>/dev/null) &
	srv_w=$!
	wait "$srv_pid"
	srv_rc=$?
	kill "$srv_w" 2>/dev/null
	wait "$srv_w" 2>/dev/null
}

srv_fpr() {
	case $1 in
	*:*)	srv_c="[$1]:$2" ;;
	*)	srv_c="$1:$2" ;;
	esac
	if [ -n "${3:-}" ]; then
		set -- -servername "$3"
	else
		set -- -noservername
	fi
	srv_pem=$(timeout 10 openssl s_client -connect "$srv_c" "$@" \
	    </dev/null 2>/dev/null |
	    sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p')
	if [ -z "$srv_pem" ]; then
		echo refused
		return
	fi
	printf '%s\n' "$srv_pem" | openssl x509 -noout -fingerprint -sha256 |
	    sed 's/^[^=]*=//' | tr 'A-F' 'a-f'
}

# PROXY protocol and access log helpers (tests/server/t-pp-*.sh):
#
#   srv_need_tool TOOL...            SKIP the whole script without TOOL
#   srv_pp_backend PORT REPORT       pp_backend.py on 127.0.0.1:PORT: checks
#                                    each PROXY header, writes REPORT, echoes
#   srv_pp_report REPORT SECS        waits for REPORT, prints it, removes it
#   srv_access REGEX                 certbindd's access log lines matching
#                                    REGEX, without the log's timestamp
#   srv_field LINE NAME              the value of field NAME in an access line

srv_need_tool() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			t_skip "${0##*/}" "$tool is not installed (tools/deps.sh test)"
			exit 0
		fi
	done
}

srv_pp_backend() {
	rm -f "$T/ppbackend.$1" "$2"
	$PY "$top/tests/server/pp_backend.py" 127.0.0.1 "$1" \
	    "$T/ppbackend.$1" "$2" >"$T/ppbackend.$1.log" 2>&1 &
	srv_pids="$srv_pids $!"
	srv_wait_file "$T/ppbackend.$1" 10
}

srv_pp_report() {
	srv_wait_file "$1" "$2" || { echo "no report"; return 1; }
	cat "$1"
	rm -f "$1"
}

srv_access() {
	grep -E ' certbindd: access ' "$srv_log" 2>/dev/null |
	    sed 's/^.* certbindd: access /access /' | grep -E -- "$1"
}

srv_field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
