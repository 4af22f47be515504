#!/bin/sh
# Installs what certbind needs from Debian's packages, and nothing that is
# already there: apt-get as root, sudo otherwise.
pkgs="make gcc clang pkg-config libgnutls28-dev libconfig-dev libncurses-dev
libcmocka-dev gnutls-bin openssl tmux mandoc ca-certificates iproute2
procps psmisc python3 haproxy nginx-light libnginx-mod-stream"
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
# nginx-light and haproxy are only for the benchmarks; their services must
# not start on install (policy-rc.d 101 = action forbidden).
if [ "$(id -u)" -eq 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
