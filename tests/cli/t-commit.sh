#!/bin/sh
# The one commit path from the command line: while another process (a UI
# session, another command) holds CONF.lock, every command that changes
# the config exits 1, names the holder (user, host, pid) and leaves the
# config byte for byte as it was, and the store without a new file. Once
# the holder is gone the stale lock is taken over; a lock from another
# host never is, since its pid means nothing here.

. "$(dirname "$0")/../lib.sh"

D=$T/etc
S=$T/store
C=$D/certbind.conf
L=$C.lock
mkdir -p "$D"

cb -c "$C" init --store "$S"
t_is "init" "$rc" 0
cb -c "$C" selfsign k --cn k.example
t_is "selfsign k" "$rc" 0
cb -c "$C" bind k '*:*'
t_is "bind k as the default" "$rc" 0
cb -c "$C" bind k 127.0.0.2:8443
t_is "bind k to 127.0.0.2:8443" "$rc" 0
cb -c "$C" listen '*:443' --backend 127.0.0.1:8080
t_is "listen on *:443" "$rc" 0
t_ok "there is a previous version to roll back to" test -f "$C.bak"

# The holder: a live process on this host.
sleep 60 &
holder=$!
stop_holder() { kill "$holder" 2>/dev/null; }
t_at_exit stop_holder
me=$(id -un)
host=$(hostname)
lock_host=$host
printf '%s %s %s\n' "$me" "$host" "$holder" >"$L"
cp "$C" "$T/before.conf"
cp "$L" "$T/before.lock"
store_files() { (cd "$S" && find . -type f | sort); }
files_before=$(store_files)

# refused NAME ARGS...: the command exits 1, names the holder, and leaves
# the config, the lock and the store as they were.
refused() {
	name=$1; shift
	cb -c "$C" "$@"
	t_is "$name: refused while the lock is held (exit 1)" "$rc" 1
	t_match "$name: names the holder" "$err" \
	    "being edited by $me on $lock_host \\(pid $holder\\)"
	t_ok "$name: the config is byte-identical" cmp "$C" "$T/before.conf"
	t_ok "$name: the lock is left alone" cmp "$L" "$T/before.lock"
	t_is "$name: no new file in the store" "$(store_files)" "$files_before"
}

refused bind bind k 127.0.0.3:8443
refused unbind unbind k 127.0.0.2:8443
refused listen listen 127.0.0.2:8443 --backend 127.0.0.1:8081
refused unlisten unlisten '*:443'
refused move move 127.0.0.2:8443 127.0.0.3:8443
refused selfsign selfsign s2 --cn s2.example
refused request request r2 --cn r2.example
refused renew renew k
refused rollback rollback
t_nomatch "rollback says nothing was changed, not restored" "$err" 'restored'
t_ok "no backup was rotated" test -f "$C.bak"

# --force forces past new errors, never past the lock.
refused "bind --force" bind k 127.0.0.3:8443 --force

# The holder is gone: its lock is stale and taken over.
kill "$holder"
wait "$holder" 2>/dev/null
cb -c "$C" bind k 127.0.0.3:8443
t_is "bind succeeds once the holder is gone" "$rc" 0
t_ok "and the stale lock is gone after it" test ! -e "$L"
t_match "the change is written" "$(cat "$C")" '127\.0\.0\.3:8443'

# A lock from another host is never taken over, even with a dead pid.
cp "$C" "$T/before.conf"
printf '%s %s %s\n' "$me" other-host.invalid "$holder" >"$L"
cp "$L" "$T/before.lock"
files_before=$(store_files)
cb -c "$C" unbind k 127.0.0.3:8443
t_is "another host's lock: refused (exit 1)" "$rc" 1
t_match "another host's lock: names it" "$err" \
    "being edited by $me on other-host\\.invalid \\(pid $holder\\)"
t_ok "another host's lock: the config is byte-identical" \
    cmp "$C" "$T/before.conf"
t_ok "another host's lock: the lock is left alone" cmp "$L" "$T/before.lock"
lock_host=other-host.invalid
refused "selfsign (another host)" selfsign s3 --cn s3.example
rm -f "$L"
cb -c "$C" unbind k 127.0.0.3:8443
t_is "without the lock, unbind succeeds" "$rc" 0

t_done
