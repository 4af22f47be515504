#!/bin/sh
# Saves under faults: certbind killed with SIGKILL at random moments across
# 200 saves, and a full file system. Whatever happens, the config on disk
# parses and is byte for byte either the old file or the new one.
. "$(dirname "$0")/../lib.sh"

conf=$T/certbind.conf
{
	echo 'version = 1;'
	echo 'keys = ( { name = "www"; key = "www.key"; cert = "www.pem"; } );'
	echo 'bindings = ('
	# Enough bindings that a save takes long enough to be interrupted.
	i=0
	while [ $i -lt 3000 ]; do
		echo "  { key = \"www\"; endpoint = \"127.0.$((i / 250)).$((i % 250 + 1)):443\"; },"
		i=$((i + 1))
	done
	echo '  { key = "www"; endpoint = "*:*"; }'
	echo ');'
} >"$conf"
# Normalise once so every later file is in certbind's own form.
cb -c "$conf" bind www '[::1]:443'
t_is "a large config saves" "$rc" 0

hash() { sha256sum "$1" | cut -d' ' -f1; }

# 200 saves; 20 under valgrind, where each run takes seconds.
nsaves=200
[ "$T_SLOW" = valgrind ] && nsaves=20
bad="" torn=0 killed=0 finished=0 n=0
while [ $n -lt $nsaves ]; do
	n=$((n + 1))
	if [ $((n % 2)) -eq 1 ]; then op=unbind; else op=bind; fi
	old=$(hash "$conf")
	# The new file, made on a copy by an uninterrupted run.
	cp "$conf" "$T/copy.conf"
	$CERTBIND -c "$T/copy.conf" $op www '[::1]:443' >/dev/null 2>&1
	new=$(hash "$T/copy.conf")
	$CERTBIND -c "$conf" $op www '[::1]:443' >/dev/null 2>&1 &
	pid=$!
	# A random delay from 0 to about 30 ms, then SIGKILL.
	delay=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
	if [ "$T_SLOW" = valgrind ]; then
		sleep "$((delay % 3)).$((delay % 10))"
	else
		sleep "0.0$((delay % 30))" 2>/dev/null || sleep 0
	fi
	if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$pid" 2>/dev/null
	now=$(hash "$conf")
	if [ "$now" = "$new" ]; then
		finished=$((finished + 1))
	elif [ "$now" != "$old" ]; then
		torn=$((torn + 1))
		bad="save $n: the file is neither the old nor the new one"
		break
	fi
	if ! $CERTBIND -c "$conf" check --offline >/dev/null 2>&1 &&
	    [ $? -eq 2 ]; then
		bad="save $n: the file no longer loads"
		break
	fi
	# Put it back in step with the toggle if the kill won.
	if [ "$now" = "$old" ]; then
		$CERTBIND -c "$conf" $op www '[::1]:443' >/dev/null 2>&1
	fi
done
t_is "$nsaves saves killed at random: always the old or the new file" \
    "${bad:-none}" "none"
echo "# $killed of $n runs killed before they ended, $finished had saved"
t_ok "some saves were interrupted (the test exercised the fault)" \
    test "$killed" -gt 0

# A full file system: the write fails, the original stays as it was.
mnt=$T/small
mkdir "$mnt"
if mount -t tmpfs -o size=200k tmpfs "$mnt" 2>/dev/null; then
	t_at_exit umount_small
	umount_small() { umount "$mnt" 2>/dev/null; }
	cp "$conf" "$mnt/certbind.conf"
	# Fill what is left so the temporary copy cannot be written.
	dd if=/dev/zero of="$mnt/fill" bs=1k count=400 2>/dev/null
	before=$(hash "$mnt/certbind.conf")
	cb -c "$mnt/certbind.conf" unbind www '*:*'
	t_is "a save on a full file system is refused" "$rc" 1
	t_match "the refusal says why" "$err" "No space left on device"
	t_is "and the file is byte-identical" \
	    "$(hash "$mnt/certbind.conf")" "$before"
	t_is "and no temporary file is left behind" \
	    "$(ls -A "$mnt" | grep -v -e '^certbind.conf$' -e '^fill$' | wc -l)" 0
else
	t_skip "a save on a full file system" "cannot mount a tmpfs here (not root, or no permission)"
fi
t_done
