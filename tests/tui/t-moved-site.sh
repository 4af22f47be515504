#!/bin/sh
# The moved-site scenario at a glance: the stale binding, the probable
# move and the "all unassigned" default serving the new address are on the
# screen as words, at 80x24 and at 120x40 (whole screens compared).
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }

# What the certificate says, asked of openssl rather than of certbind.
end=$(openssl x509 -in "$T/s/www.pem" -noout -enddate | cut -d= -f2)
start=$(openssl x509 -in "$T/s/www.pem" -noout -startdate | cut -d= -f2)
end_s=$(date -u -d "$end" +%s)
days=$(( (end_s - $(date -u +%s)) / 86400 ))
expdate=$(date -u -d "$end" +%Y-%m-%d)
valid="$(date -u -d "$start" '+%Y-%m-%d %H:%M UTC') to $(date -u -d "$end" '+%Y-%m-%d %H:%M UTC')"
fpr=$(mkcert_fpr "$T/s/www.pem" 2>/dev/null || (. tests/fixtures/mkcert.sh; mkcert_fpr "$T/s/www.pem"))
fpr1=$(printf '%s' "$fpr" | cut -c1-53)
fpr2=$(printf '%s' "$fpr" | cut -c54-)
fill() {
	sed -e "s/@D@/$days/g" -e "s/@EXP@/$expdate/g" -e "s/@VALID@/$valid/" \
	    -e "s/@FPR1@/$fpr1/" -e "s/@FPR2@/$fpr2/" \
	    -e 's/[[:space:]]*$//'
}

fill >"$T/want80" <<'SCREEN'
 certbind  0 errors, 2 warnings  T/s/certbind.conf
┌ Keys (3) ────────────────────────┐┌ Details ─────────────────────────────────┐
│ NAME             STATE      DAYS ││ Name      www                            │
│>www              ok         @D@ ││ Expires   @EXP@, in @D@ days       │
│ api              ok         @D@ ││ Names     www.example.com, IP:127.0.0.3  │
│ new-2027         pending       - ││ Subject   CN=www.example.com             │
│                                  ││ Issuer    CN=www.example.com             │
│                                  ││ Key type  ECDSA P-256, 256 bits, signed  │
└──────────────────────────────────┘└──────────────────────────────────────────┘
┌ Endpoints: 2 listeners, 3 bindings ──────────────────────────────────────────┐
│ ENDPOINT            SNI              KEY        SERVED BY / NOTES            │
│Listeners (who serves a connection without SNI, then per SNI name)            │
│>127.0.0.3:8443      -                www        [DEFAULT] all unassigned     │
│   -> 127.0.0.1:8080 (listener's)                                             │
│ 127.0.0.4:9443      -                www        [DEFAULT] all unassigned     │
│   -> 127.0.0.1:8081 (listener's)                                             │
│   "                 api.example.com  api        address:port                 │
│Bindings                                                                      │
│ 127.0.0.2:8443      -                www        [STALE] [MOVE?] no listener  │
│ 127.0.0.4:9443      api.example.com  api                                     │
│ *:*                 -                www        [DEFAULT] all unassigned     │
└──────────────────────────────────────────────────────────────────────────────┘

 ?:help q:quit Tab:pane Enter:details /:filter b:bind m:move r:review c:commit
SCREEN

tm_start 80 24 -- -c "$T/s/certbind.conf"
if tm_ready; then
	t_screen "80x24: the moved site at a glance" "$T/want80"
else
	t_fail "80x24: the UI did not start" "$(tm_screen)"
fi
scr=$(tm_screen)
t_match "the stale binding carries its words" "$scr" \
    '127\.0\.0\.2:8443 .*\[STALE\] \[MOVE\?\]'
t_match "the new address is served by the default, and says so" "$scr" \
    '127\.0\.0\.3:8443 .* www .*\[DEFAULT\] all unassigned'

fill >"$T/want120" <<'SCREEN'
 certbind  0 errors, 2 warnings  T/s/certbind.conf
┌ Keys (3) ──────────────────────────────────────────┐┌ Details ───────────────────────────────────────────────────────┐
│ NAME                               STATE      DAYS ││ Name      www                                                  │
│>www                                ok         @D@ ││ Expires   @EXP@, in @D@ days                             │
│ api                                ok         @D@ ││ Names     www.example.com, IP:127.0.0.3                        │
│ new-2027                           pending       - ││ Subject   CN=www.example.com                                   │
│                                                    ││ Issuer    CN=www.example.com                                   │
│                                                    ││ Key type  ECDSA P-256, 256 bits, signed ECDSA-SHA256           │
│                                                    ││ SHA-256   @FPR1@│
│                                                    ││           @FPR2@           │
│                                                    ││ Valid     @VALID@         │
│                                                    ││ Key file  www.key                                              │
│                                                    ││ Cert file www.pem                                              │
│                                                    ││ Bound to  127.0.0.2:8443, *:*                                  │
└────────────────────────────────────────────────────┘└────────────────────────────────────────────────────────────────┘
┌ Endpoints: 2 listeners, 3 bindings ──────────────────────────────────────────────────────────────────────────────────┐
│ ENDPOINT                   SNI                      KEY              SERVED BY / NOTES                               │
│Listeners (who serves a connection without SNI, then per SNI name)                                                    │
│>127.0.0.3:8443             -                        www              [DEFAULT] all unassigned (default)              │
│   -> 127.0.0.1:8080 (listener's)                                                                                     │
│ 127.0.0.4:9443             -                        www              [DEFAULT] all unassigned (default)              │
│   -> 127.0.0.1:8081 (listener's)                                                                                     │
│   "                        api.example.com          api              address:port, exact sni                         │
│Bindings                                                                                                              │
│ 127.0.0.2:8443             -                        www              [STALE] [MOVE?] no listener                     │
│ 127.0.0.4:9443             api.example.com          api                                                              │
│ *:*                        -                        www              [DEFAULT] all unassigned                        │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
│                                                                                                                      │
└──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

 ?:help q:quit Tab:pane Enter:details /:filter b:bind m:move r:review c:commit w:walkthrough a:acme
SCREEN

tm_start 120 40 -- -c "$T/s/certbind.conf"
if tm_ready; then
	t_screen "120x40: the moved site, details with the fingerprint" \
	    "$T/want120"
else
	t_fail "120x40: the UI did not start" "$(tm_screen)"
fi

# The C locale: the same screen with ASCII lines.
sed -e 's/[┌┐└┘]/+/g' -e 's/─/-/g' -e 's/│/|/g' "$T/want80" >"$T/wantC"
tm_start 80 24 LC_ALL=C -- -c "$T/s/certbind.conf"
if tm_ready; then
	t_screen "80x24, C locale: the same screen in ASCII" "$T/wantC"
else
	t_fail "C locale: the UI did not start" "$(tm_screen)"
fi

# The keys filter.
tm_keys / api Enter
t_ok "the keys filter says what it shows" tm_wait "Keys 1/3 /api"
t_match "and the details follow the one key shown" "$(tm_screen)" \
    'Subject +CN=api\.example\.com'
tm_keys / C-u Enter
t_ok "an empty filter shows every key" tm_wait "Keys (3)"
tm_keys q
tm_wait "certbind-exit=0" >/dev/null

tm_start 120 40 -- -c "$T/s/certbind.conf"
tm_ready >/dev/null

# The help lists every action's letter.
tm_keys '?'
tm_wait "Moving around" >/dev/null
scr=$(tm_screen)
for k in "b  " "e  " "d  " "m  " "l  " "L  " "r  " "c  " "w  " "q  " "/  "; do
	t_match "help lists '${k%% *}'" "$scr" "│ +$k {4,}[a-z]"
done
tm_keys q
tm_ready >/dev/null
tm_keys q
t_ok "q quits at once when nothing changed" tm_wait "certbind-exit=0"
t_done
