#!/bin/sh
# A registered Go victim that cannot run its own capture: at its OOM kill
# its main thread (the task the OOM killer chose) is in a read of a FUSE
# file whose server never answers, so after the SIGKILL it sleeps
# uninterruptibly and never reaches the task_work that captures in the
# victim's context. The fallback must capture it within capture_wait_ms
# plus the capture's own time, and the record must say so; rmmod must be
# refused while the victim still holds the module's callback, and work
# once the harness has unblocked the victim and it has exited.
. /lib.sh

if [ -e /fuse.ko ] && ! grep -qw fuse /proc/filesystems; then
	insmod /fuse.ko 2> /tmp/fuse.err || fail "insmod /fuse.ko: $(cat /tmp/fuse.err)"
fi
grep -qw fuse /proc/filesystems || fail "this kernel has no FUSE (no fuse in /proc/filesystems, no /fuse.ko)"

load_module capture_wait_ms=300
start_reader "$R/r"
mkdir -p /mnt/fh
/bin/fusehang /mnt/fh > "$R/fusehang.out" 2> "$R/fusehang.err" &
FH=$!
fh_ready() { grep -q ready "$R/fusehang.out"; }
wait_for 10 fh_ready || fail "fusehang did not mount: $(cat "$R/fusehang.err")"

make_cgroup gf 160M
run_victim_in_cgroup "$CG/gf" /bin/victim-gocur -rate 1 -lite -buckets 1000 \
	-blockread /mnt/fh/x > "$R/victim.out" 2>> "$R/victim.err" &
VP=$!
echo "$VP" >> "$R/victim_pids"

killed() { grep -q "^oom_kill 1" "$CG/gf/memory.events"; }
wait_for 120 killed || fail "victim $VP not OOM-killed within 120 s: $(cg_diag gf)"
say "victim $VP OOM-killed"
recorded() { grep -q "\"pid\":$VP," "$R/r/events.jsonl" 2> /dev/null; }
wait_for 10 recorded || problem "no record of victim $VP within 10 s of its kill"
read -r _st < "/proc/$VP/stat"
_st=${_st##*) }
echo "victim_state_after_record=${_st%% *}" >> "$R/summary"
grep -q "read pid $VP" "$R/fusehang.out" ||
	problem "fusehang never saw the victim's read: $(cat "$R/fusehang.out" | tr '\n' ' ')"

# The victim still has the capture callback queued: the module is in use.
stop_reader
if rmmod oomprof 2> /tmp/rmmod.err; then
	echo "rmmod_pending=ok" >> "$R/summary"
	problem "rmmod succeeded while victim $VP still had its capture callback queued"
	load_module
else
	echo "rmmod_pending=refused" >> "$R/summary"
	say "rmmod refused while the callback is queued: $(cat /tmp/rmmod.err)"
fi

# Unblock: the server goes away, the connection is aborted, the read
# fails, the victim runs its callback (which finds the capture taken) and
# dies of its SIGKILL.
kill -KILL "$FH"
wait "$FH"
wait_exit "$VP" 30 || fail "victim $VP still alive 30 s after fusehang died"
[ "$WAIT_STATUS" = 137 ] || problem "victim $VP exited with $WAIT_STATUS, not SIGKILL"
umount -l /mnt/fh 2> /dev/null
save_stats "$R/stats.json"
summarize_rmmod rmmod_after "after the victim exited"
finish
