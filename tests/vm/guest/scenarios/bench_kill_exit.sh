#!/bin/sh
# mem: 1536M
# Benchmark, not a test (make bench): how long a Go victim takes from its
# OOM kill (the kernel's mark_victim event) until its memory is freed
# (exit_mmap, in its last thread's exit or in the worker that dropped the
# last reference), with the module loaded at its default settings and the
# victim registered (its buckets captured before it dies; learned by
# oomprof-read first where it learns) and with no module at all, at 1k
# and 100k heap-profile buckets (three bigheap victims each) and at
# oomprof_bigheap_n (1000000 in make bench, 200000 by default; one victim).
# Timestamps come from the kernel's own trace events (tracefs), written to
# $R/trace.txt. During the biggest kill rtlat, a SCHED_FIFO task on each
# CPU, measures its worst wake-up delay ($R/rtlat-MODE): the capture's CPU
# is one of them.
. /lib.sh

big=$(cmdline_param oomprof_bigheap_n 200000)
# No own profiles: only the times matter here.
BIGHEAP_SELFPROF=0
T=/sys/kernel/tracing
[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2> /dev/null ||
	fail "no tracefs at $T"
echo 8192 > "$T/buffer_size_kb"
echo 1 > "$T/events/oom/mark_victim/enable" || fail "no oom/mark_victim trace event"
echo 1 > "$T/events/mmap/exit_mmap/enable" || fail "no mmap/exit_mmap trace event"

# The learning daemon's module reports reserved_bytes; without it, no wait.
learns=0
# victims MODE N COUNT: COUNT bigheap victims with N stacks, one after the other.
victims() {
	for i in $(seq "$3"); do
		name="b$1$2x$i"
		bigheap_start "$name" "$2"
		pid=$BIG_PID
		echo "$1 $2 $pid" >> "$R/victims"
		bigheap_wait_ready "$name" "$pid" $((120 + $2 / 2000))
		if [ "$1" = capture ]; then
			if [ "$learns" = 1 ] && [ "$2" -ge 10000 ]; then
				bigheap_wait_learned "$pid" "$2" $((60 + $2 / 2000)) soft || true
			else
				sleep 2
			fi
		fi
		lat=
		if [ "$2" = "$big" ]; then
			/bin/rtlat 0 > "$R/rtlat-$1-0" 2>&1 &
			lat="$!"
			/bin/rtlat 1 > "$R/rtlat-$1-1" 2>&1 &
			lat="$lat $!"
			sleep 1
		fi
		bigheap_go "$name"
		wait_exit "$pid" 300 || fail "victim with $2 buckets still alive 300 s after the go-ahead"
		sleep 1
		for l in $lat; do
			kill -TERM "$l"
			wait_exit "$l" 10 || fail "rtlat $l did not stop"
		done
		if [ "$1" = capture ]; then
			bigheap_wait_profile "$pid" $((60 + $2 / 2000))
		fi
		rmdir "$CG/$name" 2> /dev/null || true
	done
}

echo 1 > "$T/tracing_on"
load_module
save_stats "$R/stats.json"
grep -q '"reserved_bytes"' "$R/stats.json" && learns=1
start_reader "$R/r"
victims capture 1000 3
victims capture 100000 3
victims capture "$big" 1
stop_reader
rmmod oomprof || fail "rmmod oomprof failed"
victims nomodule 1000 3
victims nomodule 100000 3
victims nomodule "$big" 1
echo 0 > "$T/tracing_on"
cat "$T/trace" > "$R/trace.txt"
finish
