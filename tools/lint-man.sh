#!/bin/sh
# The man pages are clean under mandoc -T lint. Prints TAP.
cd "$(dirname "$0")/.." || exit 2
n=0
if ! command -v mandoc >/dev/null 2>&1; then
	echo "ok 1 - man pages lint # SKIP mandoc is not installed (make deps)"
	exit 0
fi
for page in man/*.[0-9]; do
	[ -f "$page" ] || continue
	n=$((n + 1))
	# mandoc warns about a missing Dd as "style"; we ask for warnings and up.
	msgs=$(mandoc -T lint -W warning "$page" 2>&1)
	if [ -z "$msgs" ]; then echo "ok $n - $page is clean under mandoc -T lint"
	else echo "not ok $n - $page"; printf '%s\n' "$msgs" | sed 's/^/#   /'; fi
done
[ "$n" -gt 0 ] || echo "not ok 1 - no man pages"
