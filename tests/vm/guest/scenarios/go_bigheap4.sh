#!/bin/sh
# mem: 1536M
# Issue 11: four bigheap victims (N stacks each: oomprof_bigheap4_n on the
# kernel command line, 100000 by default, make bench runs 1000000) in four
# cgroups, learned by oomprof-read, then killed at once (the go-ahead for
# all four, each cgroup's limit 64M above its use): four complete profiles,
# each holding every stack of its victim's own with equal values (host).
# oomprof_bigheap_validate=1 as in go_bigheap (capture_buffers=4).
. /lib.sh

n=$(cmdline_param oomprof_bigheap4_n 100000)
bigheap_load_module "$n" 4
# oomprof-read's learned stacks: ~100 bytes a bucket, shared by the four
# (one executable), but four 1M-bucket lists spent its default 256M
# (measured): past 2M buckets in all, give it room, as README says to.
if [ $((4 * n)) -gt 2000000 ]; then
	start_reader "$R/r" --learn-memory 768M
else
	start_reader "$R/r"
fi

pids=
for i in 1 2 3 4; do
	bigheap_start "big$i" "$n"
	pids="$pids $BIG_PID"
done
i=0
for pid in $pids; do
	i=$((i + 1))
	bigheap_wait_ready "big$i" "$pid" $((120 + n / 500))
done
if [ "$validate" != 1 ]; then
	for pid in $pids; do
		bigheap_wait_learned "$pid" "$n" $((120 + n / 500))
	done
fi
for i in 1 2 3 4; do
	bigheap_go "big$i"
done
for pid in $pids; do
	wait_exit "$pid" 300 || fail "bigheap $pid still alive 300 s after the go-ahead"
	[ "$WAIT_STATUS" = 137 ] || fail "bigheap $pid exited with $WAIT_STATUS, not SIGKILL"
done
say "four bigheap victims OOM-killed"
for pid in $pids; do
	bigheap_wait_profile "$pid" $((60 + n / 500))
done
stop_reader
save_stats "$R/stats.json"
finish
