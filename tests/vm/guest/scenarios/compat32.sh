#!/bin/sh
# A registered victim that is a 32-bit (i386) process: the module's walker
# reads 64-bit bucket layouts only, so the kill is recorded with the
# capture refused ("not a 64-bit process") and nothing of the victim is
# read. progs32/hog32 is registered by bindtest (oomprof-read would not:
# it is no Go program), then allocates until its cgroup's OOM kill.
. /lib.sh

load_module
make_cgroup c32 48M
start_reader "$R/r"

mkfifo /tmp/go32
run_victim_in_cgroup "$CG/c32" /bin/hog32 < /tmp/go32 > "$R/hog32.out" 2>> "$R/hog32.err" &
H=$!
echo "$H" >> "$R/victim_pids"
exec 3> /tmp/go32
hog_ready() { grep -q ready "$R/hog32.out"; }
wait_for 10 hog_ready || fail "hog32 did not start: $(cat "$R/hog32.err") (exec status of a 32-bit program: is IA32 emulation on?)"
/bin/bindtest register "$H" >> "$R/bindtest.txt" 2>&1 || problem "bindtest register $H failed"
echo go >&3
exec 3>&-
wait_exit "$H" 60 || fail "hog32 $H still alive after 60 s: $(cg_diag c32)"
[ "$WAIT_STATUS" = 137 ] || fail "hog32 exited with $WAIT_STATUS, not SIGKILL (137)"
say "hog32 $H OOM-killed"
sleep 2
stop_reader
save_stats "$R/stats.json"
finish
