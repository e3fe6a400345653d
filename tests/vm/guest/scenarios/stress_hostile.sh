#!/bin/sh
# stress_hostile (make stress and make check): Go programs that forge
# their own runtime.mbuckets list (tests/vm/go/stress_forge) and leak
# until OOM-killed, registered by oomprof-read like any Go program: a
# cycle into the list's middle, a pointer to unmapped memory, a kernel
# address, nstk 10^6, a 60000-bucket list whose tail grows once
# oomprof-read has learned it, a bucket in device memory (a PCI memory
# BAR, mapped VM_IO | VM_PFNMAP), a bucket in a file mapping whose FUSE server never
# answers a read (progs/fusehang: a walk that faulted it in would wait
# forever), each built by Go 1.19 and by the current Go. The
# checker requires each capture partial with its reason, bounded in time,
# and no splat.
. /lib.sh

load_module
start_reader "$R/r"
echo 0 > /proc/sys/vm/oom_dump_tasks
# What the device case maps, for the record.
for d in /sys/bus/pci/devices/*; do
	echo "$d $(cat "$d/class") $(head -n 1 "$d/resource")" >> "$R/pci.txt"
done

if [ -e /fuse.ko ] && ! grep -qw fuse /proc/filesystems; then
	insmod /fuse.ko 2> /tmp/fuse.err || fail "insmod /fuse.ko: $(cat /tmp/fuse.err)"
fi
grep -qw fuse /proc/filesystems || fail "this kernel has no FUSE (no fuse in /proc/filesystems, no /fuse.ko)"
mkdir -p /mnt/fh
/bin/fusehang /mnt/fh > "$R/fusehang.out" 2> "$R/fusehang.err" &
fh_ready() { grep -q ready "$R/fusehang.out"; }
wait_for 10 fh_ready || fail "fusehang did not mount: $(cat "$R/fusehang.err")"

n=0
for mode in cycle unmapped kernel nstk grow device fuse; do
	for tag in go119 gocur; do
		n=$((n + 1))
		make_cgroup "h$n" 96M
		say "stress_forge-$tag -mode $mode in /h$n"
		wait=
		[ "$mode" = grow ] && wait="-wait /tmp/go-$n"
		# shellcheck disable=SC2086 # $wait is two words or none
		run_victim_in_cgroup "$CG/h$n" /bin/stress_forge-$tag -mode "$mode" $wait \
			> "$R/forge-$n.out" 2> "$R/forge-$n.err" &
		pid=$!
		echo "$mode $tag $pid" >> "$R/victims"
		if [ -n "$wait" ]; then
			# grow: its list grows only once oomprof-read has
			# learned it, so that the capture always finds a list
			# longer than the one learned.
			bigheap_wait_learned "$pid" 60000 90
			touch "/tmp/go-$n"
		fi
		wait_exit "$pid" 90 || fail "stress_forge -mode $mode ($tag) $pid still alive after 90 s: $(cg_diag "h$n")"
		[ "$WAIT_STATUS" = 137 ] ||
			problem "stress_forge -mode $mode ($tag) exited with $WAIT_STATUS, not SIGKILL: $(tail -n 2 "$R/forge-$n.err" | tr '\n' '|')"
	done
done
lines() { [ "$(grep -c '"type":"oom_kill"' "$R/r/events.jsonl" 2>/dev/null)" -ge "$n" ]; }
wait_for 30 lines || problem "fewer than $n oom_kill lines 30 s after the last kill"
sleep 1
stop_reader
save_stats "$R/stats.json"
finish
