#!/bin/sh
# Moving keys between servers: export as PKCS#12 and PEM (files mode 0600,
# never overwritten without --force), import into another store (the same
# certificate, by openssl's fingerprint, and the same key), a PKCS#12 made
# by openssl, a PEM key and chain in one file, an encrypted PEM key (PKCS#8
# and OpenSSL's traditional form), and the refusals: a wrong
# password, a key alone, a certificate alone, a key that does not belong
# to the certificate. Every refusal leaves config and store unchanged.

. "$(dirname "$0")/../lib.sh"

for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "PKCS#12 and PEM import and export" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

CA=$T/ca
mkcert_ca "$CA" root || exit 1
MKCERT_CA=$CA/root mkcert_leaf "$T/src" www www.example.com \
    dns:www.example.com || exit 1
MKCERT_CA=$CA/root mkcert_leaf "$T/src" other other.example.com || exit 1
fpr=$(mkcert_fpr "$T/src/www.pem")

A=$T/a C=$T/a/certbind.conf
B=$T/b CB=$T/b/certbind.conf
state() {
	{ cat "$CB"; find "$B" -type f | sort | xargs -r sha256sum; } |
	    sha256sum
}
pubkey_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
conf_key() {
	tr -d '\n' <"$2" | sed -n "s/.*{ *name *= *\"$1\" *;\\([^}]*\\)}.*/\\1/p" |
	    sed -n "s/.*$3 *= *\"\\([^\"]*\\)\".*/\\1/p"
}

cb -c "$C" init
t_is "init the first store" "$rc" 0
cb -c "$CB" init
t_is "init the second store" "$rc" 0

# A PEM file with key and certificate: the first store's key.
cat "$T/src/www.key" "$T/src/www.pem" >"$T/www-both.pem"
cb -c "$C" import "$T/www-both.pem" --name www
t_is "import of a PEM key and certificate exits 0" "$rc" 0
t_is "the certificate is the one imported" \
    "$(mkcert_fpr "$A/$(conf_key www "$C" cert)")" "$fpr"
t_is "the key is the one imported" \
    "$(pubkey_of_key "$A/$(conf_key www "$C" key)")" \
    "$(pubkey_of_key "$T/src/www.key")"
t_is "the key file is mode 600" \
    "$(stat -c %a "$A/$(conf_key www "$C" key)")" 600

# Export.
printf 'correct horse\n' >"$T/pw"
chmod 600 "$T/pw"
(umask 000 && $CERTBIND -c "$C" export www --pkcs12 "$T/www.p12" \
    --password-file "$T/pw" >"$T/.out" 2>"$T/.err")
t_is "export --pkcs12 exits 0" "$?" 0
t_is "the PKCS#12 file is mode 600 under umask 000" \
    "$(stat -c %a "$T/www.p12")" 600
openssl pkcs12 -in "$T/www.p12" -passin "file:$T/pw" -nokeys \
    -out "$T/p12-certs.pem" 2>/dev/null
t_is "openssl reads the same certificate out of it" \
    "$(mkcert_fpr "$T/p12-certs.pem")" "$fpr"
openssl pkcs12 -in "$T/www.p12" -passin "file:$T/pw" -nocerts -nodes \
    -out "$T/p12-key.pem" 2>/dev/null
t_is "and the same key" "$(pubkey_of_key "$T/p12-key.pem")" \
    "$(pubkey_of_key "$T/src/www.key")"
rm -f "$T/p12-key.pem"

sum=$(cksum <"$T/www.p12")
cb -c "$C" export www --pkcs12 "$T/www.p12" --password-file "$T/pw"
t_is "export never overwrites without --force" "$rc" 1
t_is "the file is unchanged" "$(cksum <"$T/www.p12")" "$sum"
cb -c "$C" export www --pkcs12 "$T/www.p12" --password-file "$T/pw" --force
t_is "with --force it is replaced" "$rc" 0
t_is "still mode 600" "$(stat -c %a "$T/www.p12")" 600
ln -s "$T/victim" "$T/link.p12"
echo precious >"$T/victim"
cb -c "$C" export www --pkcs12 "$T/link.p12" --password-file "$T/pw" --force
t_is "export --force never writes through a symbolic link" "$rc" 1
t_is "the link's target is untouched" "$(cat "$T/victim")" precious

(umask 000 && $CERTBIND -c "$C" export www --pem "$T/www-out.pem" \
    >"$T/.out" 2>"$T/.err")
t_is "export --pem exits 0" "$?" 0
t_is "the PEM file is mode 600 under umask 000" \
    "$(stat -c %a "$T/www-out.pem")" 600
t_is "it holds the key" "$(pubkey_of_key "$T/www-out.pem")" \
    "$(pubkey_of_key "$T/src/www.key")"
t_is "and the certificate" "$(mkcert_fpr "$T/www-out.pem")" "$fpr"
t_is "nothing on stdout" "$(cat "$T/.out")" ""

cb -c "$C" export www --pem "$T/x.pem" --pkcs12 "$T/x.p12"
t_is "--pem and --pkcs12 together is a usage error" "$rc" 2

# Import into the second store.
printf 'wrong\n' >"$T/badpw"
s0=$(state)
cb -c "$CB" import "$T/www.p12" --password-file "$T/badpw"
t_is "a wrong password is refused" "$rc" 1
t_match "with a message about the password" "$err" '[Pp]assword'
t_is "config and store unchanged" "$(state)" "$s0"

cb -c "$CB" import "$T/www.p12"
t_is "no password and no terminal is refused" "$rc" 1
t_match "with the way to give one" "$err" 'password-file'
t_is "config and store unchanged" "$(state)" "$s0"

cb -c "$CB" import "$T/www.p12" --password-file "$T/pw"
t_is "import of certbind's PKCS#12 exits 0" "$rc" 0
t_is "the default name is the file's" "$(conf_key www "$CB" cert)" \
    certs/www.pem
t_is "same certificate in the second store" \
    "$(mkcert_fpr "$B/certs/www.pem")" "$fpr"
t_is "same key in the second store" \
    "$(pubkey_of_key "$B/keys/www.key")" "$(pubkey_of_key "$T/src/www.key")"
t_is "key file mode 600" "$(stat -c %a "$B/keys/www.key")" 600

mkcert_p12 "$T/src" other "s3cret" || exit 1
printf 's3cret' >"$T/pw2"
cb -c "$CB" import "$T/src/other.p12" --name other --password-file "$T/pw2"
t_is "import of openssl's PKCS#12 exits 0" "$rc" 0
t_is "its certificate" "$(mkcert_fpr "$B/$(conf_key other "$CB" cert)")" \
    "$(mkcert_fpr "$T/src/other.pem")"

s0=$(state)
cb -c "$CB" import "$T/src/www.p12" --name again --password-file "$T/pw"
t_not "a missing file is refused" test "$rc" -eq 0
cb -c "$CB" import "$T/www.p12" --password-file "$T/pw"
t_is "a second key named www is refused" "$rc" 1
cb -c "$CB" import "$T/src/www.key" --name keyonly
t_is "a key alone is refused" "$rc" 1
t_match "saying there is no certificate" "$err" 'no certificate'
cb -c "$CB" import "$T/src/www.pem" --name certonly
t_is "a certificate alone is refused" "$rc" 1
t_match "saying there is no key" "$err" 'no private key'
cat "$T/src/other.key" "$T/src/www.pem" >"$T/mismatch.pem"
cb -c "$CB" import "$T/mismatch.pem"
t_is "a key that does not belong to the certificate is refused" "$rc" 1
t_match "saying so" "$err" 'does not belong'
head -c 1500 /dev/urandom >"$T/garbage.p12"
cb -c "$CB" import "$T/garbage.p12" --password-file "$T/pw"
t_is "garbage is refused" "$rc" 1
t_is "config and store unchanged after every refusal" "$(state)" "$s0"

# An encrypted PEM key with its certificate, made by openssl: PKCS#8
# (PBES2, AES-256) and OpenSSL's traditional "Proc-Type: 4,ENCRYPTED".
# The store keeps the key decrypted, mode 0600, as certbindd reads it.
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T/src/other.key" \
    -passout "file:$T/pw" -out "$T/other-p8.key" 2>/dev/null
cat "$T/other-p8.key" "$T/src/other.pem" >"$T/other-p8.pem"
openssl ec -in "$T/src/other.key" -aes256 -passout "file:$T/pw" \
    -out "$T/other-trad.key" 2>/dev/null
cat "$T/other-trad.key" "$T/src/other.pem" >"$T/other-trad.pem"
t_match "fixture: a PKCS#8 encrypted key" "$(head -n 1 "$T/other-p8.key")" \
    'BEGIN ENCRYPTED PRIVATE KEY'
t_match "fixture: a traditional encrypted key" \
    "$(sed -n 2p "$T/other-trad.key")" 'Proc-Type: 4,ENCRYPTED'
s0=$(state)
cb -c "$CB" import "$T/other-p8.pem" --name p8 </dev/null
t_is "encrypted PEM key, no password and no terminal: refused" "$rc" 1
t_match "saying it is encrypted and how to give the password" "$err" \
    'encrypted private key.*password-file'
cb -c "$CB" import "$T/other-p8.pem" --name p8 --password-file "$T/badpw"
t_is "encrypted PEM key, wrong password: refused" "$rc" 1
t_match "saying the password is wrong" "$err" 'wrong password'
cb -c "$CB" import "$T/other-trad.pem" --name trad --password-file "$T/badpw"
t_is "traditional encrypted key, wrong password: refused" "$rc" 1
t_is "config and store unchanged" "$(state)" "$s0"
for f in p8 trad; do
	cb -c "$CB" import "$T/other-$f.pem" --name "$f" --password-file "$T/pw"
	t_is "encrypted key ($f) with its password: imported" "$rc" 0
	t_is "($f) the same key, now decrypted" \
	    "$(pubkey_of_key "$B/keys/$f.key")" \
	    "$(pubkey_of_key "$T/src/other.key")"
	t_nomatch "($f) the stored key is not encrypted" \
	    "$(head -n 2 "$B/keys/$f.key")" 'ENCRYPTED'
	t_is "($f) mode 600" "$(stat -c %a "$B/keys/$f.key")" 600
done

t_done
