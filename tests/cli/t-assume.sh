#!/bin/sh
# certbind check --assume-addresses LIST (issue 14): listeners and bindings
# judged against the addresses a host will hold after a renumbering, not
# its interfaces, so the planned change shows before anyone touches it.
# The addresses here (10.56.65.x) are on no interface of the test host.

. "$(dirname "$0")/../lib.sh"

S=$T/store C=$S/certbind.conf
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
cb -c "$C" --force listen 10.56.65.200:443 --backend 127.0.0.1:8080 --bind www
t_is "a site on 10.56.65.200" "$rc" 0 "$err"

cb -c "$C" check --assume-addresses 10.56.65.200
t_is "assuming the host keeps .200: exit 0" "$rc" 0 "$out"
t_nomatch "no address-not-local" "$out" 'address-not-local'

cb -c "$C" check --assume-addresses 10.56.65.201,192.0.2.0/24
t_is "assuming the renumbered host: exit 0 (warnings)" "$rc" 0
t_match "the listener on .200 is flagged, against the assumption" "$out" \
    '^warning address-not-local 10\.56\.65\.200:443: the addresses assumed \(--assume-addresses\) do not include it'
t_match "and so is its binding" "$out" \
    '^warning address-not-local www@10\.56\.65\.200:443: the addresses assumed'
cb -c "$C" check --assume-addresses 10.56.65.201,192.0.2.0/24 --strict
t_is "which --strict makes exit 1" "$rc" 1

cb -c "$C" check --assume-addresses 10.56.0.0/16
t_nomatch "a block that holds the address: nothing flagged" "$out" \
    'address-not-local'

cb -c "$C" check --assume-addresses 10.56.65.1/16
t_is "a block with host bits is refused: exit 2" "$rc" 2
t_match "naming it" "$err" \
    "bad address block '10\\.56\\.65\\.1/16': it has bits set past the prefix length 16"
cb -c "$C" check --assume-addresses 10.56.65.0/33
t_is "a prefix over 32 is refused" "$rc" 2
t_match "saying the range" "$err" 'must be 0 to 32'
cb -c "$C" check --assume-addresses ,
t_is "an empty list is refused" "$rc" 2
t_done
