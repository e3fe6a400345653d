#!/bin/sh
# Benchmark, not a test (make bench): what a kill record's ranked list of
# processes costs. A hog is OOM-killed in a memcg while N other processes
# (tests/vm/progs/sleepers: N in 0, 1000, 4000) sleep outside it; the
# walk goes over every process of the machine (filtering by memcg), in the
# publication work after the kill, and each record says how many it walked
# and how long it took (tasks_walked, tasks_walk_ns). The memcg and machine
# numbers are read in the kill's probe itself: a few counters.
. /lib.sh

load_module
start_reader "$R/r"
for n in 0 1000 4000; do
	/bin/sleepers "$n" > "$R/sleepers-$n.out" 2>> "$R/sleepers.err" &
	sp=$!
	ready() { grep -q ready "$R/sleepers-$n.out" || ! alive "$sp"; }
	wait_for 300 ready && grep -q ready "$R/sleepers-$n.out" ||
		fail "sleepers $n not ready within 300 s: $(tail -n 2 "$R/sleepers.err" | tr '\n' '|')"
	say "$n sleepers running ($(ls /proc | grep -c '^[0-9]') processes)"
	for round in 1 2 3; do
		make_cgroup "bc$n-$round" 64M
		run_victim_in_cgroup "$CG/bc$n-$round" /bin/hog > /dev/null 2>> "$R/hog.err" &
		pid=$!
		echo "$n $pid" >> "$R/victims"
		wait_exit "$pid" 120 || fail "hog $pid alive after 120 s"
	done
	kill -TERM "$sp"
	wait "$sp" 2> /dev/null
done
lines() { [ "$(grep -c '"type":"oom_kill"' "$R/r/events.jsonl" 2>/dev/null)" -ge 9 ]; }
wait_for 30 lines || problem "fewer than 9 oom_kill lines"
stop_reader
finish
