#!/bin/sh
# Load and unload the module repeatedly, without and with a reader; unload
# must be refused while a reader holds /dev/oomprof, and must work with a
# record still queued. Outcomes go to $R/summary (key=value) for the checker.
. /lib.sh

N=20

# Without a reader.
ok=0
i=1
while [ "$i" -le "$N" ]; do
	load_module
	if rmmod oomprof 2> /tmp/rmmod.err; then
		ok=$((ok + 1))
	else
		fail "cycle $i without reader: rmmod oomprof failed: $(cat /tmp/rmmod.err)"
	fi
	i=$((i + 1))
done
echo "noreader_cycles=$ok" >> "$R/summary"
say "$ok load/unload cycles without a reader"

# With a reader: rmmod must fail while it holds the device (the file's
# module reference), and succeed once it is gone.
refused=0
unloaded=0
i=1
while [ "$i" -le "$N" ]; do
	load_module
	start_reader "$R/r"
	if rmmod oomprof 2> /tmp/rmmod.err; then
		problem "cycle $i: rmmod oomprof SUCCEEDED while oomprof-read $READER_PID held /dev/oomprof"
		stop_reader
		# Leave the loop: the module state is now suspect.
		break
	fi
	refused=$((refused + 1))
	[ "$i" = 1 ] && say "rmmod with reader refused as expected: $(cat /tmp/rmmod.err)"
	stop_reader
	if rmmod oomprof 2> /tmp/rmmod.err; then
		unloaded=$((unloaded + 1))
	else
		fail "cycle $i: rmmod oomprof failed after the reader exited: $(cat /tmp/rmmod.err)"
	fi
	i=$((i + 1))
done
echo "reader_rmmod_refused=$refused" >> "$R/summary"
echo "reader_cycles=$unloaded" >> "$R/summary"
say "$unloaded cycles with a reader, rmmod refused $refused times while it ran"

# A reader that dies by SIGKILL (no chance to clean up) must still release
# the device: the kernel closes its file on exit and rmmod then succeeds.
load_module
start_reader "$R/r"
kill -KILL "$READER_PID"
wait_exit "$READER_PID" 10 || fail "oomprof-read survived SIGKILL for 10 s"
READER_PID=
summarize_rmmod rmmod_after_reader_sigkill "after the reader was SIGKILLed"

# A record queued and never read: rmmod must free it without trouble.
load_module
make_cgroup t1 32M
oom_in_cgroup t1
sleep 1
save_stats "$R/pending_stats.json"
summarize_rmmod pending_rmmod "with a queued record"
# And the module loads cleanly again afterwards.
load_module
summarize_rmmod reload_after_pending "after reloading"
finish
