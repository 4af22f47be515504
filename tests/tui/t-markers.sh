#!/bin/sh
# Every kind of problem carries its word on the screen: [CONFLICT] on each
# binding of a conflict, [UNSERVED], [EXPIRED], [EXPIRING]; then the edit
# (e), add listener (l) and remove listener (L) dialogs fix and change
# them, validating as typed, and the commit writes what was asked.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

mkdir -p "$T/m"
(
	. tests/fixtures/mkcert.sh
	MKCERT_NOT_BEFORE="2020-01-01 00:00:00" \
	MKCERT_NOT_AFTER="2021-01-01 00:00:00" \
	    mkcert_leaf "$T/m" old old.example.com old.example.com &&
	# Ten and a half days: a whole number of days would turn from 10 to
	# 9 in the seconds between making it and reading the screen.
	MKCERT_NOT_BEFORE="$(date -u -d '-1 day' '+%Y-%m-%d %H:%M:%S')" \
	MKCERT_NOT_AFTER="$(date -u -d '+10 days 12 hours' '+%Y-%m-%d %H:%M:%S')" \
	    mkcert_leaf "$T/m" soon soon.example.com soon.example.com &&
	mkcert_leaf "$T/m" www www.example.com www.example.com
) || { t_fail "make the certificates"; exit 1; }
conf="$T/m/certbind.conf"
cat >"$conf" <<'CONF'
version = 1;
server = { listen = (
  { endpoint = "127.0.0.5:443"; backend = "127.0.0.1:8080"; },
  { endpoint = "127.0.0.6:443"; backend = "127.0.0.1:8080"; }
); };
keys = (
  { name = "old"; key = "old.key"; cert = "old.pem"; },
  { name = "soon"; key = "soon.key"; cert = "soon.pem"; },
  { name = "www"; key = "www.key"; cert = "www.pem"; }
);
bindings = (
  { key = "www"; endpoint = "127.0.0.5:443"; },
  { key = "old"; endpoint = "127.0.0.5:443"; },
  { key = "soon"; endpoint = "127.0.0.5:443"; sni = "soon.example.com"; }
);
CONF
# Days left, from openssl and the clock (floor, negative once expired).
days_left() {
	e=$(date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	n=$(date -u +%s)
	if [ "$e" -ge "$n" ]; then echo $(( (e - n) / 86400 ))
	else echo $(( -((n - e + 86399) / 86400) )); fi
}
old_days=$(days_left "$T/m/old.pem")
soon_days=$(days_left "$T/m/soon.pem")

tm_start 80 24 -- -c "$conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
scr=$(tm_screen)
t_match "the counts: 3 errors, 1 warning" "$scr" '^ certbind  3 errors, 1 warning '
t_match "the expired key says so, with its days" "$scr" \
    "^│>old +\\[EXPIRED\\] +$old_days │"
t_match "the expiring key says so, with its days" "$scr" \
    "^│ soon +\\[EXPIRING\\] +$soon_days │"
t_match "both bindings of the conflict are marked (www)" "$scr" \
    '127\.0\.0\.5:443 +- +www +\[CONFLICT\]'
t_match "both bindings of the conflict are marked (old)" "$scr" \
    '127\.0\.0\.5:443 +- +old +\[CONFLICT\]'
t_match "the listener nothing serves" "$scr" \
    '127\.0\.0\.6:443 +- +\(none\) +\[UNSERVED\] nothing serves it'
t_match "the SNI name on a listener has its line" "$scr" \
    '" +soon\.example\.com +soon +address:port'

# e: move the conflicting "old" binding to the unserved listener.
tm_keys Tab Tab /
tm_wait "Filter endpoints" >/dev/null
tm_keys old Enter G e
t_ok "e opens the edit dialog" tm_wait "Edit the binding of old on 127.0.0.5:443"
tm_keys C-u 127.0.0.6
t_ok "the edit shows its effect" tm_wait "127.0.0.6:443: nothing -> old"
tm_keys Enter
tm_gone "Edit the binding" >/dev/null
tm_keys / C-u Enter
t_ok "the conflict is gone" tm_gone "[CONFLICT]"
t_nomatch "and the unserved listener too" "$(tm_screen)" '\[UNSERVED\]'
t_match "the counts follow: 1 error (expired), 1 warning" "$(tm_screen)" \
    '^ certbind  1 error, 1 warning  \[modified\]'

# l: a listener; the port must be a number.
tm_keys l
tm_wait "Add a listener" >/dev/null
tm_keys C-u 127.0.0.7 Tab C-u 70000
t_ok "a bad port is refused as it is typed" tm_wait "a port is 1-65535"
tm_keys C-u '*'
t_ok "a listener cannot take all ports" tm_wait "a listener needs a port"
tm_keys C-u 8443 Tab C-u 127.0.0.1:9000
t_ok "the new listener's effect: nothing serves it" \
    tm_wait "127.0.0.7:8443 (new listener): nothing -> nothing [UNSERVED]"
tm_keys Enter
t_ok "the dialog closes" tm_gone "Add a listener"
t_ok "the listener is there, unserved" tm_wait "127.0.0.7:8443"
t_match "and marked" "$(tm_screen)" '127\.0\.0\.7:8443 +- +\(none\) +\[UNSERVED\]'

# L on it: select it with the filter.
tm_keys / 127.0.0.7 Enter g L
t_ok "L asks before removing the listener" \
    tm_wait "Remove the listener on 127.0.0.7:8443?"
t_match "and names the backend it forwards to" "$(tm_screen)" \
    'forwards to 127\.0\.0\.1:9000; its bindings stay'
tm_keys y
tm_keys / C-u Enter
t_ok "the listener is gone" tm_gone "127.0.0.7:8443"

tm_keys c
tm_wait "Write " >/dev/null
t_nomatch "commit: the change adds no error, so no warning" \
    "$(tm_screen)" 'adds errors'
tm_keys y
t_ok "written" tm_wait "Written"
f=$(grep -v '^#' "$conf")
t_match "the file: old is bound on 127.0.0.6:443" "$f" \
    'key = "old"; *endpoint = "127\.0\.0\.6:443"'
t_nomatch "the file: no listener on 127.0.0.7" "$f" '127\.0\.0\.7'
cb -c "$conf" check
t_nomatch "certbind check: no conflict left" "$out" '^error conflict'
t_nomatch "certbind check: no unserved listener left" "$out" \
    '^error unserved-listener'
tm_keys q
t_ok "quits" tm_wait "certbind-exit=0"
t_done
