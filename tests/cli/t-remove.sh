#!/bin/sh
# certbind remove (issue 14): a key leaves the config and its files move to
# removed/, not destroyed; refused while bound unless --force; a pending
# renewal is cancelled the same way, which is what renew's advice names
# (bug 4: it named a command that did not exist); --dry-run writes nothing.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "remove" "certtool is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh

S=$T/store C=$T/store/certbind.conf
umask 022
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
t_is "selfsign www" "$rc" 0 "$err"
cb -c "$C" selfsign spare --cn spare.example.com
t_is "selfsign spare" "$rc" 0 "$err"
cb -c "$C" listen 127.0.0.2:8443 127.0.0.1:8080
cb -c "$C" bind www 127.0.0.2:8443
t_is "bind www" "$rc" 0 "$err"
keyfile=$S/$(sed -n 's/.*name = "spare"; key = "\([^"]*\)".*/\1/p' "$C")
t_is "spare's key file exists" "$(test -f "$keyfile" && echo yes)" yes
keysum=$(sha256sum <"$keyfile")

state() { { cat "$C"; find "$S" -type f | sort | xargs -r sha256sum; } | sha256sum; }

# --dry-run says what would go and changes nothing.
before=$(state)
cb -c "$C" remove spare --dry-run
t_is "remove --dry-run exits 0" "$rc" 0 "$err"
t_match "it names the key file it would move" "$err" \
    "would move $keyfile to $S/removed/spare-"
t_is "and changes nothing" "$(state)" "$before"

cb -c "$C" remove spare
t_is "remove of an unbound key exits 0" "$rc" 0 "$err"
t_match "it says where the files went" "$err" \
    "key 'spare' removed; its 2 files moved to $S/removed/spare-"
t_nomatch "the key is gone from the config" "$(cat "$C")" 'name = "spare"'
t_is "its key file left keys/" "$(test -e "$keyfile" || echo gone)" gone
moved=$(ls -d "$S"/removed/spare-*)
t_is "removed/ is mode 700" "$(stat -c %a "$S/removed")" 700
t_is "the directory of the removal is mode 700" "$(stat -c %a "$moved")" 700
t_is "the key is there, unchanged" "$(sha256sum <"$moved/${keyfile##*/}")" \
    "$keysum"
t_is "and still mode 600" "$(stat -c %a "$moved/${keyfile##*/}")" 600
cb -c "$C" check --offline
t_nomatch "check finds no orphan file" "$out" 'orphan-file'

# A bound key is refused, naming a binding; nothing changes.
before=$(state)
cb -c "$C" remove www
t_is "remove of a bound key is refused" "$rc" 1
t_match "naming its binding and --force" "$err" \
    "key 'www' is bound \\(1 binding, the first 127.0.0.2:8443\\).*--force"
t_is "nothing changed" "$(state)" "$before"

# --force removes the bindings too, even if that leaves a listener unserved.
cb -c "$C" remove www --force
t_is "remove --force of a bound key exits 0" "$rc" 0 "$err"
t_match "it says the binding went" "$err" "unbound: www 127.0.0.2:8443"
t_nomatch "no binding names www" "$(cat "$C")" 'key = "www"'

# A pending renewal: renew's advice names remove, which cancels it.
cb -c "$C" selfsign shop --cn shop.example.com
cb -c "$C" renew shop
t_is "renew shop" "$rc" 0 "$err"
cb -c "$C" renew shop
t_is "a second renew is refused" "$rc" 1
t_match "and names the command that cancels the first" "$err" \
    'cancel it with certbind remove shop-renew'
cb -c "$C" remove shop-renew
t_is "which removes the pending renewal" "$rc" 0 "$err"
t_match "shop keeps its certificate" "$(cat "$C")" \
    'name = "shop"; key = "[^"]*"; cert = '
cb -c "$C" renew shop
t_is "and renew works again" "$rc" 0 "$err"

cb -c "$C" remove nosuch
t_is "an unknown key is refused" "$rc" 1
t_match "by name" "$err" "there is no key named 'nosuch'"
t_done
