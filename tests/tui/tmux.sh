# Helpers for the terminal UI tests: the real build/certbind inside a
# detached tmux server of its own, driven with send-keys and read with
# capture-pane (the approach of tmux's regress/ and tig's libtest.sh).
#
#   . tests/tui/tmux.sh                 after tests/lib.sh
#   tm_start W H [ENV=VALUE...] -- ARGS  certbind ARGS in a W x H pane; the
#                                        pane stays after exit and says
#                                        "certbind-exit=STATUS"
#   tm_wait TEXT                         polls the screen until TEXT shows
#                                        (bounded: about 10 s); 1 if not
#   tm_gone TEXT                         polls until TEXT is gone
#   tm_ready                             the panes drawn, the checks done
#   tm_keys KEY...                       tmux send-keys
#   tm_screen                            the screen as text
#   tm_pid                               certbind's pid
# Every test script stops its tmux server at exit.

if ! command -v tmux >/dev/null 2>&1; then
	t_skip "terminal UI tests" "tmux is not installed (make deps)"
	exit 0
fi
if [ ! -x "$top/$B/certbind" ]; then
	t_fail "terminal UI tests" "$B/certbind is not built"
	exit 1
fi

# One tmux server per tm_start (a server being killed may still hold its
# socket when the next one starts); every one is stopped at exit.
tm_n=0
tm_sock="certbind-test-$$-0"
tm_socks=""
tm() { tmux -L "$tm_sock" -f /dev/null "$@"; }
tm_stop() { tm kill-server >/dev/null 2>&1; true; }
tm_stop_all() {
	tm_stop_wait
	for s in $tm_socks; do
		tmux -L "$s" -f /dev/null kill-server >/dev/null 2>&1
	done
	true
}
t_at_exit tm_stop_all

# tm_start W H [ENV=V...] -- ARGS: a new server (the old one is stopped,
# and its certbind waited for, so that its lock file is gone).
tm_start() {
	tm_w=$1 tm_h=$2
	shift 2
	tm_env="TERM=xterm-256color LC_ALL=C.UTF-8"
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		tm_env="$tm_env $1"
		shift
	done
	[ "${1:-}" = "--" ] && shift
	tm_stop_wait
	tm_n=$((tm_n + 1))
	tm_sock="certbind-test-$$-$tm_n"
	tm_socks="$tm_socks $tm_sock"
	tm new-session -d -x "$tm_w" -y "$tm_h" \
	    "env $tm_env $CERTBIND $*; echo certbind-exit=\$?; sleep 600"
	tm set-option -g status off >/dev/null 2>&1
	tm resize-window -x "$tm_w" -y "$tm_h" >/dev/null 2>&1
}

# Stops certbind, then its server. certbind is asked first, with SIGTERM
# (which it treats as a hangup), and waited for (bounded), while its
# terminal still exists: a sanitizer build then finishes its exit checks
# undisturbed, and its lock file is gone before the next start.
tm_stop_wait() {
	tm_p=$(tm_pid 2>/dev/null)
	if [ -n "$tm_p" ]; then
		kill -TERM "$tm_p" 2>/dev/null
		tm_i=0
		while kill -0 "$tm_p" 2>/dev/null && [ "$tm_i" -lt 100 ]; do
			sleep 0.1
			tm_i=$((tm_i + 1))
		done
		# Not gone in 10 s (a sanitizer build's exit checks on a busy
		# machine): stopped by its pid, never left behind without its
		# terminal (one such, its leak check hung, spun for an hour).
		kill -KILL "$tm_p" 2>/dev/null
	fi
	tm_stop
}

tm_screen() { tm capture-pane -p 2>/dev/null; }
tm_keys() { tm send-keys "$@"; }

# The pid of the certbind under the pane's shell.
tm_pid() {
	tm_sh=$(tm display-message -p '#{pane_pid}' 2>/dev/null) || return 1
	[ -n "$tm_sh" ] || return 1
	pgrep -P "$tm_sh" -x certbind 2>/dev/null | head -n 1
}

# How many 0.1 s polls a wait makes: 10 s, or 60 s under a sanitizer or
# valgrind (T_SLOW, tests/lib.sh), where every keystroke is slower.
tm_polls=100
[ -n "${T_SLOW:-}" ] && tm_polls=600

tm_wait() {
	tm_i=0
	while [ "$tm_i" -lt "$tm_polls" ]; do
		if tm_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		tm_i=$((tm_i + 1))
	done
	return 1
}

# The panes are drawn and the checks are done (the status line says
# "checking..." until then).
tm_ready() {
	tm_wait "Endpoints:" && tm_gone "checking..."
}

tm_gone() {
	tm_i=0
	while [ "$tm_i" -lt "$tm_polls" ]; do
		if ! tm_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		tm_i=$((tm_i + 1))
	done
	return 1
}

# t_screen NAME EXPECTED-FILE: the whole screen (trailing blanks removed,
# the scratch directory written as T) against a file.
tm_normal() {
	tm_screen | sed -E -e "s|$T|T|g" -e 's/[[:space:]]*$//'
}
t_screen() {
	tm_normal >"$T/.screen"
	if diff -u "$2" "$T/.screen" >"$T/.diff"; then
		t_pass "$1"
	else
		t_fail "$1" "$(cat "$T/.diff")"
	fi
}

# The moved-site scenario: the site moved from 127.0.0.2:8443 to
# 127.0.0.3:8443, its binding stayed behind, and the "all unassigned"
# default quietly serves the new address. Writes $T/s/certbind.conf.
tm_moved_site() {
	mkdir -p "$T/s"
	(
		. tests/fixtures/mkcert.sh
		# Fixed dates: the screens show them.
		MKCERT_NOT_BEFORE="2025-01-01 00:00:00"
		MKCERT_NOT_AFTER="2031-06-01 12:00:00"
		export MKCERT_NOT_BEFORE MKCERT_NOT_AFTER
		mkcert_leaf "$T/s" www www.example.com www.example.com \
		    ip:127.0.0.3 &&
		mkcert_leaf "$T/s" api api.example.com api.example.com &&
		mkcert_csr "$T/s" new-2027 new.example.com new.example.com
	) || return 1
	cat >"$T/s/certbind.conf" <<'CONF'
version = 1;
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; },
    { endpoint = "127.0.0.4:9443"; backend = "127.0.0.1:8081"; }
  );
};
keys = (
  { name = "www"; key = "www.key"; cert = "www.pem"; },
  { name = "api"; key = "api.key"; cert = "api.pem"; },
  { name = "new-2027"; key = "new-2027.key"; request = "new-2027.csr"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.2:8443"; },
  { key = "api"; endpoint = "127.0.0.4:9443"; sni = "api.example.com"; },
  { key = "www"; endpoint = "*:*"; }
);
CONF
}
