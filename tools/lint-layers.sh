#!/bin/sh
# core/ and keys/ are a library: no curses, no printing, no exit().
# Prints TAP.
cd "$(dirname "$0")/.." || exit 2
n=0
check() {
	n=$((n + 1))
	if [ -z "$2" ]; then echo "ok $n - $1"
	else echo "not ok $n - $1"; printf '%s\n' "$2" | sed 's/^/#   /'; fi
}
check "curses is included only in tui/ (and its tests)" "$(grep -rlE \
    '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/n?curses)\.h' \
    --include='*.c' --include='*.h' . | grep -vE '^\./(tui|tests/tui)/')"
check "core/ and keys/ never print or exit" "$(grep -rnE \
    '(^|[^_a-z])(exit|_exit|printf|fprintf|puts|perror|abort)[[:space:]]*\(' \
    --include='*.c' core keys | grep -v 'xmalloc.c:.*abort' )"
check "core/ and keys/ do not include stdio for output" "$(grep -rnE \
    '(stdout|stderr|syslog)' --include='*.c' core keys)"
