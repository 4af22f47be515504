#!/bin/sh
# Backup generations and rollback (issue 14): each save keeps the version
# it replaces as FILE.bak and the ones before as FILE.bak.2 ... .bak.5;
# rollback --list shows them, --to N restores one, --dry-run shows the
# change and writes nothing, and a sixth save drops the oldest.

. "$(dirname "$0")/../lib.sh"

S=$T/store C=$T/store/certbind.conf
cb -c "$C" init
i=1
while [ $i -le 7 ]; do
	cb -c "$C" selfsign "k$i" --cn "k$i.example.com"
	[ "$rc" -eq 0 ] || t_fail "selfsign k$i" "$err"
	i=$((i + 1))
done
nkeys() { grep -c 'name = "k' "$1"; }
t_is "the config has 7 keys" "$(nkeys "$C")" 7
t_is "FILE.bak is the version before: 6 keys" "$(nkeys "$C.bak")" 6
t_is "FILE.bak.5 is the fifth before: 2 keys" "$(nkeys "$C.bak.5")" 2
t_is "no sixth generation is kept" "$(test -e "$C.bak.6" || echo none)" none

cb -c "$C" rollback --list
t_is "rollback --list exits 0" "$rc" 0 "$err"
t_is "it lists five generations" "$(printf '%s\n' "$out" | grep -c .)" 5
t_match "newest first, with what each holds" "$out" \
    "^1  [0-9-]+ [0-9:]+  $C.bak  6 keys, 0 bindings, 0 listeners\$"
t_match "down to the fifth" "$out" "^5  .*  $C.bak.5  2 keys,"

before=$(cat "$C" "$C".bak* | sha256sum)
cb -c "$C" rollback --to 3 --dry-run
t_is "--dry-run exits 0" "$rc" 0 "$err"
t_match "it shows the keys that would go" "$out" '^-.*name = "k7"'
t_match "and the findings that would change" "$out" \
    '^findings this would change:'
t_match "and says nothing was written" "$err" \
    "would restore $C from $C.bak.3; nothing was written"
t_is "nothing changed" "$(cat "$C" "$C".bak* | sha256sum)" "$before"

cb -c "$C" rollback --to 3
t_is "rollback --to 3 exits 0" "$rc" 0 "$err"
t_is "the config has generation 3's 4 keys" "$(nkeys "$C")" 4
t_is "what it replaced is FILE.bak: 7 keys" "$(nkeys "$C.bak")" 7
cb -c "$C" rollback
t_is "rollback again exits 0" "$rc" 0 "$err"
t_is "undoes the rollback: 7 keys" "$(nkeys "$C")" 7

cb -c "$C" rollback --to 9
t_is "--to 9 is refused" "$rc" 2
t_match "naming the range" "$err" "--to '9': give a generation from 1 \\(the newest\\) to 5"
t_done
