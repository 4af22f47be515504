#!/bin/sh
# A command run before there is a config says how to begin (issue 14:
# "certbind with no config should say how to start"), and exits 2.

. "$(dirname "$0")/../lib.sh"

cb -c "$T/none/certbind.conf" list
t_is "list without a config exits 2" "$rc" 2
t_match "it names the missing file" "$err" \
    "$T/none/certbind.conf: cannot open: No such file or directory"
t_match "and says how to make one" "$err" \
    "there is no config yet: make one with 'certbind -c $T/none/certbind.conf init', or run certbind on a terminal"
cb -c "$T/none/certbind.conf" init
t_is "which init does" "$rc" 0 "$err"
cb -c "$T/none/certbind.conf" list
t_is "and then list runs" "$rc" 0 "$err"

# A config that exists but does not load gets no such advice.
printf 'version = 1;\nkeys = ( { name = "a"; } );\n' >"$T/bad.conf"
cb -c "$T/bad.conf" list
t_is "a broken config exits 2" "$rc" 2
t_nomatch "without the first-start advice" "$err" 'there is no config yet'
t_done
