#!/bin/sh
# The dns-01 hook of the ACME tests: publishes the TXT record in
# pebble-challtestsrv's DNS, which is where pebble's VA looks.
#
#   dns-hook.sh add FQDN VALUE      _acme-challenge.DOMAIN. TXT VALUE
#   dns-hook.sh remove FQDN VALUE   the record removed
#
# CHALLTESTSRV_MGMT (from acme_env_start) is challtestsrv's management API.
# When DNS_HOOK_LOG is set, each call appends its arguments there, one
# line per call, so a test can see what certbind ran.

set -u
if [ $# -ne 3 ]; then
	echo "usage: dns-hook.sh add|remove FQDN VALUE" >&2
	exit 2
fi
verb=$1 fqdn=$2 value=$3
if [ -z "${CHALLTESTSRV_MGMT:-}" ]; then
	echo "dns-hook.sh: CHALLTESTSRV_MGMT is not set" >&2
	exit 2
fi
# What goes into the JSON below: the CA's names and base64url values.
case $fqdn$value in
*[!A-Za-z0-9_.-]*)
	echo "dns-hook.sh: unexpected characters in '$fqdn' '$value'" >&2
	exit 2 ;;
esac
[ -n "${DNS_HOOK_LOG:-}" ] && echo "$verb $fqdn $value" >>"$DNS_HOOK_LOG"

case $verb in
add)
	path=/set-txt
	body="{\"host\":\"$fqdn\",\"value\":\"$value\"}" ;;
remove)
	path=/clear-txt
	body="{\"host\":\"$fqdn\"}" ;;
*)
	echo "dns-hook.sh: unknown verb '$verb' (add or remove)" >&2
	exit 2 ;;
esac
if ! curl --noproxy '*' -sS -f --max-time 10 -X POST -d "$body" \
    "$CHALLTESTSRV_MGMT$path" >/dev/null; then
	echo "dns-hook.sh: challtestsrv refused $verb $fqdn" >&2
	exit 1
fi
echo "dns-hook.sh: $verb $fqdn done"
