#!/bin/sh
# Runs every test and ends with one line "N passed, M failed".
#
# Each test program speaks TAP: "ok N - name", "not ok N - name", and
# "ok N - name # SKIP reason" for a test that could not run (counted as
# skipped, never as passed). A program that exits non-zero without having
# reported a failure counts as one failure: a crash is never silent.
#
# Usage: tests/run.sh [SUITE...]   SUITE: unit cli tui server acme fleet lint
#                                  fuzz
#
# acme runs the end-to-end ACME tests against pebble (tests/acme/); each
# that needs pebble is skipped when it is not installed. fleet starts a
# three-member etcd cluster (tests/fleet/); skipped without etcd-server.

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
B=${B:-build}
export B
# Leaks in Debian's libraries that certbind cannot fix (tests/lsan.supp).
LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
suites=${*:-"lint unit cli tui server acme fleet fuzz"}
log=$(mktemp -d "${TMPDIR:-/tmp}/certbind-check.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

passed=0 failed=0 skipped=0

# run NAME COMMAND...: runs one test program and counts its TAP lines.
run() {
	name=$1; shift
	out=$log/out
	timeout 900 "$@" >"$out" 2>"$log/err" </dev/null
	rc=$?
	# cmocka writes a skipped test as "not ok N # SKIP": a skip too.
	p=$(grep -E '^ok [0-9]+' "$out" | grep -vc '# SKIP')
	s=$(grep -E '^(not )?ok [0-9]+' "$out" | grep -c '# SKIP')
	f=$(grep -E '^not ok [0-9]+' "$out" | grep -vc '# SKIP')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" >>"$out"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		echo "not ok - $name ran no test" >>"$out"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		printf 'FAIL %-32s %d passed, %d failed\n' "$name" "$p" "$f"
		grep -E '^not ok|^#' "$out" | sed 's/^/    /' | head -n 60
		sed 's/^/    stderr: /' "$log/err" | tail -n 20
	else
		printf 'ok   %-32s %d passed%s\n' "$name" "$p" \
		    "$( [ "$s" -ne 0 ] && echo ", $s skipped" )"
		grep '# SKIP' "$out" | sed 's/^/    /'
	fi
}

for suite in $suites; do
	case $suite in
	lint)
		run lint-layers sh tools/lint-layers.sh
		run lint-man sh tools/lint-man.sh
		run lint/t-planted sh tests/lint/t-planted.sh
		;;
	unit)
		for t in "$B"/tests/test_*; do
			[ -x "$t" ] || continue
			CMOCKA_MESSAGE_OUTPUT=TAP run "unit/${t##*/}" "$t"
		done
		;;
	cli|tui|server|fleet|fuzz)
		for t in tests/"$suite"/t-*.sh; do
			[ -f "$t" ] || continue
			run "$suite/$(basename "$t" .sh)" sh "$t"
		done
		;;
	acme)
		# A test that needs pebble says "# SKIP pebble not installed"
		# itself (acme_need in tests/acme/acmelib.sh).
		for t in tests/acme/t-*.sh; do
			[ -f "$t" ] || continue
			run "acme/$(basename "$t" .sh)" sh "$t"
		done
		;;
	*)
		echo "run.sh: unknown suite '$suite'" >&2
		exit 2
		;;
	esac
done

[ "$skipped" -ne 0 ] && echo "($skipped skipped: see the SKIP lines above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
