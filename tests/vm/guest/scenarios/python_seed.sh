#!/bin/sh
# mem: 1024M
# python_seed: the issue's seed. A C wrapper starts python3, which appends
# 100 MB bytearrays (each written whole) to a list until it is killed, in a
# 400 MiB memcg without swap, beside two holders. The kill record must
# say where the memory was: python3's anonymous 100 MB mappings (as many
# as it reported on stderr), its [heap] where /proc/PID/maps had it, the
# memcg at its limit, the holders ranked in its task list.
. /lib.sh

[ -x /usr/bin/python3 ] || fail "no /usr/bin/python3 in the initramfs: mkinitramfs.sh copies the host's /usr/bin/python3 (apt-get install python3-minimal)"
load_module
start_reader "$R/r"

make_cgroup seed 400M
for mib in 8 16; do
	run_victim_in_cgroup "$CG/seed" /bin/holder "$mib" 0 \
		> "$R/holder.$mib" 2>> "$R/holder.err" &
	echo "$! $mib" >> "$R/holders"
	wait_for 30 grep -q ready "$R/holder.$mib" ||
		fail "holder of $mib MiB not ready in 30 s: $(cat "$R/holder.err")"
done

cat > /tmp/seed.py <<'PY'
import os
import sys
sys.stderr.write("pid %d\n" % os.getpid())
held = []
while True:
    held.append(bytearray(100 * 1024 * 1024))
    sys.stderr.write("allocated %d\n" % len(held))
    sys.stderr.flush()
PY
# -S -I: no site, no environment; the initramfs holds only the encodings.
run_victim_in_cgroup "$CG/seed" /bin/wrapper /usr/bin/python3 -S -I /tmp/seed.py \
	2> "$R/seed.err" &
wrapper=$!
echo "$wrapper" > "$R/wrapper_pid"
wait_for 60 grep -q "allocated 1" "$R/seed.err" ||
	fail "python3 did not allocate in 60 s: $(head -c 600 "$R/seed.err")"
py=$(sed -n 's/^pid //p' "$R/seed.err" | head -n 1)
[ -n "$py" ] || fail "python3 did not say its pid: $(head -c 600 "$R/seed.err")"
echo "$py" > "$R/python_pid"
echo "$py" >> "$R/victim_pids"
# The oracle for the record's mappings: the kernel's own list, before.
cp "/proc/$py/maps" "$R/python.maps" 2>/dev/null
wait_exit "$wrapper" 120 ||
	fail "wrapper $wrapper still alive after 120 s: $(cg_diag seed)"
[ "$WAIT_STATUS" = 137 ] ||
	fail "wrapper exited with $WAIT_STATUS, not 137 (python3 SIGKILLed): $(tail -n 3 "$R/seed.err" | tr '\n' '|')"
for f in memory.events memory.max memory.peak memory.current; do
	[ -e "$CG/seed/$f" ] && cp "$CG/seed/$f" "$R/seed.$f"
done
while read -r pid _; do
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done < "$R/holders"

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
