#!/bin/sh
# make bench: runs every benchmark section, bench/*/run.sh, one after the
# other (the machine has 2 cores: never two at once), and ends with the
# sections that missed a target. A section adds itself by having a run.sh;
# nothing here needs editing. Each section writes its figures into
# bench/README.md by hand, with the command and the date.
#
# Usage: bench/run.sh [SECTION...]     e.g. bench/run.sh core

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
if [ $# -eq 0 ]; then
	set --
	for r in bench/*/run.sh; do
		[ -f "$r" ] || continue
		d=${r%/run.sh}
		set -- "$@" "${d#bench/}"
	done
fi
missed=""
for s in "$@"; do
	if [ ! -f "bench/$s/run.sh" ]; then
		echo "bench: no section '$s' (bench/$s/run.sh)" >&2
		exit 2
	fi
	echo "== bench/$s"
	sh "bench/$s/run.sh" || missed="$missed $s"
	echo
done
if [ -n "$missed" ]; then
	echo "bench: targets missed or failed in:$missed"
	exit 1
fi
echo "bench: every target met"
