#!/bin/sh
# A dump never waits on a FUSE server its target's user runs
# (progs/dumpdl.c): bucket lists that lead from anonymous memory into
# untouched pages of a FUSE file mapped private and shared, served by a
# server that answers each READ 1.5 s late (progs/fusehang -s 1500) and
# by one that never answers (-s -1). Each dump must return at once,
# stopped at the FUSE page with READ_FAULT ("not resident"), with no READ
# reaching either server (their own logs); pages the target itself made
# resident are read. A dump that faulted such a page in would wait 1.5 s
# on the slow server, and forever (SIGKILL included) on the other: then
# dumpdl is still running after 60 s, and killing the servers frees it.
# Afterwards the module unloads.
. /lib.sh

if [ -e /fuse.ko ] && ! grep -qw fuse /proc/filesystems; then
	insmod /fuse.ko 2> /tmp/fuse.err || fail "insmod /fuse.ko: $(cat /tmp/fuse.err)"
fi
grep -qw fuse /proc/filesystems || fail "this kernel has no FUSE (no fuse in /proc/filesystems, no /fuse.ko)"

load_module
mkdir -p /mnt/slow /mnt/never
/bin/fusehang -s 1500 /mnt/slow > "$R/slow.out" 2> "$R/slow.err" &
SLOW=$!
/bin/fusehang -s -1 /mnt/never > "$R/never.out" 2> "$R/never.err" &
NEVER=$!
slow_ready() { grep -q ready "$R/slow.out"; }
never_ready() { grep -q ready "$R/never.out"; }
wait_for 10 slow_ready || fail "fusehang -s 1500 did not mount: $(cat "$R/slow.err")"
wait_for 10 never_ready || fail "fusehang -s -1 did not mount: $(cat "$R/never.err")"

/bin/dumpdl /mnt/slow/x "$R/slow.out" /mnt/never/x "$R/never.out" 1500 \
	> "$R/dumpdl.txt" 2>&1 &
DP=$!
if wait_exit "$DP" 60; then
	[ "$WAIT_STATUS" = 0 ] ||
		problem "dumpdl exited $WAIT_STATUS: $(grep 'not ok' "$R/dumpdl.txt" | head -n 3 | tr '\n' '|')"
else
	problem "dumpdl still running 60 s on: a dump waits on a FUSE server ($(tail -n 2 "$R/dumpdl.txt" | tr '\n' '|'))"
	# Closing /dev/fuse aborts the connections: the waits end.
	kill -KILL "$NEVER" "$SLOW" 2> /dev/null
	wait_exit "$DP" 20 || problem "dumpdl still running 20 s after the servers died"
fi
kill -KILL "$NEVER" "$SLOW" 2> /dev/null
wait "$NEVER" 2> /dev/null
wait "$SLOW" 2> /dev/null
umount -l /mnt/slow 2> /dev/null
umount -l /mnt/never 2> /dev/null
save_stats "$R/stats.json"
summarize_rmmod rmmod_after "after the dumps"
finish
