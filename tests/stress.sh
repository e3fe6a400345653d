#!/bin/bash
# tests/stress.sh [--small] [--kernels "6.1 6.12 debug"] [--scenarios "..."]
#
# Storms and hostile input, as figures (issue 10, section 6), in guests of
# each kernel (tests/vm: Debian 6.1 and 6.12, and the debug kernel with
# KASAN, lockdep and kmemleak):
#
#   stress_kills       N consecutive OOM kills with oomprof-read running:
#                      N records, seq gapless, nothing lost
#   stress_go8         8 Go victims killed within one second: 8 complete
#                      profiles at the module's default settings
#   stress_loadunload  N detach+unload/load cycles while kills keep coming:
#                      every kill a module saw recorded or counted
#   stress_hostile     Go programs with forged bucket lists: each capture
#                      partial with its reason, bounded
#   stress_ioctl       random ioctls from root and from an unprivileged
#                      process holding a passed descriptor
#   stress_exes        N distinct executables (hostile ELF shapes, Go
#                      programs) exec'd while kills keep coming: every
#                      kill recorded, oomprof-read's RSS and fds bounded
#   go_neighbour       (full run only) 20 rounds of a registered victim
#                      with 100k or 250k buckets OOM-killed beside an
#                      innocent neighbour: exactly one kill each
#
# `make stress` runs the full sizes (1000 kills, 100 cycles, 2 x 100000
# ioctls, 10000 executables); `make check` runs the suite "stress" with
# --small (100 kills, 10 cycles, 2 x 20000 ioctls, 1500 executables), a
# few minutes per kernel under TCG. Each case
# prints PASS/FAIL as tests/vm/run.sh does, then the figures per kernel.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vm=$here/vm
kernels="6.1 6.12 debug"
scenarios="stress_kills stress_go8 stress_loadunload stress_hostile stress_ioctl stress_exes"
size=full
while [ $# -gt 0 ]; do
	case "$1" in
	--small) size=small; shift ;;
	--kernels) kernels=$2; shift 2 ;;
	--scenarios) scenarios=$2; explicit=1; shift 2 ;;
	*) sed -n '2p' "$0" | sed 's/^# /usage: /' >&2; exit 2 ;;
	esac
done
# The full run also repeats go_neighbour (tests/vm) for 20 rounds; make
# check runs its 5 in the vm suite.
if [ "$size" = full ] && [ "${explicit:-0}" = 0 ]; then
	scenarios="$scenarios go_neighbour"
fi

# The guest reads the size from its command line. A full run's scenarios
# run for many minutes: boot.sh's no-progress watchdog (and the guest's
# own per-scenario timeout, 45 s shorter) are raised to match.
export OOMPROF_CMDLINE="${OOMPROF_CMDLINE:+$OOMPROF_CMDLINE }oomprof_stress=$size"
if [ "$size" = full ]; then
	export OOMPROF_BOOT_TIMEOUT=${OOMPROF_BOOT_TIMEOUT:-3600}
else
	export OOMPROF_BOOT_TIMEOUT=${OOMPROF_BOOT_TIMEOUT:-600}
fi

rc=0
"$vm/run.sh" --kernels "$kernels" --scenarios "$scenarios" || rc=$?

echo "== stress figures ($size)"
for series in $kernels; do
	KVER=''
	eval "$("$vm/kernels.sh" "$series" 2> /dev/null | grep '^KVER=')"
	[ -n "$KVER" ] || { echo "$series: no kernel"; continue; }
	echo "-- $series ($KVER)"
	for s in $scenarios; do
		f=$vm/.work/$KVER/$s/figures.txt
		if [ -s "$f" ]; then
			sed 's/^/   /' "$f"
		else
			echo "   $s: no figures (see tests/vm/.work/$KVER/$s)"
		fi
	done
done
exit "$rc"
