#!/bin/sh
# stress_ioctl (make stress; smaller in make check): N random ioctls on
# /dev/oomprof from root and N from a process without privileges that
# was passed the open descriptor (tests/vm/progs/stress_ioctl.c), with
# oomprof-read running. The checker requires no splat, no kmemleak report
# (debug kernel), the reader alive, and no registration left once the
# fuzzer has exited. N per side: 20000, or 100000 with oomprof_stress=full.
. /lib.sh

N=$(stress_size 20000 100000)
seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
echo "n=$N" >> "$R/summary"
echo "seed=$seed" >> "$R/summary"
load_module
start_reader "$R/r"
save_stats "$R/stats_before.json"
read -r t0 _ < /proc/uptime
/bin/stress_ioctl "$N" "$seed" > "$R/ioctl.txt" 2>> "$R/ioctl.err" ||
	problem "stress_ioctl failed: $(tail -n 2 "$R/ioctl.err" | tr '\n' '|')"
read -r t1 _ < /proc/uptime
echo "elapsed_s=$(awk "BEGIN { print $t1 - $t0 }")" >> "$R/summary"
sleep 1
alive "$READER_PID" || problem "oomprof-read died during the ioctls"
save_stats "$R/stats.json"
stop_reader
finish
