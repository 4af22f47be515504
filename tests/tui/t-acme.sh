#!/bin/sh
# ACME in the key manager, through the real UI in tmux at 80x24, against
# pebble with real validation (tests/acme/acmelib.sh), dns-01 answered by
# tests/acme/dns-hook.sh, and a running certbindd:
# - a key ordered on the command line shows in the keys pane as managed,
#   with its next renewal, and the details say its domains, challenge,
#   renewal and last attempt;
# - a renews it: the progress lines the CA's authorization went through
#   are on the screen while it works; the result is in memory only until
#   c commits it, then the config names a new certificate, the state file
#   forgets the order, and the reload offered makes certbindd serve it;
#   one not committed is left in the state file, for acme renew to resume;
# - a renewal that fails (the hook refuses) is shown as FAILING with the
#   CA's problem in the details, escaped; a again shows the cause and
#   changes nothing;
# - a on a key ACME does not manage opens the order form with its name
#   and names;
# - without an acme group, a offers the walkthrough's account step; the
#   walkthrough's first choice registers (the CA's terms shown, I agree
#   chosen), refuses what the preflight finds unreachable, orders with
#   dns-01, and commits.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh
. "$top/tests/server/srvlib.sh"
. "$top/tests/acme/acmelib.sh"
srv_need
acme_need

acme_env_start || { t_fail "pebble and pebble-challtestsrv start"; exit 1; }
# Orders wait for pebble: each wait here may take longer than a keystroke.
tm_polls=$((tm_polls * 6))

# certbindd serves a boot certificate on A:PL, and the ACME key with its
# SNI once it has one; server.pidfile lets certbind reload it.
A=127.0.0.7
PL=$(srv_port)
PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }
S=$T/store
C=$T/certbind.conf
mkdir -p "$S"
mkcert_leaf "$S" boot boot.certbind.test || { t_fail "fixtures"; exit 1; }
cat >"$C" <<EOC
version = 1;
store = "$S";
server = {
  listen = ( { endpoint = "$A:$PL"; backend = "127.0.0.1:$PB"; } );
  pidfile = "$T/certbindd.pid";
  workers = 1;
};
keys = ( { name = "boot"; key = "boot.key"; cert = "boot.pem"; } );
bindings = ( { key = "boot"; endpoint = "*:*"; } );
EOC
srv_start "$C" || { t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }

# cert_of NAME: the certificate file of key NAME, from the config.
cert_of() {
	sed -n "s/.*name = \"$1\"; key = \"[^\"]*\"; cert = \"\([^\"]*\)\".*/\\1/p" "$C"
}
sum() {
	{ cat "$C"; find "$S" -type f ! -name '*.lock' | sort |
	    xargs -r sha256sum; } | sha256sum
}

cb -c "$C" acme register --server "$ACME_DIR_URL" \
    --ca-bundle "$ACME_CA_BUNDLE" --agree-tos
t_is "register on the command line" "$rc" 0 "$err"
cb -c "$C" acme order dns --domain d.certbind.test --challenge dns-01 \
    --dns-hook "$ACME_DNS_HOOK" --bind "$A:$PL" --sni d.certbind.test
t_is "order key dns on the command line (dns-01)" "$rc" 0 "$err"
first=$(cert_of dns)
t_ok "the config names its certificate" test -n "$first"
t_is "certbindd serves it" "$(srv_fpr "$A" "$PL" d.certbind.test)" \
    "$(mkcert_fpr "$S/$first")"

# The keys pane: the ACME column with the renewal date.
tm_start 80 24 -- -c "$C"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
tm_keys j
tm_wait ">dns " >/dev/null
scr=$(tm_screen)
t_match "the keys pane has an ACME column" "$scr" 'ACME RENEW'
t_match "the managed key shows its next renewal date" "$scr" \
    '>dns +ok +[0-9]+ +20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
t_match "the details say the challenge and the domain" "$scr" \
    'ACME +dns-01: d\.certbind\.test'
t_match "and when it renews" "$scr" 'Renews +20[0-9][0-9]-'
t_is "at 80x24" "$(tm_screen | wc -L)" 80

# a renews it, with the progress on the screen.
tm_keys a
t_ok "a asks before renewing" \
    tm_wait "Renew key dns (dns-01: d.certbind.test) now"
tm_keys y
t_ok "the order ends with the new certificate" \
    tm_wait "has its new certificate"
scr=$(tm_screen)
# pebble may reuse the authorization of the order before: the lines
# every order has.
t_match "its progress shows the order" "$scr" \
    'order created for 1 name with a new ecdsa-p256 key'
t_match "and the issued certificate" "$scr" 'certificate issued: SHA-256'
t_is "nothing is written before the commit" "$(cert_of dns)" "$first"
tm_keys Enter
t_ok "Enter closes the progress; the key is renewed, unsaved" \
    tm_wait "unsaved"
t_match "the status line says modified" "$(tm_screen)" '\[modified\]'
tm_keys r
t_ok "r reviews the change" tm_wait "Review"
tm_keys q
tm_keys c
t_ok "c asks before writing" tm_wait "Write "
tm_keys y
t_ok "the commit offers to reload certbindd" \
    tm_wait "Reload certbindd now"
second=$(cert_of dns)
t_ok "the config names a new certificate" \
    test -n "$second" -a "$second" != "$first"
new=$(mkcert_fpr "$S/$second")
tm_keys y
t_ok "y reloads, and says what is served" tm_wait "Reloaded and served"
t_match "the key's endpoint among what is served" "$(tm_screen)" \
    "$A:$PL sni=d\\.certbind\\.test: key dns, SHA-256"
t_is "certbindd serves the new certificate" \
    "$(srv_fpr "$A" "$PL" d.certbind.test)" "$new"
tm_keys q
t_nomatch "the state file forgets the order" \
    "$(cat "$S/acme/state/dns.json" 2>/dev/null)" '"order"'
cb -c "$C" acme status
t_match "acme status: the last result is a success" "$out$err" 'dns'
t_ok "the keys pane shows the next renewal again" \
    tm_wait ">dns "
t_nomatch "no longer unsaved" "$(tm_screen)" 'unsaved'
# a on a key ACME does not manage: the walkthrough's order, filled in.
tm_keys k
tm_wait ">boot " >/dev/null
tm_keys a
t_ok "a on another key opens the order form with its name" \
    tm_wait "Key name       boot"
t_match "and its certificate's names" "$(tm_screen)" \
    'Domains +boot\.certbind\.test'
tm_keys Escape Escape
tm_gone "Walkthrough:" >/dev/null
# A renewal the session does not commit is kept for the next run.
tm_keys j
tm_wait ">dns " >/dev/null
tm_keys a
tm_wait "Renew key dns" >/dev/null
tm_keys y
t_ok "a renews again" tm_wait "has its new certificate"
tm_keys Enter q
t_ok "q asks, since the renewal is not committed" \
    tm_wait "There are unsaved changes"
tm_keys y
t_ok "quitting without the commit" tm_wait "certbind-exit=0"
t_is "leaves the config as it was" "$(cert_of dns)" "$second"
t_match "and the order in the state file" \
    "$(cat "$S/acme/state/dns.json" 2>/dev/null)" '"order"'
cb -c "$C" acme renew dns --force
t_is "the next acme renew resumes it" "$rc" 0 "$err"
t_match "and says so" "$err" "resuming the order"
second=$(cert_of dns)

# A renewal that fails: the hook refuses, for a name pebble has no
# authorization for yet. certbind acme renew records it.
printf '#!/bin/sh\necho "no \\033[31mDNS\\033[0m for you" >&2\nexit 1\n' \
    >"$T/bad-hook"
chmod +x "$T/bad-hook"
sed -i -e "s|dns_hook = \"[^\"]*\"|dns_hook = \"$T/bad-hook\"|" \
    -e 's|"d\.certbind\.test" )|"e.certbind.test" )|' "$C"
t_match "the hook is replaced" "$(cat "$C")" \
    "domains = \\( \"e.certbind.test\" \\); challenge = \"dns-01\"; dns_hook = \"$T/bad-hook\""
cb -c "$C" acme renew dns --force
t_is "acme renew with a failing hook fails" "$rc" 1 "$err"
tm_start 80 24 -- -c "$C"
tm_ready || { t_fail "the UI did not start again" "$(tm_screen)"; exit 1; }
tm_keys j
tm_wait ">dns " >/dev/null
scr=$(tm_screen)
t_match "the keys pane says the renewal is failing" "$scr" \
    '>dns +[^ ]+ +[0-9]+ +FAILING'
t_match "the details show the last try first" "$scr" \
    'Last try +20[0-9-]+ [0-9:]+ UTC, '
t_match "and that it failed" "$scr" 'failed \(1 in a row\)'
tm_keys Enter j j j j j
t_ok "the details show the problem" tm_wait "Problem"
t_match "the hook's words are escaped" "$(tm_screen)" \
    '\\x1B\[31mDNS\\x1B\[0m'
t_nomatch "no raw escape reaches the screen" "$(tm capture-pane -p -e)" \
    "$(printf '\033')\\[31mDNS"
tm_keys Escape
s0=$(sum)
tm_keys a
tm_wait "Renew key dns" >/dev/null
tm_keys y
t_ok "a on it fails with the cause" tm_wait "The order failed"
t_ok "and says nothing changed" tm_wait "Nothing was changed"
t_nomatch "on a line of its own" "$(tm_screen)" 'x0ANothing'
t_match "the CA's words escaped" "$(tm_screen)" \
    '\\x1B\[31mDNS\\x1B\[0m for you'
tm_keys Enter
tm_gone "The order failed" >/dev/null
t_nomatch "the session is not modified" "$(tm_screen)" '\[modified\]'
tm_keys q
tm_wait "certbind-exit=0" >/dev/null
t_is "the config is as it was" "$(cert_of dns)" "$second"

# The walkthrough's ACME path, from a config with no acme group.
S=$T/store2
C=$T/certbind2.conf
mkdir -p "$S"
cat >"$C" <<EOC
version = 1;
store = "$S";
keys = ( );
bindings = ( );
EOC
tm_start 80 24 -- -c "$C"
tm_wait "Start the walkthrough" >/dev/null
tm_keys n
tm_wait "w starts the walkthrough" >/dev/null
tm_keys a
t_ok "a without an account offers to register one" \
    tm_wait "no ACME account yet"
tm_keys n
t_ok "n says how to register on the command line" \
    tm_wait "certbind acme register"
tm_keys w
t_ok "the walkthrough's first choice is ACME" \
    tm_wait "1  Get a certificate from an ACME CA"
tm_keys 1
t_ok "1 asks for the CA" tm_wait "CA directory"
tm_keys C-u
tm_keys -l "$ACME_DIR_URL"
tm_keys Tab Tab
tm_keys -l "$ACME_CA_BUNDLE"
tm_keys Enter
t_ok "Enter shows the CA's terms of service" \
    tm_wait "The CA's terms of service:"
t_ok "and asks to agree" tm_wait "choose I agree"
tm_keys Enter
t_ok "without I agree, no account" tm_wait "agree to its terms"
t_ok "no account key was made" test ! -e "$S/acme/account.key"
tm_keys Right
t_ok "Right chooses I agree" tm_wait "I agree"
tm_keys Enter
t_ok "the account is made, then the order's form" tm_wait "Domains"
t_is "the account key is mode 600" \
    "$(stat -c %a "$S/acme/account.key" 2>/dev/null)" 600
t_ok "nothing is written yet" test -z "$(grep acme "$C")"
# localhost resolves here, and no listener answers tls-alpn-01 on it.
tm_keys -l "localhost"
t_ok "the preflight says when the CA could not reach this host" \
    tm_wait "UNREACHABLE: "
tm_keys Enter
t_ok "and the order is refused" tm_wait "would not reach what answers"
tm_keys C-u
tm_keys -l "w.certbind.test"
tm_keys Tab Right Right
t_ok "Right twice chooses dns-01, which asks for a hook" \
    tm_wait "DNS hook"
t_match "the key name follows the domain" "$(tm_screen)" \
    'Key name +w\.certbind\.test'
tm_keys Enter
t_ok "without a hook the order is refused" \
    tm_wait "A field is not valid"
tm_keys Tab
tm_keys -l "$ACME_DNS_HOOK"
t_ok "the preflight's verdict is shown" tm_wait "ok: "
tm_keys Enter
t_ok "the order runs to its certificate" tm_wait "has its new certificate"
t_match "with its progress" "$(tm_screen)" \
    'w\.certbind\.test: running the dns-01 hook'
tm_keys Enter
t_ok "the key is ready" tm_wait "has a certificate from the CA"
tm_keys n
t_ok "n goes to the review" tm_wait "review and commit"
tm_keys c
tm_wait "Write " >/dev/null
tm_keys y
t_ok "committed" tm_wait "Walkthrough: done"
t_match "the config has the acme group" "$(cat "$C")" \
    "server = \"$ACME_DIR_URL\""
t_match "and key w.certbind.test with its acme block" "$(cat "$C")" \
    'challenge = "dns-01"'
t_ok "its certificate names the domain" sh -c "openssl x509 -in \
    '$S/$(cert_of w.certbind.test)' -noout -ext subjectAltName | \
    grep -q 'DNS:w.certbind.test'"
tm_keys r
t_ok "r there says why it cannot reload without server.pidfile" \
    tm_wait "cannot find certbindd"
tm_keys q
tm_gone "cannot find certbindd" >/dev/null
tm_keys Enter
tm_gone "Walkthrough:" >/dev/null
t_ok "the keys pane shows the new managed key" \
    tm_wait "ACME RENEW"
tm_keys q
t_ok "quits cleanly" tm_wait "certbind-exit=0"
t_done
