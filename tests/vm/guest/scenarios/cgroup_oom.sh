#!/bin/sh
# One memcg OOM kill with the reader running: the record must describe the
# victim the kernel names in its own "Killed process" line.
. /lib.sh

load_module
make_cgroup t1 64M
start_reader "$R/r"

say "starting hog in t1"
oom_in_cgroup t1
say "hog $(cat "$R/victim_pids") killed"
cp "$CG/t1/memory.events" "$R/t1.memory.events"

# The record is complete once the victim dequeued its SIGKILL; give the
# reader time to read and write it before stopping it.
sleep 2
stop_reader
save_stats "$R/stats.json"
finish
