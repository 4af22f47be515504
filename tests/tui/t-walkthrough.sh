#!/bin/sh
# The first-time install walkthrough through the real UI in tmux, from a
# config that does not exist yet: a key and request (a bad name refused as
# it is typed), the request shown as plain PEM exactly as in the store
# file, a copy saved, the pending key committed; the CA (certtool) signs;
# a garbage file refused; the answer pasted with bracketed paste; bind,
# the listener it needs, review, commit, the reload command; then check
# free of errors and, when certbindd is built, the new certificate served
# on 127.0.0.2. Last, a PKCS#12 import with its password masked, and an
# encrypted PEM key.

. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh
for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "walkthrough" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

D=$T/etc
C=$D/certbind.conf
mkdir -p "$D"
mkcert_ca "$T/ca" root || exit 1
PORT=$((20000 + $$ % 20000))
BPORT=$((PORT + 1))

# sum: the config and every file of the store, to prove nothing changed.
sum() {
	{ cat "$C" 2>/dev/null; find "$D" -type f ! -name '*.lock' | sort |
	    xargs -r sha256sum; } | sha256sum
}

tm_start 80 24 -- -c "$C"
t_ok "a first start with no keys offers the walkthrough" \
    tm_wait "Start the walkthrough"
tm_keys n
t_ok "n declines it and says how to start it later" \
    tm_wait "w starts the walkthrough"
tm_keys w
t_ok "w opens the walkthrough" tm_wait "What do you want to do?"
tm_keys 2
t_ok "2 asks for the names" tm_wait "Common name"
tm_keys -l 'bad name'
t_ok "a name with a space is refused as it is typed" \
    tm_wait "no spaces or commas here"
tm_keys C-u
tm_keys -l 'site.example.com'
t_ok "a good name clears the message" tm_gone "no spaces or commas here"
t_match "the key name follows the common name" "$(tm_screen)" \
    'Key name +site\.example\.com'
tm_keys Tab Tab
tm_keys -l ', 127.0.0.2'
tm_keys Enter
t_ok "Enter shows the request" tm_wait "-----END CERTIFICATE REQUEST-----"
csr=$D/requests/site.example.com.csr
t_ok "the request is saved in the store" test -f "$csr"
t_is "the key file is mode 600" \
    "$(stat -c %a "$D/keys/site.example.com.key" 2>/dev/null)" 600
# The PEM on the screen, as a terminal's selection would copy it.
tm_screen | sed -n '/-----BEGIN CERTIFICATE REQUEST-----/,/-----END CERTIFICATE REQUEST-----/p' \
    >"$T/screen.csr"
t_ok "the screen shows exactly the request, no border" \
    cmp -s "$T/screen.csr" "$csr"
t_match "the request has the typed names" \
    "$(openssl req -in "$csr" -noout -text 2>&1)" \
    'DNS:site\.example\.com, IP Address:127\.0\.0\.2'
t_ok "nothing is committed yet" test ! -f "$C"

tm_keys s
tm_wait "Save a copy of the request" >/dev/null
tm_keys C-u
tm_keys -l "$T/copy.csr"
tm_keys Enter
t_ok "s saves a copy" tm_wait "Saved the request"
t_ok "the copy is the request" cmp -s "$T/copy.csr" "$csr"

tm_keys c
t_ok "c asks before writing" tm_wait "Write "
tm_keys y
t_ok "the pending key is committed" tm_wait "The pending key is committed"
cb -c "$C" check --offline
t_match "the file has the pending key" "$out" '^info pending site\.example\.com'

# The CA answers.
mkcert_sign_csr "$csr" "$T/ca/root" "$T/answer.pem" || exit 1
tm_keys Enter
t_ok "Enter goes on to install" tm_wait "Paste the certificate"
t_match "the pending key is listed with its age" "$(tm_screen)" \
    'site\.example\.com +\(request made 0 days ago\)'
head -c 1500 /dev/urandom >"$T/garbage.pem"
s0=$(sum)
tm_keys -l "$T/garbage.pem"
tm_keys Enter
t_ok "a garbage file is refused" tm_wait "garbage.pem: "
t_is "and nothing changes" "$(sum)" "$s0"
tm_keys C-u
tm load-buffer "$T/answer.pem"
tm paste-buffer -p
t_ok "a bracketed paste is taken as the certificate" \
    tm_wait "Pasted: $(wc -c <"$T/answer.pem" | tr -d ' ') bytes, 1 certificate"
tm_keys Enter
t_ok "the answer goes on its pending key" \
    tm_wait "Installed on key site.example.com"
t_match "the chain status is shown" "$(tm_screen)" 'chain (in)?complete'

tm_keys Enter
t_ok "Enter opens the bind dialog" tm_wait "Bind a key to an endpoint"
tm_keys C-u
tm_keys -l 127.0.0.2
tm_keys Tab C-u
tm_keys -l "$PORT"
tm_keys Enter
t_ok "a binding without a listener asks for one" \
    tm_wait "does not listen on 127.0.0.2:$PORT"
tm_keys C-u
tm_keys -l "127.0.0.1:$BPORT"
tm_keys Enter
t_ok "the review shows who will serve what" \
    tm_wait "127.0.0.2:$PORT (new listener): nothing -> site.example.com"
tm_keys c
tm_wait "Write " >/dev/null
tm_keys y
t_ok "after the commit, the reload command" \
    tm_wait "kill -HUP \$(pidof certbindd)"
t_match "both ways to reload are shown" "$(tm_screen)" \
    'systemctl reload certbindd'

cb -c "$C" check --offline
t_nomatch "check shows no error" "$out" '^error '
t_is "check exits 0" "$rc" 0
cb -c "$C" resolve "127.0.0.2:$PORT"
t_match "resolve names the new key" "$out" '^site\.example\.com '
t_is "the store holds the CA's answer" \
    "$(mkcert_fpr "$D/certs/site.example.com.pem")" \
    "$(mkcert_fpr "$T/answer.pem")"

if [ -x "$CERTBINDD" ] && command -v python3 >/dev/null 2>&1; then
	. tests/server/srvlib.sh
	srv_backend "$BPORT"
	if srv_start "$C"; then
		t_is "certbindd serves the new certificate on 127.0.0.2" \
		    "$(srv_fpr 127.0.0.2 "$PORT")" "$(mkcert_fpr "$T/answer.pem")"
	else
		t_fail "certbindd starts" "$(tail -n 20 "$srv_log")"
	fi
	srv_cleanup
else
	t_skip "certbindd serves the new certificate" "certbindd or python3 missing"
fi

# An import: the password is masked as it is typed.
MKCERT_CA=$T/ca/root mkcert_leaf "$T/src" other other.example.com || exit 1
mkcert_p12 "$T/src" other 'Sesame-42' || exit 1
tm_keys Enter
tm_gone "Walkthrough: done" >/dev/null
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 4
t_ok "4 asks for a file to import" tm_wait "PEM or PKCS#12"
tm_keys -l "$T/src/other.p12"
tm_wait "other.p12" >/dev/null
t_match "the key name follows the file name" "$(tm_screen)" \
    'Key name +other '
tm_keys Tab Tab
tm_keys -l 'Xyzzy77'
tm_keys Enter
t_ok "a wrong password is refused" tm_wait "assword"
t_nomatch "the password typed is not shown" "$(tm_screen)" 'Xyzzy77'
tm_keys C-u
tm_keys -l 'Sesame-42'
t_nomatch "the password is shown as stars" "$(tm_screen)" 'Sesame'
tm_keys Enter
t_ok "the right password imports" tm_wait "Imported as key other"
t_is "the imported certificate" \
    "$(mkcert_fpr "$D/certs/other.pem")" "$(mkcert_fpr "$T/src/other.pem")"
t_is "its key file is mode 600" "$(stat -c %a "$D/keys/other.key")" 600

# An encrypted PEM key with its certificate, through the same field.
MKCERT_CA=$T/ca/root mkcert_leaf "$T/src" enc enc.example.com || exit 1
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T/src/enc.key" \
    -passout pass:Sesame-42 -out "$T/src/enc-p8.key" 2>/dev/null
cat "$T/src/enc-p8.key" "$T/src/enc.pem" >"$T/src/sealed.pem"
tm_keys Escape
tm_gone "Walkthrough:" >/dev/null
tm_keys w
tm_wait "What do you want to do?" >/dev/null
tm_keys 4
tm_wait "PEM or PKCS#12" >/dev/null
tm_keys -l "$T/src/sealed.pem"
tm_wait "sealed.pem" >/dev/null
tm_keys Tab Tab
tm_keys -l 'Sesame-42'
tm_keys Enter
t_ok "an encrypted PEM key imports with its password" \
    tm_wait "Imported as key sealed"
t_is "the same key, stored decrypted" \
    "$(openssl pkey -in "$D/keys/sealed.key" -pubout 2>/dev/null)" \
    "$(openssl pkey -in "$T/src/enc.key" -pubout 2>/dev/null)"

# Leave without committing the imports: q asks, y leaves.
tm_keys Escape
tm_gone "Walkthrough:" >/dev/null
tm_keys q
t_ok "q asks about the uncommitted import" tm_wait "Quit without committing"
tm_keys y
t_ok "certbind exits 0" tm_wait "certbind-exit=0"

t_done
