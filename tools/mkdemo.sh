#!/bin/sh
# Makes the demo store that `make run` opens: the situation certbind exists
# for, in one small config. A site moved from 127.0.0.2:8443 to
# 127.0.0.3:8443 with its binding left behind, and the "all unassigned"
# default (*:*) quietly serving the new address with the wrong certificate;
# a conflict (the renewed api certificate bound next to the expired one it
# replaces); a certificate that expires in 12 days; a key waiting for its
# certificate.
#
#   tools/mkdemo.sh DIR [--force]
#
# Idempotent: an existing store (DIR/certbind.conf) is left alone unless
# --force; a missing or half-made one is built again. Everything is built
# in a scratch directory beside DIR and renamed into place, so an
# interrupted run leaves no half store. Paths in the config are relative
# (store = "."), so the store works wherever the checkout is.
#
# Keys and certificates are made with certtool (tests/fixtures/mkcert.sh),
# signed by a demo CA whose private key is thrown away once it has signed.

usage() {
	echo "usage: tools/mkdemo.sh DIR [--force]" >&2
	exit 2
}

dir="" force=0
for a in "$@"; do
	case $a in
	--force)	force=1 ;;
	-*)		usage ;;
	*)		[ -n "$dir" ] && usage; dir=$a ;;
	esac
done
[ -n "$dir" ] || usage
dir=${dir%/}

top=$(cd "$(dirname "$0")/.." && pwd)

if [ -f "$dir/certbind.conf" ] && [ "$force" -eq 0 ]; then
	echo "mkdemo: $dir/certbind.conf exists; leaving it (--force rebuilds it)"
	exit 0
fi
# Only a store this script made (it leaves a marker) is ever replaced.
if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ] &&
    [ ! -f "$dir/.certbind-demo" ]; then
	echo "mkdemo: $dir exists and is not a demo store; not touching it" >&2
	exit 1
fi
if ! command -v certtool >/dev/null 2>&1; then
	echo "mkdemo: certtool is missing: run 'make deps' (gnutls-bin)" >&2
	exit 1
fi
. "$top/tests/fixtures/mkcert.sh"

new="$dir.new.$$"
trap 'rm -rf "$new"' EXIT INT TERM
rm -rf "$new"
mkdir -p "$new/keys" "$new/certs" "$new/requests" "$new/ca" "$new/.work" ||
    exit 1
w=$new/.work

# ago DAYS: a certtool date DAYS days before now, UTC.
ago() {
	date -u -d "-$1 days" '+%Y-%m-%d %H:%M:%S'
}

# leaf NAME CN SAN...: keys/NAME.key (0600) and certs/NAME.pem, signed by
# the demo CA, with whatever MKCERT_* the caller set.
leaf() {
	leaf__n=$1
	shift
	MKCERT_CA=$w/ca mkcert_leaf "$w" "$leaf__n" "$@" || exit 1
	mv "$w/$leaf__n.key" "$new/keys/$leaf__n.key"
	mv "$w/$leaf__n.pem" "$new/certs/$leaf__n.pem"
}

mkcert_ca "$w" ca "certbind demo CA" || exit 1
cp "$w/ca.pem" "$new/ca/ca.pem"

leaf site site.example.com dns:site.example.com dns:www.site.example.com
leaf fallback fallback.example.com dns:fallback.example.com
leaf api api.example.com dns:api.example.com
MKCERT_NOT_BEFORE=$(ago 400) MKCERT_NOT_AFTER=$(ago 35) \
    leaf api-old api.example.com dns:api.example.com
MKCERT_DAYS=12 leaf shop shop.example.com dns:shop.example.com
mkcert_csr "$w" new-2027 site.example.com dns:site.example.com || exit 1
mv "$w/new-2027.key" "$new/keys/new-2027.key"
mv "$w/new-2027.csr" "$new/requests/new-2027.csr"

# The CA's key signed what it had to; nobody needs it again.
rm -rf "$w"
chmod 600 "$new"/keys/*.key
chmod 700 "$new/keys"

cat >"$new/certbind.conf" <<'EOF'
version = 1;
store = ".";
server = {
  listen = (
    { endpoint = "127.0.0.3:8443"; backend = "127.0.0.1:8080"; },
    { endpoint = "127.0.0.4:9443"; backend = "127.0.0.1:8081"; },
    { endpoint = "127.0.0.5:10443"; backend = "127.0.0.1:8082"; }
  );
  handshake_timeout = 10;
  max_connections = 1000;
  workers = 1;
  trust = "ca/ca.pem";
};
keys = (
  { name = "site"; key = "keys/site.key"; cert = "certs/site.pem"; },
  { name = "fallback"; key = "keys/fallback.key"; cert = "certs/fallback.pem"; },
  { name = "api"; key = "keys/api.key"; cert = "certs/api.pem"; },
  { name = "api-old"; key = "keys/api-old.key"; cert = "certs/api-old.pem"; },
  { name = "shop"; key = "keys/shop.key"; cert = "certs/shop.pem"; },
  { name = "new-2027"; key = "keys/new-2027.key"; request = "requests/new-2027.csr"; }
);
bindings = (
  { key = "site"; endpoint = "127.0.0.2:8443"; },
  { key = "fallback"; endpoint = "*:*"; },
  { key = "api"; endpoint = "127.0.0.4:9443"; sni = "api.example.com"; },
  { key = "api-old"; endpoint = "127.0.0.4:9443"; sni = "api.example.com"; },
  { key = "shop"; endpoint = "127.0.0.5:10443"; }
);
EOF
chmod 640 "$new/certbind.conf"
: >"$new/.certbind-demo"

if [ -e "$dir" ]; then
	old="$dir.old.$$"
	mv "$dir" "$old" || exit 1
	mv "$new" "$dir" || { mv "$old" "$dir"; exit 1; }
	rm -rf "$old"
else
	mv "$new" "$dir" || exit 1
fi
trap - EXIT INT TERM
echo "mkdemo: made the demo store $dir (certbind -c $dir/certbind.conf)"
