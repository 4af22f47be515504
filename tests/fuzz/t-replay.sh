#!/bin/sh
# Replays every stored corpus entry and crash reproducer under tests/fuzz/
# through its target, built without libFuzzer (replay.c), so make check
# proves that nothing the fuzzers ever found crashes again.
. "$(dirname "$0")/../lib.sh"

libs=$(cb_lib_libs)
cflags=$(cb_lib_cflags)
mkdir -p "$T/bin"
for src in tests/fuzz/fuzz_*.c; do
	target=${src#tests/fuzz/fuzz_}
	target=${target%.c}
	bin="$T/bin/replay-$target"
	# shellcheck disable=SC2086
	# CC, CFLAGS and LDFLAGS come from make check, so a sanitizer build
	# links its runtime here too.
	if ! ${CC:-cc} $cflags ${CFLAGS:--g} -o "$bin" tests/fuzz/replay.c \
	    "tests/fuzz/fuzz_$target.c" "$B/libcertbind.a" $libs ${LDFLAGS:-} \
	    2>"$T/cc.err"; then
		t_fail "fuzz target $target builds for replay" "$(cat "$T/cc.err")"
		continue
	fi
	files=$(find "tests/fuzz/corpus/$target" "tests/fuzz/crashes/$target" \
	    -type f 2>/dev/null | sort)
	if [ -z "$files" ]; then
		t_fail "fuzz target $target has a corpus"
		continue
	fi
	n=$(printf '%s\n' "$files" | wc -l)
	# shellcheck disable=SC2086
	if out=$("$bin" $files 2>&1); then
		ran=$(printf '%s\n' "$out" | grep -c '^ok')
		t_is "fuzz target $target replays its $n stored inputs" "$ran" "$n"
	else
		t_fail "fuzz target $target replays its $n stored inputs" \
		    "$(printf '%s\n' "$out" | tail -n 20)"
	fi
done
t_done
