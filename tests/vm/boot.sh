#!/bin/bash
# boot.sh VMLINUZ INITRD OUTDIR SCENARIO [SCENARIO...]
#
# Boots the guest under QEMU (TCG: KVM hangs on these machines), which runs
# the scenarios in turn, and unpacks each one's results into OUTDIR/SCENARIO
# beside its part of the serial console log (console.log; the first one's
# part includes the boot). The whole console log and QEMU's own output stay
# in OUTDIR/<first scenario>/boot-console.log and qemu.log.
#
# A scenario whose results did not arrive intact gets OUTDIR/SCENARIO/
# boot_error, one line saying why (the guest panicked during it: the panic
# line; it hung: where the console stopped); one the guest never started
# because it died before also gets OUTDIR/SCENARIO/not_run, so the caller
# can boot again for it. Exit 0 only if every scenario's results arrived;
# the scenarios' own verdicts are in their exit_code files and are judged
# by the checkers, not here. Init's progress lines ("running scenario ...",
# "scenario ... exited ...") are copied to stdout as they come.
#
# Transport: after each scenario the guest writes a gzip'ed tar of its
# results, base64-encoded, between marker lines naming it on its second
# serial port (/dev/ttyS1), which QEMU writes to a host file. The end
# marker carries the archive's sha256 and size. The serial port is built
# into Debian's kernels and needs no module, disk image or network; base64
# makes it binary-safe whatever the tty does.
#
# Environment: OOMPROF_BOOT_TIMEOUT (seconds, default 240): QEMU is killed
# when the guest's init prints no progress line for that long (the boot, a
# scenario, or the steps after one); each scenario's own timeout in the
# guest is 45 s shorter, so a hung scenario still yields its results.
# OOMPROF_BOOT_STALL (default 90): killed as well when the console stays
# silent that long before init's first line (a boot that hangs).
# OOMPROF_CMDLINE: more kernel command line. OOMPROF_QEMU (default
# qemu-system-x86_64). OOMPROF_GUEST_MEM: the guest's memory, as QEMU's -m
# takes it (default 512M; run.sh sets it from a scenario's "# mem:" line).
set -euo pipefail

if [ $# -lt 4 ]; then
	echo "usage: $0 VMLINUZ INITRD OUTDIR SCENARIO [SCENARIO...]" >&2
	exit 2
fi
vmlinuz=$1 initrd=$2 outdir=$3
shift 3
scenarios=("$@")
stall_s=${OOMPROF_BOOT_TIMEOUT:-240}
qemu=${OOMPROF_QEMU:-qemu-system-x86_64}
guest_mem=${OOMPROF_GUEST_MEM:-512M}
case $guest_mem in
[1-9]*[0-9MG]) ;;
*) echo "boot.sh: bad OOMPROF_GUEST_MEM '$guest_mem' (e.g. 512M, 3G)" >&2; exit 2 ;;
esac

for f in "$vmlinuz" "$initrd"; do
	[ -r "$f" ] || { echo "boot.sh: cannot read $f" >&2; exit 2; }
done
for s in "${scenarios[@]}"; do
	case $s in
	*[!A-Za-z0-9_]*|'') echo "boot.sh: bad scenario name '$s'" >&2; exit 2 ;;
	esac
done

# Stale files from an earlier run must not pass for this run's results, so
# each scenario's directory is emptied first; but only one this script made
# (it carries a marker), never a directory someone passed by mistake.
for s in "${scenarios[@]}"; do
	d=$outdir/$s
	mkdir -p "$d"
	if [ -n "$(ls -A "$d")" ] && [ ! -e "$d/.oomprof-results" ]; then
		echo "boot.sh: $d is not empty and not a results dir of boot.sh; refusing to empty it" >&2
		exit 2
	fi
	find "$d" -mindepth 1 -delete
	touch "$d/.oomprof-results"
done
first=$outdir/${scenarios[0]}
raw=$first/transport.raw
console=$first/boot-console.log

# log_buf_len: the default 128 KiB ring loses the start of the log after a
# few dozen OOM reports, and checkers count "Killed process" lines in it.
# oomprof_timeout: the guest's own scenario timeout, well inside ours, so a
# hung scenario still yields results. No quiet: the boot's messages reach
# the console, which shows where a boot that hangs stopped; init lowers the
# console log level to quiet's before the first scenario, so the info lines
# of an OOM report are not written to the UART on the OOM path.
# no_timer_check: a loaded host can delay the emulated timer's first ticks
# past the kernel's IO-APIC timer test, which then panics ("IO-APIC + timer
# doesn't work!") on a healthy guest.
guest_timeout=$((stall_s - 45))
[ "$guest_timeout" -ge 30 ] || guest_timeout=30
list=$(IFS=,; echo "${scenarios[*]}")
cmdline="console=ttyS0 panic=-1 no_timer_check log_buf_len=4M oomprof_scenario=$list oomprof_timeout=$guest_timeout"
[ -n "${OOMPROF_CMDLINE:-}" ] && cmdline="$cmdline $OOMPROF_CMDLINE"

# -nographic with both serial ports sent to files: nothing reads stdin, and
# the console log survives a kill. -no-reboot plus panic=-1 turns a guest
# panic into a QEMU exit instead of a reboot loop.
: > "$console"
: > "$raw"
"$qemu" -accel tcg -m "$guest_mem" -smp 2 -nographic -no-reboot \
	-monitor none \
	-serial "file:$console" -serial "file:$raw" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "$cmdline" \
	< /dev/null > "$first/qemu.log" 2>&1 &
qpid=$!

# The watchdog: progress is a new "oomprof-init:" line on the console;
# before the first, during the boot, any new console output. A healthy boot
# is never silent for more than a few seconds (10 s between the debug
# kernel's "Run /init" and init's first line), but the debug kernel has
# been seen to stop dead after "Running RCU-tasks wait API self tests":
# that is told in OOMPROF_BOOT_STALL (90) seconds, not in 240.
boot_stall_s=${OOMPROF_BOOT_STALL:-90}
hung=
seen=0
mark=
last=$SECONDS
while kill -0 "$qpid" 2> /dev/null; do
	sleep 1
	n=$(grep -ac 'oomprof-init: ' "$console" || true)
	if [ "$n" != "$seen" ]; then
		# Progress for the caller: init's new lines on stdout.
		tr -d '\r' < "$console" | grep -a 'oomprof-init: ' | sed -n "$((seen + 1)),${n}p" |
			sed 's/.*oomprof-init: //' | grep -v '^kmemleak scan$' || true
		seen=$n
	fi
	if [ "$n" = 0 ]; then
		now="booting $(stat -c %s "$console")"
		limit=$boot_stall_s
		stalled="$boot_stall_s s of silence while booting"
	else
		now="init $n"
		limit=$stall_s
		stalled="no progress for $stall_s s"
	fi
	if [ "$now" != "$mark" ]; then
		mark=$now
		last=$SECONDS
	elif [ $((SECONDS - last)) -ge "$limit" ]; then
		hung=$stalled
		kill -TERM "$qpid" 2> /dev/null || true
		sleep 5
		kill -KILL "$qpid" 2> /dev/null || true
		break
	fi
done
qemu_rc=0
wait "$qpid" || qemu_rc=$?

# The console in one part per scenario, cut at init's "running scenario"
# lines; the part before the first goes with the first.
# (The first marker shares its line with the firmware's escape codes.)
tr -d '\r' < "$console" | awk -v out="$outdir" -v first="${scenarios[0]}" '
	BEGIN { f = out "/" first "/console.log" }
	match($0, /oomprof-init: running scenario [A-Za-z0-9_]+/) {
		n = substr($0, RSTART + 31, RLENGTH - 31)
		if (started) { close(f); f = out "/" n "/console.log" }
		started = 1
	}
	{ print >> f }
'

# The results of each scenario, as the guest sent them.
tr -d '\r' < "$raw" > "$raw.lf"
missing=0
why_dead=
if [ -n "$hung" ]; then
	why_dead="QEMU killed: $hung (hung?); last console line: $(tr -d '\r' < "$console" | grep -av '^[[:space:]]*$' | tail -n 1 | cut -c1-200)"
elif grep -aq 'Kernel panic' "$console"; then
	why_dead="guest kernel panicked: $(tr -d '\r' < "$console" | grep -a -m1 'Kernel panic' | cut -c1-200)"
elif [ "$qemu_rc" -ne 0 ]; then
	why_dead="QEMU exited with $qemu_rc: $(tail -n 3 "$first/qemu.log" | tr '\n' ' ')"
else
	why_dead="the guest powered off without sending them"
fi
dead_in=
for s in "${scenarios[@]}"; do
	d=$outdir/$s
	end_line=$(grep -a "^OOMPROF-RESULTS-END $s " "$raw.lf" | tail -n 1 || true)
	if [ -z "$end_line" ]; then
		missing=$((missing + 1))
		if [ -n "$dead_in" ]; then
			echo "not run: the guest died during $dead_in" > "$d/boot_error"
			touch "$d/not_run"
		elif grep -aq "oomprof-init: running scenario $s " "$console"; then
			echo "no results: $why_dead; see $d/console.log" > "$d/boot_error"
			dead_in=$s
		else
			echo "not run: $why_dead; see $console" > "$d/boot_error"
			touch "$d/not_run"
			dead_in="the boot"
		fi
		continue
	fi
	read -r _ _ want_sum want_size <<< "$end_line"
	tgz=$d/.results.tgz
	if ! sed -n "/^OOMPROF-RESULTS-BEGIN $s\$/,/^OOMPROF-RESULTS-END $s /{//!p}" "$raw.lf" |
		base64 -d > "$tgz" 2> /dev/null; then
		echo "results stream of $s is not valid base64" > "$d/boot_error"
		missing=$((missing + 1))
		continue
	fi
	got_size=$(stat -c %s "$tgz")
	got_sum=$(sha256sum < "$tgz" | cut -d' ' -f1)
	if [ "$got_size" != "$want_size" ] || [ "$got_sum" != "$want_sum" ]; then
		echo "results of $s corrupted in transit (got $got_size bytes $got_sum, guest sent $want_size bytes $want_sum)" > "$d/boot_error"
		missing=$((missing + 1))
		continue
	fi
	# --no-same-owner: the guest's uids mean nothing here.
	tar xzf "$tgz" -C "$d" --no-same-owner --no-same-permissions --no-overwrite-dir
	rm -f "$tgz"
done
rm -f "$raw" "$raw.lf"
[ "$missing" -eq 0 ]
