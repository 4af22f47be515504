#!/bin/sh
# The key lifecycle from the command line, the way a first-time user goes:
# init, request (under umask 000), the CA signs the request with certtool,
# install, listen, bind, check free of errors; then the chain completed
# from the store, a certificate that matches no pending key, truncated and
# garbage PEM (refused, config and store unchanged), a request that fails
# half way (nothing left behind), selfsign, and renew with its one-step
# install.
#
# What a test expects comes from certtool and openssl (tests/fixtures/
# mkcert.sh), never from certbind's own output.

. "$(dirname "$0")/../lib.sh"

for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "key lifecycle" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

S=$T/store
C=$T/etc/certbind.conf
CA=$T/ca
mkcert_ca "$CA" root || exit 1
mkcert_intermediate "$CA" inter "$CA/root" || exit 1

# A port from the test's PID, so that parallel runs differ.
PORT=$((20000 + $$ % 20000))

# state: a checksum of the config and a listing of the store, to prove
# that a refused command wrote nothing.
state() {
	{
		cat "$C" 2>/dev/null
		find "$S" -type f | sort | xargs -r sha256sum
	} | sha256sum
}
# pubkey FILE: the public key of a key, request or certificate, by openssl.
pubkey_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
pubkey_of_csr() { openssl req -in "$1" -noout -pubkey 2>/dev/null; }
pubkey_of_crt() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }
# ncerts FILE: how many PEM certificates a file holds.
ncerts() { grep -c -- '-----BEGIN CERTIFICATE-----' "$1"; }
# conf_key NAME FIELD: a field of a key record, read with sed from the file.
conf_key() {
	tr -d '\n' <"$C" | sed -n "s/.*{ *name *= *\"$1\" *;\\([^}]*\\)}.*/\\1/p" |
	    sed -n "s/.*$2 *= *\"\\([^\"]*\\)\".*/\\1/p"
}

# --- init ---------------------------------------------------------------
cb -c "$C" init --store "$S"
t_is "init exits 0" "$rc" 0
t_ok "init made the config" test -f "$C"
t_is "init: keys/ is mode 700" "$(stat -c %a "$S/keys" 2>/dev/null)" 700
t_ok "init made certs/ and requests/" test -d "$S/certs" -a -d "$S/requests"
before=$(cksum <"$C")
cb -c "$C" init --store "$S"
t_is "a second init is refused (exit 1)" "$rc" 1
t_match "the refusal names the file" "$err" "already exists"
t_is "the config is unchanged" "$(cksum <"$C")" "$before"

# --- request under umask 000 -------------------------------------------
(umask 000 && $CERTBIND -c "$C" request www --cn www.example.com \
    --san www.example.com --san 127.0.0.2 >"$T/www.csr" 2>"$T/req.err")
rc=$?
t_is "request exits 0" "$rc" 0
t_is "stdout starts with the PEM header" "$(head -n 1 "$T/www.csr")" \
    "-----BEGIN CERTIFICATE REQUEST-----"
# RFC 7468: generators write CERTIFICATE REQUEST, not the older
# NEW CERTIFICATE REQUEST that GnuTLS's own PEM export says.
t_nomatch "the PEM label is RFC 7468's" "$(cat "$T/www.csr")" 'NEW CERTIFICATE'
t_ok "openssl reads the request" openssl req -in "$T/www.csr" -noout
t_nomatch "stdout holds nothing but the PEM" \
    "$(sed '/-----BEGIN CERTIFICATE REQUEST-----/,/-----END CERTIFICATE REQUEST-----/d' "$T/www.csr")" '.'
t_is "stdout is one request" \
    "$(grep -c -- '-----BEGIN' "$T/www.csr")" 1
t_match "the request's subject" \
    "$(openssl req -in "$T/www.csr" -noout -subject 2>&1)" \
    'CN ?= ?www\.example\.com'
t_match "the request asks for the IP SAN" \
    "$(openssl req -in "$T/www.csr" -noout -text 2>&1)" \
    'IP Address:127\.0\.0\.2'
keyfile=$S/$(conf_key www key)
t_is "the config records keys/www.key" "$(conf_key www key)" keys/www.key
t_is "the key is pending: it has no cert" "$(conf_key www cert)" ""
t_is "the key file is mode 600 under umask 000" \
    "$(stat -c %a "$keyfile" 2>/dev/null)" 600
t_ok "the request in the store is the one printed" \
    cmp -s "$T/www.csr" "$S/$(conf_key www request)"
t_is "the request's public key is the key file's" \
    "$(pubkey_of_csr "$T/www.csr")" "$(pubkey_of_key "$keyfile")"
t_nomatch "no private key on stderr" "$(cat "$T/req.err")" 'PRIVATE KEY'
cb -c "$C" check --offline
t_match "check reports the pending key" "$out" '^info pending www'

cb -c "$C" request www --cn other.example.com
t_is "a second request www is refused" "$rc" 1
t_is "and prints nothing on stdout" "$out" ""

# --- the CA's answer ------------------------------------------------------
mkcert_sign_csr "$T/www.csr" "$CA/root" "$T/www.pem" || exit 1
fpr=$(mkcert_fpr "$T/www.pem")
cb -c "$C" install "$T/www.pem"
t_is "install exits 0" "$rc" 0
t_is "the key now has certs/www.pem" "$(conf_key www cert)" certs/www.pem
t_is "the installed certificate is the CA's answer" \
    "$(mkcert_fpr "$S/certs/www.pem")" "$fpr"
t_match "install says the chain status" "$err" 'chain (complete|incomplete)'
t_nomatch "install prints no private key" "$out$err" 'PRIVATE KEY'

cb -c "$C" bind www "127.0.0.2:$PORT"
t_is "bind exits 0" "$rc" 0
cb -c "$C" listen "127.0.0.2:$PORT" --backend "127.0.0.1:$PORT"
t_is "listen exits 0" "$rc" 0
cb -c "$C" check --offline
t_is "check exits 0 after the whole flow" "$rc" 0
t_nomatch "check shows no error" "$out" '^error '
cb -c "$C" resolve "127.0.0.2:$PORT"
t_match "resolve names www" "$out" '^www'

# --- the chain, completed from the store's certs/ -------------------------
cb -c "$C" request api --cn api.example.com --san api.example.com
mv "$T/.out" "$T/api.csr"
t_is "request api exits 0" "$rc" 0
mkcert_sign_csr "$T/api.csr" "$CA/inter" "$T/api.pem" || exit 1
cp "$CA/inter.pem" "$S/certs/intermediate.pem"
$CERTBIND -c "$C" install - <"$T/api.pem" >/dev/null 2>&1
t_is "install - reads the answer from standard input" "$?" 0
t_is "the chain in certs/api.pem has leaf and intermediate" \
    "$(ncerts "$S/certs/api.pem")" 2
sed -n '/-----END CERTIFICATE-----/,$p' "$S/certs/api.pem" |
    sed 1d >"$T/api-second.pem"
t_is "the second certificate is the intermediate" \
    "$(mkcert_fpr "$T/api-second.pem")" "$(mkcert_fpr "$CA/inter.pem")"

# --- refusals: nothing written --------------------------------------------
cb -c "$C" request db --cn db.example.com
t_is "request db (stays pending) exits 0" "$rc" 0
printf '%s\n' "$out" >"$T/db.csr"
t_match "without --san the CN is the alternative name" \
    "$(openssl req -in "$T/db.csr" -noout -text 2>&1)" 'DNS:db\.example\.com'
MKCERT_CA=$CA/root mkcert_leaf "$T/other" stranger stranger.example.com ||
    exit 1
s0=$(state)
cb -c "$C" install "$T/other/stranger.pem"
t_is "a certificate matching no pending key is refused (exit 1)" "$rc" 1
t_match "the refusal says so" "$err" 'matches no pending key'
t_match "the refusal lists the pending keys" "$err" 'pending keys: db'
t_is "config and store unchanged" "$(state)" "$s0"

cb -c "$C" install "$T/www.pem"
t_is "the certificate of an installed key is refused" "$rc" 1
t_match "saying it is installed there already (not: run with --name)" \
    "$err" "installed on key 'www' already"
t_is "config and store unchanged" "$(state)" "$s0"

cb -c "$C" install --name db "$T/www.pem"
t_is "a certificate named onto a key it does not belong to is refused" \
    "$rc" 1
t_match "saying it does not belong" "$err" 'does not belong to key .db'
t_is "config and store unchanged" "$(state)" "$s0"

head -c 300 "$T/www.pem" >"$T/truncated.pem"
cb -c "$C" install "$T/truncated.pem"
t_is "a truncated PEM is refused" "$rc" 1
t_match "with a message naming the file" "$err" 'truncated\.pem'
t_is "config and store unchanged" "$(state)" "$s0"

head -c 2000 /dev/urandom >"$T/garbage.pem"
cb -c "$C" install "$T/garbage.pem"
t_is "garbage is refused" "$rc" 1
t_match "with a message naming the file" "$err" 'garbage\.pem'
t_is "config and store unchanged" "$(state)" "$s0"

cb -c "$C" install "$T/nonexistent.pem"
t_not "a missing file is refused" test "$rc" -eq 0
t_is "config and store unchanged" "$(state)" "$s0"

# A request whose commit fails leaves nothing behind: rename() onto the
# config is made to fail (an LD_PRELOAD shim, so the save fails before the
# new file is in place).
cat >"$T/failrename.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
int
rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	size_t n = strlen(to);

	if (n > 5 && strcmp(to + n - 5, ".conf") == 0) {
		errno = EIO;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT,
		    "rename");
	return real(from, to);
}
EOF
if ${CC:-cc} -shared -fPIC -o "$T/failrename.so" "$T/failrename.c" -ldl \
    2>/dev/null; then
	s0=$(state)
	LD_PRELOAD=$T/failrename.so $CERTBIND -c "$C" request half \
	    --cn half.example.com >"$T/.out" 2>"$T/.err"
	rc=$?
	t_not "a request whose save fails exits non-zero" test "$rc" -eq 0
	t_ok "it removes its key" test ! -e "$S/keys/half.key"
	t_ok "and its request" test ! -e "$S/requests/half.csr"
	t_is "and prints no request" "$(cat "$T/.out")" ""
	t_is "config and store unchanged" "$(state)" "$s0"
else
	t_skip "a request whose save fails leaves nothing" "no C compiler"
fi

# A save that fails after the new file is in place (the backup path is a
# directory) must not remove the files the new file refers to.
[ -f "$C.bak" ] && mv "$C.bak" "$C.bak.keep"
mkdir "$C.bak" && touch "$C.bak/x"
cb -c "$C" request half2 --cn half2.example.com
rm -rf "$C.bak"
[ -f "$C.bak.keep" ] && mv "$C.bak.keep" "$C.bak"
cb -c "$C" check --offline
t_nomatch "whatever the save did, the config and the files agree" "$out" \
    '^error missing-file half2'
s0=$(state)

cb -c "$C" install --name www "$T/www.pem"
t_is "the same certificate twice on its key is refused" "$rc" 1
t_is "config and store unchanged" "$(state)" "$s0"

# The CA may answer in DER.
mkcert_sign_csr "$S/$(conf_key db request)" "$CA/root" "$T/db.pem" || exit 1
mkcert_der "$T/db.pem" "$T/db.der" || exit 1
cb -c "$C" install "$T/db.der"
t_is "a DER answer installs" "$rc" 0
t_is "on the key it belongs to" "$(mkcert_fpr "$S/$(conf_key db cert)")" \
    "$(mkcert_fpr "$T/db.pem")"

cb -c "$C" request bad --cn www.example.com --key-type dsa-512
t_is "an unknown key type is refused" "$rc" 2
t_ok "and makes no key file" test ! -e "$S/keys/bad.key"
cb -c "$C" request '../evil' --cn www.example.com
t_not "a name with a slash is refused" test "$rc" -eq 0
t_ok "and makes no file outside keys/" test ! -e "$S/evil.key"

# With a group for certbindd in the config, key files are 0640 and owned
# by that group; without one they stay 0600 (above).
if getent group daemon >/dev/null 2>&1; then
	G=$T/grp
	mkdir -p "$G"
	printf 'version = 1;\nstore = "%s";\nserver = { group = "daemon"; };\n' \
	    "$G" >"$G/certbind.conf"
	(umask 077 && $CERTBIND -c "$G/certbind.conf" request g \
	    --cn g.example.com >/dev/null 2>&1)
	t_is "with server.group the key file is 640 and the group's" \
	    "$(stat -c '%a %G' "$G/keys/g.key" 2>/dev/null)" "640 daemon"
	cb -c "$G/certbind.conf" check --offline
	t_nomatch "and check finds no key-permissions problem" "$out" \
	    'key-permissions'
else
	t_skip "key files for a group" "no group 'daemon' here"
fi

# --- selfsign ---------------------------------------------------------------
(umask 000 && $CERTBIND -c "$C" selfsign test --cn test.example.com \
    --san test.example.com --days 10 >"$T/.out" 2>"$T/.err")
t_is "selfsign exits 0" "$?" 0
t_is "selfsign writes nothing on stdout" "$(cat "$T/.out")" ""
tc=$S/$(conf_key test cert)
t_is "selfsign's key is mode 600 under umask 000" \
    "$(stat -c %a "$S/$(conf_key test key)" 2>/dev/null)" 600
t_is "the certificate is self-signed (issuer = subject)" \
    "$(openssl x509 -in "$tc" -noout -issuer | sed 's/^issuer=//')" \
    "$(openssl x509 -in "$tc" -noout -subject | sed 's/^subject=//')"
t_ok "it is valid for 9 more days" \
    openssl x509 -in "$tc" -noout -checkend $((9 * 86400))
t_not "but not for 11" \
    openssl x509 -in "$tc" -noout -checkend $((11 * 86400))
t_is "its public key is the key file's" "$(pubkey_of_crt "$tc")" \
    "$(pubkey_of_key "$S/$(conf_key test key)")"
cb -c "$C" selfsign test2 --cn test.example.com --days 0
t_is "--days 0 is refused" "$rc" 2

# --- renew -------------------------------------------------------------------
oldkey=$(conf_key www key)
cb -c "$C" renew www
t_is "renew exits 0" "$rc" 0
printf '%s\n' "$out" >"$T/renew.csr"
t_match "renew prints a request" "$out" 'BEGIN CERTIFICATE REQUEST'
t_match "with the certificate's subject" \
    "$(openssl req -in "$T/renew.csr" -noout -subject 2>&1)" \
    'CN ?= ?www\.example\.com'
t_match "and its names" \
    "$(openssl req -in "$T/renew.csr" -noout -text 2>&1)" \
    'IP Address:127\.0\.0\.2'
t_is "the renewal is pending as www-renew" "$(conf_key www-renew cert)" ""
t_ok "www-renew has a request" test -n "$(conf_key www-renew request)"
t_is "www keeps its key meanwhile" "$(conf_key www key)" "$oldkey"
t_not "a new key, not the old one" test \
    "$(pubkey_of_csr "$T/renew.csr")" = "$(pubkey_of_key "$S/$oldkey")"
cb -c "$C" renew www
t_is "a second renew is refused while one is pending" "$rc" 1

mkcert_sign_csr "$T/renew.csr" "$CA/root" "$T/renew.pem" || exit 1
cb -c "$C" install "$T/renew.pem"
t_is "installing the renewal exits 0" "$rc" 0
t_match "it shows the binding that now serves it" "$err" \
    "www 127\\.0\\.0\\.2:$PORT"
t_is "www-renew is gone" "$(grep -c '"www-renew"' "$C")" 0
t_is "www serves the new certificate" \
    "$(mkcert_fpr "$S/$(conf_key www cert)")" "$(mkcert_fpr "$T/renew.pem")"
t_is "with the new key" "$(pubkey_of_key "$S/$(conf_key www key)")" \
    "$(pubkey_of_crt "$T/renew.pem")"
cb -c "$C" resolve "127.0.0.2:$PORT"
t_match "the binding still resolves to www" "$out" '^www'
cb -c "$C" check --offline
t_nomatch "check shows no error after the renewal" "$out" '^error '
t_ok "the old key file is kept" test -f "$S/$oldkey"

t_done
