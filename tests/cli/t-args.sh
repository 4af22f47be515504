#!/bin/sh
# The one argument parser (cli/args.c) against every command's template:
# options before, between and after the arguments, --name=VALUE, unique
# prefixes, grouped short letters, "--", repeated options, and each kind
# of mistake: exit 2, what is wrong, and the usage once. --help and
# --force are every command's, wherever they stand before "--".

. "$(dirname "$0")/../lib.sh"

D=$T/etc
C=$D/certbind.conf
mkdir -p "$D"

usage_lines() { printf '%s\n' "$err" | grep -c '^usage: '; }

cb -c "$C" init
t_is "init" "$rc" 0
cb -c "$C" selfsign k --cn k.example
t_is "selfsign" "$rc" 0

# Options anywhere, in either form.
cb -c "$C" bind --sni=a.example k 127.0.0.2:8443
t_is "--sni=NAME before the arguments" "$rc" 0
cb -c "$C" bind k --sni b.example 127.0.0.2:8443
t_is "--sni NAME between the arguments" "$rc" 0
cb -c "$C" bind k 127.0.0.2:8443 --sn c.example
t_is "a unique prefix of a long name" "$rc" 0
t_match "all three bindings are there" "$(cat "$C")" 'sni = "c\.example"'
cb -c "$C" move -n 127.0.0.2:8443 127.0.0.3:8443
t_is "a short letter (-n for --dry-run)" "$rc" 0
t_match "and it is a dry run" "$out" '^would move: '
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443 --dry
t_is "a prefix of --dry-run" "$rc" 0
t_match "also a dry run" "$out" '^would move: '

# Repeated options: every --san counts, the last of any other wins.
cb -c "$C" request r --cn r.example --san a.example --san b.example \
    --key-type rsa-2048 --key-type ed25519
t_is "request with two --san" "$rc" 0
t_match "the request has both names" \
    "$(openssl req -noout -text -in "$T/.out" 2>&1)" 'DNS:a\.example, DNS:b\.example'
t_match "the last --key-type wins" \
    "$(openssl pkey -noout -text -in "$D/keys/r.key" 2>&1 | head -1)" '^ED25519 '

# "--" ends the options: what follows is an argument even if it looks
# like one; and "-" alone is an argument (standard input).
cb -c "$C" resolve -- 127.0.0.2:8443
t_is "resolve after -- (an endpoint nothing serves without sni: 3)" "$rc" 3
cb -c "$C" bind -- k --sni
t_is "after --, --sni is an endpoint (refused as one)" "$rc" 2
t_nomatch "and is not read as an option" "$err" 'usage:'
printf 'not a certificate\n' | $CERTBIND -c "$C" install - >"$T/.out" 2>"$T/.err"
rc=$?; err=$(cat "$T/.err")
t_is "install - reads standard input (and refuses this)" "$rc" 1
t_match "the complaint names standard input" "$err" 'nothing was written'

# Mistakes: exit 2, the reason, the usage once.
mistake() {
	name=$1 want=$2; shift 2
	cb -c "$C" "$@"
	t_is "$name: exit 2" "$rc" 2
	[ -n "$want" ] && t_match "$name: says so" "$err" "$want"
	t_is "$name: the usage once" "$(usage_lines)" 1
	t_match "$name: the usage is the command's" "$err" "^usage: certbind \\[-c LOCATION\\] $1 "
}
mistake "an unknown long option" "^list: unrecognized option '--yaml'\$" list --yaml
mistake "an unknown long option with a value" \
    "^bind: unrecognized option '--weight=5'\$" \
    bind k '*:443' --weight=5
mistake "an unknown short option" "^move: invalid option -- 'x'\$" \
    move a b -nx
mistake "an ambiguous prefix" \
    "^export: option '--p' is ambiguous; possibilities: '--pkcs12' '--pem' '--password-file' '--password-fd'\$" \
    export k --p x
mistake "a missing value" "^check: option '--warn-days' requires an argument\$" \
    check --warn
mistake "a value for a flag" "^move: option '--dry-run' doesn't allow an argument\$" \
    move a b --dry-run=yes
mistake "an option of another command" "^unlisten: unrecognized option '--backend'\$" \
    unlisten '*:443' --backend 1.2.3.4:5
mistake "a required option missing" "" request www
mistake "too few arguments" "" bind k
mistake "too many arguments" "" resolve 127.0.0.2:1 127.0.0.2:2
mistake "neither --pem nor --pkcs12" "" export k
mistake "both --pem and --pkcs12" "" export k --pem a --pkcs12 b
t_ok "no export file was made" test ! -e a -a ! -e b

# A bad value is the command's to explain.
cb -c "$C" check --warn-days=x
t_is "check --warn-days=x: exit 2" "$rc" 2
t_match "check says what it expects" "$err" "--warn-days 'x': expected a number"
cb -c "$C" selfsign s --cn s.example --days 3651
t_is "selfsign --days 3651: exit 2" "$rc" 2
t_match "selfsign says the range" "$err" "from 1 to 3650"
cb -c "$C" probe --timeout 0
t_is "probe --timeout 0: exit 2" "$rc" 2

# --help answers whatever else is wrong; --force anywhere.
for c in list check resolve bind unbind listen unlisten move rollback init \
    request install import export selfsign renew probe; do
	cb "$c" --help
	t_is "$c --help: exit 0" "$rc" 0
	t_match "$c --help: the usage first" "$(printf '%s\n' "$out" | head -1)" \
	    "^usage: certbind \\[-c LOCATION\\] $c"
done
cb -c "$C" bind --sni --help
t_is "--help even where a value was due" "$rc" 0
cb -c "$C" request -h
t_is "-h is --help" "$rc" 0
t_match "request --help lists the key types from the table" "$out" \
    '^Key types \(TYPE\): ecdsa-p256 \(the default for a new key\), .*ed25519.* or rsa-4096\.$'
cb -c "$C" renew --help
t_match "so does renew's" "$out" '^Key types \(TYPE\): '
cb -c "$C" list --help --force extra
t_is "--help with anything else" "$rc" 0
cb -c "$C" listen 127.0.0.9:9443 --force --backend 127.0.0.1:8080
t_is "--force between a command's options" "$rc" 0
t_match "the forced change is written" "$err" '^certbind: saved '
cb -c "$C" resolve -- --help
t_is "after --, --help is an argument" "$rc" 2
t_nomatch "and no help is printed" "$out" '^usage:'

# certbind help [COMMAND]: the same texts as --help (issue 14).
cb --help; top_help=$out
cb help
t_is "help: exit 0" "$rc" 0
t_is "help is --help" "$out" "$top_help"
cb probe --help; probe_help=$out
cb help probe
t_is "help probe is probe --help" "$rc:$out" "0:$probe_help"
cb acme order --help; order_help=$out
cb help acme order
t_is "help acme order is acme order --help" "$rc:$out" "0:$order_help"
cb help nope
t_is "help of an unknown command: exit 2" "$rc" 2
t_match "saying so" "$err" "unknown command 'nope'"
t_done
