#!/bin/sh
# bind, unbind, listen and unlisten say what they did to the findings, as
# move does; a typo'd endpoint one keystroke from a listener gets a "did
# you mean"; a new listener with nothing to serve it says which order
# works, and listen --bind KEY does both in one change (issue 14).

. "$(dirname "$0")/../lib.sh"

S=$T/store C=$S/certbind.conf
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
t_is "selfsign www" "$rc" 0 "$err"

before=$(cat "$C")
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080
t_is "a listener nothing serves is refused" "$rc" 1
t_match "with the order that works" "$err" \
    'bind a key first \(a binding may come before its listener\), or give both at once with certbind listen 127\.0\.0\.2:8443 --backend \.\.\. --bind KEY'
t_is "and nothing written" "$(cat "$C")" "$before"

cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080 --bind www
t_is "listen --bind KEY exits 0" "$rc" 0 "$err"
t_match "the binding is in the file" "$(cat "$C")" \
    'key = "www"; endpoint = "127\.0\.0\.2:8443";'
t_match "it prints the findings it changed" "$out" '^findings this changed:'
t_match "www is no longer unbound" "$out" '^  - info unbound-key www:'

cb -c "$C" bind www 127.0.0.2:844
t_is "a typo'd endpoint is bound (a warning, not an error)" "$rc" 0 "$err"
t_match "bind prints the stale binding it adds" "$out" \
    '^  \+ warning stale-binding www@127\.0\.0\.2:844:'
t_match "and asks: did you mean the listener's?" "$err" \
    'no listener receives 127\.0\.0\.2:844: did you mean 127\.0\.0\.2:8443, where there is one\?'

cb -c "$C" unbind www 127.0.0.2:844
t_is "unbind exits 0" "$rc" 0 "$err"
t_match "unbind prints the finding it removes" "$out" \
    '^  - warning stale-binding www@127\.0\.0\.2:844:'

cb -c "$C" bind www 10.99.99.99:7
t_nomatch "no guess for an endpoint far from every listener" "$err" \
    'did you mean'
cb -c "$C" bind www 127.0.0.2:8443 --sni www.example.com
t_match "a change with no finding says so" "$out" \
    '^findings: none added or removed$'
t_done
