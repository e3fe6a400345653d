#!/bin/sh
# Four Go victims (two per toolchain) in four cgroups OOM at once: four
# complete heap profiles.
. /lib.sh

load_module
start_reader "$R/r"

n=0
for tag in go119 gocur go119 gocur; do
	n=$((n + 1))
	make_cgroup "g$n" 72M
	run_victim_in_cgroup "$CG/g$n" /bin/victim-$tag -rate 4096 -delay 2500ms \
		> "$R/victim-$n.out" 2>> "$R/victim-$n.err" &
	echo "$!" >> "$R/victim_pids"
done
for pid in $(cat "$R/victim_pids"); do
	wait_exit "$pid" 120 || fail "victim $pid still alive after 120 s"
	[ "$WAIT_STATUS" = 137 ] || fail "victim $pid exited with $WAIT_STATUS, not SIGKILL"
done

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
