#!/bin/sh
# Go victims that are OOM-killed within 200 ms of their exec: oomprof-read
# must register them from the module's exec record, before the kill, and
# write each one's heap profile. execat notes the exec time on the clock of
# the kill records. Each binary runs ten times, alternating two kinds of run:
# an oracle run collects garbage twice and writes the runtime's own heap
# profile before it leaks (both take a hundred milliseconds or more under
# emulation), and the fast run after it makes the same allocations and then
# leaks at once, with no GC and no profile of its own, so its kill comes as
# soon after its exec as the runtime's start allows. The host requires every
# run captured, each oracle run's profile equal to its own, each fast run's
# equal to the preceding oracle run's, and one fast run of each plain binary
# killed within 200 ms of its exec.
. /lib.sh

load_module
start_reader "$R/r"

for tag in go119 gocur gocurpie; do
	for i in 1 2 3 4 5 6 7 8 9 10; do
		make_cgroup "f$tag$i" 8M
		if [ $((i % 2)) = 1 ]; then
			kind=oracle
			set -- -selfprof "$R/self-$tag-$i.pb.gz"
		else
			kind=fast
			set -- -fast
		fi
		GOGC=off run_victim_in_cgroup "$CG/f$tag$i" /bin/execat "$R/exec-$tag-$i" \
			/bin/victim-$tag -rate 1 -lite -timing -chunk 4194304 "$@" \
			> "$R/victim-$tag-$i.out" 2>> "$R/victim-$tag-$i.err" &
		pid=$!
		echo "$pid" >> "$R/victim_pids"
		echo "$pid $tag $i $kind" >> "$R/runs"
		wait_exit "$pid" 60 || fail "victim-$tag $pid still alive after 60 s: $(cg_diag "f$tag$i")"
		[ "$WAIT_STATUS" = 137 ] ||
			fail "victim-$tag exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$tag-$i.err" | tr '\n' '|')"
	done
	say "victim-$tag: 10 runs OOM-killed"
done

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
