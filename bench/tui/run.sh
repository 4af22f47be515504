#!/bin/sh
# The terminal UI's benchmarks (issue 3), not timed tests:
#  1. the first screen of a store with 10,000 keys and 100,000 bindings,
#     from starting certbind in a tmux pane until the panes are drawn
#     (target: under 1 s), and until the checks are done;
#  2. the bytes written to the terminal when the cursor moves one line
#     (target: under 200), logged with tmux pipe-pane.
#  3. one keystroke in the bind dialog on the large store: the fields are
#     validated and the effect recomputed (a copy of the config with the
#     binding made, resolved against the listeners it can reach).
# Usage: sh bench/tui/run.sh [--regen]
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${B:-build}
dir=$top/$B/bench/tui
certbind=$top/$B/certbind
[ -x "$certbind" ] || { echo "bench/tui: build first (make)"; exit 2; }
command -v tmux >/dev/null || { echo "bench/tui: tmux is needed"; exit 2; }
sock="certbind-bench-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; rm -f "$dir/out.log"' EXIT INT TERM

# The store: every key uses the same certificate file, so that making it
# takes seconds; 1,000 listeners with 100 bindings each (one without sni,
# 99 with a name), so every listener is served and resolution does work.
if [ "${1:-}" = "--regen" ] || [ ! -f "$dir/big.conf" ]; then
	mkdir -p "$dir"
	rm -f "$dir/one.key" "$dir/one.pem"
	( . tests/fixtures/mkcert.sh; mkcert_leaf "$dir" one one.example.com \
	    '*.example.com' ) || exit 1
	awk 'BEGIN {
		print "version = 1;"
		print "server = { listen = ("
		for (l = 0; l < 1000; l++)
			printf "  { endpoint = \"127.1.%d.%d:443\"; backend = " \
			    "\"127.0.0.1:8080\"; }%s\n", int(l / 250), l % 250 + 1,
			    l < 999 ? "," : ""
		print "); };"
		print "keys = ("
		for (k = 0; k < 10000; k++)
			printf "  { name = \"k%05d\"; key = \"one.key\"; " \
			    "cert = \"one.pem\"; }%s\n", k, k < 9999 ? "," : ""
		print ");"
		print "bindings = ("
		for (b = 0; b < 100000; b++) {
			l = int(b / 100)
			sni = b % 100 == 0 ? "" : sprintf(" sni = \"s%d.example.com\";", b)
			printf "  { key = \"k%05d\"; endpoint = \"127.1.%d.%d:443\";%s }%s\n",
			    b % 10000, int(l / 250), l % 250 + 1, sni,
			    b < 99999 ? "," : ""
		}
		print ");"
	}' >"$dir/big.conf"
	# The small one: the moved site of the tests.
	cat >"$dir/small.conf" <<'CONF'
version = 1;
server = { listen = (
  { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; },
  { endpoint = "127.0.0.4:9443"; backend = "127.0.0.1:8081"; }
); };
keys = (
  { name = "www"; key = "one.key"; cert = "one.pem"; },
  { name = "api"; key = "one.key"; cert = "one.pem"; },
  { name = "new"; key = "one.key"; cert = "one.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.2:8443"; },
  { key = "api"; endpoint = "127.0.0.4:9443"; sni = "api.example.com"; },
  { key = "www"; endpoint = "*:*"; }
);
CONF
fi

now() { date +%s.%N; }

# start CONF: a fresh 80x24 pane running certbind, its output logged.
start() {
	tm kill-server >/dev/null 2>&1
	sleep 0.3
	: >"$dir/out.log"
	tm new-session -d -x 80 -y 24 "sleep 0.5; exec env TERM=xterm-256color \
	    LC_ALL=C.UTF-8 $certbind -c $1"
	tm pipe-pane -o "cat >>$dir/out.log"
}

wait_for() {	# TEXT [absent]: polls every 10 ms, 60 s at most
	i=0
	while [ $i -lt 6000 ]; do
		if tm capture-pane -p | grep -qF -- "$1"; then
			[ -z "${2:-}" ] && return 0
		elif [ -n "${2:-}" ]; then
			return 0
		fi
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

echo "== first screen: 10,000 keys, 100,000 bindings, 1,000 listeners"
best=""
for run in 1 2 3; do
	start "$dir/big.conf"
	sleep 0.5	# the pane's own delay before certbind starts
	t0=$(now)
	wait_for "Endpoints:" || { echo "no first screen"; exit 1; }
	t1=$(now)
	wait_for "checking..." absent
	t2=$(now)
	first=$(echo "$t1 - $t0" | bc)
	checked=$(echo "$t2 - $t0" | bc)
	printf '  run %d: first screen %.2f s, checks done %.2f s\n' \
	    "$run" "$first" "$checked"
	if [ -z "$best" ] || [ "$(echo "$first < $best" | bc)" = 1 ]; then
		best=$first
	fi
done
printf '  best first screen: %.2f s (target < 1 s)\n' "$best"

# moves CONF KEYS...: the average bytes for one cursor move.
moves() {
	conf=$1
	shift
	start "$conf"
	wait_for "Endpoints:" || { echo "no first screen"; exit 1; }
	wait_for "checking..." absent
	for k in "$@"; do tm send-keys "$k"; done
	sleep 1
	n=0 total=0
	while [ $n -lt 10 ]; do
		before=$(wc -c <"$dir/out.log")
		tm send-keys j
		sleep 0.3
		tm send-keys k
		sleep 0.3
		after=$(wc -c <"$dir/out.log")
		total=$((total + after - before))
		n=$((n + 2))
	done
	echo $((total / n))
}

echo "== bytes written per cursor move (j/k), 80x24"
printf '  keys pane, small store:      %s bytes\n' "$(moves "$dir/small.conf")"
printf '  endpoints pane, small store: %s bytes\n' \
    "$(moves "$dir/small.conf" Tab Tab)"
printf '  keys pane, large store:      %s bytes\n' "$(moves "$dir/big.conf")"
printf '  endpoints pane, large store: %s bytes\n' \
    "$(moves "$dir/big.conf" Tab Tab)"
echo "  (target < 200 bytes)"

echo "== one keystroke in the bind dialog, large store"
start "$dir/big.conf"
wait_for "Endpoints:" || { echo "no first screen"; exit 1; }
wait_for "checking..." absent
tm send-keys b
wait_for "Bind a key" || exit 1
tm send-keys Tab Tab
tm send-keys -l 'x.example.com'
wait_for "x.example.com_" || exit 1
tm send-keys BTab BTab C-u
tm send-keys -l '127.1.0.4'
wait_for "127.1.0.4:443 sni=x.example.com" || exit 1
for n in 5 6 7 8 9; do
	t0=$(now)
	tm send-keys BSpace "$n"
	wait_for "127.1.0.$n:443 sni=x.example.com" || { echo "no effect"; exit 1; }
	t1=$(now)
	el=$(echo "$t1 - $t0" | bc)
	printf '  keystroke %d: %.3f s\n' "$n" "$el"
done
