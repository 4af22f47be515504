#!/bin/sh
# SIGHUP reload: a broken config (syntax, a missing certificate, a key
# others can read) is reported and the old one keeps serving; a fixed
# config is served; connections in flight keep their generation; a
# reload under a stream of handshakes loses none. Also -t, and SIGTERM.
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
one=$(mkcert_fpr "$S/one.pem")
two=$(mkcert_fpr "$S/two.pem")
P=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf

# conf KEYNAME [EXTRA-TEXT]
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P"; backend = "127.0.0.1:$PB"; } );
  workers = 2;
  shutdown_timeout = 5;
};
keys = ( { name = "k"; key = "$1.key"; cert = "$1.pem"; } );
bindings = ( { key = "k"; endpoint = "*:*"; } );
$2
EOC
}

# --help: on stdout, exit 0, and every option it lists is one that
# certbindd accepts and that its man page describes.
"$CERTBINDD" --help >"$T/help.out" 2>"$T/help.err"
t_is "--help exits 0" "$?" 0
t_is "--help writes nothing on stderr" "$(cat "$T/help.err")" ""
opts=$(sed -n 's/^  -\([a-z]\) .*/\1/p' "$T/help.out" | tr -d '\n')
t_is "--help lists the options -c -n -a -f -s -t -h" "$opts" "cnafsth"
for o in $(echo "$opts" | sed 's/./& /g'); do
	t_ok "--help's -$o is described in certbindd.8" \
	    grep -q "^\.It Fl $o" "$top/man/certbindd.8"
done
"$CERTBINDD" -h >"$T/h.out" 2>&1
t_is "-h is --help" "$(cat "$T/h.out")" "$(cat "$T/help.out")"
t_match "--version names certbindd and GnuTLS" \
    "$("$CERTBINDD" --version)" '^certbindd [0-9.]+ \(GnuTLS [0-9.]+(; signing with OpenSSL [0-9][^)]*)?\)$'
"$CERTBINDD" -x >"$T/x.out" 2>&1
t_is "an unknown option exits 2" "$?" 2
t_match "and prints the usage" "$(cat "$T/x.out")" '^usage: certbindd '

# -t first: it must not need a running server.
conf one
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_is "-t on a good config exits 0" "$?" 0
t_match "-t says so in one line (issue 14)" "$(cat "$T/t.out")" \
    "^certbindd: $C is good: 1 listener, 1 binding, 1 key\$"
conf one 'garbage = ('
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_is "-t on an unparsable config exits 2" "$?" 2
t_match "-t names the file and line" "$(cat "$T/t.out")" 'certbind\.conf:[0-9]+'
sed 's/key = "k"; endpoint/key = "nosuch"; endpoint/' "$C" >"$T/unk.conf"
sed -i '$d' "$T/unk.conf"
"$CERTBINDD" -t -c "$T/unk.conf" >"$T/t.out" 2>&1
t_is "-t with a binding to an unknown key exits 1" "$?" 1
t_match "-t prints check's finding" "$(cat "$T/t.out")" \
    '^error unknown-key [^ ]+: '
conf one '' 
sed -i 's/shutdown_timeout = 5;/shutdown_timeout = 5; priority = "NOSUCH-PRIORITY";/' "$C"
"$CERTBINDD" -t -c "$C" >"$T/t.out" 2>&1
t_is "-t with a priority string GnuTLS refuses exits 1" "$?" 1
t_match "-t says what is wrong with the priority" "$(cat "$T/t.out")" \
    'server\.priority'

conf one
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_is "serves one" "$(srv_fpr 127.0.0.2 "$P")" "$one"

# A connection opened now keeps generation 1 across the reloads below.
mkfifo "$T/hold.in"
timeout 60 $PY tests/server/client.py hold 127.0.0.2 "$P" 1 60 \
    <"$T/hold.in" >"$T/hold.out" 2>&1 &
exec 7>"$T/hold.in"
i=0
while ! grep -q '^ok' "$T/hold.out" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done

n=1
reload_fails() {
	srv_hup
	n=$((n + 1))
	srv_wait_log $((n - 1)) 'reload failed|reloaded:' 10
}

conf one 'garbage = ('
reload_fails
t_match "syntax error: the reload fails, saying where" "$(cat "$srv_log")" \
    'reload: .*certbind\.conf:[0-9]+'
t_is "syntax error: still serving one" "$(srv_fpr 127.0.0.2 "$P")" "$one"

conf two
mv "$S/two.pem" "$S/two.pem.away"
reload_fails
t_match "missing certificate: the reload fails" "$(cat "$srv_log")" \
    'reload: .*two\.pem'
t_is "missing certificate: still serving one" "$(srv_fpr 127.0.0.2 "$P")" "$one"
mv "$S/two.pem.away" "$S/two.pem"

chmod 644 "$S/two.key"
reload_fails
t_match "key readable by others: refused" "$(cat "$srv_log")" \
    'two\.key: private key is accessible by others'
t_is "key readable by others: still serving one" \
    "$(srv_fpr 127.0.0.2 "$P")" "$one"
t_is "three failed reloads logged" \
    "$(grep -c 'reload failed: still serving generation 1' "$srv_log")" 3

chmod 600 "$S/two.key"
reload_fails
t_match "fixed: reloaded" "$(cat "$srv_log")" 'reloaded: serving generation 2'
t_is "fixed: serves two" "$(srv_fpr 127.0.0.2 "$P")" "$two"

exec 7>&-
i=0
while ! grep -q '^echo' "$T/hold.out" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
t_match "a connection from before the reloads still proxies" \
    "$(cat "$T/hold.out")" '^echo ok$'

# Handshakes in a tight loop while SIGHUP flips the certificate 10 times.
timeout 60 $PY tests/server/loop.py 127.0.0.2 "$P" 4 >"$T/loop.out" 2>&1 &
lpid=$!
i=0
while [ $i -lt 10 ]; do
	sleep 0.3
	if [ $((i % 2)) = 0 ]; then conf one; else conf two; fi
	srv_hup
	i=$((i + 1))
done
wait $lpid
set -- $(cat "$T/loop.out")
t_is "no handshake lost during 10 reloads under load (${1:-?} made)" \
    "${2:-x}" 0
t_ok "the loop made handshakes" [ "${1:-0}" -gt 20 ]

srv_term
srv_exit_status 10
t_is "SIGTERM: exits 0" "$srv_rc" 0
t_match "SIGTERM: logged" "$(cat "$srv_log")" 'stopped'
t_done
