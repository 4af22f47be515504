#!/bin/sh
# p in the terminal UI probes the running certbindd, as "certbind probe"
# does, and marks the endpoints pane: [SERVED] where the server serves what
# the committed file says, [NOT-RELOADED] where it still serves another
# certificate (the file changed, certbindd was not reloaded), [UNSERVED]
# where it refuses. A real certbindd on 127.0.0.2, the real certbind in
# tmux.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh
. tests/server/srvlib.sh
srv_need

S=$T/store
mkcert_leaf "$S" one one.example.com || { t_fail "fixtures"; exit 1; }
mkcert_leaf "$S" two two.example.com || { t_fail "fixtures"; exit 1; }
P1=$(srv_port) P2=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
C=$T/certbind.conf

# conf FILE-OF-KEY-one: key "one" served from one.* or (renewed) two.*.
conf() {
	cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "127.0.0.2:$P1"; backend = "127.0.0.1:$PB"; },
             { endpoint = "127.0.0.2:$P2"; backend = "127.0.0.1:$PB"; } );
  workers = 1;
};
keys = ( { name = "one"; key = "$1.key"; cert = "$1.pem"; },
         { name = "two"; key = "two.key"; cert = "two.pem"; } );
bindings = ( { key = "one"; endpoint = "127.0.0.2:$P1"; },
             { key = "two"; endpoint = "127.0.0.2:$P1"; sni = "two.example.com"; } );
EOC
}

# The listener rows come before the bindings: the first match is theirs.
row_plain() { tm_screen | grep -F "127.0.0.2:$P1 " | head -n 1; }
row_sni() { tm_screen | grep -E '^│ +" +two\.example\.com' | head -n 1; }
row_unbound() { tm_screen | grep -F "127.0.0.2:$P2 " | head -n 1; }

# ui: a fresh certbind on the file, focus on the endpoints pane, p.
ui_probe() {
	tm_start 100 30 -- -c "$C"
	tm_ready || { t_fail "certbind starts" "$(tm_screen)"; return 1; }
	tm_keys Tab Tab p
	tm_wait "Probed 2 of 2 listeners" ||
	    { t_fail "the probe ends" "$(tm_screen)"; return 1; }
}

conf one
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

# 1. In step.
ui_probe
t_match "in step: the listener row says [SERVED]" "$(row_plain)" '\[SERVED\]'
t_match "in step: its SNI row says [SERVED]" "$(row_sni)" '\[SERVED\]'
t_match "in step: the listener nothing is bound to stays [UNSERVED]" \
    "$(row_unbound)" '\[UNSERVED\]'
t_nomatch "and is not called served" "$(row_unbound)" '\[SERVED\]'
t_match "in step: the message counts nothing wrong" "$(tm_screen)" \
    '0 refused, 0 not reloaded, the rest served as the file says'

# 2. Key "one" renewed in the file (now two's certificate), not reloaded.
tm_stop_wait
conf two
ui_probe
t_match "renewed, not reloaded: [NOT-RELOADED] on the listener row" \
    "$(row_plain)" '\[NOT-RELOADED\]'
t_match "the SNI row, unchanged, is still [SERVED]" "$(row_sni)" '\[SERVED\]'
t_match "the message line counts one" "$(tm_screen)" '0 refused, 1 not reloaded'
# The selection is on the first listener row: any key shows its finding.
tm_keys j k
tm_wait "certbindd serves certificate"
t_match "the selected row's finding names the served certificate" \
    "$(tm_screen)" "certbindd serves certificate $(mkcert_fpr "$S/one.pem" | cut -c1-20)"

# 3. After the reload: in step again.
srv_hup
srv_wait_log 1 'reloaded:' 10 || t_fail "certbindd reloads" "$(cat "$srv_log")"
tm_keys p
tm_wait "Probed 2 of 2 listeners at" && tm_wait "0 not reloaded"
t_match "after SIGHUP: [SERVED] again" "$(row_plain)" '\[SERVED\]'
t_nomatch "and no longer [NOT-RELOADED]" "$(row_plain)" 'NOT-RELOADED'

# 4. The server stopped: every listener refuses.
srv_term
srv_exit_status 10
tm_keys p
tm_wait "2 refused" ||
    t_fail "the probe of a stopped server ends" "$(tm_screen)"
t_match "server stopped: the listener row says [UNSERVED]" "$(row_plain)" \
    '\[UNSERVED\]'
t_match "and its SNI row too" "$(row_sni)" '\[UNSERVED\]'
t_match "the message line counts 2 refused" "$(tm_screen)" '2 refused, 0 not reloaded'
t_done
