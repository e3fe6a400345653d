#!/bin/sh
# Go victims at the default MemProfileRate (512 KiB): the OOM profile's
# leaking site must hold about what the victim says it leaked.
. /lib.sh

load_module
start_reader "$R/r"

for tag in go119 gocur; do
	make_cgroup "g$tag" 160M
	run_victim_in_cgroup "$CG/g$tag" /bin/victim-$tag \
		-rate 524288 -delay 2500ms -selfprof "$R/self-$tag.pb.gz" \
		-progress "$R/progress-$tag" > "$R/victim-$tag.out" 2>> "$R/victim-$tag.err" &
	pid=$!
	echo "$pid" >> "$R/victim_pids"
	wait_exit "$pid" 120 || fail "victim-$tag $pid still alive after 120 s: $(cg_diag "g$tag")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "victim-$tag exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$tag.err" | tr '\n' '|')"
done

sleep 3
stop_reader
finish
