#!/bin/sh
# oomprof-read --enable-go-memprofile=524288 turns heap profiling on in Go
# binaries built without it (MemProfileRate 0): Go 1.19 and a stripped
# current-Go one (its rate variable located from its code) found by the
# reader's start-up scan, each having retained 16 MiB at main.retainBefore
# first; a current-Go one exec'd while the reader runs (enabled about a
# second later, once its runtime has set its own rate). Each waits until
# its MemProfileRate is no longer 0, then leaks at main.leakChunk until its
# cgroup OOM-kills it: the kill's profile must show the leak and nothing of
# what came before. A program that sets its own rate (victim-gocur, 65536)
# is left alone.
. /lib.sh

load_module
OPT=--enable-go-memprofile=524288

# rate0 TAG BEFORE [READY]: start /bin/rate0-TAG in cgroup gTAG (pid in $pid)
rate0() {
	make_cgroup "g$1" 128M
	say "starting rate0-$1 in /g$1"
	run_victim_in_cgroup "$CG/g$1" /bin/rate0-$1 -wait-rate 60s \
		-before "$2" -ready "$R/ready-$1" -progress "$R/progress-$1" \
		> "$R/rate0-$1.out" 2>> "$R/rate0-$1.err" &
	pid=$!
	echo "$pid" >> "$R/victim_pids"
}

# killed TAG: wait for rate0-TAG ($pid) to be OOM-killed
killed() {
	wait_exit "$pid" 120 || fail "rate0-$1 $pid still alive after 120 s: $(cg_diag "g$1")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "rate0-$1 exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/rate0-$1.err" | tr '\n' '|')"
	say "rate0-$1 $pid: $(tr '\n' ' ' < "$R/rate0-$1.err")OOM-killed after leaking $(tail -n 1 "$R/progress-$1") bytes"
}

# Found by the start-up scan: retained first, then the reader starts.
rate0 go119 16777216
wait_for 60 test -e "$R/ready-go119" || fail "rate0-go119 not ready after 60 s"
start_reader "$R/r" "$OPT"
killed go119

# Exec'd while the reader runs.
rate0 gocur 0
killed gocur

# The scan again, after a restart of the reader.
stop_reader
rate0 gocurs 16777216
wait_for 60 test -e "$R/ready-gocurs" || fail "rate0-gocurs not ready after 60 s"
start_reader "$R/r" "$OPT"
killed gocurs

make_cgroup gown 160M
run_victim_in_cgroup "$CG/gown" /bin/victim-gocur -rate 65536 -delay 2500ms \
	-lite > "$R/victim-own.out" 2>> "$R/victim-own.err" &
pid=$!
echo "$pid" >> "$R/victim_pids"
wait_exit "$pid" 120 || fail "victim-gocur $pid still alive after 120 s: $(cg_diag gown)"
[ "$WAIT_STATUS" = 137 ] ||
	fail "victim-gocur exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-own.err" | tr '\n' '|')"

sleep 3
stop_reader
finish
