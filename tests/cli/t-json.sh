#!/bin/sh
# --json on check and list (issue 14): one JSON document each, with the
# documented shape, read back by python's json module; a hostile name
# stays escaped ASCII. (resolve --json: t-serve-opts; probe --json:
# server/t-reminder; acme status --json: acme/t-tls-alpn.)

. "$(dirname "$0")/../lib.sh"

PYJ=/usr/bin/python3
[ -x "$PYJ" ] || PYJ=python3
if ! $PYJ -c 'import json' 2>/dev/null; then
	t_skip "--json" "python3 is not installed"
	exit 0
fi
# jq EXPR: evaluates a python expression on the document in $out as d.
jq() { printf '%s' "$out" | $PYJ -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

S=$T/store C=$S/certbind.conf
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
cb -c "$C" selfsign "$(printf 'spare')" --cn spare.example.com
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080 --bind www \
    --proxy-protocol 2 --alpn h2,http/1.1
t_is "the store is made" "$rc" 0 "$err"
cb -c "$C" bind www 127.0.0.9:9 --backend 127.0.0.1:9090

cb -c "$C" check --json --offline
t_is "check --json exits as check does (0: no errors)" "$rc" 0 "$err"
t_is "it is one JSON document with findings first" \
    "$(jq 'list(d.keys())')" "['findings', 'errors', 'warnings', 'notes']"
t_is "the counts" "$(jq '(d["errors"], d["warnings"], d["notes"])')" \
    "(0, 1, 1)"
t_is "each finding has severity, code, object, message, line" \
    "$(jq 'sorted(set(k for f in d["findings"] for k in f))')" \
    "['code', 'line', 'message', 'object', 'severity']"
t_is "the stale binding, with its line in the file" \
    "$(jq '[(f["severity"], f["code"], f["object"], f["line"]) for f in d["findings"] if f["code"] == "stale-binding"]')" \
    "[('warning', 'stale-binding', 'www@127.0.0.9:9', $(grep -n '127.0.0.9:9' "$C" | cut -d: -f1))]"
t_is "stdout holds only the document" "$(printf '%s\n' "$out" | tail -1)" "}"

cb -c "$C" list --json
t_is "list --json exits 0" "$rc" 0 "$err"
t_is "keys, bindings, listeners and counts" "$(jq 'list(d.keys())')" \
    "['keys', 'bindings', 'listeners', 'errors', 'warnings', 'notes']"
t_is "www's key: state, certificate, its fingerprint" \
    "$(jq '[(k["name"], k["state"], k["cert"], k["sha256"]) for k in d["keys"] if k["name"] == "www"][0]')" \
    "('www', 'ok', 'certs/www.pem', '$(. tests/fixtures/mkcert.sh; mkcert_fpr "$S/certs/www.pem")')"
t_is "the listener's options and what serves it" \
    "$(jq 'd["listeners"][0]["proxy_protocol"], d["listeners"][0]["alpn"], d["listeners"][0]["served_by"]')" \
    "2 ['h2', 'http/1.1'] {'key': 'www', 'rule': 'address:port'}"
t_is "a binding's own backend" \
    "$(jq '[b["backend"] for b in d["bindings"] if b["endpoint"] == "127.0.0.9:9"]')" \
    "['127.0.0.1:9090']"

# A hostile subject (certtool keeps the bytes) stays ASCII: the raw ESC
# never reaches stdout.
. tests/fixtures/mkcert.sh
if command -v certtool >/dev/null 2>&1; then
	mkcert_leaf "$T/src" evil "$(printf 'e\033[31mvil')" dns:evil.example.com
	cat "$T/src/evil.key" "$T/src/evil.pem" >"$T/evil-both.pem"
	cb -c "$C" import "$T/evil-both.pem" --name evil
fi
cb -c "$C" list --json
t_is "no raw ESC in list --json" "$(printf '%s' "$out" | grep -c "$(printf '\033')")" 0
t_match "the subject is there, escaped" "$(jq '[k["subject"] for k in d["keys"] if k["name"] == "evil"][0]')" \
    'e.*31mvil'
t_done
