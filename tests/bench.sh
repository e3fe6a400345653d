#!/bin/bash
# make bench: benchmarks, not tests. Timing goals are printed, never
# judged. On each of Debian's 6.1 and 6.12 kernels, in guests of
# $OOMPROF_GUEST_MEM (default 5G: four victims of 1M buckets hold ~2.9 GB
# at their kill, and oomprof-read learns 4M buckets beside them)
# under QEMU/TCG (absolute times are several times a real machine's; each
# ratio is measured in one guest run), it prints:
#  - bench_steady: the module's memory at load with default settings
#    (stats.reserved_bytes, or computed from its parameters, and MemFree
#    measured around insmod) against issue 11's 64 MiB; the steady-state
#    cost of the loaded module with oomprof-read running vs no module:
#    fork+exec+exit of 20,000 processes and 200,000 signal round trips,
#    as ratios (goal <= 1.01);
#  - go_bigheap at 1,000,000 stacks (default module settings, learned by
#    oomprof-read first): complete or not and why, capture time and bytes,
#    the time memcpy takes for the same bytes in the same guest and the
#    ratio (goal <= 3), symbolize+write, `go tool pprof -top` time on the
#    host; every stack checked against the victim's own profile;
#  - go_bigheap4: four such victims killed at once;
#  - bench_kill_exit: OOM kill to exit of the victim at 1k, 100k and 1M
#    buckets, module capturing vs no module, and the worst wake-up delay
#    of a SCHED_FIFO task on each CPU during the 1M kill, module vs none;
#  - bench: capture and symbolize+write at 1k, 10k, 100k buckets with a
#    64 MiB capture buffer;
#  - bench_context: the kill record's walk over the machine's processes
#    (its ranked list), with 0, 1000 and 4000 extra processes: time per
#    1,000 processes walked;
# then on the host heapprof_build + pprof_write for synthetic entries.
# OOMPROF_BENCH_KERNELS (default "6.1 6.12"), OOMPROF_BENCH_N (default
# 1000000): the kernels and the big victims' size.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernels=${OOMPROF_BENCH_KERNELS:-6.1 6.12}
n=${OOMPROF_BENCH_N:-1000000}
scenarios="bench_steady go_bigheap go_bigheap4 bench_kill_exit bench bench_context"
log=$top/tests/vm/.work/bench-run.log
mkdir -p "$(dirname "$log")"
echo "make bench: $kernels, big victims of $n buckets; guest log in $log"
# A scenario of four 1M victims runs for many minutes without a progress
# line: well over the default 240 s.
OOMPROF_BOOT_TIMEOUT=${OOMPROF_BOOT_TIMEOUT:-2400} \
OOMPROF_GUEST_MEM=${OOMPROF_GUEST_MEM:-5G} \
OOMPROF_CMDLINE="oomprof_bigheap_n=$n oomprof_bigheap4_n=$n ${OOMPROF_CMDLINE:-}" \
	"$top/tests/vm/run.sh" --kernels "$kernels" --scenarios "$scenarios" > "$log" 2>&1
grep -E '^(PASS|FAIL) ' "$log" | sed 's/^/  /'

section() {
	local dir=$1 s=$2 title=$3
	echo "-- $title ($s)"
	if [ ! -d "$dir/$s" ]; then
		echo "   no results (see $log)"
		return
	fi
	python3 -B "$top/tests/vm/checks/$s.py" "$dir/$s" 2>&1 |
		grep -v -e '^ok$' -e '^  bigheap' | sed 's/^figure: //; s/^/   /'
	# The checker's last line says why when it fails.
}

for series in $kernels; do
	eval "$("$top/tests/vm/kernels.sh" "$series")"
	d=$top/tests/vm/.work/$KVER
	echo
	echo "== kernel $series ($KVER), guest under TCG"
	section "$d" bench_steady "module memory at load; steady-state cost"
	section "$d" go_bigheap "$n-bucket victim: capture, plain copy, write, pprof -top"
	section "$d" go_bigheap4 "four $n-bucket victims at once"
	section "$d" bench_kill_exit "kill to exit at 1k, 100k, $n buckets; SCHED_FIFO delay"
	section "$d" bench "capture and write at 1k, 10k, 100k buckets (64 MiB buffer)"
	section "$d" bench_context "the kill record's ranked processes: walk cost per 1,000 processes"
done
echo
echo "== symbolize+write on the host"
"$top/tests/userspace/heapprof/bench.sh"
