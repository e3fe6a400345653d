#!/bin/sh
# A Go binary that never references runtime.MemProfile has MemProfileRate 0:
# its kill is recorded, and oomprof-read says profiling is disabled in that
# binary instead of writing an empty profile.
. /lib.sh

load_module
start_reader "$R/r"
for tag in go119 gocur; do
	make_cgroup "g$tag" 96M
	run_victim_in_cgroup "$CG/g$tag" /bin/rate0-$tag \
		> "$R/rate0-$tag.out" 2>> "$R/rate0-$tag.err" &
	pid=$!
	echo "$pid" >> "$R/victim_pids"
	wait_exit "$pid" 120 || fail "rate0-$tag $pid still alive after 120 s"
	[ "$WAIT_STATUS" = 137 ] || fail "rate0-$tag exited with $WAIT_STATUS, not SIGKILL"
done
sleep 3
stop_reader
finish
