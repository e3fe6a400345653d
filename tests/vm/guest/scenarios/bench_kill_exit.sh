#!/bin/sh
# Benchmark, not a test (make bench): how long a Go victim takes from its
# OOM kill (the kernel's mark_victim event) until its memory is freed
# (exit_mmap, in its last thread's exit or in the worker that dropped the
# last reference), with the module loaded and the victim registered
# (its buckets captured before it dies) and with no module at all, at 1k
# and 100k heap-profile buckets, three victims each. Timestamps come from
# the kernel's own trace events (tracefs), written to $R/trace.txt.
. /lib.sh

T=/sys/kernel/tracing
[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2> /dev/null ||
	fail "no tracefs at $T"
echo 8192 > "$T/buffer_size_kb"
echo 1 > "$T/events/oom/mark_victim/enable" || fail "no oom/mark_victim trace event"
echo 1 > "$T/events/mmap/exit_mmap/enable" || fail "no mmap/exit_mmap trace event"

# victims MODE N: three victims with N buckets, one after the other.
victims() {
	for i in 1 2 3; do
		make_cgroup "b$1$2x$i" 256M
		run_victim_in_cgroup "$CG/b$1$2x$i" /bin/victim-gocur -rate 1 -lite \
			-buckets "$2" -delay 500ms > /dev/null 2>> "$R/victim.err" &
		pid=$!
		echo "$1 $2 $pid" >> "$R/victims"
		wait_exit "$pid" 300 || fail "victim with $2 buckets still alive after 300 s"
		sleep 1
	done
}

echo 1 > "$T/tracing_on"
load_module capture_buffers=1 capture_buffer_mb=64
start_reader "$R/r"
for n in 1000 100000; do
	victims capture "$n"
done
stop_reader
rmmod oomprof || fail "rmmod oomprof failed"
for n in 1000 100000; do
	victims nomodule "$n"
done
echo 0 > "$T/tracing_on"
cat "$T/trace" > "$R/trace.txt"
finish
