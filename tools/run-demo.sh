#!/bin/sh
# make run: opens certbind on the demo store. On a terminal that is the key
# manager; elsewhere (a pipe, CI) it prints what the key manager would show.
dir=${1:-demo}
conf="$dir/certbind.conf"
bin=build/certbind
if [ -t 0 ] && [ -t 1 ]; then
	exec "$bin" -c "$conf"
fi
echo "== certbind -c $conf list"
"$bin" -c "$conf" list
echo
echo "== certbind -c $conf check"
"$bin" -c "$conf" check
exit 0
