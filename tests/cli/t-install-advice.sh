#!/bin/sh
# install's advice leads somewhere (issue 14, bug 3). Installing the very
# certificate a key has already says so, instead of sending the user to
# --name, where install said "installed already". A new certificate for a
# key that has one names --name, and --name then installs it.

. "$(dirname "$0")/../lib.sh"

if ! command -v certtool >/dev/null 2>&1; then
	t_skip "install advice" "certtool is not installed"
	exit 0
fi
. tests/fixtures/mkcert.sh

mkcert_ca "$T/ca" root || exit 1
S=$T/store C=$T/store/certbind.conf
cb -c "$C" init
cb -c "$C" request shop --cn shop.example.com
t_is "request shop" "$rc" 0 "$err"
mkcert_sign_csr "$S/requests/shop.csr" "$T/ca/root" "$T/shop1.pem" \
    dns:shop.example.com || exit 1
mkcert_sign_csr "$S/requests/shop.csr" "$T/ca/root" "$T/shop2.pem" \
    dns:shop.example.com || exit 1
cb -c "$C" install "$T/shop1.pem"
t_is "the first certificate installs" "$rc" 0 "$err"

before=$(sha256sum "$C")
cb -c "$C" install "$T/shop1.pem"
t_is "installing it again is refused" "$rc" 1
t_match "and says it is installed on shop already" "$err" \
    "installed on key 'shop' already"
t_nomatch "without sending the user to --name" "$err" '--name'
t_is "the config is unchanged" "$(sha256sum "$C")" "$before"

cb -c "$C" install "$T/shop2.pem"
t_is "a new certificate for shop without --name is refused" "$rc" 1
t_match "and names --name shop" "$err" 'run install again with --name shop'
cb -c "$C" install "$T/shop2.pem" --name shop
t_is "which installs it" "$rc" 0 "$err"
t_is "shop serves the new certificate" \
    "$(mkcert_fpr "$S/$(sed -n 's/.*name = "shop"; key = "[^"]*"; cert = "\([^"]*\)".*/\1/p' "$C")")" \
    "$(mkcert_fpr "$T/shop2.pem")"

# After a renewal, the files shop used before are orphans: the advice is
# to move them out of the store, not to import them (issue 14).
cb -c "$C" renew shop
t_is "renew shop" "$rc" 0 "$err"
mkcert_sign_csr "$S/requests/shop-renew.csr" "$T/ca/root" "$T/shop3.pem" \
    dns:shop.example.com || exit 1
cb -c "$C" install "$T/shop3.pem"
t_is "the renewal installs" "$rc" 0 "$err"
cb -c "$C" check --offline
t_match "the old key file is an orphan left by shop's renewal" "$out" \
    "^info orphan-file $S/keys/shop\\.key: left behind when key 'shop' took new files"
t_nomatch "no orphan of shop's is told to import it" \
    "$(printf '%s\n' "$out" | grep "orphan-file $S/[a-z]*/shop")" 'import it'
t_done
