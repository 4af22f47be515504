#!/bin/sh
# certbind copy between a file store and etcd (issue 15), on a real
# three-member cluster: a store made with certbind (init, selfsign, an
# import, a key and certificate at absolute paths outside the store,
# listen, bind) goes to etcd://.../p1; PREFIX/config and PREFIX/files/
# hold what they should (read back with etcdctl); check and resolve
# answer the same from etcd and from a file store copied back; etcd to
# etcd; a DEST holding a config is refused (its revision unchanged) and
# replaced with --force (files the new config no longer names deleted);
# a missing file refuses with nothing put in etcd; an unreachable etcd is
# exit 2 naming the endpoint.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/etcdlib.sh"
fleet_need 7
fleet_cluster
CERTBIND_RUNDIR=$T/run
export CERTBIND_RUNDIR
mkdir -m 0700 "$CERTBIND_RUNDIR"

S=$T/src C=$T/src/certbind.conf X=$T/outside
umask 022
mkdir -p "$X"
(
	. tests/fixtures/mkcert.sh
	mkcert_ca "$X" ca &&
	MKCERT_CA="$X/ca" mkcert_leaf "$T" imp imp.example.com imp.example.com
) >"$T/mkcert.log" 2>&1 || { t_fail "make the certificates" "$(cat "$T/mkcert.log")"; exit 1; }
cat "$T/imp.key" "$T/imp.pem" >"$T/imp-bundle.pem"
cb -c "$C" init
cb -c "$C" selfsign www --cn www.example.com
cb -c "$C" selfsign ext --cn ext.example.com
cb -c "$C" import "$T/imp-bundle.pem" --name imp
t_is "init, selfsign and import make the source store" "$rc" 0 "$err"
mv "$S/keys/ext.key" "$S/certs/ext.pem" "$X/"
sed -i "s|\"keys/ext.key\"|\"$X/ext.key\"|; s|\"certs/ext.pem\"|\"$X/ext.pem\"|" "$C"
cb -c "$C" bind www 127.0.0.2:8443
cb -c "$C" listen 127.0.0.2:8443 --backend 127.0.0.1:8080
cb -c "$C" bind ext 127.0.0.2:8443 --sni ext.example.com \
    --client-ca "$X/ca.pem"
cb -c "$C" bind imp 127.0.0.2:8443 --sni imp.example.com
t_is "listen and bind" "$rc" 0 "$err"

E="etcd://$EP"
cb copy "$C" "$E/p1"
t_is "copy to etcd exits 0" "$rc" 0 "$err"
t_match "it names the new revision" "$err" "copied the config and 7 files to etcd://.*/p1: revision [0-9]+"
t_match "the absolute key is brought into the store" "$out" \
    "^copied keys/ext.key from $X/ext.key \(brought into the store\)$"
t_nomatch "no private key is printed" "$out$err" "PRIVATE KEY"
cfg=$(ctl get --print-value-only /p1/config)
t_match "PREFIX/config names the key in the store" "$cfg" \
    'name = "ext"; key = "keys/ext.key"; cert = "certs/ext.pem"; note = "certbind copy: key from '"$X"'/ext.key, cert from '"$X"'/ext.pem";'
t_nomatch "PREFIX/config has no store setting" "$cfg" '^store'
keys=$(ctl get --prefix --keys-only /p1/files/ | grep . | sort | tr '\n' ' ')
t_is "PREFIX/files/ holds every file, by its relative path" "$keys" \
    "/p1/files/certs/ext.pem /p1/files/certs/imp.pem /p1/files/certs/www.pem /p1/files/imported/ca.pem /p1/files/keys/ext.key /p1/files/keys/imp.key /p1/files/keys/www.key "
ctl get --print-value-only /p1/files/keys/ext.key | head -c -1 >"$T/got.key"
t_ok "the key in etcd is the file's bytes" cmp "$T/got.key" "$X/ext.key"
ctl get --print-value-only /p1/files/certs/www.pem | head -c -1 >"$T/got.pem"
t_ok "so is a certificate" cmp "$T/got.pem" "$S/certs/www.pem"
rev1=$(ctl get /p1/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')

# The same answers from etcd and from a copy back into files.
norm() {
	sed -e 's/ (line [0-9]*)//' -e 's/line [0-9]*//' \
	    -e 's/verified against .*/verified against (the CA file)/'
}
answers() {
	cb -c "$1" check --offline
	printf '%s\n%s\n' "$out" "$rc"
	for q in "127.0.0.2:8443" "127.0.0.2:8443 --sni ext.example.com" \
	    "127.0.0.2:8443 --sni imp.example.com" "127.0.0.9:443"; do
		# shellcheck disable=SC2086
		cb -c "$1" resolve $q
		printf '%s\n%s\n' "$out" "$rc"
	done
}
a0=$(answers "$C" | norm)
t_match "the source's answers are worth comparing" "$a0" \
    'ext  127.0.0.2:8443,sni=ext.example.com'
t_is "check and resolve answer the same from etcd" "$(answers "$E/p1" | norm)" "$a0"
B2=$T/back/certbind.conf
cb copy "$E/p1" "$B2"
t_is "copy from etcd back to a new file store exits 0" "$rc" 0 "$err"
t_is "check and resolve answer the same from the copy back" \
    "$(answers "$B2" | norm)" "$a0"
t_ok "the key came back byte for byte" cmp "$T/back/keys/ext.key" "$X/ext.key"
t_is "with mode 0600" "$(stat -c %a "$T/back/keys/ext.key")" 600
t_nomatch "the copy back says nothing was brought in" "$out" "brought into"
t_match "and names where each file came from by its etcd key" "$out" \
    "^copied keys/ext.key from etcd://.*/p1/files/keys/ext.key$"
t_nomatch "not by the checkout's file" "$out" "$CERTBIND_RUNDIR"
cb copy "$E/p1" "$E/p3"
t_is "etcd to etcd exits 0" "$rc" 0 "$err"
t_is "p3 holds the same config" "$(ctl get --print-value-only /p3/config)" "$cfg"
t_is "and the same files" \
    "$(ctl get --prefix --keys-only /p3/files/ | grep . | sort | sed 's|^/p3|/p1|' | tr '\n' ' ')" \
    "$keys"

# A DEST holding a config is refused and left as it was.
cb copy "$C" "$E/p1"
t_is "a DEST with a config is refused with exit 1" "$rc" 1 "$err"
t_match "naming its revision" "$err" "holds a config already \(revision $rev1\): give --force"
t_is "PREFIX/config is unchanged" \
    "$(ctl get /p1/config -w json | sed -n 's/.*"mod_revision":\([0-9]*\).*/\1/p')" "$rev1"

# --force replaces it, files included.
cb -c "$C" remove imp --force
t_is "imp removed from the source" "$rc" 0 "$err"
cb --force copy "$C" "$E/p1"
t_is "--force replaces the config in etcd" "$rc" 0 "$err"
t_nomatch "the new config has no imp" "$(ctl get --print-value-only /p1/config)" 'name = "imp"'
t_is "and imp's files are gone from PREFIX/files/" \
    "$(ctl get --prefix --keys-only /p1/files/ | grep -c '/imp\.')" 0
t_match "the others are there" "$(ctl get --prefix --keys-only /p1/files/)" \
    '/p1/files/keys/ext.key'

# A missing file: refused, nothing in etcd.
rm "$X/ca.pem"
cb copy "$C" "$E/p2"
t_is "a missing file refuses the copy with exit 1" "$rc" 1 "$err"
t_match "naming it" "$err" "client_ca names $X/ca.pem, which cannot be copied.*nothing was written"
t_is "nothing was put under p2" "$(ctl get --prefix --keys-only /p2/ | grep -c .)" 0
# From etcd, a missing file is named by its key.
ctl del /p3/files/certs/www.pem >/dev/null
cb copy "$E/p3" "$T/fromp3/certbind.conf"
t_is "a file missing from etcd refuses the copy with exit 1" "$rc" 1 "$err"
t_match "naming the setting and the etcd key" "$err" \
    "key www: cert names certs/www.pem, which cannot be copied: etcd://.*/p3/files/certs/www.pem"
t_ok "nothing was written" test ! -e "$T/fromp3"

# A name a push would leave out (a dot file) is refused before etcd.
cp -r "$T/back" "$T/dot"
mv "$T/dot/keys/www.key" "$T/dot/keys/.www.key"
sed -i 's|"keys/www.key"|"keys/.www.key"|' "$T/dot/certbind.conf"
cb copy "$T/dot/certbind.conf" "$E/p5"
t_is "a dot file refuses the copy to etcd with exit 1" "$rc" 1 "$err"
t_match "naming it" "$err" "key www: key names keys/\.www\.key, which etcd.s store cannot hold .*no name starting with .\.."
t_is "nothing was put under p5" "$(ctl get --prefix --keys-only /p5/ | grep -c .)" 0

# An etcd nobody answers on.
dead=$(cport 1)
stop_member 1
cb copy "$B2" "etcd://127.0.0.1:$dead/p4"
t_is "an unreachable etcd is exit 2" "$rc" 2 "$err"
t_match "naming the endpoint" "$err" "127.0.0.1:$dead"
t_done
