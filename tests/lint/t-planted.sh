#!/bin/sh
# The layer lint (tools/lint-layers.sh) can fail: each rule is shown a copy
# of the tree with one violation planted, and must report that violation,
# naming the file and line; the clean copy passes every rule.
. "$(dirname "$0")/../lib.sh"

lint=$top/tools/lint-layers.sh
src=$T/src
mkdir -p "$src"
for d in util core keys op cli tui server; do
	cp -r "$top/$d" "$src/$d"
done

t_ok "the tree as it is passes every rule" \
    sh -c "! sh '$lint' '$src' | grep -q '^not ok'"

# plant NAME FILE TEXT RULE: appends TEXT to FILE in a fresh copy, runs the
# lint, and expects rule RULE (its TAP number) to fail naming FILE.
plant() {
	name=$1 file=$2 text=$3 rule=$4
	rm -rf "$T/p"
	cp -r "$src" "$T/p"
	printf '%s\n' "$text" >>"$T/p/$file"
	out=$(sh "$lint" "$T/p")
	t_match "$name: rule $rule fails" "$out" "^not ok $rule "
	t_match "$name: and names $file" "$out" "$file"
}

plant "core includes op" core/resolve.c '#include "op/check.h"' 2
plant "keys includes op" keys/cert.c '#include "op/commit.h"' 3
plant "util includes core" util/fileio.c '#include "core/config.h"' 1
plant "tui includes cli" tui/draw.c '#include "cli/cmd.h"' 5
plant "server includes tui" server/gen.c '#include "tui/tui.h"' 5
plant "cli includes tui beyond tui.h" cli/cmd.c '#include "tui/tui-int.h"' 5
plant "op includes cli" op/probe.c '#include "cli/cmd.h"' 4
plant "curses outside tui" op/commit.c '#include <curses.h>' 6
plant "the library prints" core/store.c \
    'static void f(void) { fprintf(stderr, "x"); }' 7
plant "the library exits" keys/privkey.c 'static void g(void) { exit(1); }' 7
plant "the library reads stdin" op/lifecycle.c \
    'static int h(void) { return getc(stdin); }' 8
plant "the library asks the terminal" util/escape.c \
    'static int i(void) { return isatty(0); }' 8

t_done
