#!/bin/sh
# A Go program run from a FUSE file system whose server answers every read
# except oomprof-read's (progs/fusehang FILE PID): a daemon that read the
# executable to inspect it would wait forever, and record nothing more.
# oomprof-read must not read it (a file on FUSE is never read: said once),
# must record the program's OOM kill (without a profile), and must go on
# profiling a Go program run from an ordinary file afterwards.
. /lib.sh

if [ -e /fuse.ko ] && ! grep -qw fuse /proc/filesystems; then
	insmod /fuse.ko 2> /tmp/fuse.err || fail "insmod /fuse.ko: $(cat /tmp/fuse.err)"
fi
grep -qw fuse /proc/filesystems || fail "this kernel has no FUSE (no fuse in /proc/filesystems, no /fuse.ko)"

load_module
start_reader "$R/r"
mkdir -p /mnt/fe
/bin/fusehang /mnt/fe /bin/victim-gocur "$READER_PID" > "$R/fusehang.out" 2> "$R/fusehang.err" &
fe_ready() { grep -q ready "$R/fusehang.out"; }
wait_for 10 fe_ready || fail "fusehang did not mount: $(cat "$R/fusehang.err")"

# From FUSE: registered by no one, recorded all the same.
make_cgroup f1 96M
run_victim_in_cgroup "$CG/f1" /mnt/fe/x -rate 1 -lite -buckets 100 -delay 1s \
	> "$R/victim-fuse.out" 2>> "$R/victim-fuse.err" &
V1=$!
echo "$V1" >> "$R/victim_pids"
echo "fuse=$V1" >> "$R/summary"
wait_exit "$V1" 120 || fail "the FUSE victim $V1 alive after 120 s: $(cg_diag f1)"
[ "$WAIT_STATUS" = 137 ] || fail "the FUSE victim exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-fuse.err" | tr '\n' '|')"
recorded() { grep -q "\"pid\":$1," "$R/r/events.jsonl" 2> /dev/null; }
wait_for 10 recorded "$V1" || problem "no record of the FUSE victim $V1 within 10 s of its kill: oomprof-read stalled? $(grep "read pid" "$R/fusehang.out" | head -3 | tr '\n' ' ')"

# From an ordinary file: profiled as ever.
make_cgroup f2 96M
run_victim_in_cgroup "$CG/f2" /bin/victim-gocur -rate 1 -lite -buckets 100 -delay 1s \
	> "$R/victim-plain.out" 2>> "$R/victim-plain.err" &
V2=$!
echo "$V2" >> "$R/victim_pids"
echo "plain=$V2" >> "$R/summary"
wait_exit "$V2" 120 || fail "the plain victim $V2 alive after 120 s: $(cg_diag f2)"
wait_for 10 recorded "$V2" || problem "no record of the plain victim $V2 within 10 s of its kill"
sleep 1
stop_reader
kill "$(pidof fusehang)" 2> /dev/null
save_stats "$R/stats.json"
finish
