#!/bin/sh
# The /dev/oomprof contract (progs/devtest.c) and oomprof-read's errors for
# people: no module (--drain says so; the daemon waits), not root, a second
# reader; OOMPROF_IOC_DETACH.
. /lib.sh

/bin/devtest nodev >> "$R/devtest.txt" 2>&1 || problem "devtest nodev failed"
/bin/oomprof-read -d "$R/x" --drain 2> "$R/err_nodev.txt" && problem "oomprof-read --drain ran without the module"
# The daemon waits for the module instead, and says so.
/bin/oomprof-read -d "$R/x" 2> "$R/err_nodev_wait.txt" &
waiter=$!
sleep 1
kill -TERM "$waiter"
wait_exit "$waiter" 5 || fail "oomprof-read waiting for the module ignored SIGTERM"
[ "$WAIT_STATUS" = 0 ] || problem "oomprof-read waiting for the module exited $WAIT_STATUS after SIGTERM"

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

# OOMPROF_IOC_DETACH's contract (last: readers are refused for a while).
/bin/devtest detach >> "$R/devtest.txt" 2>&1 || problem "devtest detach failed"
finish
