#!/bin/sh
# make demo: a wrapper runs a C program that allocates until its cgroup's
# 64 MiB limit makes the kernel OOM-kill it, then a Go program leaks until
# its cgroup's 160 MiB limit does, with oomprof-read recording both.
. /lib.sh

load_module
make_cgroup demo 64M
start_reader "$R/r"

say "starting: wrapper /bin/hog in cgroup /demo (memory.max 64M)"
run_victim_in_cgroup "$CG/demo" /bin/wrapper /bin/hog > "$R/hog.out" 2>> "$R/hog.err" &
wrapper=$!
wait_exit "$wrapper" 60 || fail "wrapper $wrapper still alive after 60 s: $(cg_diag demo)"
read -r hog < "$R/hog.out" || true
echo "$hog" > "$R/victim_pids"
say "the kernel OOM-killed hog ${hog:-?}"

make_cgroup godemo 160M
say "starting: a Go program leaking in cgroup /godemo (memory.max 160M)"
run_victim_in_cgroup "$CG/godemo" /bin/victim-gocur -rate 524288 -delay 2500ms \
	> "$R/go.out" 2>> "$R/go.err" &
gopid=$!
echo "$gopid" >> "$R/victim_pids"
wait_exit "$gopid" 120 || fail "the Go victim is still alive after 120 s"
say "the kernel OOM-killed the Go program $gopid"

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
