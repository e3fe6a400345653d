#!/bin/sh
# Extra (not in run.sh's default list): a memcg OOM of a multi-threaded
# victim. Any of its threads may dequeue the SIGKILL; the record must still
# name the process the kernel killed and see the SIGKILL.
. /lib.sh

load_module
make_cgroup t1 64M
start_reader "$R/r"

run_victim_in_cgroup "$CG/t1" /bin/threadhog 4 > "$R/hog.out" 2>> "$R/hog.err" &
p=$!
echo "$p" > "$R/victim_pids"
wait_exit "$p" 60 || fail "threadhog $p still alive after 60 s: $(cg_diag t1)"
[ "$WAIT_STATUS" = 137 ] || fail "threadhog $p exited with $WAIT_STATUS, not SIGKILL (137)"
cp "$CG/t1/memory.events" "$R/t1.memory.events"

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
