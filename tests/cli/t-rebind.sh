#!/bin/sh
# certbind rebind FROM TO (issue 14: "re-key a binding set from key A to
# key B in one command"): every binding of FROM moves to TO, keeping its
# endpoint, SNI name, backend and client-certificate settings, in one
# commit; --dry-run writes nothing.

. "$(dirname "$0")/../lib.sh"

S=$T/store C=$S/certbind.conf
cb -c "$C" init
cb -c "$C" selfsign old --cn www.example.com --san www.example.com
cb -c "$C" selfsign new --cn www.example.com --san www.example.com
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080 --bind old
cb -c "$C" bind old 127.0.0.2:8443 --sni www.example.com --backend 127.0.0.1:9090
cb -c "$C" bind old '*:*'
t_is "old is bound three times" "$(grep -c 'key = "old"' "$C")" 3

before=$(cat "$C")
cb -c "$C" rebind old new --dry-run
t_is "--dry-run exits 0" "$rc" 0 "$err"
t_is "it names the three bindings it would move" \
    "$(printf '%s\n' "$err" | grep -c 'would move .*: old -> new')" 3
t_is "and writes nothing" "$(cat "$C")" "$before"

cb -c "$C" rebind old new
t_is "rebind exits 0" "$rc" 0 "$err"
t_match "it prints the findings it changed: old is unbound now" "$out" \
    '^  \+ info unbound-key old:'
t_is "no binding names old any more" "$(grep -c 'key = "old"' "$C")" 0
t_match "new has the SNI binding with its own backend" "$(cat "$C")" \
    'key = "new"; endpoint = "127\.0\.0\.2:8443"; sni = "www\.example\.com"; backend = "127\.0\.0\.1:9090";'
cb -c "$C" resolve 127.0.0.2:8443 --sni www.example.com
t_match "resolve: new serves www.example.com" "$out" '^new '
cb -c "$C" resolve 10.9.9.9:1
t_match "resolve: new is the default" "$out" '^new '

cb -c "$C" rebind old new
t_is "old has nothing left to move: exit 0" "$rc" 0
t_match "saying so" "$err" "key 'old' has no binding; nothing to move"
cb -c "$C" rebind new nosuch
t_is "an unknown key is refused" "$rc" 1
t_match "by name" "$err" "there is no key named 'nosuch'"
t_done
