#!/bin/sh
# certbind server (issue 14): shows the server group's settings, each
# default marked, and as one JSON document with --json; each option
# changes its setting in the file (read back from the text and from
# certbind server), says what changed and which take a restart; a bad
# value is refused naming the value, exit 2, the file byte-identical;
# the same values twice write nothing.
. "$(dirname "$0")/../lib.sh"

C=$T/certbind.conf
cat >"$C" <<'EOF2'
version = 1;
server = {
  listen = ( );
};
EOF2

# --- shows the defaults.
cb -c "$C" server
t_is "server shows, exit 0" "$rc" 0 "$err"
t_match "handshake_timeout 10, the default" "$out" \
    '^handshake_timeout = 10 \(default\)$'
t_match "workers 0, the default" "$out" '^workers = 0 \(default\)$'
t_match "tickets on, the default" "$out" '^tickets = on \(default\)$'
t_match "user none, the default" "$out" '^user = none \(default\)$'
t_is "sixteen settings, all default" \
    "$(printf '%s\n' "$out" | grep -c ' (default)$')" 16
t_match "metrics none, the default" "$out" '^metrics = none \(default\)$'

# A file without a server group shows the same defaults.
printf 'version = 1;\n' >"$T/bare.conf"
cb -c "$T/bare.conf" server
t_is "no server group: defaults" \
    "$(printf '%s\n' "$out" | grep -c ' (default)$')" 16 "$err"

PY=/usr/bin/python3
if [ -x "$PY" ]; then
	cb -c "$C" server --json
	t_is "--json exits 0" "$rc" 0 "$err"
	t_ok "--json parses, with the values and defaults" "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["handshake_timeout"] == 10, d
assert d["tickets"] is True and d["user"] is None, d
assert d["metrics"] is None and "metrics" in d["defaults"], d
assert "workers" in d["defaults"], d' "$out"
else
	t_skip "--json exits 0" "no /usr/bin/python3"
	t_skip "--json parses" "no /usr/bin/python3"
fi

# --- each option writes the file.
# setopt NAME OPTION VALUE FILE-LINE-REGEX SHOW-LINE-REGEX
setopt() {
	cb -c "$C" server "--$2" "$3"
	t_is "--$2 $3: exit 0" "$rc" 0 "$err"
	t_match "--$2 $3: in the file" "$(cat "$C")" "$4"
	t_match "--$2 $3: says what changed" "$err" "server: $1 .* -> "
	cb -c "$C" server
	t_match "--$2 $3: certbind server shows it" "$out" "$5"
}
setopt user user www-data '^  user = "www-data";$' '^user = www-data$'
setopt group group ssl-cert '^  group = "ssl-cert";$' '^group = ssl-cert$'
setopt trust trust /etc/ssl/ca.pem '^  trust = "/etc/ssl/ca.pem";$' \
    '^trust = /etc/ssl/ca.pem$'
setopt pidfile pidfile /run/certbindd.pid \
    '^  pidfile = "/run/certbindd.pid";$' '^pidfile = /run/certbindd.pid$'
setopt tls_profile tls-profile modern '^  tls_profile = "modern";$' \
    '^tls_profile = modern$'
setopt priority priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' \
    '^  priority = "NORMAL:-VERS-ALL:\+VERS-TLS1\.3";$' \
    '^priority = NORMAL:-VERS-ALL:\+VERS-TLS1\.3$'
setopt signer signer gnutls '^  signer = "gnutls";$' '^signer = gnutls$'
setopt ticket_keys ticket-keys tk.bin '^  ticket_keys = "tk.bin";$' \
    '^ticket_keys = tk.bin$'
setopt access_log access-log off '^  access_log = false;$' \
    '^access_log = off$'
setopt handshake_timeout handshake-timeout 20 '^  handshake_timeout = 20;$' \
    '^handshake_timeout = 20$'
setopt idle_timeout idle-timeout 600 '^  idle_timeout = 600;$' \
    '^idle_timeout = 600$'
setopt shutdown_timeout shutdown-timeout 5 '^  shutdown_timeout = 5;$' \
    '^shutdown_timeout = 5$'
setopt max_connections max-connections 500 '^  max_connections = 500;$' \
    '^max_connections = 500$'
setopt workers workers 4 '^  workers = 4;$' '^workers = 4$'
setopt tickets tickets off '^  tickets = false;$' '^tickets = off$'
setopt metrics metrics 127.0.0.1:9101 '^  metrics = "127\.0\.0\.1:9101";$' \
    '^metrics = 127\.0\.0\.1:9101$'

# --- metrics: an IPv6 loopback, a restart, and unset both ways.
cb -c "$C" server --metrics '[::1]:9102'
t_is "--metrics [::1]:9102: exit 0" "$rc" 0 "$err"
t_match "the change is said as old -> new" "$err" \
    'server: metrics 127\.0\.0\.1:9101 -> \[::1\]:9102'
t_match "metrics says it takes a restart" "$err" \
    '^certbind: metrics: certbindd takes it only when it restarts'
t_match "[::1]:9102 in the file" "$(cat "$C")" '^  metrics = "\[::1\]:9102";$'
if [ -x "$PY" ]; then
	cb -c "$C" server --json
	t_ok "--json shows metrics" "$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["metrics"] == "[::1]:9102", d
assert "metrics" not in d["defaults"], d' "$out"
else
	t_skip "--json shows metrics" "no /usr/bin/python3"
fi
cb -c "$C" server --no-metrics
t_is "--no-metrics: exit 0" "$rc" 0 "$err"
t_match "--no-metrics: says what changed" "$err" \
    'server: metrics \[::1\]:9102 -> none'
t_nomatch "--no-metrics: gone from the file" "$(cat "$C")" 'metrics'
cb -c "$C" server
t_match "--no-metrics: shows the default" "$out" '^metrics = none \(default\)$'
cb -c "$C" server --metrics 127.0.0.1:9101
cb -c "$C" server --metrics ''
t_is "--metrics '': exit 0" "$rc" 0 "$err"
t_nomatch "--metrics '': gone from the file" "$(cat "$C")" 'metrics'
cb -c "$C" server --no-metrics
t_match "--no-metrics again: nothing written" "$err" 'nothing was written'
cb -c "$C" server --metrics 127.0.0.1:9101

cb -c "$C" server --handshake-timeout 30
t_match "the change is said as old -> new" "$err" \
    'server: handshake_timeout 20 -> 30'
cb -c "$C" server --workers 8
t_match "workers says it takes a restart" "$err" \
    '^certbind: workers: certbindd takes it only when it restarts'
cb -c "$C" server --idle-timeout 601
t_nomatch "idle_timeout does not" "$err" 'restart'

# --- a weak priority: written, with check's weak-tls warning.
cb -c "$C" server --priority 'NORMAL:+VERS-TLS1.0'
t_is "a weak priority is written (a warning)" "$rc" 0 "$err"
t_match "and the weak-tls warning is printed" "$out" '\+ warning weak-tls'

# --- removing a string: --no-priority, ''.
cb -c "$C" server --no-priority --user ''
t_is "--no-priority --user '': exit 0" "$rc" 0 "$err"
t_nomatch "priority gone from the file" "$(cat "$C")" 'priority'
t_nomatch "user gone from the file" "$(cat "$C")" 'user'
cb -c "$C" server
t_match "priority shows its default" "$out" '^priority = none \(default\)$'

# --- nothing to change: nothing written.
cp "$C" "$T/before"
cb -c "$C" server --workers 8 --tickets off
t_is "the same values: exit 0" "$rc" 0 "$err"
t_match "and says nothing was written" "$err" 'nothing was written'
t_ok "the file is byte-identical" cmp -s "$C" "$T/before"

# --- bad values: refused, the value named, the file byte-identical.
# refuse NAME REGEX OPTION...
refuse() {
	name=$1; re=$2; shift 2
	cp "$C" "$T/before"
	cb -c "$C" server "$@"
	t_is "$name: exit 2" "$rc" 2 "$err"
	t_match "$name: the value named" "$err" "$re"
	t_ok "$name: the file is byte-identical" cmp -s "$C" "$T/before"
}
refuse "timeout 0" 'handshake_timeout 0 is out of range: use 1 to 86400' \
    --handshake-timeout 0
refuse "idle timeout 86401" 'idle_timeout 86401 is out of range' \
    --idle-timeout 86401
refuse "workers 9999" 'workers 9999 is out of range: use 0 to 1024' \
    --workers 9999
refuse "max-connections 0" 'max_connections 0 is out of range' \
    --max-connections 0
refuse "workers abc" "--workers 'abc' is not a whole number" --workers abc
refuse "signer fastest" 'signer "fastest" is not a signer: use "openssl" .* or "gnutls"' \
    --signer fastest
refuse "tls-profile old" 'tls_profile "old" is not a profile: use "intermediate"' \
    --tls-profile old
refuse "tickets maybe" "--tickets 'maybe' is not a switch: use on or off" \
    --tickets maybe
refuse "a priority GnuTLS refuses" "GnuTLS refuses the priority string 'BOGUS'" \
    --priority BOGUS
refuse "--priority and --no-priority" 'say opposite things' \
    --priority NORMAL --no-priority
refuse "--json with a change" '--json goes with showing' --json --workers 2
refuse "metrics not on loopback" \
    'metrics 192\.0\.2\.1:9101 is not a loopback address' \
    --metrics 192.0.2.1:9101
refuse "metrics with no port" "bad endpoint 'bogus'" --metrics bogus
refuse "metrics with a wildcard" 'metrics \*:9101 is not an address' \
    --metrics '*:9101'
refuse "--metrics and --no-metrics" 'say opposite things' \
    --metrics 127.0.0.1:9101 --no-metrics
# A good value beside a bad one: nothing of it is written.
refuse "a good value with a bad one" 'workers 2000 is out of range' \
    --idle-timeout 60 --workers 2000

t_done
