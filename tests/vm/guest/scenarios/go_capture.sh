#!/bin/sh
# Go victims built with Go 1.19 and with the current Go, each as a plain
# executable, as a PIE and stripped, each with MemProfileRate 1: it retains known objects at three sites (one
# inlined, one 150 frames deep), writes its own heap profile, then leaks
# until its cgroup OOM-kills it. oomprof-read must write a heap profile for
# each kill; the host compares it with the victim's own.
. /lib.sh

load_module
start_reader "$R/r"

for tag in go119 gocur go119pie gocurpie go119s gocurs; do
	make_cgroup "g$tag" 160M
	say "starting victim-$tag in /g$tag"
	GODEBUG=profstackdepth=1024 run_victim_in_cgroup "$CG/g$tag" /bin/victim-$tag \
		-rate 1 -delay 2500ms -selfprof "$R/self-$tag.pb.gz" \
		-progress "$R/progress-$tag" > "$R/victim-$tag.out" 2>> "$R/victim-$tag.err" &
	pid=$!
	echo "$pid" >> "$R/victim_pids"
	wait_exit "$pid" 120 || fail "victim-$tag $pid still alive after 120 s: $(cg_diag "g$tag")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "victim-$tag exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$tag.err" | tr '\n' '|')"
	say "victim-$tag $pid OOM-killed after leaking $(tail -n 1 "$R/progress-$tag") bytes"
done

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
