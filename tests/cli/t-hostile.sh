#!/bin/sh
# Hostile input on the command line: an overlong CN, a certificate with
# 10,000 SANs, a 1 GB file offered as a certificate, a config of 1,000,000
# bindings, binary garbage as a config, a symbolic link where a key file
# is expected. Each gets a clear message, no crash, and nothing is lost:
# the config is byte-identical afterwards.
. "$(dirname "$0")/../lib.sh"
. tests/fixtures/mkcert.sh

hash() { sha256sum "$1" | cut -d' ' -f1; }
# A crash is an exit status over 128 (a signal) or a sanitizer's 99.
t_nocrash() { t_ok "$1 (exit $rc, not a crash)" test "$rc" -lt 99; }

S=$T/store
mkdir -p "$S"
mkcert_ca "$S" ca
conf=$S/certbind.conf
write_conf() {	# write_conf CERTFILE KEYFILE
	cat >"$conf" <<EOC
version = 1;
keys = ( { name = "www"; key = "$2"; cert = "$1"; } );
bindings = ( { key = "www"; endpoint = "*:*"; } );
EOC
}

# --- An overlong CN: 4,000 bytes with ESC and bidi controls in it.
long=$(printf 'A%.0s' $(seq 1 1000))
cn=$(printf '%s\033]0;pwned\007%s\342\200\256%s' "$long" "$long" "$long")
MKCERT_CA=$S/ca mkcert_leaf "$S" long "$cn" dns:www.example.com
write_conf long.pem long.key
before=$(hash "$conf")
cb -c "$conf" list
t_is "list of a certificate with a 3,000-character CN works" "$rc" 0
t_nomatch "and prints no raw ESC" "$out" "$(printf '\033')"
t_nomatch "and no raw U+202E" "$out" "$(printf '\342\200\256')"
t_match "the escape shows instead" "$out" '\\x1B\]0.{0,3}pwned\\x07'
t_is "the config is untouched" "$(hash "$conf")" "$before"

# --- 10,000 SANs. certtool stops at 128 names, so openssl signs this one.
MKCERT_CA=$S/ca mkcert_leaf "$S" many many.example.com dns:many.example.com
awk 'BEGIN { printf "subjectAltName = ";
	for (i = 0; i < 10000; i++) printf "%sDNS:h%d.example.com", i ? "," : "", i;
	print "" }' >"$T/ext.cnf"
openssl req -new -key "$S/many.key" -subj /CN=many.example.com \
    -out "$T/many.csr" 2>/dev/null &&
openssl x509 -req -in "$T/many.csr" -CA "$S/ca.pem" -CAkey "$S/ca.key" \
    -days 30 -extfile "$T/ext.cnf" -out "$S/many.pem" 2>/dev/null
t_is "openssl makes a certificate with 10,000 SANs" \
    "$(certtool -i --infile "$S/many.pem" | grep -c DNSname)" 10000
write_conf many.pem many.key
sed -i 's|bindings = .*|bindings = ( { key = "www"; endpoint = "*:*"; sni = "h9999.example.com"; }, { key = "www"; endpoint = "*:*"; sni = "nothere.example.com"; } );|' "$conf"
cb -c "$conf" check --offline
t_nocrash "check of a certificate with 10,000 SANs runs"
t_nomatch "the last SAN is found" "$out" 'sni-not-in-cert www@\*:\*,sni=h9999'
t_match "a name not among them is reported" "$out" 'sni-not-in-cert www@\*:\*,sni=nothere'
cb -c "$conf" list
t_is "list shows it" "$rc" 0

# --- A 1 GB file offered as a certificate: refused from its size. The
# address space is capped at 512 MB so reading it would fail loudly
# (not under ASan, whose shadow memory alone is larger than that).
truncate -s 1G "$S/huge.pem"
write_conf huge.pem long.key
before=$(hash "$conf")
vlimit=524288
[ -n "$T_SLOW" ] && vlimit=unlimited
(ulimit -v $vlimit; $CERTBIND -c "$conf" check --offline >"$T/o" 2>"$T/e")
rc=$?
t_is "check with a 1 GB certificate reports errors (exit 1)" "$rc" 1
t_match "it says the file is too large" "$(cat "$T/o")" 'unreadable www: .*huge\.pem.*(too large|bytes)'
(ulimit -v $vlimit; $CERTBIND -c "$conf" import "$S/huge.pem" --name big >"$T/o" 2>"$T/e")
rc=$?
t_nocrash "import of a 1 GB file is refused"
t_ok "import refuses it" test "$rc" -ne 0
t_match "with a message naming the file" "$(cat "$T/e")" 'huge\.pem'
t_is "the config is untouched" "$(hash "$conf")" "$before"

# --- A symbolic link where a key file is expected.
ln -s long.key "$S/link.key"
write_conf long.pem link.key
cb -c "$conf" check --offline
t_is "check with a symlinked key reports an error" "$rc" 1
t_match "it names the link" "$out" 'www: .*link\.key.*(symbolic link|symlink)'

# --- Binary garbage as the config.
head -c 65536 /dev/urandom >"$T/garbage.conf"
before=$(hash "$T/garbage.conf")
cb -c "$T/garbage.conf" check
t_is "check of binary garbage cannot run (exit 2)" "$rc" 2
t_match "the message names the file and a line" "$err" 'garbage\.conf:[0-9]+'
t_nomatch "and prints no raw control bytes" "$err" "$(printf '\033')"
cb -c "$T/garbage.conf" bind www '*:443'
t_is "a change to it is refused (exit 2)" "$rc" 2
t_is "and the garbage is still there, byte for byte" \
    "$(hash "$T/garbage.conf")" "$before"

# --- A config of 1,000,000 bindings. Under ASan or valgrind 100,000:
# libconfig grows its lists 16 entries at a time and ASan's realloc always
# copies, so a million would take hours there while proving nothing more.
nbig=1000000
[ -n "$T_SLOW" ] && nbig=100000
big=$T/big.conf
awk -v n="$nbig" 'BEGIN {
	print "version = 1;";
	print "keys = ( { name = \"www\"; key = \"www.key\"; cert = \"www.pem\"; } );";
	print "bindings = (";
	for (i = 0; i < n; i++)
		printf "  { key = \"www\"; endpoint = \"10.%d.%d.%d:443\"; },\n",
		    int(i / 65536), int(i / 256) % 256, i % 256 + 0;
	print "  { key = \"www\"; endpoint = \"*:*\"; }";
	print ");";
}' >"$big"
before=$(hash "$big")
cb -c "$big" resolve 10.1.134.159:443
t_is "resolve in a config of $nbig bindings works" "$rc" 0
t_match "and finds the specific binding" "$out" '^www  10\.1\.134\.159:443 '
cb -c "$big" resolve 192.0.2.1:443
t_match "and the default elsewhere" "$out" '^www  \*:\* '
cb -c "$big" check --offline
t_nocrash "check of $nbig bindings runs to the end"
t_is "the big config is untouched" "$(hash "$big")" "$before"
t_done
