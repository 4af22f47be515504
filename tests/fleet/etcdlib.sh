# Shared by tests/fleet/t-*.sh, after tests/lib.sh:
#
#   fleet_need N   skips the whole test (TAP, exit 0) without etcd; builds
#                  tests/fleet/etcd_drive.c as $drive; picks N consecutive
#                  free 127.0.0.1 ports from $base.

fleet_need() {
	if ! command -v etcd >/dev/null 2>&1 ||
	    ! command -v etcdctl >/dev/null 2>&1; then
		t_skip "etcd client against a real etcd" \
		    "etcd not installed (Debian: etcd-server, etcd-client; make check-deps)"
		t_done
		exit 0
	fi
	libs=$(cb_lib_libs)
	cflags=$(cb_lib_cflags)
	drive="$T/etcd_drive"
	# shellcheck disable=SC2086
	if ! ${CC:-cc} $cflags ${CFLAGS:--g} -o "$drive" \
	    tests/fleet/etcd_drive.c "$B/libcertbind.a" $libs ${LDFLAGS:-} \
	    2>"$T/cc.err"; then
		t_fail "etcd_drive builds" "$(cat "$T/cc.err")"
		t_done
		exit 1
	fi
	# N free ports from a base picked by the PID (bounded search).
	base=$((21000 + ($$ % 400) * 10))
	tries=0
	while :; do
		ok=1 o=0
		while [ $o -lt "$1" ]; do
			fleet_port_free $((base + o)) || ok=0
			o=$((o + 1))
		done
		[ $ok -eq 1 ] && break
		tries=$((tries + 1))
		if [ $tries -ge 40 ]; then
			t_fail "$1 free ports on 127.0.0.1"
			t_done
			exit 1
		fi
		base=$((base + 10))
	done
}

fleet_port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
