#!/bin/sh
# Where a server's CPU goes per handshake: starts one server of the
# benchmark's table (bench/server/servers.sh) under one load of
# bench/server/hsload.c for SECONDS with `perf record -g` on the server's
# process (nginx: master and worker), and prints the CPU split by DSO
# group, with the microseconds of server CPU per handshake that each share
# comes to at the measured rate (handshakes per server CPU-second, as in
# run.sh; for the resuming loads, per resumed handshake).
#
# Usage: sh bench/server/profile.sh [SERVER [LOAD [SECONDS [KEY]]]]
#   SERVER   certbindd (the default), haproxy or nginx; for the resuming
#            loads the variant with tickets on is started
#   LOAD     banner (the default), hs, resume13 or resume12
#   SECONDS  10
#   KEY      ecdsa (the default) or rsa
# Knobs: BENCH_THREADS (4), BENCH_SIGNER (as in run.sh), PROFILE_KEEP=DIR
# (copies perf.data, or the callgrind output, there), PROFILE_CALLGRIND=1
# (callgrind even where perf works). nginx's stream module
# (ngx_stream_module.so) counts as the server's own binary.
#
# The groups: public-key and hash arithmetic (libnettle, libhogweed,
# libgmp, libcrypto), TLS library (libgnutls, libssl), kernel, libc, the
# server's own binary, other (everything else: libpthread is in libc
# since glibc 2.34, so "other" is mostly the dynamic loader, libtasn1,
# libconfig and [unknown] samples).
#
# When perf cannot record here (perf_event_paranoid, no PMU in a
# container), the script says so and falls back to valgrind's callgrind
# on the server: that counts instructions, not time, and only in user
# space, so the kernel's share is missing and the microseconds are the
# user-space shares of the rate measured under valgrind, which is many
# times slower: use its split, not its rate.

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${B:-build}
SERVER=${1:-certbindd}
LOAD=${2:-banner}
SECS=${3:-10}
KEYS=${4:-ecdsa}
THREADS=${BENCH_THREADS:-4}
case $LOAD in
banner|hs)		set=full ;;
resume13|resume12)	set=resume ;;
*)	echo "profile: unknown load $LOAD" >&2; exit 2 ;;
esac
case $KEYS in
ecdsa|rsa) ;;
*)	echo "profile: unknown key type $KEYS" >&2; exit 2 ;;
esac
W=$(mktemp -d "${TMPDIR:-/tmp}/certbind-profile.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

. bench/server/servers.sh
bench_setup || exit 2

# start WRAPPER: the server, under WRAPPER (a command prefix, "" for none).
start() {
	WRAP=$1
	case $SERVER in
	certbindd)
		v=1-binding
		[ $set = resume ] && v=tickets
		start_certbindd "$v" 1 "$set" "access_log = false;" ""
		;;
	haproxy)
		have_haproxy || { echo "profile: no haproxy" >&2; exit 2; }
		start_haproxy "$set"
		;;
	nginx)
		have_nginx || { echo "profile: no nginx" >&2; exit 2; }
		start_nginx "$set"
		;;
	*)	echo "profile: unknown server $SERVER" >&2; exit 2 ;;
	esac
}

# measure: runs the load for SECS while $1 (a command, or "") records;
# sets n (handshakes counted), cpu (server CPU-seconds) and fb.
measure() {
	read -r name pid s <"$W/servers"
	read -r x k p q <"$W/listeners"
	port=$q
	[ "$LOAD" = hs ] && port=$p
	"$W/hsload" "$LOAD" 127.0.0.2 "$port" 1 "$THREADS" >/dev/null
	c0=$(cpu_ticks "$pid")
	"$W/hsload" "$LOAD" 127.0.0.2 "$port" "$SECS" "$THREADS" >"$W/load" &
	lp=$!
	if [ -n "$1" ]; then
		$1 -p "$(procs "$pid" | tr ' ' ,)" -- sleep "$SECS" \
		    >"$W/perf.log" 2>&1
		rec=$?
	fi
	wait "$lp"
	c1=$(cpu_ticks "$pid")
	read -r n failed wall fb <"$W/load"
	cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { print (b - a) / hz }')
	echo "$name, $LOAD load, $k key: $n handshakes counted ($failed failed, $fb fell back to full) in $wall s, $cpu server CPU-s"
}

# split: "PERCENT DSO" lines on stdin; the table.
split_table() {
	awk -v n="$n" -v cpu="$cpu" -v srv="$SERVER" '
	{
		sub(/%$/, "", $1)
		d = $2
		g = "other"
		if (d ~ /^lib(nettle|hogweed|gmp|crypto)[.-]/) g = "arith"
		else if (d ~ /^lib(gnutls|ssl)[.-]/) g = "tls"
		else if (d ~ /kernel|^\[kernel|vmlinux/) g = "kernel"
		else if (d ~ /^libc[.-]|^libpthread[.-]/) g = "libc"
		else if (d == srv || d ~ /^ngx_.*\.so$/) g = "own"
		share[g] += $1
		if (g == "other" && $1 >= 0.5) oth = oth sprintf(" %s %.1f%%", d, $1)
	}
	END {
		rate = cpu > 0 ? n / cpu : 0
		printf "%.0f handshakes per server CPU-second\n\n", rate
		print "| group | share of the server CPU | µs per handshake |"
		print "| --- | ---: | ---: |"
		split("arith tls kernel libc own other", o, " ")
		split("public-key and hash arithmetic (nettle, hogweed, gmp, libcrypto)|TLS library (libgnutls, libssl)|kernel|libc|the server binary|other", lab, "|")
		for (i = 1; i <= 6; i++)
			printf "| %s | %.1f%% | %.1f |\n", lab[i], share[o[i]],
			    (rate > 0 ? share[o[i]] / 100 * 1e6 / rate : 0)
		if (oth != "")
			print "\nother, by DSO:" oth
	}'
}

if [ -z "${PROFILE_CALLGRIND:-}" ] && command -v perf >/dev/null 2>&1 &&
    perf record -q -o "$W/probe.data" -- true >/dev/null 2>&1; then
	start "" || exit 1
	measure "perf record -g -q -o $W/perf.data"
	if [ "$rec" -eq 0 ] && perf report -i "$W/perf.data" --no-children \
	    --sort dso --stdio -q -g none >"$W/dso" 2>"$W/perf.err" &&
	    [ -s "$W/dso" ]; then
		[ -n "${PROFILE_KEEP:-}" ] && cp "$W/perf.data" "$PROFILE_KEEP/"
		awk 'NF >= 2 { print $1, $2 }' "$W/dso" | split_table
		exit 0
	fi
	echo "profile: perf could not record here: $(cat "$W/perf.log" "$W/perf.err" 2>/dev/null | head -3)" >&2
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.5
	: >"$W/servers"; : >"$W/listeners"
else
	echo "profile: perf cannot record in this container (or is missing: apt-get install linux-perf)" >&2
fi

command -v valgrind >/dev/null 2>&1 ||
    { echo "profile: no valgrind either (apt-get install valgrind)" >&2; exit 2; }
echo "profile: falling back to valgrind --tool=callgrind: user space only, instructions not time" >&2
start "valgrind --tool=callgrind --trace-children=yes --callgrind-out-file=$W/cg.%p" ||
    exit 1
measure ""
echo "callgrind: the shares are of user-space instructions; the rate, and so the microseconds, are valgrind's, many times slower than the server's own"
read -r name pid s <"$W/servers"
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
[ -n "${PROFILE_KEEP:-}" ] && cp "$W"/cg.* "$PROFILE_KEEP/"
for f in "$W"/cg.*; do
	callgrind_annotate --threshold=100 "$f" 2>/dev/null
done | awk '
	# "1,234 ( 5.73%)  file:function [/path/libfoo.so.6]"
	/\[\/.*\]$/ && $1 ~ /^[0-9,]+$/ {
		v = $1; gsub(/,/, "", v)
		o = $NF; gsub(/[][]/, "", o); sub(/.*\//, "", o)
		ir[o] += v; tot += v
	}
	END { for (o in ir) printf "%.2f%% %s\n", 100 * ir[o] / tot, o }' |
    split_table
