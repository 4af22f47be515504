#!/bin/sh
# The renewal timer: make install puts certbind-renew.service (with the
# installed certbind's path) and certbind-renew.timer next to
# certbindd.service, systemd-analyze verify accepts both, and make
# uninstall takes them away.

. "$(dirname "$0")/../lib.sh"

if [ ! -x "$top/$B/certbind" ]; then
	t_fail "certbind is built" "no $top/$B/certbind (make all)"
	exit 1
fi
p="$T/inst"
unitdir="$p/lib/systemd/system"
if ! make -s -C "$top" B="$B" PREFIX="$p" install >"$T/install.log" 2>&1
then
	t_fail "make install" "$(tail -n 20 "$T/install.log")"
	exit 1
fi
t_pass "make install"
svc="$unitdir/certbind-renew.service"
tmr="$unitdir/certbind-renew.timer"
t_ok "the service is installed" test -f "$svc"
t_ok "the timer is installed" test -f "$tmr"
t_match "the service runs the installed certbind" "$(cat "$svc")" \
    "^ExecStart=$p/bin/certbind acme renew\$"
t_nomatch "no @VARIABLE@ left" "$(cat "$svc" "$tmr")" '@[A-Z]+@'
t_match "a oneshot" "$(cat "$svc")" '^Type=oneshot$'
t_match "the store is writable" "$(cat "$svc")" \
    '^ReadWritePaths=/etc/certbind$'
t_match "it may signal certbindd" "$(cat "$svc")" \
    '^CapabilityBoundingSet=.*CAP_KILL'
t_match "twice a day" "$(cat "$tmr")" '^OnCalendar=\*-\*-\* 00,12:00:00$'
t_match "at a random time within an hour" "$(cat "$tmr")" \
    '^RandomizedDelaySec=1h$'
t_match "a missed run is made up" "$(cat "$tmr")" '^Persistent=true$'

if command -v systemd-analyze >/dev/null 2>&1; then
	# --man=no: the man pages are not where man looks.
	if systemd-analyze verify --man=no "$svc" "$tmr" \
	    >"$T/verify.log" 2>&1; then
		t_pass "systemd-analyze verify"
	else
		t_fail "systemd-analyze verify" "$(cat "$T/verify.log")"
	fi
	n=$(systemd-analyze calendar --iterations=2 \
	    "$(sed -n 's/^OnCalendar=//p' "$tmr")" 2>/dev/null |
	    grep -cE '(Next elapse|Iter\. #2): .* (00|12):00:00 ')
	t_is "the calendar elapses at 00:00 and 12:00" "$n" 2
else
	t_skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

make -s -C "$top" B="$B" PREFIX="$p" uninstall >"$T/uninstall.log" 2>&1
t_not "make uninstall removes the service" test -e "$svc"
t_not "make uninstall removes the timer" test -e "$tmr"

t_done
