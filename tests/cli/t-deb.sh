#!/bin/sh
# make deb (issue 14): the Debian package is built out of tree, holds the
# programs, manuals, units, sysusers file, bash completion and
# /etc/certbind with the modes they need, its programs run from an
# unpacked root, and lintian prints no error and no warning.
#
# The package build takes minutes (2m40s on a busy 2-core machine), too
# long for make check: the test checks the package "make deb" left in
# build/deb, or CERTBIND_DEB=FILE, and builds one of its own only with
# CERTBIND_TEST_DEB=1. Skipped when there is none, or when debhelper or
# lintian is missing (make deb-deps installs them).

. "$(dirname "$0")/../lib.sh"

missing=""
for p in dpkg-buildpackage dh dh_bash-completion fakeroot lintian dpkg-deb; do
	command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	t_skip "make deb" "missing:$missing (make deb-deps)"
	t_done; exit
fi

deb=${CERTBIND_DEB:-}
if [ -z "$deb" ] && [ -z "${CERTBIND_TEST_DEB:-}" ]; then
	deb=$(ls -t "$B"/deb/certbind_*_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		t_skip "make deb" "slow: run make deb first, or set CERTBIND_TEST_DEB=1"
		t_done; exit
	fi
	echo "# testing $deb, made by make deb"
fi
if [ -z "$deb" ]; then
	# A build tree of its own, so that build/ is left alone.
	make --no-print-directory B="$T/b" deb >"$T/make.log" 2>&1
	t_is "make deb succeeds" "$?" 0 "$(tail -n 30 "$T/make.log")"
	deb=$(ls "$T"/b/deb/certbind_*_*.deb 2>/dev/null | head -n 1)
	t_match "make deb runs lintian" "$(cat "$T/make.log")" '^lintian '
fi
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
	t_fail "a .deb was made" "none in $T/b/deb"
	t_done; exit
fi
t_pass "a .deb was made: $(basename "$deb")"

list=$(dpkg-deb -c "$deb")
# has MODE PATH: the package holds PATH with MODE (as ls -l shows it).
has() {
	got=$(printf '%s\n' "$list" | awk -v p="./$2" '$6 == p { print $1 " " $2 }')
	t_is "$2 $1 root/root" "$got" "$1 root/root"
}
has -rwxr-xr-x usr/bin/certbind
has -rwxr-xr-x usr/sbin/certbindd
has -rw-r--r-- usr/share/man/man1/certbind.1.gz
has -rw-r--r-- usr/share/man/man5/certbind.conf.5.gz
has -rw-r--r-- usr/share/man/man8/certbindd.8.gz
has -rw-r--r-- lib/systemd/system/certbindd.service
has -rw-r--r-- lib/systemd/system/certbind-renew.service
has -rw-r--r-- lib/systemd/system/certbind-renew.timer
has -rw-r--r-- usr/lib/sysusers.d/certbind.conf
has -rw-r--r-- usr/share/bash-completion/completions/certbind
has drwxr-xr-x etc/certbind/

R=$T/root
mkdir -p "$R" "$T/ctl"
dpkg-deb -x "$deb" "$R"
dpkg-deb -e "$deb" "$T/ctl"

# The units name the installed programs, with nothing left to fill in.
u=$(cat "$R/lib/systemd/system/certbindd.service")
t_match "certbindd.service starts /usr/sbin/certbindd -f" "$u" \
    '^ExecStart=/usr/sbin/certbindd -f'
t_match "certbindd.service is Type=notify" "$u" '^Type=notify$'
t_match "certbindd.service reloads with SIGHUP" "$u" \
    '^ExecReload=/bin/kill -HUP \$MAINPID$'
t_match "certbindd.service may bind ports below 1024" "$u" \
    '^AmbientCapabilities=CAP_NET_BIND_SERVICE'
t_match "certbind-renew.service runs /usr/bin/certbind acme renew" \
    "$(cat "$R/lib/systemd/system/certbind-renew.service")" \
    '^ExecStart=/usr/bin/certbind acme renew$'
t_nomatch "no @DIR@ left in the units" "$(cat "$R"/lib/systemd/system/*)" '@[A-Z]+DIR@'

# The certbind user, made by systemd-sysusers in postinst, and
# /etc/certbind root:certbind 0750 by a statoverride.
t_match "sysusers makes the certbind system user" \
    "$(cat "$R/usr/lib/sysusers.d/certbind.conf")" '^u certbind '
post=$(cat "$T/ctl/postinst" 2>/dev/null)
t_match "postinst runs systemd-sysusers" "$post" 'systemd-sysusers'
t_match "postinst makes /etc/certbind root:certbind 0750" "$post" \
    'dpkg-statoverride --update --add root certbind 0750 /etc/certbind'
t_match "postrm removes the statoverride on purge" \
    "$(cat "$T/ctl/postrm" 2>/dev/null)" 'dpkg-statoverride --remove /etc/certbind'
t_nomatch "certbindd is not started before it has a config" "$post" \
    "deb-systemd-invoke (start|restart) .*certbindd"

# The programs run from the unpacked root.
v=$("$R/usr/bin/certbind" --version 2>&1)
t_match "certbind --version" "$v" '0\.1\.0'
v=$("$R/usr/sbin/certbindd" --version 2>&1)
t_match "certbindd --version" "$v" '0\.1\.0'
"$R/usr/bin/certbind" -c "$T/x/x.conf" init >"$T/init.out" 2>&1
t_is "certbind init" "$?" 0 "$(cat "$T/init.out")"
"$R/usr/sbin/certbindd" -t -c "$T/x/x.conf" >"$T/t.out" 2>&1
t_is "certbindd -t on the new config" "$?" 0 "$(cat "$T/t.out")"

# The completion: its commands are those certbind --help lists.
comp=$R/usr/share/bash-completion/completions/certbind
if command -v bash >/dev/null 2>&1 &&
    [ -f /usr/share/bash-completion/bash_completion ]; then
	comp_of() {
		PATH="$R/usr/bin:$PATH" bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		line="certbind $*"
		COMP_LINE=$line COMP_POINT=${#line}
		read -ra COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_certbind
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$comp" "$@"
	}
	want=$("$R/usr/bin/certbind" --help | sed -n '/^commands:/,/^$/p' |
	    awk 'NF { print $1 }' | grep -v '^commands:' | sort -u)
	want=$(printf '%s\nhelp\n' "$want" | sort)
	t_is "completion: the commands of certbind --help" "$(comp_of ' ')" "$want"
	t_is "completion: acme's subcommands" "$(comp_of 'acme ')" \
	    "$(printf 'order\nregister\nrenew\nstatus')"
	t_match "completion: move's options" "$(comp_of 'move a b --')" '^--dry-run$'
	t_match "completion: listen's --[no-]freebind" \
	    "$(comp_of 'listen e --no-f')" '^--no-freebind$'
	t_is "completion: --client-auth's values" \
	    "$(comp_of 'bind k e --client-auth ')" "$(printf 'optional\nrequired')"
else
	t_skip "completion" "no bash or bash-completion"
fi

# lintian: nothing at error or warning level.
lint=$(lintian "$deb" 2>&1)
t_nomatch "lintian prints no E: or W: line" "$lint" '^[EW]: '
[ -n "$lint" ] && printf '%s\n' "$lint" | sed 's/^/# lintian: /'
t_done
