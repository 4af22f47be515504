#!/bin/sh
# The changed-on-disk check from the command line: a command that read
# the config, then waited (import asking for a password on a terminal,
# in tmux) while another command changed the file, refuses to overwrite
# that change: exit 1, the file as the other command left it, and the
# files import had made removed again. Run again, it succeeds.

. "$(dirname "$0")/../lib.sh"
for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "a file changed while a command waits" "$tool is not installed"
		exit 0
	fi
done
. tests/tui/tmux.sh
. tests/fixtures/mkcert.sh

C=$T/a/certbind.conf
mkcert_ca "$T/ca" root || exit 1
MKCERT_CA=$T/ca/root mkcert_leaf "$T/src" www www.example.com || exit 1
pw='c0rrect-h0rse'
printf '%s\n' "$pw" >"$T/pw"
openssl pkcs12 -export -inkey "$T/src/www.key" -in "$T/src/www.pem" \
    -passout "file:$T/pw" -out "$T/www.p12" 2>/dev/null
t_ok "a PKCS#12 file to import" test -s "$T/www.p12"
cb -c "$C" init
t_is "a store" "$rc" 0
cb -c "$C" selfsign k --cn k.example
t_is "a key to bind" "$rc" 0

tm_exit() {
	tm_wait "certbind-exit=" >/dev/null
	tm_screen | sed -n 's/.*certbind-exit=\([0-9]*\).*/\1/p' | head -n 1
}
store_files() { (cd "$T/a" && find keys certs requests -type f | sort); }

files0=$(store_files)
tm_start 100 24 -- -c "$C" import "$T/www.p12"
t_ok "import has read the config and asks for the password" \
    tm_wait "PKCS#12 password:"
# Meanwhile another command changes the file; import holds no lock yet.
cb -c "$C" bind k 127.0.0.2:8443
t_is "another command changes the file meanwhile" "$rc" 0
cp "$C" "$T/other.conf"
tm_keys -l "$pw"
tm_keys Enter
t_is "import refuses to overwrite the change (exit 1)" "$(tm_exit)" 1
t_match "saying the file changed" "$(tm_screen | tr -d '\n')" \
    'changed on disk since it was read'
t_ok "the file is as the other command left it" cmp "$C" "$T/other.conf"
t_is "the files import made are gone" "$(store_files)" "$files0"
t_ok "no lock is left behind" test ! -e "$C.lock"

tm_start 100 24 -- -c "$C" import "$T/www.p12"
tm_wait "PKCS#12 password:" >/dev/null
tm_keys -l "$pw"
tm_keys Enter
t_is "run again, import succeeds" "$(tm_exit)" 0
t_match "keeping the other command's change" "$(cat "$C")" '127\.0\.0\.2:8443'
t_match "and adding the key" "$(cat "$C")" 'name = "www"'

t_done
