#!/bin/sh
# kernel.yama.ptrace_scope 3 (no process may ptrace-attach another, root
# included): the module refuses registrations and dumps of other
# processes (progs/bindtest.c scope3), `oomprof-read -p PID` says why in
# plain words, and the daemon says it cannot watch a Go program.
# ptrace_scope 3 cannot be lowered again until reboot: run.sh gives this
# scenario a boot of its own.
. /lib.sh

load_module
[ -w /proc/sys/kernel/yama/ptrace_scope ] ||
	fail "no /proc/sys/kernel/yama/ptrace_scope: this kernel runs without Yama"
echo 3 > /proc/sys/kernel/yama/ptrace_scope || fail "cannot set ptrace_scope 3"
cat /proc/sys/kernel/yama/ptrace_scope > "$R/ptrace_scope.txt"

/bin/bindtest scope3 >> "$R/bindtest.txt" 2>&1 || problem "bindtest scope3 failed"

/bin/victim-gocur -rate 524288 -lite -selfprof /tmp/self.pb.gz -hold \
	> "$R/v.out" 2>> "$R/v.err" &
v=$!
echo "$v" > "$R/go_pid"
wait_for 30 test -s "$R/v.out" || fail "victim-gocur did not get going"
/bin/oomprof-read -p "$v" -d /tmp 2> "$R/err_dump.txt" &&
	problem "a dump of pid $v succeeded under ptrace_scope 3"
start_reader "$R/r"
wait_for 20 grep -q "not watching Go process $v " "$R/reader.log" ||
	problem "the reader did not say it cannot watch Go process $v"
save_stats "$R/stats.json"
stop_reader
kill -KILL "$v"
wait "$v"
finish
