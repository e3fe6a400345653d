#!/bin/bash
# run.sh: `make kunit`. Builds the debug kernel if it is not cached
# (build-kernel.sh, via tests/vm/kernels.sh debug), the KUnit test module
# (this directory's Kbuild) against it, an initramfs holding it, boots the
# kernel under QEMU with the `kunit` scenario (tests/vm/guest/scenarios),
# and judges the kernel log with ktap.py: one PASS/FAIL line per case, then
# "# Totals: pass:N fail:N skip:N". Exits non-zero on any failure.
#
# Artifacts: tests/vm/.work/<kver>/kunit/ (console.log, dmesg.txt, ...),
# the test module's build log in tests/vm/.work/<kver>/kunit-build.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$repo/tests/vm
t0=$SECONDS
progress() { printf '[%4ds] %s\n' $((SECONDS - t0)) "$*"; }
die() {
	echo "FAIL kunit: $*"
	echo "# Totals: pass:0 fail:1 skip:0"
	exit 1
}

progress "debug kernel (tests/kunit/build-kernel.sh)"
mkdir -p "$vm/.work"
kinfo=$("$vm/kernels.sh" debug 2> >(tee "$vm/.work/kernels-debug.log" >&2)) ||
	die "no debug kernel: $(tail -n 1 "$vm/.work/kernels-debug.log")"
KVER='' VMLINUZ='' KDIR=''
eval "$kinfo"
kwork=$vm/.work/$KVER
mkdir -p "$kwork"
progress "kernel $KVER ($VMLINUZ)"

# The test module compiles module/*.c itself (tests/kunit/mod_*.c): build
# it from a fresh copy of the sources, as tests/vm/run.sh builds oomprof.ko,
# with compat-autoconf.h detected against this kernel.
src=$kwork/kunit-src
log=$kwork/kunit-build.log
rm -rf "$src"
mkdir -p "$src"
tar -C "$repo" -cf - \
	--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='*.cmd' --exclude='*.a' --exclude=modules.order \
	--exclude=Module.symvers --exclude=compat-autoconf.h --exclude=.conftest-kdir \
	module include tests/kunit | tar -C "$src" -xf -
"$repo/scripts/conftest.sh" "$KDIR" "$src/module/compat-autoconf.h" > "$log" 2>&1 ||
	die "scripts/conftest.sh failed against $KDIR (log: $log)"
progress "building oomprof_kunit.ko against $KDIR"
# W=1 is not used: the kernel's own headers are not clean under it.
make -C "$KDIR" M="$src/tests/kunit" modules >> "$log" 2>&1 ||
	die "test module did not build: $(grep -m1 -E 'error|ERROR' "$log" || tail -n 1 "$log") (log: $log)"
ko=$src/tests/kunit/oomprof_kunit.ko
[ -f "$ko" ] || die "no oomprof_kunit.ko after the build (log: $log)"
if grep -E 'warning:|WARNING:' "$log" > /dev/null; then
	grep -E 'warning:|WARNING:' "$log" | sed 's/^/  build: /' | head -n 20
	die "the test module builds with warnings (log: $log)"
fi

initrd=$kwork/kunit-initrd.gz
"$vm/mkinitramfs.sh" "$initrd" "$KVER" none none "$ko" > "$kwork/kunit-initramfs.log" 2>&1 ||
	die "initramfs: $(tail -n 1 "$kwork/kunit-initramfs.log")"

res=$kwork/kunit
# A guest that died before the scenario began (res/not_run: boot.sh's
# watchdog saw the boot hang, as the debug kernel's RCU-tasks self test
# rarely does under TCG) never ran a test: said, and booted again, up to
# twice more.
for attempt in 1 2 3; do
	rm -rf "$res"
	progress "boot $KVER kunit"
	b0=$SECONDS
	rc=0
	OOMPROF_BOOT_TIMEOUT=${OOMPROF_BOOT_TIMEOUT:-600} \
		"$vm/boot.sh" "$VMLINUZ" "$initrd" "$kwork" kunit > /dev/null 2> "$kwork/kunit.boot.err" || rc=$?
	progress "  guest done in $((SECONDS - b0)) s"
	[ "$rc" -ne 0 ] || break
	if [ "$attempt" -lt 3 ] && [ -e "$res/not_run" ]; then
		echo "  WARN: the guest died before the KUnit scenario ($(cat "$res/boot_error")); booting again ($((attempt + 1)) of 3)"
		continue
	fi
	tail -n 40 "$res/console.log" 2> /dev/null | tr -d '\r' | sed 's/^/  | /'
	die "$(cat "$res/boot_error" 2> /dev/null || tail -n 1 "$kwork/kunit.boot.err")"
done
python3 -B "$here/ktap.py" "$res"
