#!/bin/sh
# The moved-site scenario, the reason certbind exists, as configs run
# through the built certbind: before the move (served), after the move
# without a default (unserved-listener, stale-binding, probable-move),
# after the move with an "all unassigned" default (default-served), after
# `certbind move` (clean). Then every editing command on the same store:
# bind, unbind, listen, unlisten, rollback, and the refusal of a change
# that adds an error unless --force; resolve's output and exit 3; check's
# exit codes 0/1/2; a broken config named by file and line.
#
# Keys and certificates come from tests/fixtures/mkcert.sh (certtool), so
# nothing expected here was produced by certbind.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "moved-site scenario" "certtool (gnutls-bin) is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh

S=$T/store
mkdir -p "$S/keys" "$S/certs" "$S/ca"
mkcert_ca "$S/ca" ca || exit 1
MKCERT_CA=$S/ca/ca mkcert_leaf "$S/tmp" site site.example.com \
    dns:site.example.com || exit 1
MKCERT_CA=$S/ca/ca mkcert_leaf "$S/tmp" www www.example.com \
    dns:www.example.com dns:WWW2.example.com || exit 1
for n in site www; do
	mv "$S/tmp/$n.key" "$S/keys/$n.key"
	mv "$S/tmp/$n.pem" "$S/certs/$n.pem"
done
rmdir "$S/tmp"
chmod 600 "$S/keys/"*.key

C=$T/certbind.conf

# conf LISTENERS BINDINGS: writes $C. Each argument is a libconfig list
# body; the keys are always site and www.
conf() {
	cat >"$C" <<EOF
version = 1;
store = "$S";
server = {
  listen = ( $1 );
  trust = "$S/ca/ca.pem";
};
keys = (
  { name = "site"; key = "keys/site.key"; cert = "certs/site.pem"; },
  { name = "www"; key = "keys/www.key"; cert = "certs/www.pem"; }
);
bindings = ( $2 );
EOF
}
L2='{ endpoint = "127.0.0.2:8443"; backend = "127.0.0.1:8080"; }'
L3='{ endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; }'
B2='{ key = "site"; endpoint = "127.0.0.2:8443"; }'
BDEF='{ key = "www"; endpoint = "*:*"; }'

# Lines of $out with this severity.
sev_lines() { printf '%s\n' "$out" | grep -E "^$1 " ; }

# --- Before the move: the site is served where it listens.
conf "$L2" "$B2"
cb -c "$C" check --offline
t_is "before: check exits 0" "$rc" 0
t_is "before: no errors" "$(sev_lines error)" ""
t_is "before: no warnings" "$(sev_lines warning)" ""
t_nomatch "before: no stale or unserved" "$out" \
    'unserved-listener|stale-binding|probable-move|default-served'
t_match "before: www is reported as unbound" "$out" \
    '^info unbound-key www: '
cb -c "$C" check --strict --offline
t_is "before: check --strict exits 0 (no warnings)" "$rc" 0
# Not offline: 127.0.0.2 can be bound on Linux.
cb -c "$C" check
t_is "before: check (online) exits 0" "$rc" 0
t_nomatch "before: 127.0.0.2 is local" "$out" 'address-not-local'

cb -c "$C" resolve 127.0.0.2:8443
t_is "before: resolve exits 0" "$rc" 0
t_is "before: resolve names site first" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" site
t_is "before: resolve gives the binding's endpoint" "$(printf '%s\n' \
    "$out" | awk 'NR == 1 { print $2 }')" 127.0.0.2:8443
cb -c "$C" resolve 127.0.0.3:8443
t_is "before: nothing serves 127.0.0.3:8443: exit 3" "$rc" 3
t_is "before: and nothing is named on stdout" "$out" ""
cb -c "$C" resolve '[::1]:8443' --sni site.example.com
t_is "before: nothing serves [::1]:8443: exit 3" "$rc" 3
cb -c "$C" resolve 127.0.0.2:99999
t_is "resolve of a bad endpoint: exit 2" "$rc" 2
t_match "resolve of a bad endpoint quotes it" "$err" '127\.0\.0\.2:99999'

# --- After the move, no default: the seed's failure, three findings.
conf "$L3" "$B2"
cb -c "$C" check --offline
t_is "moved: check exits 1" "$rc" 1
t_match "moved: unserved-listener on the new address" "$out" \
    '^error unserved-listener 127\.0\.0\.3:8443: '
t_match "moved: stale-binding left behind" "$out" \
    '^warning stale-binding site@127\.0\.0\.2:8443: '
t_match "moved: probable-move offered" "$out" \
    '^warning probable-move [^ ]*127\.0\.0\.2:8443[^ ]*: '
t_match "moved: probable-move names the new endpoint" \
    "$(printf '%s\n' "$out" | grep '^warning probable-move')" \
    '127\.0\.0\.3:8443'
t_nomatch "moved: no default-served" "$out" 'default-served'
t_is "moved: every line is SEVERITY CODE OBJECT: MESSAGE" \
    "$(printf '%s\n' "$out" |
    grep -cvE '^(error|warning|info) [a-z]+(-[a-z]+)* [^ ]+: [^ ].*')" 0
t_is "moved: errors come first" "$(printf '%s\n' "$out" |
    awk '{ s = ($1 == "error") ? 0 : ($1 == "warning") ? 1 : 2;
	   if (s < last) bad = 1; last = s } END { print bad + 0 }')" 0
cb -c "$C" resolve 127.0.0.3:8443
t_is "moved: resolve 127.0.0.3:8443 exits 3" "$rc" 3

# --- After the move with an "all unassigned" default: served by the
# wrong certificate, which only a finding shows.
conf "$L3" "$B2, $BDEF"
cb -c "$C" check --offline
t_is "moved+default: check exits 0 (no errors)" "$rc" 0
t_match "moved+default: default-served" "$out" \
    '^info default-served 127\.0\.0\.3:8443: '
t_match "moved+default: still a stale binding" "$out" \
    '^warning stale-binding site@127\.0\.0\.2:8443: '
t_match "moved+default: still a probable move" "$out" \
    '^warning probable-move '
t_nomatch "moved+default: no unserved listener" "$out" 'unserved-listener'
t_nomatch "moved+default: the default is not stale" "$out" \
    'stale-binding www@'
cb -c "$C" check --offline --strict
t_is "moved+default: check --strict exits 1 on warnings" "$rc" 1
cb -c "$C" resolve 127.0.0.3:8443
t_is "moved+default: resolve exits 0" "$rc" 0
t_is "moved+default: www serves it" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" www
t_is "moved+default: through *:*" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $2 }')" '*:*'
cb -c "$C" resolve 127.0.0.2:8443 --sni site.example.com
t_is "moved+default: the old endpoint still resolves to site" \
    "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" site

# --- certbind move fixes it in one command.
conf "$L3" "$B2"
cp "$C" "$T/moved.conf"
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443 --dry-run
t_is "move --dry-run exits 0" "$rc" 0
t_match "move --dry-run says what would move" "$out" \
    '127\.0\.0\.2:8443.*127\.0\.0\.3:8443'
t_ok "move --dry-run writes nothing" cmp -s "$C" "$T/moved.conf"
t_not "move --dry-run makes no backup" test -e "$C.bak"

cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443
t_is "move exits 0" "$rc" 0
t_is "move prints one line per moved record (one binding)" \
    "$(printf '%s\n' "$out" |
    grep -c '127\.0\.0\.2:8443 *-> *127\.0\.0\.3:8443')" 1
t_ok "move keeps the previous file as .bak" cmp -s "$C.bak" "$T/moved.conf"
t_is "the saved file is mode 0640" "$(stat -c %a "$C")" 640
t_is "no temporary file is left behind" "$(ls -a "$T" |
    grep -F certbind.conf | grep -vxE 'certbind\.conf(\.bak)?')" ""
cb -c "$C" check --offline
t_is "after move: check exits 0" "$rc" 0
t_nomatch "after move: clean" "$out" \
    'unserved-listener|stale-binding|probable-move|default-served|conflict'
cb -c "$C" resolve 127.0.0.3:8443
t_is "after move: site serves 127.0.0.3:8443" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" site
t_is "after move: by its own binding" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $2 }')" 127.0.0.3:8443
cb -c "$C" move 127.0.0.2:8443 127.0.0.4:8443
t_is "move of an endpoint nothing is on is refused" "$rc" 1
t_match "and says so" "$err" '127\.0\.0\.2:8443'

# --- Changes that add an error are refused unless --force.
cp "$C" "$T/clean.conf"
cb -c "$C" bind www 127.0.0.3:8443
t_is "bind that makes a conflict is refused: exit 1" "$rc" 1
t_match "the refusal names the new error" "$out$err" 'conflict'
t_ok "the refused bind leaves the file unchanged" cmp -s "$C" \
    "$T/clean.conf"

cb -c "$C" bind www 127.0.0.3:8443 --sni www.example.com
t_is "bind with sni: exit 0" "$rc" 0
cb -c "$C" resolve 127.0.0.3:8443 --sni www.example.com
t_is "resolve with the bound sni gives www" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" www
t_match "and shows the sni" "$out" '^www +127\.0\.0\.3:8443,sni=www\.example\.com '
cb -c "$C" resolve 127.0.0.3:8443 --sni WWW.Example.COM
t_is "sni is case-insensitive" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" www
cb -c "$C" resolve 127.0.0.3:8443
t_is "without sni: site" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" site
cb -c "$C" resolve 127.0.0.3:8443 --sni other.example.com
t_is "another sni: site" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" site
cb -c "$C" list
t_is "list exits 0" "$rc" 0
t_match "list shows site" "$out" 'site'
t_match "list shows www" "$out" 'www'
t_match "list shows the listener" "$out" '127\.0\.0\.3:8443'
t_match "list shows the sni binding" "$out" 'www\.example\.com'

# A stale binding with sni: a warning, so accepted; its object has the sni.
cb -c "$C" bind www 127.0.0.9:8443 --sni www.example.com
t_is "bind of a stale endpoint (warning only) is accepted" "$rc" 0
cb -c "$C" check --offline
t_match "binding objects are KEY@ENDPOINT,sni=NAME" "$out" \
    '^warning stale-binding www@127\.0\.0\.9:8443,sni=www\.example\.com: '
cb -c "$C" unbind www 127.0.0.9:8443 --sni www.example.com
t_is "unbind exits 0" "$rc" 0
cb -c "$C" unbind www 127.0.0.3:8443 --sni www.example.com
t_is "unbind with sni exits 0" "$rc" 0
cb -c "$C" resolve 127.0.0.3:8443 --sni www.example.com
t_is "after unbind, www.example.com falls back to site" \
    "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" site
cb -c "$C" unbind www 127.0.0.3:8443 --sni www.example.com
t_is "unbind of what is not there: exit 1" "$rc" 1

cp "$C" "$T/clean2.conf"
cb -c "$C" unbind site 127.0.0.3:8443
t_is "unbind that leaves the listener unserved is refused" "$rc" 1
t_ok "and leaves the file unchanged" cmp -s "$C" "$T/clean2.conf"

cb -c "$C" listen 127.0.0.4:8443 --backend 127.0.0.1:8082
t_is "listen with no binding for it is refused" "$rc" 1
t_match "the refusal names unserved-listener" "$out$err" \
    'unserved-listener'
t_ok "and leaves the file unchanged" cmp -s "$C" "$T/clean2.conf"
cb -c "$C" listen 127.0.0.4:8443 --backend 127.0.0.1:8082 --force
t_is "listen --force is accepted" "$rc" 0
cb -c "$C" check --offline
t_is "and check now exits 1" "$rc" 1
t_match "with the unserved listener" "$out" \
    '^error unserved-listener 127\.0\.0\.4:8443: '
cb -c "$C" listen 127.0.0.5:8443 --backend not-an-endpoint
t_is "listen with a bad backend: exit 2" "$rc" 2
cb -c "$C" unlisten 127.0.0.4:8443
t_is "unlisten (removes an error) exits 0" "$rc" 0
cb -c "$C" check --offline
t_is "and check exits 0 again" "$rc" 0
cb -c "$C" unlisten 127.0.0.4:8443
t_is "unlisten of what is not there: exit 1" "$rc" 1

# --- rollback: back to the file before the last save.
cb -c "$C" bind www 127.0.0.3:8443 --sni www2.example.com
t_is "bind before rollback" "$rc" 0
cp "$C.bak" "$T/prev.conf"
cp "$C" "$T/cur.conf"
cb -c "$C" rollback
t_is "rollback exits 0" "$rc" 0
t_match "rollback shows the difference" "$out" 'www2\.example\.com'
t_ok "rollback restores the backup" cmp -s "$C" "$T/prev.conf"
cb -c "$C" resolve 127.0.0.3:8443 --sni www2.example.com
t_is "after rollback www2 is no longer bound" \
    "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" site

# Rolling back to a config with errors is a change that adds errors.
conf "$L3" "$B2"
cp "$C" "$T/broken-prev.conf"
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443
t_is "move again" "$rc" 0
cp "$C" "$T/fixed.conf"
cb -c "$C" rollback
t_is "rollback to a config with errors is refused" "$rc" 1
t_ok "and the file is unchanged" cmp -s "$C" "$T/fixed.conf"
cb -c "$C" rollback --force
t_is "rollback --force is accepted" "$rc" 0
t_ok "and restores the erroneous file" cmp -s "$C" "$T/broken-prev.conf"
rm -f "$C.bak"
cb -c "$C" rollback
t_is "rollback with no backup: exit 1 or 2" "$(
    [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] && echo yes)" yes

# --- More moves, and IPv6.
# move takes the listener along when it is on OLD, and every binding on
# OLD, with or without sni.
conf "$L2" "$B2, { key = \"www\"; endpoint = \"127.0.0.2:8443\"; sni = \"www.example.com\"; }"
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443
t_is "move of a listener with its bindings: exit 0" "$rc" 0
t_is "move of a listener with its bindings: three records" \
    "$(printf '%s\n' "$out" |
    grep -c '127\.0\.0\.2:8443 *-> *127\.0\.0\.3:8443')" 3
cb -c "$C" check --offline
t_is "after moving everything: check exits 0" "$rc" 0
t_nomatch "after moving everything: nothing on the old endpoint" "$out" \
    '127\.0\.0\.2:8443'
cb -c "$C" resolve 127.0.0.3:8443 --sni www.example.com
t_is "the sni binding moved too" "$(printf '%s\n' "$out" |
    awk 'NR == 1 { print $1 }')" www
cb -c "$C" list
t_nomatch "list: nothing left on 127.0.0.2:8443" "$out" '127\.0\.0\.2:8443'

# Moving a listener onto one that exists is refused.
conf "$L2, $L3" "$B2, { key = \"www\"; endpoint = \"127.0.0.3:8443\"; }"
cp "$C" "$T/two.conf"
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443
t_is "move onto a taken listener is refused" "$rc" 1
t_ok "and changes nothing" cmp -s "$C" "$T/two.conf"

# IPv6 endpoints, compared canonically.
conf '{ endpoint = "[::1]:8443"; backend = "127.0.0.1:8080"; }' \
    '{ key = "site"; endpoint = "[0:0:0:0:0:0:0:1]:8443"; }'
cb -c "$C" check --offline
t_is "IPv6: a listener served in another spelling: exit 0" "$rc" 0
t_nomatch "IPv6: not stale, not unserved" "$out" \
    'stale-binding|unserved-listener'
cb -c "$C" resolve '[::0:1]:8443'
t_is "IPv6: resolve in a third spelling finds site" \
    "$(printf '%s\n' "$out" | awk 'NR == 1 { print $1 }')" site
t_is "IPv6: the binding shown canonically" \
    "$(printf '%s\n' "$out" | awk 'NR == 1 { print $2 }')" '[::1]:8443'
cb -c "$C" move '[::1]:8443' '[2001:DB8::10]:8443' --dry-run
t_match "IPv6: move --dry-run prints canonical endpoints" "$out" \
    '\[::1\]:8443 *-> *\[2001:db8::10\]:8443'

# --- check cannot run: exit 2, the file (and line) on stderr.
cb -c "$T/nonexistent.conf" check
t_is "missing config: exit 2" "$rc" 2
t_match "missing config: stderr names it" "$err" 'nonexistent\.conf'
t_is "missing config: nothing on stdout" "$out" ""

cat >"$T/broken.conf" <<EOF
version = 1;
keys = (
  { name = "site"; key = = "k"; }
);
EOF
cb -c "$T/broken.conf" check
t_is "syntax error: exit 2" "$rc" 2
t_match "syntax error: file and line" "$err" 'broken\.conf:3'

cat >"$T/big.conf" <<EOF
version = 1;
server = {
  listen = ( );
  max_connections = 3000000000;
  workers = 1;
  handshake_timeout = 3000000000;
};
keys = ( );
bindings = ( );
EOF
cb -c "$T/big.conf" check --offline
t_is "3000000000: exit 2" "$rc" 2
t_match "3000000000: the setting and line" "$err" \
    'big\.conf:4.*max_connections|max_connections.*big\.conf:4'
t_match "every problem in one run: the second one too" "$err" \
    'big\.conf:6'

cat >"$T/badep.conf" <<EOF
version = 1;
keys = ( { name = "a"; key = "a.key"; cert = "a.pem"; } );
bindings = (
  { key = "a"; endpoint = "127.0.0.2:8443"; },
  { key = "a"; endpoint = "10.0.0.256:443"; }
);
EOF
cb -c "$T/badep.conf" check --offline
t_is "bad endpoint in the file: exit 2" "$rc" 2
t_match "bad endpoint: file, line and text" "$err" \
    'badep\.conf:5.*10\.0\.0\.256:443'

# CERTBIND_CONF is used when -c is not given.
CERTBIND_CONF=$T/fixed.conf $CERTBIND check --offline >/dev/null 2>&1
t_is "CERTBIND_CONF names the config" "$?" 0

t_done
