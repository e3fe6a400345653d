#!/bin/bash
# make check: every suite, each case one "PASS ..." or "FAIL ..." line, then
# the closing line "N passed, N failed". Exits non-zero on any failure.
#
#   userspace  cmocka unit tests, plain and ASan+UBSan; libFuzzer run
#   gosym      the .gopclntab symbolizer against runtime.CallersFrames
#              (Go 1.19 and current; plain, PIE, -s -w); libFuzzer run
#   govars     finding runtime.mbuckets and MemProfileRate in stripped
#              binaries from the runtime's code; decoder checked and fuzzed
#   heapprof   buckets to pprof against runtime/pprof's own profile of the
#              same process; unit tests; libFuzzer run
#   kbuild     module builds on 6.1/6.12 headers, both mark_victim
#              prototypes, dkms builds, checkpatch --strict
#   kunit      KUnit suites in the debug kernel (KASAN, lockdep, kmemleak),
#              one line per case; builds that kernel once (cached)
#   stress     tests/stress.sh --small: OOM kill storms, 8 Go victims at
#              once, unloads under kills, forged bucket lists, random
#              ioctls, on 6.1, 6.12 and debug (`make stress`: full sizes)
#   vm         the scenarios in Debian 6.1 and 6.12 and the debug kernel
#              (dkms_capture: the module dkms installed, loaded through
#              modules-load.d; Debian kernels only, SKIP on debug)
#
# SUITES="userspace kbuild" restricts the run.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
suites=${SUITES:-userspace gosym govars heapprof kbuild kunit vm stress}
log=${OOMPROF_WORK:-$top/build}/check.log
mkdir -p "$(dirname "$log")"
: > "$log"
start=$SECONDS

run_suite() {
	local name=$1
	shift
	echo "== $name ($(( SECONDS - start ))s elapsed)"
	# Lines go to the terminal as they come (progress) and to the log.
	"$@" 2>&1 | tee -a "$log"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: suite exited $rc" | tee -a "$log"
	fi
}

for s in $suites; do
	case $s in
	userspace) run_suite userspace "$top/tests/userspace/run.sh" ;;
	gosym) run_suite gosym "$top/tests/userspace/gosym/run.sh" ;;
	govars) run_suite govars "$top/tests/userspace/govars/run.sh" ;;
	heapprof) run_suite heapprof "$top/tests/userspace/heapprof/run.sh" ;;
	kbuild) run_suite kbuild "$top/tests/kbuild.sh" ;;
	kunit) run_suite kunit "$top/tests/kunit/run.sh" ;;
	vm) run_suite vm "$top/tests/vm/run.sh" ;;
	stress) run_suite stress "$top/tests/stress.sh" --small ;;
	*) echo "FAIL unknown suite $s" | tee -a "$log" ;;
	esac
done

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
echo "== done in $(( SECONDS - start ))s"
# Cases a suite cannot run on some target say why ("SKIP ..."); they count
# neither way, but are listed so nobody mistakes them for passes.
if grep -q '^SKIP ' "$log"; then
	echo "Skipped (not counted):"
	grep '^SKIP ' "$log" | sed 's/^/  /'
fi
if [ "$failed" -ne 0 ]; then
	echo "Failures:"
	grep '^FAIL ' "$log" | sed 's/^/  /'
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
	echo "no test ran"
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
