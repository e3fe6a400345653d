#!/bin/sh
# stress_kills (make stress; smaller in make check): N consecutive memcg
# OOM kills (hog in a 16M cgroup, one after another) with oomprof-read
# running. The checker requires N records, seq 1..N without a gap, nothing
# dropped, the records' pids those of the victims, and (debug kernel) no
# kmemleak report. N: 100 (30 on the debug kernel), or 1000 with
# oomprof_stress=full.
. /lib.sh

N=$(stress_size 100 1000 30)
echo "n=$N" >> "$R/summary"
# Shorter OOM reports (no task list); the log is drained as it goes, the
# 4 MiB ring would not hold a thousand reports.
echo 0 > /proc/sys/vm/oom_dump_tasks
load_module
start_reader "$R/r"
make_cgroup t1 16M

read -r t0 _ < /proc/uptime
i=1
while [ "$i" -le "$N" ]; do
	oom_in_cgroup t1 30
	if [ $((i % 50)) = 0 ]; then
		dmesg -c >> "$R/dmesg-during.txt"
		say "$i kills"
	fi
	i=$((i + 1))
done
read -r t1 _ < /proc/uptime
echo "elapsed_s=$(awk "BEGIN { print $t1 - $t0 }")" >> "$R/summary"
cp "$CG/t1/memory.events" "$R/t1.memory.events"
# Every record read and written: the count of lines reaches N (60 s).
lines() { [ "$(grep -c '"type":"oom_kill"' "$R/r/events.jsonl" 2>/dev/null)" -ge "$N" ]; }
wait_for 60 lines || problem "events.jsonl has $(grep -c '"type":"oom_kill"' "$R/r/events.jsonl") oom_kill lines 60 s after the last of $N kills"
save_stats "$R/stats.json"
echo "reader_rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$READER_PID/status")" >> "$R/summary"
echo "reader_fds=$(ls "/proc/$READER_PID/fd" | wc -l)" >> "$R/summary"
stop_reader
dmesg -c >> "$R/dmesg-during.txt"
finish
