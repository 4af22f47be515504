#!/bin/sh
# make fuzz: builds each target with libFuzzer, ASan and UBSan (clang) and
# runs it for FUZZ_SECONDS (default 60) on its corpus. New inputs that add
# coverage are merged into tests/fuzz/corpus/TARGET; a crash is kept in
# tests/fuzz/crashes/TARGET, where make check replays it from then on.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-60}
# Every tests/fuzz/fuzz_TARGET.c is a target.
all=$(for f in tests/fuzz/fuzz_*.c; do f=${f#tests/fuzz/fuzz_}; echo "${f%.c}"; done)
targets=${FUZZ_TARGETS:-$all}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
fb=build-fuzz
LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export LSAN_OPTIONS

make --no-print-directory B=$fb CC=clang \
    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $san" \
    LDFLAGS="$san" $fb/libcertbind.a >/dev/null
# The Makefile's one list of what libcertbind.a links with.
libs=$(make -s --no-print-directory -C "$top" print-lib-libs)
cflags=$(make -s --no-print-directory -C "$top" print-lib-cflags)
for t in $targets; do
	mkdir -p "tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t" "$fb/fuzz/new-$t"
	# shellcheck disable=SC2086
	clang $cflags -O1 -g -fsanitize=fuzzer $san -o "$fb/fuzz/fuzz_$t" \
	    "tests/fuzz/fuzz_$t.c" "$fb/libcertbind.a" $libs
	echo "fuzz: $t for ${secs}s"
	"$fb/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 \
	    -artifact_prefix="tests/fuzz/crashes/$t/" -print_final_stats=1 \
	    "$fb/fuzz/new-$t" "tests/fuzz/corpus/$t" 2>"$fb/fuzz/$t.log" ||
	    echo "fuzz: $t found a crash; see tests/fuzz/crashes/$t and $fb/fuzz/$t.log"
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' \
	    "$fb/fuzz/$t.log" | sed "s/^/  $t: /" || true
	# Keep the corpus small: only inputs that add coverage.
	mkdir -p "$fb/fuzz/min-$t"
	"$fb/fuzz/fuzz_$t" -merge=1 "$fb/fuzz/min-$t" "tests/fuzz/corpus/$t" \
	    "$fb/fuzz/new-$t" >/dev/null 2>&1 || true
	rm -rf "tests/fuzz/corpus/$t"
	mv "$fb/fuzz/min-$t" "tests/fuzz/corpus/$t"
done
