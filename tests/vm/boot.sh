#!/bin/bash
# boot.sh VMLINUZ INITRD SCENARIO RESULTS_DIR [EXTRA_CMDLINE]
#
# Boots the guest under QEMU (TCG: KVM hangs on these machines), runs
# SCENARIO, and unpacks the guest's /results into RESULTS_DIR next to the
# full serial console log (console.log). Exit 0 only if the guest finished
# and its results arrived intact; the scenario's own verdict is in
# RESULTS_DIR/exit_code and is judged by the checkers, not here.
#
# Transport: the guest writes a gzip'ed tar of /results, base64-encoded,
# between marker lines on its second serial port (/dev/ttyS1), which QEMU
# writes to a host file. The end marker carries the archive's sha256 and size.
# The serial port is built into Debian's kernels and needs no module, disk
# image or network; base64 makes it binary-safe whatever the tty does.
#
# Environment: OOMPROF_BOOT_TIMEOUT (seconds, default 240),
# OOMPROF_QEMU (default qemu-system-x86_64).
set -euo pipefail

if [ $# -lt 4 ] || [ $# -gt 5 ]; then
	echo "usage: $0 VMLINUZ INITRD SCENARIO RESULTS_DIR [EXTRA_CMDLINE]" >&2
	exit 2
fi
vmlinuz=$1 initrd=$2 scenario=$3 results=$4 extra=${5:-}
timeout_s=${OOMPROF_BOOT_TIMEOUT:-240}
qemu=${OOMPROF_QEMU:-qemu-system-x86_64}

for f in "$vmlinuz" "$initrd"; do
	[ -r "$f" ] || { echo "boot.sh: cannot read $f" >&2; exit 2; }
done

# Stale files from an earlier run must not pass for this run's results, so
# the directory is emptied first; but only one this script made (it carries
# a marker), never a directory someone passed by mistake.
mkdir -p "$results"
if [ -n "$(ls -A "$results")" ] && [ ! -e "$results/.oomprof-results" ]; then
	echo "boot.sh: $results is not empty and not a results dir of boot.sh; refusing to empty it" >&2
	exit 2
fi
find "$results" -mindepth 1 -delete
touch "$results/.oomprof-results"
raw=$results/transport.raw
console=$results/console.log

# log_buf_len: the default 128 KiB ring loses the start of the log after a
# few dozen OOM reports, and checkers count "Killed process" lines in it.
# oomprof_timeout: the guest's own scenario timeout, well inside ours, so a
# hung scenario still yields results.
guest_timeout=$((timeout_s - 45))
[ "$guest_timeout" -ge 30 ] || guest_timeout=30
cmdline="console=ttyS0 quiet panic=-1 log_buf_len=4M oomprof_scenario=$scenario oomprof_timeout=$guest_timeout"
[ -n "$extra" ] && cmdline="$cmdline $extra"

# -nographic with both serial ports sent to files: nothing reads stdin, and
# the console log survives a timeout. -no-reboot plus panic=-1 turns a guest
# panic into a QEMU exit instead of a reboot loop.
qemu_rc=0
timeout --kill-after=10 "$timeout_s" \
	"$qemu" -accel tcg -m 512 -smp 2 -nographic -no-reboot \
	-monitor none \
	-serial "file:$console" -serial "file:$raw" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "$cmdline" \
	< /dev/null > "$results/qemu.log" 2>&1 || qemu_rc=$?

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	echo "boot.sh: QEMU killed after the ${timeout_s} s timeout (guest hung?); see $console" >&2
	exit 1
fi
if [ "$qemu_rc" -ne 0 ]; then
	echo "boot.sh: QEMU exited with $qemu_rc: $(tail -n 3 "$results/qemu.log" | tr '\n' ' ')" >&2
	exit 1
fi

# The tty may add \r; base64 ignores nothing else, so strip just that.
end_line=$(tr -d '\r' < "$raw" | grep -a '^OOMPROF-RESULTS-END ' | tail -n 1 || true)
if [ -z "$end_line" ]; then
	if grep -q 'Kernel panic' "$console"; then
		echo "boot.sh: guest kernel panicked; see $console" >&2
	else
		echo "boot.sh: guest did not finish sending results; see $console" >&2
	fi
	exit 1
fi
read -r _ want_sum want_size <<< "$end_line"

tgz=$results/.results.tgz
tr -d '\r' < "$raw" |
	sed -n '/^OOMPROF-RESULTS-BEGIN$/,/^OOMPROF-RESULTS-END /{//!p}' |
	base64 -d > "$tgz" || {
	echo "boot.sh: results stream is not valid base64" >&2
	exit 1
}
got_size=$(stat -c %s "$tgz")
got_sum=$(sha256sum < "$tgz" | cut -d' ' -f1)
if [ "$got_size" != "$want_size" ] || [ "$got_sum" != "$want_sum" ]; then
	echo "boot.sh: results corrupted in transit (got $got_size bytes $got_sum, guest sent $want_size bytes $want_sum)" >&2
	exit 1
fi
# --no-same-owner: the guest's uids mean nothing here.
tar xzf "$tgz" -C "$results" --no-same-owner --no-same-permissions --no-overwrite-dir
rm -f "$tgz" "$raw"
