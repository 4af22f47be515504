#!/bin/sh
# The command line's contract beyond the moved-site scenario: --help for
# every core command, --version, usage errors (exit 2), the saved file's
# mode whatever the umask, the warning before a file with comments is
# rewritten, a minimal file (only keys and bindings), @include refused,
# unknown settings and every problem of a file reported with its line.
# No certificate is needed: the bindings' keys are pending (a request
# path), so nothing here depends on files but the config.

. "$(dirname "$0")/../lib.sh"

C=$T/certbind.conf

for c in list check resolve bind unbind listen unlisten move rollback; do
	cb "$c" --help
	t_is "$c --help exits 0" "$rc" 0
	t_match "$c --help shows its usage" "$out" "^usage: .*certbind.* $c"
done
cb --version
t_is "--version exits 0" "$rc" 0
t_match "--version names the version" "$out" '^certbind [0-9]+\.[0-9]+'
cb --help
t_is "--help exits 0" "$rc" 0
# Every command has its one-line description (issue 14: list and
# rollback were blank): after "commands:", each line is "  NAME  WORDS".
cmds=$(printf '%s\n' "$out" | sed -n '/^commands:/,/^$/p' | sed '1d;/^$/d')
ncmds=$(grep -c '^	&cmd_.*_entry,$' cli/cmd.c)
t_is "--help lists every command of the table ($ncmds)" \
    "$(printf '%s\n' "$cmds" | grep -c .)" "$ncmds"
t_is "each with a description" \
    "$(printf '%s\n' "$cmds" | grep -cvE '^  [a-z]+( [a-z]+)? +[a-z].{8,}$')" 0 \
    "$cmds"
t_match "list's says what it lists" "$cmds" '^  list +the keys, bindings and listeners'
t_match "rollback's says what it does" "$cmds" '^  rollback +restore a previous version'
cb no-such-command
t_is "an unknown command: exit 2" "$rc" 2
t_match "an unknown command is named" "$err" 'no-such-command'
cb -c "$C" check --no-such-option
t_is "an unknown option: exit 2" "$rc" 2
cb -c "$C" resolve
t_is "resolve without an endpoint: exit 2" "$rc" 2
cb -c "$C" bind onlykey
t_is "bind without an endpoint: exit 2" "$rc" 2
cb -c "$C" move 127.0.0.2:8443
t_is "move without NEW: exit 2" "$rc" 2

# A minimal file: keys and bindings only, no store, no server.
cat >"$C" <<'EOF'
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; }
);
bindings = ( );
EOF
cb -c "$C" list
t_is "a file with only keys and bindings loads" "$rc" 0
t_match "and lists its key" "$out" '(^|[^a-z])a([^a-z]|$)'
cb -c "$C" check --offline
t_match "its pending key is reported" "$out" '^info pending a: '
t_nomatch "a minimal file has no load error (DESIGN: only keys and bindings is valid)" \
    "$err" 'certbind\.conf:[0-9]'

# The saved file is 0640 whatever the umask, and the old one is kept.
cat >"$C" <<'EOF'
version = 1;
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; }
);
bindings = ( );
EOF
cp "$C" "$T/orig.conf"
(umask 077 && $CERTBIND -c "$C" bind a 127.0.0.2:8443 --force) \
    >/dev/null 2>&1
t_is "saved under umask 077: 0640" "$(stat -c %a "$C")" 640
t_ok "the previous file is the backup" cmp -s "$C.bak" "$T/orig.conf"
(umask 000 && $CERTBIND -c "$C" bind a 127.0.0.2:9443 --force) \
    >/dev/null 2>&1
t_is "saved under umask 000: 0640" "$(stat -c %a "$C")" 640
cb -c "$C" resolve 127.0.0.2:9443
t_is "the saved change is there" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" a
t_match "certbind says it wrote the file" "$(head -n 3 "$C")" '^#.*certbind'

# address-not-local: asked of the host (bind), skipped by --offline.
cat >"$C" <<'EOF'
version = 1;
server = {
  listen = ( { endpoint = "192.0.2.1:443"; backend = "127.0.0.1:8080"; },
             { endpoint = "127.0.0.2:443"; backend = "127.0.0.1:8080"; } );
};
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; }
);
bindings = (
  { key = "a"; endpoint = "192.0.2.1:443"; },
  { key = "a"; endpoint = "127.0.0.2:443"; }
);
EOF
if command -v ip >/dev/null 2>&1 &&
    ip -o addr show 2>/dev/null | grep -q ' 192\.0\.2\.1/'; then
	t_skip "address-not-local" "192.0.2.1 is on an interface here"
else
	cb -c "$C" check
	t_match "192.0.2.1 is not local" "$out" \
	    '^warning address-not-local [^ ]*192\.0\.2\.1:443[^ ]*: '
	t_nomatch "127.0.0.2 is local" "$out" 'address-not-local [^ ]*127\.0\.0\.2'
	cb -c "$C" check --offline
	t_nomatch "--offline does not ask the host" "$out" 'address-not-local'
fi

# Strings from the config file are untrusted too: a key name, an sni, an
# endpoint and an unknown setting's value holding ESC and U+202E reach
# neither stdout nor stderr raw, whether the loader accepts them or not.
ESC=$(printf '\033')
RLO=$(printf '\342\200\256')
H=$(printf 'x\033[2J\342\200\256y')
for what in name sni endpoint backend; do
	name=a sni=s.example.com ep=127.0.0.2:443 be=127.0.0.1:8080
	case $what in
	name)		name=$H ;;
	sni)		sni=$H ;;
	endpoint)	ep=$H ;;
	backend)	be=$H ;;
	esac
	cat >"$C" <<EOF
version = 1;
server = { listen = ( { endpoint = "127.0.0.2:443"; backend = "$be"; } ); };
keys = ( { name = "$name"; key = "keys/a.key"; request = "requests/a.csr"; } );
bindings = ( { key = "$name"; endpoint = "$ep"; sni = "$sni"; } );
EOF
	for c in check list; do
		if [ "$c" = check ]; then cb -c "$C" check --offline
		else cb -c "$C" list; fi
		t_is "hostile $what: $c prints no raw ESC" \
		    "$(printf '%s%s' "$out" "$err" | grep -c "$ESC")" 0
		t_is "hostile $what: $c prints no raw U+202E" \
		    "$(printf '%s%s' "$out" "$err" | grep -c "$RLO")" 0
		# Escaped once: \x1B, not \\x1B (escaping twice doubles the
		# backslash that the first escaping wrote).
		t_nomatch "hostile $what: $c escapes once, not twice" \
		    "$out$err" '\\\\x1[bB]'
	done
done

# A cause from the core (endpoint_parse quotes the text escaped) is
# printed as it is, not escaped a second time.
cat >"$C" <<'EOF'
version = 1;
keys = ( { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; } );
bindings = ( );
EOF
cb -c "$C" resolve "$(printf '1.2.3.4:4\0334')"
t_is "resolve of an endpoint with ESC: exit 2" "$rc" 2
t_is "resolve: no raw ESC" "$(printf '%s%s' "$out" "$err" | grep -c "$ESC")" 0
t_match "resolve: the bad text shown escaped once" "$err" \
    "1\\.2\\.3\\.4:4\\\\x1[bB]4"
t_nomatch "resolve: not escaped twice" "$err" '\\\\x1[bB]'

# A file with comments: certbind warns before it rewrites it.
cat >"$C" <<'EOF'
# Our production bindings: ask Alice before changing.
version = 1;
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; }  // pending
);
bindings = ( );
EOF
before=$(cat "$C")
cb -c "$C" bind a 127.0.0.2:8443
t_is "a file with comments is not rewritten unasked (issue 14)" "$rc" 1
t_match "the refusal says why and how" "$err" \
    "refused: $C has comments, which certbind does not keep .*nothing was written. Run again with --force"
t_is "and the file still has them" "$(cat "$C")" "$before"
cb -c "$C" bind a 127.0.0.2:8443 --force
t_is "with --force, a file with comments is saved" "$rc" 0
t_match "with a note about the comments" "$out$err" '[Cc]omment'
t_is "and the backup keeps them" "$(cat "$C.bak")" "$before"

# @include is refused, with its line.
echo 'x = 1;' >"$T/inc.conf"
cat >"$C" <<EOF
version = 1;
@include "$T/inc.conf"
keys = ( );
bindings = ( );
EOF
cb -c "$C" check --offline
t_is "@include: exit 2" "$rc" 2
t_match "@include: refused with file and line" "$err" \
    'certbind\.conf:2.*include|include.*certbind\.conf:2'

# Unknown settings, and every problem in one run, each with its line.
cat >"$C" <<'EOF'
version = 1;
colour = "blue";
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; shape = 3; }
);
bindings = (
  { key = "a"; endpoint = "1.2.3.4:0"; },
  { key = "a"; endpoint = "[::1]:443"; sni = "bad name"; }
);
EOF
cb -c "$C" check --offline
t_is "problems: exit 2" "$rc" 2
t_match "unknown top-level setting, line 2" "$err" 'certbind\.conf:2:.*colour'
t_match "unknown key setting, line 4" "$err" 'certbind\.conf:4:.*shape'
t_match "bad endpoint, line 7, quoted" "$err" 'certbind\.conf:7:.*1\.2\.3\.4:0'
t_match "bad sni, line 8" "$err" 'certbind\.conf:8:.*bad name'
t_is "nothing on stdout" "$out" ""

cat >"$C" <<'EOF'
version = 2;
keys = ( );
bindings = ( );
EOF
cb -c "$C" check --offline
t_is "an unknown version: exit 2" "$rc" 2
t_match "an unknown version is named with its line" "$err" \
    'certbind\.conf:1'

# Duplicate key names are a load error, not two keys.
cat >"$C" <<'EOF'
version = 1;
keys = (
  { name = "a"; key = "keys/a.key"; request = "requests/a.csr"; },
  { name = "a"; key = "keys/b.key"; request = "requests/b.csr"; }
);
bindings = ( );
EOF
cb -c "$C" check --offline
t_is "a duplicate key name: exit 2" "$rc" 2
t_match "a duplicate key name is shown with its line" "$err" \
    'certbind\.conf:4'

t_done
