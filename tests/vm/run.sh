#!/bin/bash
# run.sh [--kernels "6.1 6.12 debug"] [--scenarios "a b"] [--keep-going-without-module]
#
# The VM test driver. For each kernel series: fetch Debian's current kernel
# of that series (kernels.sh), build the module against its headers in
# tests/vm/.work/<kver>/mod, build one initramfs; then for each scenario boot
# the guest (boot.sh) and judge its results (checks/<scenario>.py).
# Prints "PASS <series> <scenario>" or "FAIL <series> <scenario>: <reason>"
# per case and "N passed, N failed" at the end; exits 1 if anything failed.
#
# Artifacts of each case stay in tests/vm/.work/<kver>/<scenario>/
# (console.log, dmesg.txt, r/events.jsonl, ...).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$here/.work

kernels="6.1 6.12 debug"
scenarios="device loadunload cgroup_oom wrapper three_cgroups global_oom no_reader_50 threads go_capture go_default_rate go_four go_rate0 go_buffers go_dump"
# Without a module the scenarios cannot pass; by default they are reported
# as failed without booting. This flag boots them anyway (harness work).
boot_without_module=0

usage() {
	sed -n '2,3s/^# //p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case "$1" in
		--kernels) [ $# -ge 2 ] || usage; kernels=$2; shift 2 ;;
		--scenarios) [ $# -ge 2 ] || usage; scenarios=$2; shift 2 ;;
		--keep-going-without-module) boot_without_module=1; shift ;;
		-h|--help) usage ;;
		*) echo "run.sh: unknown argument $1" >&2; usage ;;
	esac
done

for s in $scenarios; do
	[ -f "$here/guest/scenarios/$s.sh" ] || { echo "run.sh: no scenario $s (guest/scenarios/$s.sh)" >&2; exit 2; }
	[ -f "$here/checks/$s.py" ] || { echo "run.sh: no checker checks/$s.py" >&2; exit 2; }
done
for tool in qemu-system-x86_64 cpio gzip gcc python3 apt-get dpkg-deb make; do
	command -v "$tool" > /dev/null || { echo "run.sh: $tool not found (see tests/vm/README)" >&2; exit 2; }
done

t0=$SECONDS
progress() { printf '[%4ds] %s\n' $((SECONDS - t0)) "$*"; }

passed=0
failed=0
pass() { echo "PASS $1 $2"; passed=$((passed + 1)); }
failcase() {
	echo "FAIL $1 $2: $3"
	failed=$((failed + 1))
	# The end of the console log usually shows what the guest was doing.
	if [ -n "${4:-}" ] && [ -f "$4" ]; then
		echo "---- last 40 console lines ($4) ----"
		# Indented: make check counts lines that start with PASS/FAIL.
		tail -n 40 "$4" | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/^/  | /'
		echo "----"
	fi
}

mkdir -p "$work"

# oomprof-read is plain userspace: one build serves every kernel.
reader=none
reader_err=
progress "building oomprof-read (make -C $repo user)"
if make -C "$repo" user > "$work/user-build.log" 2>&1 && [ -x "$repo/user/oomprof-read" ]; then
	reader=$repo/user/oomprof-read
else
	reader_err="oomprof-read did not build: $(tail -n 3 "$work/user-build.log" | tr '\n' ' ') (log: $work/user-build.log)"
	progress "$reader_err"
fi

for series in $kernels; do
	# Its messages also go to the terminal: a cold debug kernel build
	# takes a while and says how far it is.
	if ! kinfo=$("$here/kernels.sh" "$series" 2> >(tee "$work/kernels-$series.log" >&2)); then
		for s in $scenarios; do
			failcase "$series" "$s" "no kernel: $(tail -n 1 "$work/kernels-$series.log")"
		done
		continue
	fi
	KVER='' VMLINUZ='' KDIR=''
	eval "$kinfo"
	kwork=$work/$KVER
	mkdir -p "$kwork"
	progress "kernel $series: $KVER"

	# The module, built out of tree against this kernel's headers from a
	# fresh copy of its sources (top-level Kbuild, module/, include/), so
	# objects of one kernel never leak into another's build. Build products
	# and the generated compat header in the clone belong to whatever kernel
	# the developer last built for, so they are left out and the header is
	# regenerated here by scripts/conftest.sh against this kernel's headers.
	module=none
	module_err=
	mod=$kwork/mod
	rm -rf "$mod"
	mkdir -p "$mod"
	if [ ! -f "$repo/Kbuild" ] || [ ! -d "$repo/module" ] || [ ! -d "$repo/include" ]; then
		module_err="module sources missing (need $repo/Kbuild, module/, include/)"
	elif ! tar -C "$repo" -cf - \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='*.cmd' --exclude='*.a' --exclude=modules.order \
		--exclude=Module.symvers --exclude=compat-autoconf.h --exclude=.conftest-kdir \
		Kbuild module include | tar -C "$mod" -xf -; then
		module_err="cannot copy the module sources into $mod"
	elif [ -x "$repo/scripts/conftest.sh" ] &&
		! "$repo/scripts/conftest.sh" "$KDIR" "$mod/module/compat-autoconf.h" > "$kwork/conftest.log" 2>&1; then
		module_err="scripts/conftest.sh failed for $KVER: $(tail -n 1 "$kwork/conftest.log")"
	else
		progress "building module against $KDIR"
		if make -C "$KDIR" M="$mod" modules > "$kwork/module-build.log" 2>&1; then
			ko=$(find "$mod" -name oomprof.ko -print -quit)
			if [ -n "$ko" ]; then
				module=$ko
			else
				module_err="module build made no oomprof.ko (log: $kwork/module-build.log)"
			fi
		else
			module_err="module did not build against $KVER: $(grep -m1 -E 'error|Error' "$kwork/module-build.log" || tail -n 1 "$kwork/module-build.log") (log: $kwork/module-build.log)"
		fi
	fi
	[ -z "$module_err" ] || progress "$module_err"

	if [ "$boot_without_module" = 0 ] && { [ -n "$module_err" ] || [ -n "$reader_err" ]; }; then
		for s in $scenarios; do
			failcase "$series" "$s" "${module_err:-$reader_err}"
		done
		continue
	fi

	initrd=$kwork/initrd.gz
	if ! "$here/mkinitramfs.sh" "$initrd" "$KVER" "$module" "$reader" > "$kwork/initramfs.log" 2>&1; then
		for s in $scenarios; do
			failcase "$series" "$s" "initramfs build failed: $(tail -n 1 "$kwork/initramfs.log")"
		done
		continue
	fi

	for s in $scenarios; do
		res=$kwork/$s
		# Ours to clear: boot.sh only empties directories it made itself.
		rm -rf "$res"
		progress "boot $series $s (kernel $KVER)"
		b0=$SECONDS
		if ! "$here/boot.sh" "$VMLINUZ" "$initrd" "$s" "$res" 2> "$kwork/$s.boot.err"; then
			progress "  guest done in $((SECONDS - b0)) s"
			failcase "$series" "$s" "$(tail -n 1 "$kwork/$s.boot.err")" "$res/console.log"
			continue
		fi
		progress "  guest done in $((SECONDS - b0)) s"
		# -B: no __pycache__ in the clone.
		out=$(python3 -B "$here/checks/$s.py" "$res" 2>&1) && rc=0 || rc=$?
		grep '^WARN: ' <<< "$out" | sed 's/^/  /' || true
		if [ "$rc" -eq 0 ]; then
			pass "$series" "$s"
		else
			failcase "$series" "$s" "$(tail -n 1 <<< "$out")" "$res/console.log"
		fi
	done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
