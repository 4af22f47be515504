#!/bin/sh
# Notes (issue 14): certbind note sets, changes and removes the note on a
# key, a binding and a listener; list and list --json show them; a note
# survives certbind move, an unrelated save and the option setters (bind,
# listen on what exists); a hostile note is refused and shown escaped,
# from the command line and from a file (with its file:line).

. "$(dirname "$0")/../lib.sh"

PYJ=/usr/bin/python3
[ -x "$PYJ" ] || PYJ=python3
if ! command -v "$PYJ" >/dev/null 2>&1; then
	t_skip "notes" "python3 is not installed"
	exit 0
fi
jq() { printf '%s' "$out" | $PYJ -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

S=$T/store C=$T/store/certbind.conf
umask 022
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
t_is "selfsign www" "$rc" 0 "$err"
cb -c "$C" bind www 127.0.0.2:8443
t_is "bind www" "$rc" 0 "$err"
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080
t_is "listen" "$rc" 0 "$err"

# Set: a key, the listener, the binding.
cb -c "$C" note www 'renewed by hand, see "ticket" 4711 \ ok'
t_is "note on a key exits 0" "$rc" 0 "$err"
t_match "it says so" "$err" 'noted the key'
cb -c "$C" note 127.0.0.2:8443 'the old web server'
t_is "note on a listener exits 0" "$rc" 0 "$err"
cb -c "$C" note www 127.0.0.2:8443 \
    'moved from 10.56.65.200 on 2026-11-20, ticket 4711'
t_is "note on a binding exits 0" "$rc" 0 "$err"
t_match "the file has the binding's note" "$(cat "$C")" \
    'key = "www"; endpoint = "127.0.0.2:8443"; note = "moved from 10.56.65.200 on 2026-11-20, ticket 4711";'
t_match "the key's, quote and backslash escaped for libconfig" "$(cat "$C")" \
    'note = "renewed by hand, see \\"ticket\\" 4711 \\\\ ok";'

cb -c "$C" check --offline
t_is "the noted file checks clean" "$rc" 0 "$out$err"

cb -c "$C" list
t_is "list exits 0" "$rc" 0 "$err"
t_match "list shows the key's note" "$out" \
    '^      note: renewed by hand, see "ticket" 4711 \\\\ ok$'
t_match "list shows the binding's note" "$out" \
    '^      note: moved from 10.56.65.200 on 2026-11-20, ticket 4711$'
t_match "list shows the listener's note" "$out" '^      note: the old web server$'
cb -c "$C" list --json
t_is "list --json exits 0" "$rc" 0 "$err"
t_is "the key's note in JSON" "$(jq 'd["keys"][0]["note"]')" \
    'renewed by hand, see "ticket" 4711 \ ok'
t_is "the binding's note in JSON" "$(jq 'd["bindings"][0]["note"]')" \
    'moved from 10.56.65.200 on 2026-11-20, ticket 4711'
t_is "the listener's note in JSON" "$(jq 'd["listeners"][0]["note"]')" \
    'the old web server'

# Survives: a move, an unrelated save, the option setters.
cb -c "$C" move 127.0.0.2:8443 127.0.0.3:8443
t_is "move exits 0" "$rc" 0 "$err"
cb -c "$C" selfsign spare --cn spare.example.com
t_is "an unrelated save" "$rc" 0 "$err"
cb -c "$C" listen 127.0.0.3:8443 --proxy-protocol 1
t_is "listen changes the listener's options" "$rc" 0 "$err"
cb -c "$C" bind www 127.0.0.3:8443 --backend 127.0.0.1:8081
t_is "bind changes the binding's options" "$rc" 0 "$err"
cb -c "$C" list --json
t_is "after all that, the key's note" "$(jq 'd["keys"][0]["note"]')" \
    'renewed by hand, see "ticket" 4711 \ ok'
t_is "the moved binding's note" \
    "$(jq '[b["note"] for b in d["bindings"] if b["endpoint"] == "127.0.0.3:8443"][0]')" \
    'moved from 10.56.65.200 on 2026-11-20, ticket 4711'
t_is "the moved listener's note" \
    "$(jq '[l["note"] for l in d["listeners"] if l["endpoint"] == "127.0.0.3:8443"][0]')" \
    'the old web server'
t_is "the new key has none (null)" \
    "$(jq '[k["note"] for k in d["keys"] if k["name"] == "spare"][0]')" None

# Remove.
cb -c "$C" note www ''
t_is "note KEY '' exits 0" "$rc" 0 "$err"
t_match "it says it removed it" "$err" 'removed the note of the key'
t_nomatch "the key's note left the file" "$(cat "$C")" 'renewed by hand'
t_match "the binding's stayed" "$(cat "$C")" 'ticket 4711";'
cb -c "$C" note www 127.0.0.3:8443 ''
t_nomatch "the binding's left too" "$(cat "$C")" 'moved from'
cb -c "$C" list
t_nomatch "list shows neither" "$out" 'note: (renewed|moved)'
t_match "but the listener's" "$out" 'note: the old web server'

# --note on bind and listen: on a new one and on one that exists.
cb -c "$C" bind spare 127.0.0.4:8443 --note 'for the spare site'
t_is "bind --note on a new binding" "$rc" 0 "$err"
cb -c "$C" listen 127.0.0.4:8443 --backend 127.0.0.1:8082 --note 'spare, ticket 9'
t_is "listen --note on a new listener" "$rc" 0 "$err"
t_match "the file has both" "$(cat "$C")" \
    'key = "spare"; endpoint = "127.0.0.4:8443"; note = "for the spare site";'
t_match "the listener's" "$(cat "$C")" \
    'endpoint = "127.0.0.4:8443"; backend = "127.0.0.1:8082"; note = "spare, ticket 9";'
cb -c "$C" bind spare 127.0.0.4:8443 --note 'for the spare site'
t_is "the same note again: exit 0" "$rc" 0 "$err"
t_match "nothing was written" "$err" 'nothing was written'
cb -c "$C" bind spare 127.0.0.4:8443 --note 'changed'
t_match "bind --note on one that exists says so" "$err" 'note set'
cb -c "$C" listen 127.0.0.4:8443 --note ''
t_is "listen --note '' on one that exists" "$rc" 0 "$err"
t_match "says it removed it" "$err" 'note removed'
t_nomatch "the listener's note left the file" "$(cat "$C")" 'spare, ticket 9'
t_match "the binding's changed" "$(cat "$C")" 'note = "changed";'
cb -c "$C" bind spare 127.0.0.4:8443 --note "$(printf 'x\033y')"
t_is "bind --note with ESC is refused" "$rc" 1
t_match "shown escaped" "$err" 'x\\x1[bB]y'

# Mistakes.
cb -c "$C" note www 127.0.0.9:8443 'x'
t_is "a binding that does not exist: exit 1" "$rc" 1
t_match "it is named" "$err" "no binding of key 'www' to 127.0.0.9:8443"
cb -c "$C" note 127.0.0.9:8443 'x'
t_is "a listener that does not exist: exit 1" "$rc" 1
cb -c "$C" note nosuchkey 'x'
t_is "neither a key nor an endpoint: exit 2" "$rc" 2
cb -c "$C" note www 'x' --sni a.example.com
t_is "--sni without an endpoint: exit 2" "$rc" 2
cb -c "$C" note www "$(head -c 257 /dev/zero | tr '\0' a)"
t_is "a note of 257 bytes is refused" "$rc" 1
t_match "saying the limit" "$err" 'at most 256 bytes'
cb -c "$C" note www "$(head -c 256 /dev/zero | tr '\0' a)"
t_is "256 bytes are fine" "$rc" 0 "$err"

# Hostile notes: refused, and shown escaped.
before=$(cat "$C")
cb -c "$C" note www "$(printf 'a\033[2Jb')"
t_is "a note with ESC is refused" "$rc" 1
t_match "the ESC shown escaped" "$err" 'a\\x1[bB]\[2Jb'
t_is "no raw ESC reaches the terminal" \
    "$(printf '%s%s' "$out" "$err" | tr -d '\n' | od -An -c | grep -c '033')" 0
cb -c "$C" note www "$(printf 'evil\342\200\256txt.exe')"
t_is "a note with U+202E is refused" "$rc" 1
t_match "shown as \\u{202E}" "$err" 'evil\\u\{202[eE]\}txt'
t_is "the file is as it was" "$(cat "$C")" "$before"

# From a file: the loader says where.
B=$T/bad.conf
$PYJ - "$C" "$B" <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
t = t.replace('name = "spare";', 'name = "spare"; note = "evil\u202etxt \x1b[2J";', 1)
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
line=$(grep -n 'evil' "$B" | cut -d: -f1)
cb -c "$B" check --offline
t_is "check of a file with a hostile note: exit 2" "$rc" 2 "$out$err"
t_match "the error names file:line" "$out$err" "bad.conf:$line:"
t_match "and shows the note escaped" "$out$err" 'evil\\u\{202[eE]\}txt \\x1[bB]\[2J'
t_is "no raw bidi control or ESC" \
    "$(printf '%s%s' "$out" "$err" | grep -c "$(printf '\342\200\256\|\033')")" 0
cb -c "$B" list
t_is "list refuses it too" "$rc" 2

t_done
