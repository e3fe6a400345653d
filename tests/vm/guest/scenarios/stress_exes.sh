#!/bin/sh
# stress_exes (make stress and make check): N distinct executables, each
# created in /tmp, run once and deleted (progs/exestorm: plain copies, a
# note claiming 2 GiB in a 2 GiB sparse file, 65535 sections past the end
# of the file, and every 100th a real Go program), while a hog is
# OOM-killed again and again: oomprof-read parses every one at its exec
# and must keep recording every kill, its memory and open files staying
# bounded (its executable cache holds at most 1024 files). N: 1500 (past
# the cache's 1024, so the bound is reached), 400 on the debug kernel,
# 10000 with oomprof_stress=full.
. /lib.sh

N=$(stress_size 1500 10000 400)
echo "n=$N" >> "$R/summary"
echo 0 > /proc/sys/vm/oom_dump_tasks
load_module
start_reader "$R/r"
make_cgroup t1 16M

(
	while [ ! -e /tmp/stop_kills ]; do
		run_victim_in_cgroup "$CG/t1" /bin/hog > /dev/null 2>> "$R/hog.err" &
		_h=$!
		echo "$_h" >> "$R/victim_pids"
		wait_exit "$_h" 30 || { echo "hog $_h alive after 30 s" >> "$R/kill_loop.err"; kill -KILL "$_h"; }
		sleep 1
	done
) &
killer=$!

mkdir -p /tmp/exes
read -r t0 _ < /proc/uptime
/bin/exestorm /bin/nop /bin/victim-gocur /tmp/exes "$N" "$READER_PID" \
	> "$R/exestorm.txt" 2>&1 || problem "exestorm failed: $(tail -n 2 "$R/exestorm.txt" | tr '\n' '|')"
read -r t1 _ < /proc/uptime
echo "secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" >> "$R/summary"
touch /tmp/stop_kills
wait "$killer"
alive "$READER_PID" || fail "oomprof-read died during the storm: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
# Every kill's record is written once its hog took its SIGKILL.
kills=$(wc -l < "$R/victim_pids")
lines() { [ "$(grep -c '"type":"oom_kill"' "$R/r/events.jsonl" 2>/dev/null)" -ge "$kills" ]; }
wait_for 30 lines || problem "fewer than $kills oom_kill lines 30 s after the last kill"
stop_reader
save_stats "$R/stats.json"
finish
