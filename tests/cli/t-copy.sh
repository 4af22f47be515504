#!/bin/sh
# certbind copy SOURCE DEST, file to file (issue 15; tests/fleet/t-copy.sh
# does etcd): relative paths kept, absolute ones brought into the store
# with a note, no store setting in the copy, keys 0600 and never printed,
# check and resolve answer the same on the copy; a DEST that holds a
# config is refused (and replaced with --force); a missing file refuses
# with nothing written; clashing names get -2; hostile names escaped.

. "$(dirname "$0")/../lib.sh"

S=$T/src C=$S/certbind.conf X=$T/outside
umask 022
mkdir -p "$X"
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
cb -c "$C" selfsign ext --cn ext.example.com
t_is "the source store is made" "$rc" 0 "$err"
# ext's key and certificate live outside the store, by absolute paths.
mv "$S/keys/ext.key" "$S/certs/ext.pem" "$X/"
sed -i "s|\"keys/ext.key\"|\"$X/ext.key\"|; s|\"certs/ext.pem\"|\"$X/ext.pem\"|" "$C"
mkdir -p "$X/b"
( . tests/fixtures/mkcert.sh && mkcert_ca "$X" ca && mkcert_ca "$X/b" ca ) \
    >"$T/mkcert.log" 2>&1 || { t_fail "make two CAs" "$(cat "$T/mkcert.log")"; exit 1; }
cb -c "$C" bind www 127.0.0.2:8443
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080
t_is "listen" "$rc" 0 "$err"
cb -c "$C" bind ext 127.0.0.2:8443 --sni ext.example.com \
    --client-ca "$X/ca.pem" --note 'partner CA'
cb -c "$C" bind www 127.0.0.2:8443 --sni api.example.com \
    --client-ca "$X/b/ca.pem"
t_is "listen and bind with client CAs outside the store" "$rc" 0 "$err"
cb -c "$C" request pend --cn pend.example.com
t_is "a pending key with its request" "$rc" 0 "$err"

D=$T/dst/certbind.conf
cb copy "$C" "$D"
t_is "copy exits 0" "$rc" 0 "$err"
t_match "it prints each file copied" "$out" \
    "^copied keys/www.key from $S/keys/www.key$"
t_match "an absolute key is brought into the store" "$out" \
    "^copied keys/ext.key from $X/ext.key \(brought into the store\)$"
t_match "its certificate too" "$out" "^copied certs/ext.pem from $X/ext.pem"
t_match "a client CA goes to imported/" "$out" \
    "^copied imported/ca.pem from $X/ca.pem"
t_match "a second ca.pem does not clash" "$out" \
    "^copied imported/ca-2.pem from $X/b/ca.pem"
t_match "the request is copied" "$out" "^copied requests/pend.csr from"
t_match "it says how many" "$err" "copied the config and 8 files to"
t_nomatch "no private key is printed" "$out$err" "PRIVATE KEY"
t_is "the copied key is 0600" "$(stat -c %a "$T/dst/keys/ext.key")" 600
t_is "so is www's" "$(stat -c %a "$T/dst/keys/www.key")" 600
t_is "the key directory copy made is 0700" "$(stat -c %a "$T/dst/keys")" 700
t_is "a certificate is 0644" "$(stat -c %a "$T/dst/certs/www.pem")" 644
t_ok "the key's bytes are the same" cmp "$X/ext.key" "$T/dst/keys/ext.key"
dc=$(cat "$D")
t_nomatch "the copy has no store setting" "$dc" '^store'
t_match "the copy names the brought-in key" "$dc" \
    'name = "ext"; key = "keys/ext.key"; cert = "certs/ext.pem"; note = "certbind copy: key from '"$X"'/ext.key, cert from '"$X"'/ext.pem";'
t_match "the binding's note keeps the old one and says where the CA was" \
    "$dc" "client_ca = \"imported/ca.pem\";.*note = \"partner CA; certbind copy: client_ca from $X/ca.pem\";"
t_match "the source is unchanged" "$(cat "$C")" "key = \"$X/ext.key\""

# check and resolve give the same answers on both.
# The client CA files are elsewhere on purpose: their bytes are compared.
norm() {
	sed -e 's/ (line [0-9]*)//' -e 's/line [0-9]*//' \
	    -e 's/verified against .*/verified against (the CA file)/'
}
cb -c "$C" check --offline; c1=$(printf '%s\n%s' "$out" "$rc" | norm)
cb -c "$D" check --offline; c2=$(printf '%s\n%s' "$out" "$rc" | norm)
t_is "check says the same of the copy" "$c2" "$c1"
for q in "127.0.0.2:8443" "127.0.0.2:8443 --sni ext.example.com" \
    "127.0.0.2:8443 --sni api.example.com"; do
	# shellcheck disable=SC2086
	cb -c "$C" resolve $q; r1=$(printf '%s\n%s' "$out" "$rc" | norm)
	# shellcheck disable=SC2086
	cb -c "$D" resolve $q; r2=$(printf '%s\n%s' "$out" "$rc" | norm)
	t_is "resolve $q says the same of the copy" "$r2" "$r1"
done
t_ok "the client CA brought in is the same file" cmp "$X/ca.pem" \
    "$T/dst/imported/ca.pem"
t_ok "and the second one" cmp "$X/b/ca.pem" "$T/dst/imported/ca-2.pem"
cb -c "$D" list
t_match "the copy lists ext with its certificate" "$out" "ext"

# A DEST that holds a config is refused, and left alone.
sum=$(md5sum "$D" | cut -d' ' -f1)
cb copy "$C" "$D"
t_is "a DEST with a config is refused with exit 1" "$rc" 1 "$err"
t_match "it says why and what to do" "$err" "exists: give --force"
t_is "DEST is untouched" "$(md5sum "$D" | cut -d' ' -f1)" "$sum"
# A DEST directory holding one of the files, but no config: refused too.
mkdir -p "$T/half/keys"
echo old >"$T/half/keys/www.key"
cb copy "$C" "$T/half/certbind.conf"
t_is "a DEST with one of the files is refused" "$rc" 1 "$err"
t_match "naming it" "$err" "half/keys/www.key exists"
t_ok "and nothing else was written" test ! -e "$T/half/certbind.conf" -a \
    ! -e "$T/half/certs"

# --force replaces.
cb -c "$C" note www 'after the copy'
cb --force copy "$C" "$D"
t_is "--force replaces the config DEST holds" "$rc" 0 "$err"
t_match "with the new one" "$(cat "$D")" 'note = "after the copy"'
t_ok "keeping the old one as the backup" test -f "$D.bak"

# A missing file refuses the copy, naming it; nothing is written.
rm "$X/b/ca.pem"
cb copy "$C" "$T/none/certbind.conf"
t_is "a missing file refuses the copy with exit 1" "$rc" 1 "$err"
t_match "naming the setting and the file" "$err" \
    "binding 3 \(key www\): client_ca names $X/b/ca.pem, which cannot be copied"
t_match "saying nothing was written" "$err" "nothing was written"
t_ok "DEST does not exist" test ! -e "$T/none"
cp "$X/ca.pem" "$X/b/ca.pem"

# A hostile file name is printed escaped.
mkdir -p "$T/h"
cp "$X/ca.pem" "$T/h/$(printf 'c\033[31ma.pem')"
sed -i "s|$X/b/ca.pem|$T/h/$(printf 'c\033[31ma.pem')|" "$C"
cb copy "$C" "$T/esc/certbind.conf"
t_is "a file with a control character in its name is copied" "$rc" 0 "$err"
t_nomatch "its name is not printed raw" "$out" "$(printf '\033')"
t_match "it is printed escaped" "$out" 'from .*/h/c\\x1[bB]\[31ma.pem'
t_match "and its name in the store is plain" "$out" '^copied imported/c__31ma.pem from'

# The same location twice, an unreadable SOURCE.
cb copy "$C" "$C"
t_is "SOURCE = DEST is a usage error" "$rc" 2 "$err"
cb copy "$T/nothing/certbind.conf" "$T/x/certbind.conf"
t_is "a SOURCE without a config is refused" "$rc" 1 "$err"
t_match "saying so" "$err" "holds no config"
mkdir -p "$T/bad"
printf 'version = 1;\nkeys = ( { name = "x"; key = 7; } );\nbindings = ( );\n' >"$T/bad/certbind.conf"
cb copy "$T/bad/certbind.conf" "$T/x2/certbind.conf"
t_is "a SOURCE whose config does not load is exit 2" "$rc" 2 "$err"
t_match "with the file and line of the problem" "$err" "bad/certbind.conf:2:"
t_ok "and nothing written" test ! -e "$T/x2"

# One file named by a relative path and by an absolute one: copied once,
# at its relative path, and both settings name it there.
S3=$T/s3 C3=$T/s3/certbind.conf
cb -c "$C3" init
cb -c "$C3" selfsign www --cn www.example.com
cp "$X/ca.pem" "$S3/certs/partner.pem"
cb -c "$C3" bind www 127.0.0.2:8443 --sni a.example.com \
    --client-ca certs/partner.pem
cb -c "$C3" bind www 127.0.0.2:8443 --sni b.example.com \
    --client-ca "$S3/certs/partner.pem"
t_is "two bindings name one CA file, relative and absolute" "$rc" 0 "$err"
cb copy "$C3" "$T/d3/certbind.conf"
t_is "copy exits 0" "$rc" 0 "$err"
t_is "the file is copied once" "$(printf '%s\n' "$out" | grep -c partner)" 1
t_is "both bindings name it at its relative path" \
    "$(grep -c 'client_ca = "certs/partner.pem"' "$T/d3/certbind.conf")" 2
t_match "the absolute one with a note" "$(cat "$T/d3/certbind.conf")" \
    "sni = \"b.example.com\"; client_ca = \"certs/partner.pem\";.*note = \"certbind copy: client_ca from $S3/certs/partner.pem\""
t_done
