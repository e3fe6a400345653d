#!/bin/sh
# A C wrapper forks and execs the hog (like a launcher running a script
# interpreter): the victim is the hog, and its record's first parent must be
# the wrapper.
. /lib.sh

load_module
make_cgroup t1 64M
start_reader "$R/r"

say "starting wrapper /bin/hog in t1"
run_victim_in_cgroup "$CG/t1" /bin/wrapper /bin/hog > "$R/hog.out" 2>> "$R/hog.err" &
wrapper=$!
echo "$wrapper" > "$R/wrapper_pid"
# The wrapper exits 137 (128 + SIGKILL) once its child was OOM-killed; if the
# kernel picked the wrapper itself, it dies by SIGKILL too (also 137), and
# the host checker tells them apart by pid.
wait_exit "$wrapper" 60 || fail "wrapper $wrapper still alive after 60 s: $(cg_diag t1)"
[ "$WAIT_STATUS" = 137 ] ||
	fail "wrapper exited with $WAIT_STATUS, expected 137: $(tail -n 2 "$R/hog.err" | tr '\n' '|')"
# hog prints its pid first thing.
read -r hog < "$R/hog.out" || true
echo "$hog" > "$R/victim_pids"
say "wrapper $wrapper exited 137; hog was ${hog:-unknown}"
cp "$CG/t1/memory.events" "$R/t1.memory.events"

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
