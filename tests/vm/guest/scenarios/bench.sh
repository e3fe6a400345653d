#!/bin/sh
# Benchmark, not a test (make bench): a Go victim with about 1k, 10k and
# 100k heap-profile buckets OOM-killed in turn; the records say how long the
# capture took and how many bytes it copied, oomprof-read's log how long
# symbolizing and writing took.
. /lib.sh

load_module capture_buffers=1 capture_buffer_mb=64
start_reader "$R/r"
for n in 1000 10000 100000; do
	make_cgroup "b$n" 256M
	run_victim_in_cgroup "$CG/b$n" /bin/victim-gocur -rate 1 -buckets "$n" \
		-delay 2500ms > "$R/victim-$n.out" 2>> "$R/victim-$n.err" &
	pid=$!
	echo "$pid" >> "$R/victim_pids"
	wait_exit "$pid" 300 || fail "victim with $n buckets still alive after 300 s"
	sleep 2
done
sleep 2
stop_reader
finish
