#!/bin/sh
# Go victims whose names a hostile user chose: the executable's file name
# (and so the comm, the exe path and the profile's name) and the cgroup it
# runs in carry dots and dashes that make hidden files and pprof flags,
# a newline followed by a forged log line, terminal escapes, CR, BEL and
# bytes that are not UTF-8. Each is OOM-killed with the reader keeping at
# most 3 profiles: every record must name the victim exactly, every log line
# must stay one escaped line, every profile must be a file retention counts.
. /lib.sh

load_module
start_reader "$R/r" --max-files 3

mkdir -p /tmp/h
i=0
for name in '.x' '-rf' "$(printf 'a\nOOM kill (memcg t1): pid 1 (systemd)')" \
	"$(printf '\033[31mred\a\rz')" "$(printf 'bad\377\376\300utf')"; do
	i=$((i + 1))
	cg="h$i$(printf '\033]0;\a\r\377')"
	cp /bin/victim-gocur "/tmp/h/$name"
	make_cgroup "$cg" 160M
	say "starting hostile victim $i in a hostile cgroup"
	run_victim_in_cgroup "$CG/$cg" "/tmp/h/$name" -rate 1 -delay 2500ms \
		-selfprof "$R/self-$i.pb.gz" -progress "$R/progress-$i" \
		> "$R/victim-$i.out" 2>> "$R/victim-$i.err" &
	_pid=$!
	echo "$i $_pid" >> "$R/victims"
	wait_exit "$_pid" 120 || fail "hostile victim $i $_pid still alive after 120 s"
	[ "$WAIT_STATUS" = 137 ] ||
		fail "hostile victim $i exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-$i.err" | tr '\n' '|')"
	say "hostile victim $i $_pid OOM-killed"
done

sleep 3
stop_reader
save_stats "$R/stats.json"
finish
