# Shared by tests/fleet/t-*.sh, after tests/lib.sh:
#
#   fleet_need N   skips the whole test (TAP, exit 0) without etcd; builds
#                  tests/fleet/etcd_drive.c as $drive; picks N consecutive
#                  free 127.0.0.1 ports from $base.
#   fleet_cluster_vars  after fleet_need 7: cport N, pport N (member N's
#                  client and peer ports), $EP (the three client
#                  endpoints), ctl (etcdctl on them), start_member N,
#                  stop_member N [SIGNAL], stop_all (at exit too),
#                  healthy N... (bounded wait for a leader).
#   fleet_stop_pidfile FILE SIGNAL TENTHS  stops the process FILE names
#                  (bounded wait, then SIGKILL) and removes FILE.
#   fleet_cluster  fleet_cluster_vars, then starts members 1-3 and
#                  passes or fails (and exits) on their health.

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

# fleet_stop_pidfile FILE SIGNAL TENTHS: sends SIGNAL to the process FILE
# names, waits for it at most TENTHS tenths of a second, then kills it,
# reaps it and removes FILE. Nothing when there is no FILE.
fleet_stop_pidfile() {
	[ -f "$1" ] || return 0
	fs_pid=$(cat "$1")
	kill -"$2" "$fs_pid" 2>/dev/null
	fs_i=0
	while kill -0 "$fs_pid" 2>/dev/null && [ $fs_i -lt "$3" ]; do
		sleep 0.1; fs_i=$((fs_i + 1))
	done
	kill -KILL "$fs_pid" 2>/dev/null
	wait "$fs_pid" 2>/dev/null
	rm -f "$1"
}

fleet_port_free() { ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }

fleet_cluster_vars() {
	cport() { echo $((base + $1 - 1)); }
	pport() { echo $((base + 2 + $1)); }
	cluster="m1=http://127.0.0.1:$(pport 1),m2=http://127.0.0.1:$(pport 2),m3=http://127.0.0.1:$(pport 3)"
	EP="127.0.0.1:$(cport 1),127.0.0.1:$(cport 2),127.0.0.1:$(cport 3)"
	export ETCDCTL_API=3
	ctl() { etcdctl --endpoints="$EP" --dial-timeout=3s "$@"; }

	# start_member N: starts member N in the background (data in $T/mN).
	start_member() {
		etcd --name "m$1" --data-dir "$T/m$1" \
		    --listen-client-urls "http://127.0.0.1:$(cport "$1")" \
		    --advertise-client-urls "http://127.0.0.1:$(cport "$1")" \
		    --listen-peer-urls "http://127.0.0.1:$(pport "$1")" \
		    --initial-advertise-peer-urls "http://127.0.0.1:$(pport "$1")" \
		    --initial-cluster "$cluster" --initial-cluster-state new \
		    --initial-cluster-token "certbind-test-$$" \
		    --logger zap --log-level error >>"$T/m$1.log" 2>&1 &
		echo $! >"$T/m$1.pid"
	}
	stop_member() { fleet_stop_pidfile "$T/m$1.pid" "${2:-TERM}" 50; }
	stop_all() { for m in 1 2 3; do stop_member $m; done; }
	t_at_exit stop_all

	# healthy N...: every member named answers with a leader (bounded: 30s).
	healthy() {
		i=0
		while [ $i -lt 60 ]; do
			all=1
			for m in "$@"; do
				"$drive" -e "127.0.0.1:$(cport "$m")" -t 500 status 2>/dev/null |
				    grep -q 'leader yes' || all=0
			done
			[ $all -eq 1 ] && return 0
			sleep 0.5; i=$((i + 1))
		done
		return 1
	}
}

fleet_cluster() {
	fleet_cluster_vars
	for m in 1 2 3; do start_member $m; done
	if ! healthy 1 2 3; then
		t_fail "a three-member cluster starts" "$(tail -n 5 "$T"/m*.log)"
		t_done
		exit 1
	fi
	t_pass "a three-member etcd cluster on 127.0.0.1:$(cport 1)-$(cport 3) is healthy"
}
