#!/bin/sh
# The daemon in production: one oomprof-read (--max-files 2) through
# retention, log rotation (SIGHUP), a module unload with it running
# (oomprof-read --detach, then rmmod), the module's return, a stop, a kill
# while no reader runs, and a stop while it waits for the module. Every
# kill is labelled in $R/kills ("label pid"), outcomes go to $R/summary
# (key=value); the checker compares the kills with dmesg and events.jsonl.
. /lib.sh

EV=$R/r/events.jsonl
mkdir -p "$R/r"
make_cgroup t1 32M
make_cgroup g1 96M

# start_daemon: oomprof-read -d $R/r --max-files 2 in the background.
start_daemon() {
	/bin/oomprof-read -d "$R/r" --max-files 2 2>> "$R/reader.log" &
	READER_PID=$!
	say "daemon $READER_PID started"
}

# wait_open: the daemon holds the device (10 s), else fail.
wait_open() {
	wait_for 10 holds_device "$READER_PID" ||
		fail "oomprof-read $READER_PID did not open /dev/oomprof within 10 s: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
}

# log_count TEXT: lines of the daemon's log holding TEXT.
log_count() { grep -c "$1" "$R/reader.log" 2>/dev/null || true; }
log_grew() { [ "$(log_count "$1")" -gt "$2" ]; }

in_events() { grep -q "\"pid\":$2," "$1" 2>/dev/null; }

# kill_hog LABEL: an OOM kill in t1; its pid goes to $R/kills as LABEL.
kill_hog() {
	oom_in_cgroup t1
	HOG=$(tail -n 1 "$R/victim_pids")
	echo "$1 $HOG" >> "$R/kills"
	say "kill $1: hog $HOG"
}

# expect_recorded LABEL PID [FILE]: PID's line lands in FILE within 15 s.
expect_recorded() {
	wait_for 15 in_events "${3:-$EV}" "$2" ||
		problem "kill $1 (pid $2) not in ${3:-$EV} within 15 s: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
}

# summarize_exit KEY PID SECS: KEY=PID's exit status in $R/summary, or
# KEY=timeout (and PID SIGKILLed) when it is still running after SECS.
summarize_exit() {
	if wait_exit "$2" "$3"; then
		echo "$1=$WAIT_STATUS" >> "$R/summary"
	else
		echo "$1=timeout" >> "$R/summary"
		kill -KILL "$2"
		wait "$2"
	fi
}

# sigterm_daemon KEY: SIGTERM; it must exit 0 within 3 s; KEY=status.
sigterm_daemon() {
	kill -TERM "$READER_PID"
	summarize_exit "$1" "$READER_PID" 3
	say "daemon $READER_PID: SIGTERM -> $WAIT_STATUS"
	READER_PID=
}

load_module
start_daemon
wait_open

# 1. An OOM kill is recorded.
kill_hog first
expect_recorded first "$HOG"

# kill_go LABEL: a Go victim (found by the daemon's /proc scan within its
# 2.5 s delay) OOM-killed in g1 and recorded.
kill_go() {
	run_victim_in_cgroup "$CG/g1" /bin/victim-gocur -rate 1 -delay 2500ms \
		> /dev/null 2>> "$R/victim-$1.err" &
	_pid=$!
	echo "$1 $_pid" >> "$R/kills"
	wait_exit "$_pid" 90 || fail "victim-gocur $_pid still alive after 90 s: $(cg_diag g1)"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "victim-gocur $_pid exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$1.err" | tr '\n' '|')"
	expect_recorded "$1" "$_pid"
	say "$1: victim $_pid killed and recorded"
}

# 2. Retention: three Go victims' profiles, --max-files 2 keeps the newest two.
kill_go go1
kill_go go2
kill_go go3
ls "$R/r" > "$R/ls_after_go.txt"

# 3. SIGHUP: events.jsonl moved away, SIGHUP, the next record goes to a
# fresh events.jsonl.
mv "$EV" "$EV.1"
kill -HUP "$READER_PID"
wait_for 5 test -e "$EV" || problem "no fresh events.jsonl within 5 s of SIGHUP"
kill_hog after_hup
expect_recorded after_hup "$HOG"

# 4. A kill the daemon has not read yet (it is stopped), then a detach:
# the detach waits for the daemon, which saves the kill before it lets go;
# rmmod then succeeds with the daemon alive and waiting.
waits=$(log_count "waiting for the module")
kill -STOP "$READER_PID"
kill_hog at_detach
sleep 1
/bin/oomprof-read --detach 2>> "$R/detach.log" &
dpid=$!
sleep 1
alive "$dpid" && echo "detach_waits_for_reader=yes" >> "$R/summary"
in_events "$EV" "$HOG" || echo "at_detach_pending=yes" >> "$R/summary"
kill -CONT "$READER_PID"
summarize_exit detach_rc "$dpid" 15
summarize_rmmod rmmod_after_detach "after oomprof-read --detach"
in_events "$EV" "$HOG" && echo "at_detach_saved_before_rmmod=yes" >> "$R/summary"
wait_for 5 log_grew "waiting for the module" "$waits" &&
	echo "waiting_logged=yes" >> "$R/summary"
sleep 2	# a few retries while the module is gone
alive "$READER_PID" && echo "alive_after_rmmod=yes" >> "$R/summary"

# 5. The module is back: the daemon reconnects and records a new kill.
recon=$(log_count "reconnected")
load_module
wait_for 10 log_grew "reconnected" "$recon" &&
	echo "reconnected_logged=yes" >> "$R/summary"
wait_open
kill_hog after_reload
expect_recorded after_reload "$HOG"
# Registrations died with the old module: Go programs are registered anew.
kill_go go_reload

# 6. SIGTERM stops it at once with status 0.
sigterm_daemon sigterm_connected

# 7. A kill while no reader runs is read when the daemon starts again.
kill_hog no_daemon
sleep 2
start_daemon
wait_open
expect_recorded no_daemon "$HOG"
sigterm_daemon sigterm_connected2

# 8. A daemon started without the module waits, and SIGTERM then stops it
# at once with status 0.
/bin/oomprof-read --detach 2>> "$R/detach.log" ||
	problem "oomprof-read --detach with no reader failed: $(tail -n 1 "$R/detach.log")"
rmmod oomprof 2> /tmp/rmmod.err || problem "rmmod with no reader failed: $(cat /tmp/rmmod.err)"
waits=$(log_count "waiting for the module")
start_daemon
wait_for 5 log_grew "waiting for the module" "$waits" &&
	echo "waiting_at_start_logged=yes" >> "$R/summary"
sleep 1
sigterm_daemon sigterm_waiting

ls -l "$R/r" > "$R/ls_end.txt"
finish
