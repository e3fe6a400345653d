#!/bin/sh
# A global OOM: no cgroup limit, hog eats the whole guest. Everything of the
# harness (this shell, init, the reader) runs at oom_score_adj -1000, so the
# hog is the only candidate and the harness lives to ship the results.
. /lib.sh

load_module
start_reader "$R/r"
grep -E '^(MemTotal|MemAvailable)' /proc/meminfo > "$R/meminfo.before"

say "starting hog in the root cgroup"
run_victim /bin/hog > /dev/null 2>> "$R/hog.err" &
hog=$!
echo "$hog" > "$R/victim_pids"
wait_exit "$hog" 120 || fail "hog $hog still alive after 120 s; $(grep MemAvailable /proc/meminfo)"
[ "$WAIT_STATUS" = 137 ] || fail "hog $hog exited with $WAIT_STATUS, not SIGKILL (137)"
say "hog $hog killed"

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
