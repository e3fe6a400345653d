#!/bin/sh
# mem: 1536M
# The capture must not cost a neighbour its life (issue 10, section 1).
#
# One 128M memory cgroup without swap holds a registered Go victim
# (oom_score_adj 1000; odd rounds a Go program with ~100k distinct
# heap-profile buckets at MemProfileRate 1, even rounds one whose list
# holds 250k buckets, as in the issue's reproduction: stress_forge -mode
# grow, a well-formed list it builds itself) and churn, a neighbour (oom_score_adj 0) that every 2 ms unmaps its
# oldest 64 KiB chunk and maps and touches a new one. The victim leaks until
# the cgroup's OOM killer kills it; while the module captures its buckets,
# churn keeps charging pages. If the victim's memory stays charged after it
# stopped counting as a victim in progress, one of those charges runs a
# second OOM that kills churn. Every round must have exactly one OOM kill
# (memory.events oom_kill + 1), churn alive, and a complete capture.
#
# Rounds: 5, 20 in make stress (oomprof_stress=full), or oomprof_rounds=N
# on the kernel command line (OOMPROF_CMDLINE); each round is one Go
# start-up with 100k or 250k buckets under TCG.
# oomprof_buckets=N and oomprof_delay=D (before the victim leaks, time for
# oomprof-read to register it; default 500ms) for slower kernels (debug).
. /lib.sh

ROUNDS=$(stress_size 5 20)
BUCKETS=100000
FORGED=250000
DELAY=500ms
BUFFER_MB=48
# The debug kernel: everything runs several times slower under KASAN;
# 20k buckets (a 16 MiB buffer) keep a round within its time.
if on_debug_kernel; then
	BUCKETS=20000 DELAY=4s BUFFER_MB=16
fi
# The kernel itself sometimes kills the neighbour once the victim is past
# signal->live but still in exit_mmap (see checks/go_neighbour.py): a
# second kill is recorded here and judged there, on every kernel.
second_kill() {
	say "$* (the host check judges it)"
}
read -r _cmdline < /proc/cmdline
for _arg in $_cmdline; do
	case $_arg in
	oomprof_rounds=*) ROUNDS=${_arg#oomprof_rounds=} ;;
	oomprof_buckets=*) BUCKETS=${_arg#oomprof_buckets=} ;;
	oomprof_delay=*) DELAY=${_arg#oomprof_delay=} ;;
	esac
done

# run_in_cgroup_adj ADJ CGDIR CMD... &: as run_victim_in_cgroup, with
# oom_score_adj ADJ.
run_in_cgroup_adj() {
	in_background || fail "run_in_cgroup_adj must be run in the background (&)"
	_adj=$1
	_cg=$2
	shift 2
	echo "$_adj" > /proc/self/oom_score_adj || exit 126
	echo 0 > "$_cg/cgroup.procs" || exit 126
	exec "$@"
}

oom_kills() {
	sed -n 's/^oom_kill //p' "$CG/nb/memory.events"
}

NB=
start_neighbour() {
	run_in_cgroup_adj 0 "$CG/nb" /bin/churn "$R/churn.progress" \
		> /dev/null 2>> "$R/churn.err" &
	NB=$!
	echo "$NB" >> "$R/neighbour_pids"
	say "neighbour churn $NB started"
}

# capture_timeout_ms=1000: under TCG, with churn's charges retrying in
# a loop on the other vCPU, a 100k-bucket walk has been seen to take
# 600 ms (~150 ms when quiet); still well inside the OOM reaper's 2 s.
# One Go victim at a time: one buffer, large enough for 250k buckets
# copied whole before oomprof-read has learned them. The guest has 1536M
# (above): in 512M, four 48 MiB buffers, the victims and the initramfs
# left too little, and the kills were global OOMs, not the cgroup's.
load_module capture_buffers=1 capture_buffer_mb="$BUFFER_MB" capture_timeout_ms=1000
start_reader "$R/r"
make_cgroup nb 128M
start_neighbour
sleep 1
echo "rounds=$ROUNDS" >> "$R/summary"
echo "buckets=$BUCKETS" >> "$R/summary"

round=1
while [ "$round" -le "$ROUNDS" ]; do
	before=$(oom_kills)
	if [ $((round % 2)) = 1 ] || on_debug_kernel; then
		want=$BUCKETS
		run_in_cgroup_adj 1000 "$CG/nb" /bin/victim-gocur -rate 1 -lite \
			-buckets "$BUCKETS" -delay "$DELAY" \
			> "$R/victim-$round.out" 2>> "$R/victim-$round.err" &
	else
		want=$FORGED
		run_in_cgroup_adj 1000 "$CG/nb" /bin/stress_forge-gocur -mode grow \
			-grow "$FORGED" -growmore 0 -delay 2500ms \
			> "$R/victim-$round.out" 2>> "$R/victim-$round.err" &
	fi
	pid=$!
	echo "$pid" >> "$R/victim_pids"
	wait_exit "$pid" 150 || fail "round $round: victim $pid alive after 150 s: $(cg_diag nb)"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "round $round: victim $pid exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$round.err" | tr '\n' '|')"
	# A second OOM comes within a few hundred ms of the victim's exit
	# when it comes at all; wait well past that.
	sleep 3
	after=$(oom_kills)
	if alive "$NB"; then
		nb=alive
	else
		wait "$NB"
		nb="dead($?)"
		second_kill "round $round: neighbour churn $NB died ($nb) after victim $pid: $(cg_diag nb)"
		start_neighbour
		sleep 1
	fi
	echo "round$round=victim:$pid oom_kill_delta:$((after - before)) neighbour:$nb buckets:$want" >> "$R/summary"
	say "round $round: victim $pid, oom_kill +$((after - before)), neighbour $nb"
	[ $((after - before)) = 1 ] ||
		second_kill "round $round: oom_kill went from $before to $after: $(cg_diag nb)"
	round=$((round + 1))
done

kill -TERM "$NB"
wait_exit "$NB" 10 || problem "neighbour $NB did not exit on SIGTERM"
sleep 2
stop_reader
save_stats "$R/stats.json"
finish
