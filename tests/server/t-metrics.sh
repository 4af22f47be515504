#!/bin/sh
# server.metrics (issue 14): certbindd's Prometheus text exposition on a
# loopback address. Handshakes (one refused: no binding for its SNI) are
# counted by listener and key, a reload counts and moves the generation,
# the scrape parses (prometheus_client when python3 has it, and always a
# strict line-by-line check), /other is 404, and a metrics address that
# is not loopback is refused by certbind check and certbindd -t with the
# file and line. A second certbindd (an IPv6 listener and metrics address
# when the host has ::1, and a key whose name uses every odd character a
# key name may hold) counts client-certificate-refused by listener (a
# required client certificate missing, and one from another CA) and the
# handshakes by listener and key; prometheus_client reads the label
# values back exactly. The characters a label value must escape (\ " and
# a newline) cannot reach one: certbindd -t refuses such a key name.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need
srv_need_tool curl

S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
P=$(srv_port) PB=$(srv_port) PM=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf

# conf METRICS-ADDRESS
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
  shutdown_timeout = 2;
  handshake_timeout = 2;
  metrics = "$1";
};
keys = ( { name = "k.1"; key = "one.key"; cert = "one.pem"; } );
bindings = ( { key = "k.1"; endpoint = "*:*"; sni = "one.example.com"; } );
EOC
}

# Refused: not loopback, with the file and the line (8).
conf "192.0.2.1:$PM"
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_not "certbindd -t refuses a metrics address that is not loopback" \
    test "$?" -eq 0
t_match "with the file, the line and the value" "$(cat "$T/t.out")" \
    "certbind\\.conf:8: .*192\\.0\\.2\\.1:$PM is not a loopback"
CERTBIND_CONF=$C $CERTBIND check >"$T/c.out" 2>&1
t_not "certbind check refuses it too" test "$?" -eq 0
t_match "with the file, the line and the value" "$(cat "$T/c.out")" \
    "certbind\\.conf:8: .*192\\.0\\.2\\.1:$PM is not a loopback"

conf "127.0.0.1:$PM"
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_is "certbindd -t takes a loopback metrics address" "$?" 0
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

scrape() {
	curl -sS --max-time 10 -D "$T/hdr" -o "$T/body" \
	    "http://127.0.0.1:$PM$1"
}

# parse: the strict check of $T/body, then its samples one a line,
# "name{labels} value" with the labels sorted, on stdout.
# Debian's python3 has prometheus_client (python3-prometheus-client).
MXPY=$PY
[ -x /usr/bin/python3 ] && MXPY=/usr/bin/python3
parse() {
	$MXPY - "$T/body" <<'EOP'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
ok = True
def bad(msg):
    global ok
    ok = False
    print("BAD " + msg)
name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lv = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
sample = re.compile(r"^(%s)(\{(%s=%s(,%s=%s)*)?\})? (-?[0-9.eE+]+|NaN|[+-]Inf)$"
                    % (name_re, name_re, lv, name_re, lv))
typed, helped, out = {}, set(), []
if not text.endswith("\n"):
    bad("no final newline")
for line in text.split("\n")[:-1]:
    m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % name_re, line)
    if m:
        if m.group(1) == "TYPE":
            if m.group(3) not in ("counter", "gauge"):
                bad("type " + line)
            if m.group(2) in typed:
                bad("TYPE twice " + line)
            typed[m.group(2)] = m.group(3)
        else:
            helped.add(m.group(2))
        continue
    m = sample.match(line)
    if not m:
        bad("line " + repr(line))
        continue
    if m.group(1) not in typed or m.group(1) not in helped:
        bad("no TYPE/HELP before " + line)
    labels = re.findall(r'(%s)=(%s)' % (name_re, lv), m.group(3) or "")
    lab = ",".join("%s=%s" % kv for kv in sorted(labels))
    out.append("%s{%s} %s" % (m.group(1), lab, m.group(5)))
try:
    from prometheus_client.parser import text_string_to_metric_families
    n = sum(len(f.samples) for f in text_string_to_metric_families(text))
    if n != len(out):
        bad("prometheus_client read %d samples, not %d" % (n, len(out)))
    print("PARSER prometheus_client")
except ImportError:
    print("PARSER strict")
except Exception as e:
    bad("prometheus_client: %s" % e)
print("OK" if ok else "NOTOK")
for o in out:
    print(o)
EOP
}

# value NAME{LABELS}: the sample's value from $T/parsed
value() {
	grep -F -- "$1 " "$T/parsed" | sed 's/.* //'
}

L="127.0.0.2:$P"
HS="certbindd_handshakes_total{key=\"k.1\",listener=\"$L\"}"
NB="certbindd_handshake_failures_total{listener=\"$L\",reason=\"no-binding\"}"

scrape /metrics
t_is "GET /metrics answers 200" "$(sed -n '1s/\r$//p' "$T/hdr" |
    cut -d' ' -f2)" 200
t_match "Content-Type text/plain; version=0.0.4" "$(tr -d '\r' <"$T/hdr")" \
    '[Cc]ontent-[Tt]ype: text/plain; version=0\.0\.4'
parse >"$T/parsed"
t_is "the exposition parses" "$(grep -E '^(OK|NOTOK)$' "$T/parsed")" OK
grep '^BAD' "$T/parsed" | sed 's/^/# /'
if $MXPY -c 'import prometheus_client.parser' 2>/dev/null; then
	t_is "prometheus_client read it" "$(grep '^PARSER' "$T/parsed")" \
	    "PARSER prometheus_client"
else
	t_skip "prometheus_client read it" "python3-prometheus-client is not \
installed (tools/deps.sh test): the strict check alone"
fi
t_is "no handshake yet" "$(value "$HS")" 0
t_is "generation 1" "$(value 'certbindd_generation{}')" 1
t_is "no reload yet" "$(value 'certbindd_reloads_total{result="ok"}')" 0
exp=$(openssl x509 -in "$S/one.pem" -noout -enddate | sed 's/notAfter=//')
exp=$(date -u -d "$exp" +%s)
t_is "the certificate's notAfter" \
    "$(value 'certbindd_certificate_expiry_timestamp_seconds{key="k.1"}')" \
    "$exp"

t_not "handshake 1" test "$(srv_fpr 127.0.0.2 "$P" one.example.com)" = refused
t_not "handshake 2" test "$(srv_fpr 127.0.0.2 "$P" one.example.com)" = refused
t_not "handshake 3" test "$(srv_fpr 127.0.0.2 "$P" one.example.com)" = refused
t_is "no binding for another SNI" \
    "$(srv_fpr 127.0.0.2 "$P" other.example.com)" refused
srv_wait_log 1 'no binding serves' 5

scrape /metrics
parse >"$T/parsed"
t_is "still parses" "$(grep -E '^(OK|NOTOK)$' "$T/parsed")" OK
t_is "3 handshakes counted for the listener and key" "$(value "$HS")" 3
t_is "1 refused: no-binding" "$(value "$NB")" 1
t_is "no handshake-failed" "$(value "certbindd_handshake_failures_total{listener=\"$L\",reason=\"handshake-failed\"}")" 0
# The connections close when s_client does: bounded wait for the gauge.
i=0
while [ $i -lt 50 ]; do
	scrape /metrics; parse >"$T/parsed"
	[ "$(value 'certbindd_connections{state="proxying"}')" = 0 ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "no connection open now" \
    "$(value 'certbindd_connections{state="proxying"}')/$(value 'certbindd_connections{state="handshake"}')" 0/0

# A client that says nothing: open in state handshake, then a timeout.
$PY -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.2", int(sys.argv[1])))
time.sleep(4)' "$P" &
idle=$!
srv_pids="$srv_pids $idle"
i=0
while [ $i -lt 30 ]; do
	scrape /metrics; parse >"$T/parsed"
	[ "$(value 'certbindd_connections{state="handshake"}')" = 1 ] && break
	sleep 0.1; i=$((i + 1))
done
t_is "a silent client is open in state handshake" \
    "$(value 'certbindd_connections{state="handshake"}')" 1
srv_wait_log 1 'end=handshake-timeout' 6
scrape /metrics; parse >"$T/parsed"
t_is "and counted as handshake-timeout" "$(value "certbindd_handshake_failures_total{listener=\"$L\",reason=\"handshake-timeout\"}")" 1
t_is "and no longer open" \
    "$(value 'certbindd_connections{state="handshake"}')" 0
wait "$idle"

# A reload keeps the totals and moves the generation.
srv_hup
srv_wait_log 1 'reloaded: serving generation 2' 10
scrape /metrics
parse >"$T/parsed"
t_is "a reload counts as ok" \
    "$(value 'certbindd_reloads_total{result="ok"}')" 1
t_is "generation 2" "$(value 'certbindd_generation{}')" 2
t_is "the handshakes survive the reload" "$(value "$HS")" 3
t_not "handshake 4" test "$(srv_fpr 127.0.0.2 "$P" one.example.com)" = refused
scrape /metrics
parse >"$T/parsed"
t_is "and go on counting" "$(value "$HS")" 4
# A broken config: reloads_total{result="failed"}.
echo 'garbage = (' >>"$C"
srv_hup
srv_wait_log 1 'reload failed' 10
scrape /metrics
parse >"$T/parsed"
t_is "a failed reload counts as failed" \
    "$(value 'certbindd_reloads_total{result="failed"}')" 1
t_is "the generation stays" "$(value 'certbindd_generation{}')" 2

scrape /other
t_is "/other is 404" "$(sed -n '1s/\r$//p' "$T/hdr" | cut -d' ' -f2)" 404

srv_term
srv_exit_status 10
t_is "certbindd stops" "$srv_rc" 0

# --- client-certificate-refused, and label values with odd text.
v6=1
$PY -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' \
    2>/dev/null || v6=0
mkcert_leaf "$S" req req.test || { t_fail "fixtures"; exit 1; }
mkcert_ca "$T" ca1 "Client CA one" && mkcert_ca "$T" ca2 "Client CA two" ||
    { t_fail "CA fixtures"; exit 1; }
# mkclient NAME CA: $T/NAME.key and .pem, a client certificate from $T/CA.
mkclient() {
	mkcert__key "$T/$1.key" || return 1
	printf 'cn = "%s"\nexpiration_days = 30\ntls_www_client\nsigning_key\n' \
	    "$1" >"$T/$1.tmpl"
	mkcert__run certtool --generate-certificate --no-text \
	    --load-privkey "$T/$1.key" --load-ca-privkey "$T/$2.key" \
	    --load-ca-certificate "$T/$2.pem" --template "$T/$1.tmpl" \
	    --outfile "$T/$1.pem"
}
mkclient alice ca1 && mkclient bob ca2 || { t_fail "client fixtures"; exit 1; }

# Every character a key name may hold but the letters: '.', '_', '-'.
ODD="Req_key-2.v1"
P2=$(srv_port) P6=$(srv_port) PM2=$(srv_port)
L2="127.0.0.2:$P2"
if [ $v6 = 1 ]; then
	L6="[::1]:$P6" MHOST="[::1]" MADDR="[::1]:$PM2"
else
	L6="" MHOST=127.0.0.1 MADDR="127.0.0.1:$PM2"
fi
{
	cat <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "$L2"; backend = "127.0.0.1:$PB"; }$([ $v6 = 1 ] && echo ",
    { endpoint = \"$L6\"; backend = \"127.0.0.1:$PB\"; }")
  );
  workers = 1;
  shutdown_timeout = 2;
  handshake_timeout = 5;
  metrics = "$MADDR";
};
keys = ( { name = "k.1"; key = "one.key"; cert = "one.pem"; },
         { name = "$ODD"; key = "req.key"; cert = "req.pem"; } );
bindings = (
  { key = "k.1"; endpoint = "*:*"; sni = "one.example.com"; },
  { key = "$ODD"; endpoint = "*:*"; sni = "req.test";
    client_ca = "$T/ca1.pem"; client_auth = "required"; }
);
EOC
} >"$C"
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_is "certbindd -t takes the second config" "$?" 0 "$(cat "$T/t.out")"
srv_start "$C" || { t_fail "certbindd starts again" "$(cat "$srv_log")"; exit 1; }

scrape2() {
	curl -sS --max-time 10 -D "$T/hdr" -o "$T/body" \
	    "http://$MHOST:$PM2/metrics"
}
# echo_via HOST SNI [OPENSSL-ARGS...]: "ping" back through certbindd and
# the echo backend when the handshake is accepted, else "refused".
echo_via() {
	h=$1 sni=$2; shift 2
	case $h in
	*:*)	port=$P6 hp="[$h]:$P6" ;;
	*)	port=$P2 hp="$h:$P2" ;;
	esac
	r=$( (printf 'ping\n'; sleep 1) | timeout 10 openssl s_client \
	    -connect "$hp" -servername "$sni" -quiet "$@" \
	    2>"$T/sc.err" | head -1)
	echo "${r:-refused}"
}
# wait_value SAMPLE WANT: scrapes (bounded) until SAMPLE has WANT; the
# last scrape stays parsed in $T/parsed.
wait_value() {
	i=0
	while [ $i -lt 50 ]; do
		scrape2; parse >"$T/parsed"
		[ "$(value "$1")" = "$2" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
CCR="reason=\"client-certificate-refused\""
HSO="certbindd_handshakes_total{key=\"$ODD\",listener=\"$L2\"}"
RF2="certbindd_handshake_failures_total{listener=\"$L2\",$CCR}"

scrape2
t_is "the metrics answer on $MADDR" "$(sed -n '1s/\r$//p' "$T/hdr" |
    cut -d' ' -f2)" 200
t_is "a certificate from the client CA reaches the backend" \
    "$(echo_via 127.0.0.2 req.test -cert "$T/alice.pem" -key "$T/alice.key")" \
    ping
t_ok "counted for $ODD on $L2" wait_value "$HSO" 1
t_is "not refused" "$(value "$RF2")" 0
t_is "required, no certificate: refused" "$(echo_via 127.0.0.2 req.test)" \
    refused
srv_wait_log 1 'client certificate refused' 5
t_ok "counted as client-certificate-refused on $L2" wait_value "$RF2" 1
t_is "required, a certificate from another CA: refused" \
    "$(echo_via 127.0.0.2 req.test -cert "$T/bob.pem" -key "$T/bob.key")" \
    refused
srv_wait_log 2 'client certificate refused' 5
t_ok "counted: 2 client-certificate-refused on $L2" wait_value "$RF2" 2
t_is "neither is handshake-failed" "$(value "certbindd_handshake_failures_total{listener=\"$L2\",reason=\"handshake-failed\"}")" 0
t_is "nor no-binding" "$(value "certbindd_handshake_failures_total{listener=\"$L2\",reason=\"no-binding\"}")" 0
t_is "the refused ones are not handshakes of $ODD" "$(value "$HSO")" 1
if [ $v6 = 1 ]; then
	RF6="certbindd_handshake_failures_total{listener=\"$L6\",$CCR}"
	HS6="certbindd_handshakes_total{key=\"k.1\",listener=\"$L6\"}"
	t_is "$L6, another CA: refused" \
	    "$(echo_via ::1 req.test -cert "$T/bob.pem" -key "$T/bob.key")" \
	    refused
	srv_wait_log 3 'client certificate refused' 5
	t_ok "counted under listener $L6" wait_value "$RF6" 1
	t_is "and $L2's count stays 2" "$(value "$RF2")" 2
	t_not "$L6, k.1: served" test \
	    "$(srv_fpr ::1 "$P6" one.example.com)" = refused
	t_ok "counted for k.1 on $L6" wait_value "$HS6" 1
else
	for n in 1 2 3 4 5; do
		t_skip "IPv6 listener test $n" "this host has no ::1"
	done
fi

t_is "the exposition parses" "$(grep -E '^(OK|NOTOK)$' "$T/parsed")" OK
grep '^BAD' "$T/parsed" | sed 's/^/# /'
# prometheus_client reads each label value back exactly as configured.
if $MXPY -c 'import prometheus_client.parser' 2>/dev/null; then
	t_ok "prometheus_client reads the listener and key labels back" \
	    $MXPY - "$T/body" "$L2" "$ODD" "$L6" <<'EOP'
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
l2, odd, l6 = sys.argv[2], sys.argv[3], sys.argv[4]
seen = {}
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        seen[(s.name, tuple(sorted(s.labels.items())))] = s.value
def get(name, **labels):
    return seen.get((name, tuple(sorted(labels.items()))))
ok = True
def want(v, got, what):
    global ok
    if got != v:
        ok = False
        print("# %s: %r, not %r" % (what, got, v))
want(1.0, get("certbindd_handshakes_total", listener=l2, key=odd), "hs odd")
want(2.0, get("certbindd_handshake_failures_total", listener=l2,
              reason="client-certificate-refused"), "ccr l2")
want(True, get("certbindd_certificate_expiry_timestamp_seconds",
               key=odd) is not None, "expiry of odd")
if l6:
    want(1.0, get("certbindd_handshake_failures_total", listener=l6,
                  reason="client-certificate-refused"), "ccr l6")
    want(1.0, get("certbindd_handshakes_total", listener=l6, key="k.1"),
         "hs l6")
sys.exit(0 if ok else 1)
EOP
else
	t_skip "prometheus_client reads the labels back" \
	    "python3-prometheus-client is not installed (tools/deps.sh test)"
fi
srv_term
srv_exit_status 10
t_is "the second certbindd stops" "$srv_rc" 0

# The characters a label must escape cannot reach one: a key name with
# a double quote, a backslash or a newline is refused at load.
# Each NAME is libconfig text: a quote, a backslash, a newline, braces
# and a comma with an '=' (which would end or forge a label).
for what in 'quote k\"q' 'backslash k\\b' 'newline k\nn' 'braces k{x}' \
    'comma k,x=y'; do
	bad=${what#* } what=${what%% *}
	$PY -c 'import sys
odd, bad = sys.argv[1], sys.argv[2]
t = open(sys.argv[3]).read().replace("\"%s\"" % odd, "\"%s\"" % bad)
open(sys.argv[4], "w").write(t)' "$ODD" "$bad" "$C" "$T/bad.conf"
	"$CERTBINDD" -t -c "$T/bad.conf" >"$T/t.out" 2>&1
	r=$?
	t_not "certbindd -t refuses a key name with a $what" test "$r" -eq 0
	t_match "saying the name is bad" "$(cat "$T/t.out")" 'bad key name'
done
t_done
