#!/bin/sh
# KUnit (tests/kunit, `make kunit`; debug kernel only): load the test module.
# Its suites run inside insmod and print KTAP to the kernel log, which the
# host parses from dmesg.txt; a copy of each suite's results from debugfs
# goes to kunit/ as a cross-check. The test module is unloaded afterwards so
# that kmemleak sees whatever it left behind.
. /lib.sh

[ -e /oomprof_kunit.ko ] || fail "no /oomprof_kunit.ko in the initramfs"
[ -d /sys/kernel/debug/kunit ] || fail "no /sys/kernel/debug/kunit: not the debug kernel?"
say "insmod oomprof_kunit.ko"
insmod /oomprof_kunit.ko > "$R/insmod.log" 2>&1 || problem "insmod oomprof_kunit.ko: $(cat "$R/insmod.log")"
say "suites done"
mkdir -p "$R/kunit"
for d in /sys/kernel/debug/kunit/*/; do
	[ -f "$d/results" ] && cp "$d/results" "$R/kunit/$(basename "$d").ktap"
done
rmmod oomprof_kunit || problem "rmmod oomprof_kunit failed"
finish
