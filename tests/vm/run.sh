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
# Guest memory: 512M, or what a scenario's "# mem: SIZE" header line says
# (e.g. "# mem: 2G"): those scenarios boot apart, one boot per size, so
# the other guests stay small. OOMPROF_GUEST_MEM, when set, is every
# guest's size (make bench).
#
# Artifacts of each case stay in tests/vm/.work/<kver>/<scenario>/
# (console.log, dmesg.txt, r/events.jsonl, ...).
#
# Scenarios named dkms_* boot a second initramfs per kernel that carries not
# the harness's module but the one `dkms install` put into a private install
# tree (tests/dkms-install.sh, reused from the kbuild suite when the sources
# are unchanged), plus a `make install DESTDIR=` root and kmod: the guest
# loads it as a fleet host boots. On the debug kernel they print
# "SKIP debug dkms_...: <why>" (counted neither passed nor failed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$here/.work

kernels="6.1 6.12 debug"
scenarios="device loadunload go_exec_fast exec_churn go_container cgroup_oom wrapper three_cgroups global_oom no_reader_50 threads go_capture go_default_rate go_four go_rate0 go_enable_rate go_buffers go_dump go_regions go_memstats dump_deadline go_neighbour go_fuse_fallback binding compat32 ptrace_scope3 dkms_capture daemon_lifecycle hostile_names containers fuse_exe learned_prefix go_bigheap go_bigheap4 oom_context python_seed"
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
skipped=0
pass() { echo "PASS $1 $2"; passed=$((passed + 1)); }
skip() { echo "SKIP $1 $2: $3"; skipped=$((skipped + 1)); }
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

# make_dkms_initrd KVER DKMS_OUT KO KWORK: the initramfs of the dkms_*
# scenarios; prints its path. It holds no /oomprof.ko: the module is only
# where dkms installed it, /lib/modules/KVER/updates/dkms (with depmod's
# indexes of the private tree), beside what `make install` puts on a host
# (modules-load.d/oomprof.conf, the unit, oomprof-read under /usr/local).
# /etc/oomprof-dkms-expected names the dkms .ko's identity as the host
# sees it, for the checker to compare with what the guest loaded.
make_dkms_initrd() {
	local kver=$1 dout=$2 ko=$3 kw=$4
	local ov=$kw/dkms-overlay log=$kw/dkms-initramfs.log plain=$kw/dkms-plain.ko
	rm -rf "$ov" && mkdir -p "$ov/lib/modules"
	: > "$log"
	cp -a "$dout/root/lib/modules/$kver" "$ov/lib/modules/" >> "$log" 2>&1 || {
		echo "cannot copy $dout/root/lib/modules/$kver" >> "$log"; return 1; }
	make -s -C "$repo" install DESTDIR="$ov" >> "$log" 2>&1 || {
		echo "make install DESTDIR=$ov failed" >> "$log"; return 1; }
	# The build id is in the ELF notes; decompress a .ko.xz to read them.
	case $ko in
	*.xz) xz -dc "$ko" > "$plain" ;;
	*) cp "$ko" "$plain" ;;
	esac
	{
		echo "path=${ko#"$dout/root"}"
		echo "srcversion=$(modinfo -F srcversion "$ko")"
		echo "version=$(modinfo -F version "$ko")"
		echo "build_id=$(LC_ALL=C readelf -n "$plain" | sed -n 's/^ *Build ID: *//p')"
		echo "vermagic=$(modinfo -F vermagic "$ko")"
		echo "sha256=$(sha256sum < "$ko" | cut -d' ' -f1)"
	} > "$ov/etc/oomprof-dkms-expected"
	rm -f "$plain"
	"$here/mkinitramfs.sh" --overlay "$ov" --kmod "$kw/initrd-dkms.gz" "$kver" none "$reader" >> "$log" 2>&1 || {
		echo "mkinitramfs.sh failed (log: $log)" >> "$log"; return 1; }
	echo "$kw/initrd-dkms.gz"
}

# check_scenario SERIES NAME DIR: the checker's verdict on one scenario's
# results.
check_scenario() {
	local series=$1 s=$2 res=$3 out rc
	# -B: no __pycache__ in the clone.
	out=$(python3 -B "$here/checks/$s.py" "$res" 2>&1) && rc=0 || rc=$?
	grep '^WARN: ' <<< "$out" | sed 's/^/  /' || true
	if [ "$rc" -eq 0 ]; then
		pass "$series" "$s"
	else
		failcase "$series" "$s" "$(tail -n 1 <<< "$out")" "$res/console.log"
	fi
}

# boot_and_check INITRD SCENARIO...: boot the guest for the scenarios (of
# $series, kernel $VMLINUZ, results under $kwork) and judge each. Those a
# dying guest never started are booted again, until a boot runs none.
boot_and_check() {
	local use_initrd=$1 s b0 ran mem=${OOMPROF_GUEST_MEM:-${guest_mem:-512M}}
	shift
	local queue=("$@") again retried=0
	while [ ${#queue[@]} -gt 0 ]; do
		# Ours to clear: boot.sh only empties directories it made itself.
		for s in "${queue[@]}"; do rm -rf "${kwork:?}/$s"; done
		progress "boot $series (kernel $KVER, $mem): ${queue[*]}"
		b0=$SECONDS
		# boot.sh's stdout: init's progress lines, as they come.
		OOMPROF_GUEST_MEM=$mem "$here/boot.sh" "$VMLINUZ" "$use_initrd" "$kwork" "${queue[@]}" \
			2> "$kwork/${queue[0]}.boot.err" | while IFS= read -r line; do progress "  $line"; done || true
		progress "  guest done in $((SECONDS - b0)) s"
		if [ ! -d "$kwork/${queue[0]}" ]; then
			for s in "${queue[@]}"; do
				failcase "$series" "$s" "boot.sh: $(tail -n 1 "$kwork/${queue[0]}.boot.err")"
			done
			return
		fi
		again=()
		ran=0
		for s in "${queue[@]}"; do
			if [ -e "$kwork/$s/not_run" ]; then
				again+=("$s")
			elif [ -e "$kwork/$s/boot_error" ]; then
				ran=1
				failcase "$series" "$s" "boot.sh: $(cat "$kwork/$s/boot_error")" "$kwork/$s/console.log"
			else
				ran=1
				check_scenario "$series" "$s" "$kwork/$s"
			fi
		done
		# A guest that died before its first scenario never ran our code
		# (scenarios load the module): an emulator that hung or panicked
		# at boot. Said, and booted again, up to twice more; a third such
		# boot is a failure.
		if [ "$ran" = 0 ] && [ "$retried" -lt 2 ]; then
			retried=$((retried + 1))
			echo "  WARN: the guest died before its first scenario ($(cat "$kwork/${queue[0]}/boot_error")); booting again ($((retried + 1)) of 3)"
			continue
		fi
		if [ "$ran" = 0 ]; then
			for s in "${again[@]}"; do
				failcase "$series" "$s" "boot.sh: $(cat "$kwork/$s/boot_error")" "$kwork/${queue[0]}/boot-console.log"
			done
			return
		fi
		queue=("${again[@]}")
	done
}

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
	if ! KMODDIR=${KMODDIR:-} "$here/mkinitramfs.sh" "$initrd" "$KVER" "$module" "$reader" > "$kwork/initramfs.log" 2>&1; then
		for s in $scenarios; do
			failcase "$series" "$s" "initramfs build failed: $(tail -n 1 "$kwork/initramfs.log")"
		done
		continue
	fi

	# The dkms image, only when a dkms_* scenario is to run on this kernel.
	dkms_initrd=
	dkms_err=
	case " $scenarios " in
	*" dkms_"*)
		if [ "$series" = debug ]; then
			dkms_err="skip:the debug kernel is the project's own build of linux-source-6.1, not a Debian kernel package: there is no linux-headers-$KVER for dkms to build against (dkms is tested on Debian 6.1 and 6.12)"
		else
			progress "dkms install for $KVER (tests/dkms-install.sh)"
			dkms_out=${OOMPROF_WORK:-$repo/build}/dkms/$KVER
			if ! dkms_ko=$("$repo/tests/dkms-install.sh" --reuse "$KVER" "$dkms_out" 2> "$kwork/dkms.err"); then
				dkms_err="$(tail -n 1 "$kwork/dkms.err")"
			elif ! dkms_initrd=$(make_dkms_initrd "$KVER" "$dkms_out" "$(tail -n 1 <<< "$dkms_ko")" "$kwork"); then
				dkms_err="dkms initramfs: $(tail -n 1 "$kwork/dkms-initramfs.log")"
				dkms_initrd=
			fi
		fi
		;;
	esac

	# One boot runs many scenarios in turn (boot.sh; the guest resets
	# itself between them): a boot costs more than most scenarios, ten
	# times more on the debug kernel. A boot that dies during a scenario
	# fails that one; the scenarios after it get a boot of their own.
	normal=()
	dkms=()
	alone=()
	declare -A bymem=()
	for s in $scenarios; do
		m=$(sed -n '2,20s/^# mem: *\([0-9]*[MG]\) *$/\1/p' "$here/guest/scenarios/$s.sh" | head -n 1)
		if [ -n "$m" ] && [ -z "${OOMPROF_GUEST_MEM:-}" ]; then
			bymem[$m]="${bymem[$m]:-} $s"
			continue
		fi
		case $s in
		# It changes what cannot be changed back until reboot.
		ptrace_scope3) alone+=("$s") ;;
		# A 32-bit victim needs the kernel to run 32-bit programs.
		compat32)
			if grep -qx 'CONFIG_IA32_EMULATION=y' "$KDIR/.config" 2> /dev/null; then
				normal+=("$s")
			else
				skip "$series" "$s" "$KVER is built without CONFIG_IA32_EMULATION ($KDIR/.config): it runs no 32-bit program"
			fi
			;;
		dkms_*)
			case $dkms_err in
			skip:*) skip "$series" "$s" "${dkms_err#skip:}" ;;
			?*) failcase "$series" "$s" "$dkms_err" ;;
			*) dkms+=("$s") ;;
			esac
			;;
		*) normal+=("$s") ;;
		esac
	done
	[ ${#normal[@]} -eq 0 ] || boot_and_check "$initrd" "${normal[@]}"
	for m in "${!bymem[@]}"; do
		# shellcheck disable=SC2086 # a list of names
		guest_mem=$m boot_and_check "$initrd" ${bymem[$m]}
	done
	[ ${#dkms[@]} -eq 0 ] || boot_and_check "$dkms_initrd" "${dkms[@]}"
	for s in "${alone[@]}"; do
		boot_and_check "$initrd" "$s"
	done
done

echo "$passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
[ "$failed" -eq 0 ]
