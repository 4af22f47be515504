#!/bin/sh
# Sessions: SIGHUP (the SSH connection dropped) keeps unsaved edits in
# CONF.recover (0600) and the next start offers them back; a second
# session on the same file is read-only and says who holds it; a file
# changed on disk under a session is never overwritten by its commit.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

tm_moved_site || { t_fail "make the scenario's certificates"; exit 1; }
conf="$T/s/certbind.conf"
cp "$conf" "$T/before.conf"

# An edit (the probable move), then SIGHUP.
tm_start 80 24 -- -c "$conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }
pid=$(tm_pid)
t_ok "the session holds a lock naming its pid" \
    grep -q " $pid\$" "$conf.lock"
tm_keys m
tm_wait "Probable move found" >/dev/null
tm_keys Enter
tm_wait "[modified]" >/dev/null
kill -HUP "$pid"
t_ok "SIGHUP: certbind exits" tm_wait "certbind-exit="
t_ok "SIGHUP: the recovery file is there" test -f "$conf.recover"
t_is "SIGHUP: the recovery file is mode 600" \
    "$(stat -c %a "$conf.recover" 2>/dev/null)" 600
t_ok "SIGHUP: the config itself is untouched" cmp -s "$conf" "$T/before.conf"
t_match "SIGHUP: the recovery file holds the edit" \
    "$(cat "$conf.recover" 2>/dev/null)" \
    'key = "www"; *endpoint = "127\.0\.0\.3:8443"'
t_not "SIGHUP: the lock is released" test -e "$conf.lock"

# The next start offers the edits back.
tm_start 80 24 -- -c "$conf"
t_ok "restart: the recovered edits are offered" \
    tm_wait "Unsaved edits from an interrupted session"
tm_keys y
t_ok "restart: restored, and marked unsaved" tm_wait "[modified]"
t_nomatch "restart: the stale binding is gone again" "$(tm_screen)" \
    '\[STALE\]'
t_not "restart: the recovery file is consumed" test -e "$conf.recover"

# SIGTERM does the same.
pid=$(tm_pid)
kill -TERM "$pid"
t_ok "SIGTERM: certbind exits" tm_wait "certbind-exit="
t_ok "SIGTERM: the edits are kept" test -f "$conf.recover"
tm_start 80 24 -- -c "$conf"
tm_wait "Unsaved edits from an interrupted session" >/dev/null
tm_keys n
t_ok "n discards the recovered edits" tm_gone "Unsaved edits"
t_not "the recovery file is gone" test -e "$conf.recover"
t_nomatch "and the screen shows the file as it is" "$(tm_screen)" \
    '\[modified\]'

# Two sessions: the first holds the lock; the second, in another server,
# is read-only and names the holder.
pid1=$(tm_pid)
first=$tm_sock
tm_n=$((tm_n + 1))
tm_sock="certbind-test-$$-$tm_n"
tm_socks="$tm_socks $tm_sock"
tm new-session -d -x 80 -y 24 "env TERM=xterm-256color LC_ALL=C.UTF-8 \
    $CERTBIND -c $conf; echo certbind-exit=\$?; sleep 600"
t_ok "second session: read-only" tm_wait "[read-only]"
t_match "second session: says who holds the file" \
    "$(tm_screen | tr '\n' ' ' | sed 's/[│ ]\{1,\}/ /g')" \
    "being edited by $(id -un) on $(hostname) \\(pid $pid1\\)"
tm_keys m
t_ok "second session: edits are refused" tm_wait "Read-only session"
tm_keys c
t_ok "second session: commit is refused" tm_wait "Read-only session"
tm_keys q
t_ok "second session: quits" tm_wait "certbind-exit=0"
t_ok "second session: the first one's lock is left alone" \
    grep -q " $pid1\$" "$conf.lock"
tm kill-server
tm_sock=$first

# The file changes on disk under the first session: commit refuses.
tm_keys m
tm_wait "Probable move found" >/dev/null
tm_keys Enter
tm_wait "[modified]" >/dev/null
# A command-line writer takes the same lock, and is refused while the
# session holds it (op/commit.c).
cp "$conf" "$T/before.conf"
cb -c "$conf" bind api '127.0.0.4:9443'
t_is "a command-line writer is refused while the session holds the lock" \
    "$rc" 1
t_match "and told who holds it" "$err" \
    "being edited by $(id -un) on $(hostname) \\(pid $pid1\\)"
t_ok "and writes nothing" cmp -s "$conf" "$T/before.conf"
# Another writer that takes no lock (an editor) changes the file.
cp "$conf" "$T/other.conf"
cb -c "$T/other.conf" bind api '127.0.0.4:9443'
t_is "another writer changed the file" "$rc" 0
cat "$T/other.conf" >"$conf"
tm_keys c
t_ok "commit sees the change on disk" tm_wait "changed on disk"
t_nomatch "its own line breaks are not shown as escapes" "$(tm_screen)" \
    '\\x0A'
t_ok "and does not overwrite it" cmp -s "$conf" "$T/other.conf"
t_ok "the edits are kept for later" test -f "$conf.recover"
tm_keys q
tm_gone "Not committed" >/dev/null
tm_keys q
tm_wait "There are unsaved changes" >/dev/null
tm_keys y
t_ok "quits" tm_wait "certbind-exit=0"
t_ok "the file is still the other writer's" cmp -s "$conf" "$T/other.conf"

# A lock left by a dead process is stale and taken over.
printf '%s %s %s\n' "$(id -un)" "$(hostname)" 999999 >"$conf.lock"
rm -f "$conf.recover"
tm_start 80 24 -- -c "$conf"
tm_ready >/dev/null
t_nomatch "a stale lock does not make the session read-only" \
    "$(tm_screen)" '\[read-only\]'
t_ok "the stale lock is replaced by ours" grep -q " $(tm_pid)\$" "$conf.lock"

# A lock from another host is never taken over: its pid means nothing here.
tm_keys q
tm_wait "certbind-exit=0" >/dev/null
printf 'alice other-host.example 999999\n' >"$conf.lock"
tm_start 80 24 -- -c "$conf"
t_ok "a lock from another host makes the session read-only" \
    tm_wait "[read-only]"
t_match "and names that host" "$(tm_screen)" \
    'edited by alice on other-host\.example \(pid 999999\)'
tm_keys q
tm_wait "certbind-exit=0" >/dev/null
t_is "the other host's lock is left as it was" "$(cat "$conf.lock")" \
    "alice other-host.example 999999"
t_done
