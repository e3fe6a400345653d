#!/bin/sh
# The Go runtime's memory statistics at the kill: Go 1.19 and current-Go
# victims print runtime.ReadMemStats (one JSON line) just before they leak
# until their cgroup's OOM kill; the record's statistics (events.jsonl
# "go_memstats", the profile's comment, --show) must agree with that
# within what was leaked since. go119 at MemProfileRate 1 (the profile is
# exact), gocur at the default 524288 (scaled). A stripped victim (no
# DWARF): the record says the statistics are missing and why. An
# on-demand dump of a quiet PIE victim: its profile's comment.
. /lib.sh

load_module
start_reader "$R/r"

ms_victim() {	# ms_victim TAG RATE
	make_cgroup "m$1" 160M
	say "starting victim-$1 in /m$1"
	run_victim_in_cgroup "$CG/m$1" /bin/victim-$1 -rate "$2" -lite \
		-delay 1500ms -memstats "$R/memstats-$1.json" \
		-progress "$R/progress-$1" > "$R/victim-$1.out" 2>> "$R/victim-$1.err" &
	_pid=$!
	wait_exit "$_pid" 120 || fail "victim-$1 $_pid still alive after 120 s: $(cg_diag "m$1")"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "victim-$1 exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$1.err" | tr '\n' '|')"
	say "victim-$1 $_pid OOM-killed after leaking $(tail -n 1 "$R/progress-$1") bytes"
}

ms_victim go119 1
ms_victim gocur 524288
ms_victim go119s 1

# An on-demand dump (-p) of a quiet victim carries them too.
/bin/victim-gocurpie -hold -lite -retainmb 8 -memstats "$R/memstats-hold.json" \
	> "$R/hold.out" 2>> "$R/hold.err" &
pid=$!
wait_for 30 test -s "$R/hold.out" || fail "victim-gocurpie -hold did not get going"
mkdir -p "$R/dump"
/bin/oomprof-read -p "$pid" -d "$R/dump" > "$R/dump.path" 2>> "$R/dump.log" ||
	problem "oomprof-read -p $pid failed: $(tail -n 1 "$R/dump.log")"
kill -KILL "$pid"
wait "$pid"

sleep 3
stop_reader
finish
