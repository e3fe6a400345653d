#!/bin/sh
# More Go victims at once than capture buffers (capture_buffers=1), and the
# reader restarted in between: the first victim is captured (and symbolized
# by the new reader from the path the registration left in the record), the
# others get records that say they were not captured and why.
. /lib.sh

load_module capture_buffers=1
start_reader "$R/r"
for n in 1 2 3; do
	make_cgroup "g$n" 96M
	run_victim_in_cgroup "$CG/g$n" /bin/victim-gocur -rate 4096 -delay 6s \
		> "$R/victim-$n.out" 2>> "$R/victim-$n.err" &
	echo "$!" >> "$R/victim_pids"
done
registered() {
	/bin/oomprof-read --stats 2>/dev/null | grep -q '"registered":3,'
}
wait_for 10 registered || fail "the 3 victims were not registered within 10 s"
# No reader while they die: the one buffer is not freed before all three
# kills have happened.
stop_reader
for pid in $(cat "$R/victim_pids"); do
	wait_exit "$pid" 120 || fail "victim $pid still alive after 120 s"
	[ "$WAIT_STATUS" = 137 ] || fail "victim $pid exited with $WAIT_STATUS, not SIGKILL"
done
sleep 2
/bin/oomprof-read -d "$R/r" --drain 2>> "$R/reader.log" || problem "oomprof-read --drain failed"
save_stats "$R/stats.json"
finish
