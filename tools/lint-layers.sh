#!/bin/sh
# The layers of DESIGN.md, checked: util <- core <- keys <- op <- {cli, tui,
# server}. An include goes down that list, never up, and never sideways from
# one front end into another. util/, core/, keys/ and op/ are a library: no
# curses, no printing, no exit(), no reading of the terminal.
#
# Usage: tools/lint-layers.sh [ROOT]   (ROOT: a source tree, default the
# checkout this script is in; tests/lint/t-lint.sh plants violations in a
# copy to see each rule fail). Prints TAP.
here=$(cd "$(dirname "$0")/.." && pwd)
cd "${1:-$here}" || exit 2
n=0
check() {
	n=$((n + 1))
	if [ -z "$2" ]; then echo "ok $n - $1"
	else echo "not ok $n - $1"; printf '%s\n' "$2" | sed 's/^/#   /'; fi
}
lib="util core keys op"

# The rank of a layer; the front ends share one rank, so that one of them
# including another is caught as sideways.
rank() {
	case $1 in
	util) echo 0 ;; core) echo 1 ;; keys) echo 2 ;; op) echo 3 ;;
	cli|tui|server) echo 4 ;; *) echo 9 ;;
	esac
}

# Every '#include "DIR/FILE"' in a layer's sources, as "FILE:LINE:DIR".
includes() {
	for d in $lib cli tui server; do
		[ -d "$d" ] || continue
		grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]+/' \
		    -r --include='*.c' --include='*.h' "$d" |
		    sed -E 's/^([^:]+:[0-9]+):.*"([a-z]+)\/.*/\1:\2/'
	done
}

# layer_rule LAYER...: one TAP line for these layers' includes.
layer_rule() {
	bad=""
	for f in $(includes); do
		file=${f%%:*}
		to=${f##*:}
		from=${file%%/*}
		case " $* " in *" $from "*) ;; *) continue ;; esac
		[ "$from" = "$to" ] && continue
		# certbind's main starts the terminal UI through its one
		# public header: the program's entry point, not a shared
		# operation.
		[ "$file" = cli/main.c ] && [ "$to" = tui ] &&
		    ! grep -E '#include "tui/' cli/main.c |
		    grep -vq 'tui/tui.h' && continue
		if [ "$(rank "$to")" -ge "$(rank "$from")" ]; then
			bad="$bad
$f: $from/ may not include $to/"
		fi
	done
	printf '%s' "$bad" | sed '/^$/d'
}

check "util/ includes only util/" "$(layer_rule util)"
check "core/ includes only util/ and core/" "$(layer_rule core)"
check "keys/ includes only util/, core/ and keys/" "$(layer_rule keys)"
check "op/ includes only util/, core/, keys/ and op/" "$(layer_rule op)"
check "cli/, tui/ and server/ include the library, never each other" \
    "$(layer_rule cli tui server)"

check "curses is included only in tui/ (and its tests)" "$(grep -rlE \
    '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/n?curses)\.h' \
    --include='*.c' --include='*.h' . 2>/dev/null |
    grep -vE '^\./(tui|tests/tui)/')"

# grep -n lines that are comments ("FILE:LINE: * text") say, not do.
comments_out() {
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)'
}

existing=""
for d in $lib; do [ -d "$d" ] && existing="$existing $d"; done
# shellcheck disable=SC2086
check "the library (util core keys op) never prints or exits" \
    "$(grep -rnE \
    '(^|[^_a-z])(exit|_exit|printf|fprintf|vfprintf|puts|fputs|putchar|perror|abort|syslog)[[:space:]]*\(' \
    --include='*.c' $existing | comments_out |
    grep -v 'util/xmalloc.c:.*abort' )"
# shellcheck disable=SC2086
check "the library never touches stdin, stdout, stderr or the terminal" \
    "$(grep -rnE \
    '(^|[^_a-zA-Z])(stdin|stdout|stderr|STDIN_FILENO|STDOUT_FILENO|STDERR_FILENO|isatty|tcgetattr|tcsetattr|getpass|getchar)([^_a-zA-Z]|$)' \
    --include='*.c' --include='*.h' $existing | comments_out)"
