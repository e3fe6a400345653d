#!/bin/sh
# stress_loadunload (make stress; smaller in make check): N module unload
# and load cycles with oomprof-read running and OOM kills coming all the
# time (a hog in a 16M cgroup, one after another, from a loop of its own).
# Each unload is what `modprobe -r oomprof` runs through the installed
# modprobe.d hook (user/oomprof-modprobe.conf): `oomprof-read --detach`,
# then the removal (rmmod here: the guest has no depmod tree). Each load
# races stress_devwatch, which opens the device the moment it appears and
# requires the probes attached by then. The module logs what it leaves at
# each unload ("oomprof: unloading: ..."); the checker requires every kill
# a module saw recorded or counted (lost in the stream, unread or dropped
# at unload), seq gapless per load, no splat. N: 10 (4 on the debug
# kernel), or 100 with oomprof_stress=full.
. /lib.sh

N=$(stress_size 10 100 4)
echo "n=$N" >> "$R/summary"
echo 0 > /proc/sys/vm/oom_dump_tasks
mkdir -p "$R/r"
make_cgroup t1 16M

# load_watched: insmod while stress_devwatch spins on the device's open.
load_watched() {
	rm -f /tmp/watching
	/bin/stress_devwatch /tmp/watching >> "$R/devwatch.txt" 2>&1 &
	_w=$!
	wait_for 10 test -e /tmp/watching || fail "stress_devwatch did not start"
	load_module
	wait_exit "$_w" 30 || fail "stress_devwatch still running 30 s after insmod"
	[ "$WAIT_STATUS" = 0 ] || problem "load $1: the device opened before the module was complete: $(tail -n 1 "$R/devwatch.txt")"
}

load_watched 0
/bin/oomprof-read -d "$R/r" 2>> "$R/reader.log" &
READER_PID=$!
wait_for 10 holds_device "$READER_PID" || fail "oomprof-read did not open /dev/oomprof within 10 s"

# The kill loop: hogs one after another until /tmp/stop_kills exists.
(
	while [ ! -e /tmp/stop_kills ]; do
		run_victim_in_cgroup "$CG/t1" /bin/hog > /dev/null 2>> "$R/hog.err" &
		_h=$!
		echo "$_h" >> "$R/victim_pids"
		wait_exit "$_h" 30 || { echo "hog $_h alive after 30 s" >> "$R/kill_loop.err"; kill -KILL "$_h"; }
	done
) &
killer=$!

ok=0
i=1
while [ "$i" -le "$N" ]; do
	sleep 1
	if ! /bin/oomprof-read --detach 2>> "$R/detach.log"; then
		problem "cycle $i: oomprof-read --detach failed: $(tail -n 1 "$R/detach.log")"
	fi
	# Every kill's callback holds the module until its victim has run it
	# (within 1.5 s of the kill: the capture's end), and kills keep
	# coming: "in use" (EAGAIN) for that long is the design; retry 3 s.
	_tries=0
	until rmmod oomprof 2> /tmp/rmmod.err; do
		_tries=$((_tries + 1))
		grep -q "temporarily unavailable" /tmp/rmmod.err && [ "$_tries" -lt 30 ] || break
		sleep 0.1
	done
	if [ ! -d /sys/module/oomprof ]; then
		ok=$((ok + 1))
		[ "$_tries" -gt 0 ] && echo "cycle $i: in use $_tries times" >> "$R/rmmod_retries"
	else
		problem "cycle $i: rmmod after the detach failed: $(cat /tmp/rmmod.err)"
	fi
	dmesg -c >> "$R/dmesg-during.txt"
	load_watched "$i"
	wait_for 15 holds_device "$READER_PID" ||
		problem "cycle $i: oomprof-read did not reconnect within 15 s: $(tail -n 2 "$R/reader.log" | tr '\n' '|')"
	[ $((i % 10)) = 0 ] && say "$i cycles"
	i=$((i + 1))
done
echo "unloads_ok=$ok" >> "$R/summary"

touch /tmp/stop_kills
wait_exit "$killer" 60 || problem "the kill loop did not stop within 60 s"
# Last: everything the last module saw is read, then it goes too.
sleep 2
save_stats "$R/stats_last.json"
/bin/oomprof-read --detach 2>> "$R/detach.log" || problem "final detach failed: $(tail -n 1 "$R/detach.log")"
summarize_rmmod final_rmmod "at the end"
cp "$CG/t1/memory.events" "$R/t1.memory.events"
kill -TERM "$READER_PID"
wait_exit "$READER_PID" 10 || problem "oomprof-read did not exit after SIGTERM"
READER_PID=
dmesg -c >> "$R/dmesg-during.txt"
finish
