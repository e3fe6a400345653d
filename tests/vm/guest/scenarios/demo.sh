#!/bin/sh
# make demo: a wrapper runs a program that allocates until its cgroup's
# 64 MiB limit makes the kernel OOM-kill it, with oomprof-read recording.
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

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
