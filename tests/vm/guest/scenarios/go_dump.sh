#!/bin/sh
# On-demand dumps (oomprof-read -p) of live Go processes that built a heap,
# ran runtime.GC() and wrote their own heap profile, then stay quiet: the
# dump must be the runtime's own profile, sample for sample, at
# MemProfileRate 1 and at the default rate; and clear errors for a pid that
# does not exist, is not Go, has profiling disabled, or has exited.
. /lib.sh

load_module
start_reader "$R/r"	# a daemon running beside the dumps, as in production

for tag in go119 gocur gocurpie; do
	for rate in 1 524288; do
		/bin/victim-$tag -rate "$rate" -retainmb 32 -hold -selfprof "$R/self-$tag-$rate.pb.gz" \
			> "$R/v-$tag-$rate.out" 2>> "$R/v-$tag-$rate.err" &
		pid=$!
		wait_for 30 test -s "$R/v-$tag-$rate.out" || fail "victim-$tag did not get going"
		mkdir -p "$R/dump-$tag-$rate"
		/bin/oomprof-read -p "$pid" -d "$R/dump-$tag-$rate" \
			> "$R/dump-$tag-$rate.path" 2>> "$R/dump.log" ||
			problem "oomprof-read -p $pid (victim-$tag, rate $rate) failed: $(tail -n 1 "$R/dump.log")"
		kill -KILL "$pid"
		wait "$pid"
	done
done

# The errors.
/bin/oomprof-read -p 999999 -d /tmp 2> "$R/err_nopid.txt" && problem "a dump of pid 999999 succeeded"
/bin/oomprof-read -p 1 -d /tmp 2> "$R/err_notgo.txt" && problem "a dump of init succeeded"
/bin/rate0-gocur > "$R/rate0.out" &
r0=$!
sleep 1
/bin/oomprof-read -p "$r0" -d /tmp 2> "$R/err_rate0.txt" && problem "a dump of a rate-0 binary succeeded"
kill -KILL "$r0"
wait "$r0"
/bin/oomprof-read -p "$r0" -d /tmp 2> "$R/err_exited.txt" && problem "a dump of an exited pid succeeded"

stop_reader
finish
