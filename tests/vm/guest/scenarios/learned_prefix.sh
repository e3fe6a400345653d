#!/bin/sh
# OOMPROF_IOC_LEARNED in a real kernel, without the daemon: learnprobe
# registers a Go victim holding LP_BUCKETS distinct stacks, reads its whole
# bucket list through /proc/PID/mem, tells the module it holds all but the
# 3 newest buckets, and reads the victim's record as the reader. The victim
# is then OOM-killed by lowering its cgroup's memory.max below what it uses
# (the kernel's own memcg OOM kill, while the victim sleeps, so its
# memRecords stay as learned). The host check decodes the record: 3 full
# entries, then a count entry per learned bucket with the learned counts.
. /lib.sh

N=${LP_BUCKETS:-100000}
load_module
make_cgroup glp 400M
run_victim_in_cgroup "$CG/glp" /bin/victim-gocur -rate 1 -lite -buckets "$N" \
	-delay 3600s > "$R/victim.out" 2>> "$R/victim.err" &
VICTIM=$!
echo "$VICTIM" >> "$R/victim_pids"
printed() { [ -s "$R/victim.out" ]; }
wait_for 300 printed || fail "victim made no $N buckets within 300 s: $(tail -n 2 "$R/victim.err" | tr '\n' '|')"
say "victim $VICTIM holds its buckets"
# Into its sleep before it is learned.
sleep 1
/bin/learnprobe "$VICTIM" "$R" 3 2>> "$R/learnprobe.err" &
PROBE=$!
ready() { [ -e "$R/ready" ] || ! alive "$PROBE"; }
wait_for 300 ready && [ -e "$R/ready" ] || fail "learnprobe did not learn within 300 s: $(tail -n 2 "$R/learnprobe.err" | tr '\n' '|')"
say "learned: $(cat "$R/learned.txt")"
# Below its usage: the memcg reclaims what it can, then OOM-kills it.
echo 4M > "$CG/glp/memory.max" 2>> "$R/scenario.err"
wait_exit "$VICTIM" 120 || fail "victim $VICTIM still alive 120 s after memory.max went down: $(cg_diag glp)"
[ "$WAIT_STATUS" = 137 ] || fail "victim exited with $WAIT_STATUS, not SIGKILL"
wait_exit "$PROBE" 60 || fail "learnprobe had no record 60 s after the kill"
[ "$WAIT_STATUS" = 0 ] || fail "learnprobe exited $WAIT_STATUS: $(tail -n 2 "$R/learnprobe.err" | tr '\n' '|')"
dmesg | grep 'oomprof: version' > "$R/load_line"
finish
