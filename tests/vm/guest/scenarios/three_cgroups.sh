#!/bin/sh
# Three memcg OOMs at once in three cgroups: three records, none dropped,
# each with its own cgroup; and the --metrics file counts each cgroup's
# kills as its memory.events does.
. /lib.sh

load_module
for c in t1 t2 t3; do
	make_cgroup "$c" 48M
done
mkdir -m 0755 "$R/metrics"
start_reader "$R/r" --metrics "$R/metrics/oomprof.prom"

pids=
for c in t1 t2 t3; do
	run_victim_in_cgroup "$CG/$c" /bin/hog > /dev/null 2>> "$R/hog.err" &
	pids="$pids $!"
	echo "$! $c" >> "$R/victim_cgroups"
done
say "hogs:$pids"
for p in $pids; do
	echo "$p" >> "$R/victim_pids"
	wait_exit "$p" 90 ||
		fail "hog $p still alive after 90 s: $(cg_diag t1); $(cg_diag t2); $(cg_diag t3)"
	[ "$WAIT_STATUS" = 137 ] || fail "hog $p exited with $WAIT_STATUS, not SIGKILL (137)"
done
for c in t1 t2 t3; do
	cp "$CG/$c/memory.events" "$R/$c.memory.events"
done

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
