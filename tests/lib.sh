# Shared by the shell tests: TAP output, a scratch directory, the binaries.
#
#   . tests/lib.sh
#   t_ok "name" CONDITION-COMMAND...     ok if the command succeeds
#   t_is "name" GOT WANT                 ok if the two strings are equal
#   t_skip "name" "reason"
#
# Every test script runs from the top of the tree and ends with t_done.

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
B=${B:-build}
CERTBIND="$top/$B/certbind"
CERTBINDD="$top/$B/certbindd"
# Under a sanitizer or valgrind everything is many times slower: tests
# that work on sheer size scale down when T_SLOW is set, and say so.
T_SLOW=""
case $B in *asan*) T_SLOW=asan ;; esac
[ -n "${CERTBIND_VALGRIND:-}" ] && T_SLOW=valgrind
if [ -n "${CERTBIND_VALGRIND:-}" ]; then
	CERTBIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect $CERTBIND"
fi
export CERTBIND CERTBINDD
unset CERTBIND_CONF NO_COLOR
LC_ALL=C.UTF-8
export LC_ALL

T=$(mktemp -d "${TMPDIR:-/tmp}/certbind-test.XXXXXX")
t_n=0
t_failed=0
t_cleanup_hooks=""
t_cleanup() {
	for h in $t_cleanup_hooks; do $h; done
	rm -rf "$T"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM

t_at_exit() { t_cleanup_hooks="$t_cleanup_hooks $1"; }

t_pass() { t_n=$((t_n + 1)); echo "ok $t_n - $1"; }
t_fail() {
	t_n=$((t_n + 1)); t_failed=$((t_failed + 1))
	echo "not ok $t_n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
t_skip() { t_n=$((t_n + 1)); echo "ok $t_n - $1 # SKIP $2"; }

t_ok() {
	name=$1; shift
	if "$@" >"$T/.ok.out" 2>&1; then t_pass "$name"
	else t_fail "$name" "command failed: $*" "$(head -c 2000 "$T/.ok.out")"; fi
}
t_not() {
	name=$1; shift
	if "$@" >"$T/.ok.out" 2>&1; then
		t_fail "$name" "command succeeded but should not: $*"
	else t_pass "$name"; fi
}
# t_is NAME GOT WANT [CONTEXT]: CONTEXT (stderr, say) is shown on failure.
t_is() {
	if [ "$2" = "$3" ]; then t_pass "$1"
	else t_fail "$1" "got:  $2" "want: $3" "${4:+$(printf '%s' "$4" | head -c 3000)}"; fi
}
# t_match NAME TEXT EXTENDED-REGEX
t_match() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then t_pass "$1"
	else t_fail "$1" "no line matches: $3" "in: $(printf '%s' "$2" | head -c 3000)"; fi
}
t_nomatch() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then
		t_fail "$1" "a line matches: $3" "in: $(printf '%s' "$2" | head -c 3000)"
	else t_pass "$1"; fi
}
t_done() { [ "$t_failed" -eq 0 ]; }

# The compile and link flags of a helper built on libcertbind.a, from the
# Makefile's one list (it names libcrypto when certbind signs with it).
cb_lib_cflags() { make -s --no-print-directory -C "$top" print-lib-cflags; }
cb_lib_libs() { make -s --no-print-directory -C "$top" print-lib-libs; }

# cb ARGS...: runs certbind, leaves stdout in $out, stderr in $err, and the
# exit status in $rc.
cb() {
	$CERTBIND "$@" >"$T/.out" 2>"$T/.err"
	rc=$?
	out=$(cat "$T/.out"); err=$(cat "$T/.err")
}
