#!/bin/sh
# 1000 short-lived processes exec'd and exited while oomprof-read runs, with
# 10 Go programs among them that live 300 ms each (a /proc scan once a
# second would miss most). Every Go program must be registered, and once
# all have exited the module's own counters must show no registration
# left behind.
. /lib.sh

load_module
start_reader "$R/r"
save_stats "$R/stats-before.json"

churn() {
	_i=0
	while [ "$_i" -lt 500 ]; do
		/bin/nop
		_i=$((_i + 1))
	done
}
churn &
c1=$!
churn &
c2=$!
for tag in go119 gocur go119pie gocurpie go119s gocurs go119 gocur go119pie gocurpie; do
	/bin/victim-$tag -rate 1 -lifetime 300ms > /dev/null 2>> "$R/victim.err" &
	echo "$! $tag" >> "$R/go_pids"
	sleep 0.2
done
wait "$c1" "$c2"
# The Go programs end on their own: wait for every one.
while read -r pid tag; do
	wait_exit "$pid" 30 || fail "victim-$tag $pid still alive after 30 s"
	[ "$WAIT_STATUS" = 0 ] || fail "victim-$tag $pid exited with $WAIT_STATUS"
done < "$R/go_pids"
sleep 1
save_stats "$R/stats-after.json"
stop_reader
finish
