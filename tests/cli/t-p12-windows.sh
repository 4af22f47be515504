#!/bin/sh
# PKCS#12 for Windows and passwords from pipes (issue 14): export --legacy
# makes the 3DES / SHA-1 MAC file that Windows Server 2016 and older can
# read, with a friendly name; the default stays AES-256 / SHA-256. A
# password comes from standard input (--password-file -), from a
# descriptor (--password-fd N), or from a shell's <(...) (/dev/fd/N).
# openssl reads every file, so what is checked is not certbind's opinion.

. "$(dirname "$0")/../lib.sh"

for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "PKCS#12 for Windows" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

S=$T/store C=$T/store/certbind.conf
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
t_is "selfsign www" "$rc" 0 "$err"
fpr=$(mkcert_fpr "$S/certs/www.pem")
p12info() { openssl pkcs12 -in "$1" -info -noout -passin "pass:$2" 2>&1; }

# --legacy, the password on standard input.
printf 'horse\n' | $CERTBIND -c "$C" export www --pkcs12 "$T/legacy.p12" \
    --legacy --friendly-name "Shop 2026" --password-file - \
    >"$T/.out" 2>"$T/.err"
t_is "export --legacy with the password on stdin exits 0" "$?" 0 \
    "$(cat "$T/.err")"
info=$(p12info "$T/legacy.p12" horse)
t_match "its MAC is SHA-1" "$info" '^MAC: sha1'
t_match "its key is 3DES-encrypted" "$info" \
    'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC'
t_match "so are its certificates" "$info" \
    'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC'
t_match "it carries the friendly name" \
    "$(openssl pkcs12 -in "$T/legacy.p12" -nokeys -passin pass:horse 2>&1)" \
    'friendlyName: Shop 2026'
t_is "openssl reads the certificate from it" \
    "$(openssl pkcs12 -in "$T/legacy.p12" -nokeys -passin pass:horse \
    2>/dev/null | openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//' |
    tr 'A-F' 'a-f')" "$fpr"

# The default: AES-256, SHA-256; the password from descriptor 3.
$CERTBIND -c "$C" export www --pkcs12 "$T/modern.p12" --password-fd 3 \
    3<<EOF2 >"$T/.out" 2>"$T/.err"
battery
EOF2
t_is "export with --password-fd 3 exits 0" "$?" 0 "$(cat "$T/.err")"
info=$(p12info "$T/modern.p12" battery)
t_match "the default MAC is SHA-256" "$info" '^MAC: sha256'
t_match "the default key encryption is AES-256" "$info" \
    'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC'
t_match "the friendly name defaults to the key's name" \
    "$(openssl pkcs12 -in "$T/modern.p12" -nokeys -passin pass:battery 2>&1)" \
    'friendlyName: www'

# Import it back with the password from a shell's <(...), if there is bash.
if command -v bash >/dev/null 2>&1; then
	# $0 unquoted: CERTBIND may be a command with words (valgrind ...).
	bash -c '$0 -c "$1" import "$2" --name back --password-file <(echo battery)' \
	    "$CERTBIND" "$C" "$T/modern.p12" >"$T/.out" 2>"$T/.err"
	t_is "import with --password-file <(...) (/dev/fd/N) exits 0" "$?" 0 \
	    "$(cat "$T/.err")"
	t_match "importing www's certificate again warns, naming www" \
	    "$(cat "$T/.err")" \
	    "installed as key 'www' already: 'back' holds the same one \\(certbind remove back undoes this import\\)"
else
	t_skip "import with --password-file <(...)" "bash is not installed"
fi
printf 'horse\n' | $CERTBIND -c "$C" import "$T/legacy.p12" --name old \
    --password-file - >"$T/.out" 2>"$T/.err"
t_is "the legacy file imports with the password on stdin" "$?" 0 \
    "$(cat "$T/.err")"
cb -c "$C" list
t_match "the imported key serves the same certificate" \
    "$(mkcert_fpr "$S/certs/old.pem")" "^$fpr\$"

# import --replace (issue 14): a renewed PFX goes onto the key it renews,
# which keeps its name and bindings.
mkcert_leaf "$T/src" renewed www.example.com dns:www.example.com
openssl pkcs12 -export -inkey "$T/src/renewed.key" -in "$T/src/renewed.pem" \
    -passout pass:pw -out "$T/renewed.p12" 2>/dev/null
cb -c "$C" bind www 127.0.0.2:8443 --force
printf 'pw\n' | $CERTBIND -c "$C" import "$T/renewed.p12" --name www \
    --replace --password-file - >"$T/.out" 2>"$T/.err"
t_is "import --replace exits 0" "$?" 0 "$(cat "$T/.err")"
t_match "it says the bindings serve the new certificate" "$(cat "$T/.err")" \
    "key 'www' replaced, its bindings serve the new certificate"
cb -c "$C" resolve 127.0.0.2:8443
t_match "www is still bound there" "$out" '^www '
t_is "and its certificate is the renewed one" \
    "$(mkcert_fpr "$S/$(sed -n 's/.*name = "www"; key = "[^"]*"; cert = "\([^"]*\)".*/\1/p' "$C")")" \
    "$(mkcert_fpr "$T/src/renewed.pem")"
printf 'pw\n' | $CERTBIND -c "$C" import "$T/renewed.p12" --name nosuch \
    --replace --password-file - >"$T/.out" 2>"$T/.err"
t_is "--replace of a key that does not exist is refused" "$?" 1
t_match "naming it" "$(cat "$T/.err")" "there is no key named 'nosuch' to replace"

# Refusals.
printf 'wrong\n' | $CERTBIND -c "$C" import "$T/legacy.p12" --name bad \
    --password-file - >"$T/.out" 2>"$T/.err"
t_is "a wrong password on stdin is refused" "$?" 1
: | $CERTBIND -c "$C" export www --pkcs12 "$T/empty.p12" --password-file - \
    >"$T/.out" 2>"$T/.err"
t_is "an empty stdin is refused" "$?" 1
t_match "saying the password is empty" "$(cat "$T/.err")" \
    'the password is empty'
cb -c "$C" export www --pkcs12 "$T/x.p12" --password-fd nine
t_is "--password-fd that is not a number is refused" "$rc" 2
t_match "naming it" "$err" "--password-fd 'nine' is not a file descriptor"
cb -c "$C" export www --pem "$T/x.pem" --legacy
t_is "--legacy with --pem is refused" "$rc" 2
t_is "and writes nothing" "$(test -e "$T/x.pem" || echo none)" none
t_done
