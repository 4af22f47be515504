#!/bin/sh
# Passwords asked on a terminal (in tmux): export asks twice and refuses
# two different answers, import asks once; what is typed is never echoed,
# and a wrong password typed at the prompt writes nothing.

. "$(dirname "$0")/../lib.sh"
for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "passwords on a terminal" "$tool is not installed"
		exit 0
	fi
done
. tests/tui/tmux.sh
. tests/fixtures/mkcert.sh

C=$T/a/certbind.conf
CB=$T/b/certbind.conf
mkcert_ca "$T/ca" root || exit 1
MKCERT_CA=$T/ca/root mkcert_leaf "$T/src" www www.example.com || exit 1
cat "$T/src/www.key" "$T/src/www.pem" >"$T/www.pem"
cb -c "$C" init && cb -c "$C" import "$T/www.pem"
t_is "a key to export" "$rc" 0
cb -c "$CB" init
t_is "a second store" "$rc" 0

# tm_exit: the status certbind exited with, once the pane says it.
tm_exit() {
	tm_wait "certbind-exit=" >/dev/null
	tm_screen | sed -n 's/.*certbind-exit=\([0-9]*\).*/\1/p' | head -n 1
}

# Each run gets a tmux server of its own: restarting one on the same
# socket races with its shutdown.
tm_n=0
run() {
	tm_stop
	tm_n=$((tm_n + 1))
	tm_sock="certbind-test-$$-$tm_n"
	tm_start 80 24 -- "$@"
}

pw='Tr0ub4dor-and-3'
run -c "$C" export www --pkcs12 "$T/www.p12"
t_ok "export asks for the password" tm_wait "PKCS#12 password:"
tm_keys -l "$pw"
tm_keys Enter
t_ok "and asks again" tm_wait "Again:"
tm_keys -l "other"
tm_keys Enter
t_is "two different answers are refused" "$(tm_exit)" 1
t_match "saying so" "$(tm_screen)" 'the two passwords differ'
t_ok "and no file is written" test ! -e "$T/www.p12"

run -c "$C" export www --pkcs12 "$T/www.p12"
tm_wait "PKCS#12 password:" >/dev/null
tm_keys -l "$pw"
tm_keys Enter
tm_wait "Again:" >/dev/null
tm_keys -l "$pw"
tm_keys Enter
t_is "export with the password typed twice" "$(tm_exit)" 0
t_nomatch "the password is not echoed" "$(tm_screen)" "$pw"
printf '%s\n' "$pw" >"$T/pw"
openssl pkcs12 -in "$T/www.p12" -passin "file:$T/pw" -nokeys \
    -out "$T/out.pem" 2>/dev/null
t_is "openssl opens it with that password" "$(mkcert_fpr "$T/out.pem")" \
    "$(mkcert_fpr "$T/src/www.pem")"

s0=$(cat "$CB"; ls -R "$T/b")
run -c "$CB" import "$T/www.p12"
t_ok "import asks for the password" tm_wait "PKCS#12 password:"
tm_keys -l "wrong password"
tm_keys Enter
t_is "a wrong password typed is refused" "$(tm_exit)" 1
t_match "with a message about the password" "$(tm_screen)" '[Pp]assword'
t_is "nothing is written" "$(cat "$CB"; ls -R "$T/b")" "$s0"

run -c "$CB" import "$T/www.p12"
tm_wait "PKCS#12 password:" >/dev/null
tm_keys -l "$pw"
tm_keys Enter
t_is "import with the right password" "$(tm_exit)" 0
t_nomatch "the password is not echoed" "$(tm_screen)" "$pw"
t_is "the same certificate" "$(mkcert_fpr "$T/b/certs/www.pem")" \
    "$(mkcert_fpr "$T/src/www.pem")"

t_done
