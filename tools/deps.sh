#!/bin/sh
# Installs from Debian's packages what one use of certbind needs, and
# nothing that is already there: apt-get as root, sudo otherwise.
#
#   tools/deps.sh [build]   make run: build certbind and make the demo store
#   tools/deps.sh test      make check: the above, and the tools the tests
#                           drive (tmux, openssl, python3, clang, pebble,
#                           haproxy and nginx as PROXY protocol readers,
#                           sslscan, etcd for the fleet ..., and
#                           debhelper and lintian: make check builds the
#                           package and checks it)
#   tools/deps.sh deb       make deb: the build's, and debhelper and
#                           lintian to make and check the package
#   tools/deps.sh bench     make bench: the above, and linux-perf
#                           (bench/server/profile.sh); the peers certbindd is
#                           measured against (haproxy, nginx) are the
#                           test's
#
# make run never installs a test or benchmark tool on an administrator's
# server.
build="make gcc pkg-config libgnutls28-dev libtasn1-6-dev libconfig-dev
libncurses-dev libjansson-dev libcurl4-gnutls-dev libmicrohttpd-dev libssl-dev
gnutls-bin
ca-certificates"
test="clang libcmocka-dev openssl tmux mandoc iproute2 procps psmisc python3
util-linux pebble curl python3-dnspython haproxy nginx-light
libnginx-mod-stream sslscan python3-prometheus-client etcd-server
etcd-client dpkg-dev debhelper fakeroot bash-completion lintian"
bench="linux-perf"
deb="dpkg-dev debhelper fakeroot bash-completion lintian"
case ${1:-build} in
build)	pkgs=$build ;;
test)	pkgs="$build $test" ;;
bench)	pkgs="$build $test $bench" ;;
deb)	pkgs="$build $deb" ;;
*)	echo "usage: tools/deps.sh [build|test|bench|deb]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "certbind: installing from Debian's packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || exit 1
# nginx-light, haproxy and etcd-server (test, bench) are test peers, not
# services: they must not start on install (policy-rc.d 101 = action
# forbidden).
if [ "$(id -u)" -eq 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
