#!/bin/sh
# The /dev/oomprof contract (progs/devtest.c) and oomprof-read's errors for
# people: no module, not root, a second reader.
. /lib.sh

/bin/devtest nodev >> "$R/devtest.txt" 2>&1 || problem "devtest nodev failed"
/bin/oomprof-read -d "$R/x" 2> "$R/err_nodev.txt" && problem "oomprof-read ran without the module"

load_module
/bin/devtest contract >> "$R/devtest.txt" 2>&1 || problem "devtest contract failed"

/bin/devtest runas 65534 /bin/oomprof-read -d /tmp/nobody 2> "$R/err_nobody.txt" &&
	problem "oomprof-read ran as nobody"

start_reader "$R/r"
/bin/oomprof-read -d "$R/r2" 2> "$R/err_busy.txt" && problem "a second oomprof-read ran"
save_stats "$R/stats_with_reader.json"
stop_reader

# poll() wakes for a record, and read() hands out whole records only.
make_cgroup t1 32M
rm -f /tmp/ready
/bin/devtest wait-record /tmp/ready >> "$R/devtest.txt" 2>&1 &
devtest=$!
wait_for 10 test -e /tmp/ready || fail "devtest did not start polling"
oom_in_cgroup t1
wait_exit "$devtest" 30 || fail "devtest wait-record still running 30 s after the kill"
[ "$WAIT_STATUS" = 0 ] || problem "devtest wait-record failed ($WAIT_STATUS)"
finish
