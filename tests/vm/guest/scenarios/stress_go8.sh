#!/bin/sh
# stress_go8 (make stress and make check): eight Go victims (four per
# toolchain), registered by oomprof-read at exec, OOM-killed within one
# second: stress_oomall lowers the memory.max of their eight cgroups at
# the same moment, which runs each cgroup's OOM killer at once. Module
# defaults (capture_buffers=4 and the rest). The checker requires eight
# complete profiles, each with every stack of the victim's own
# runtime/pprof profile, and the eight kills within one second.
. /lib.sh

load_module
start_reader "$R/r"

n=0
for tag in go119 gocur go119 gocur go119 gocur go119 gocur; do
	n=$((n + 1))
	make_cgroup "g$n" 96M
	run_victim_in_cgroup "$CG/g$n" /bin/victim-$tag -rate 1 -lite -hold \
		-selfprof "$R/self-$n.pb.gz" > "$R/victim-$n.out" 2>> "$R/victim-$n.err" &
	echo "$!" >> "$R/victim_pids"
done
all_ready() {
	for _v in 1 2 3 4 5 6 7 8; do
		[ -s "$R/self-$_v.pb.gz" ] && [ -s "$R/victim-$_v.out" ] || return 1
	done
}
wait_for 120 all_ready || fail "the eight victims did not write their own profiles within 120 s"
# Registered: at exec, well before their profiles; the stats say so.
save_stats "$R/stats_before.json"
files=
for n in 1 2 3 4 5 6 7 8; do files="$files $CG/g$n/memory.max"; done
# shellcheck disable=SC2086
/bin/stress_oomall 1M $files > "$R/oomall.txt" 2>> "$R/oomall.err" ||
	problem "stress_oomall: $(tail -n 2 "$R/oomall.err" | tr '\n' '|')"
for pid in $(cat "$R/victim_pids"); do
	wait_exit "$pid" 60 || fail "victim $pid still alive 60 s after its cgroup's limit was lowered"
	[ "$WAIT_STATUS" = 137 ] || fail "victim $pid exited with $WAIT_STATUS, not SIGKILL"
done
lines() { [ "$(grep -c '"type":"oom_kill"' "$R/r/events.jsonl" 2>/dev/null)" -ge 8 ]; }
wait_for 30 lines || problem "fewer than 8 oom_kill lines 30 s after the kills"
sleep 1
stop_reader
save_stats "$R/stats.json"
finish
