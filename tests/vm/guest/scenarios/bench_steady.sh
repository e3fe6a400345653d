#!/bin/sh
# Benchmark, not a test (make bench), issue 11:
#  - the module's memory at load with default settings: its parameters
#    (/sys/module/oomprof/parameters), oomprof-read --stats (reserved_bytes
#    where the module reports it), the load log line, and MemFree /
#    VmallocUsed from /proc/meminfo just before and after insmod;
#  - steady-state cost: forkbench (fork + exec of /bin/nop + exit + wait)
#    and sigbench (signal round trips, each delivered to a handler), with
#    the module loaded and oomprof-read running vs no module, in ten
#    alternating rounds (loaded first in odd rounds, last in even ones; the
#    host's other load comes in bursts that a round's ratio shows):
#    per round and mode oomprof_steady_forks processes (default 1000) and
#    oomprof_steady_signals round trips (default 5000): 20,000 processes
#    and 100,000 round trips in all (each costs ~2-9 ms and ~0.2-2 ms
#    under TCG on a loaded 2-core host: the defaults keep the run near 6
#    minutes). Results in
#    $R/steady, one line per run: "MODE ROUND forkbench|sigbench n=N ns=T",
#    and for each loaded forkbench run the CPU time oomprof-read used
#    meanwhile: "reader ROUND forks=N cpu_ns=T".
. /lib.sh

meminfo() { grep -E '^(MemFree|VmallocUsed):' /proc/meminfo | tr -s ' ' | tr '\n' ' '; }

sync
echo 3 > /proc/sys/vm/drop_caches
echo "before $(meminfo)" >> "$R/meminfo"
load_module
echo "after $(meminfo)" >> "$R/meminfo"
for p in /sys/module/oomprof/parameters/*; do
	echo "$(basename "$p")=$(cat "$p")" >> "$R/params"
done
timeout 10 /bin/oomprof-read --stats > "$R/stats-load.json" 2>> "$R/reader.log" ||
	problem "oomprof-read --stats failed: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
dmesg | grep 'oomprof: ' > "$R/load-log"
rmmod oomprof || fail "rmmod oomprof failed"

forks=$(cmdline_param oomprof_steady_forks 1000)
signals=$(cmdline_param oomprof_steady_signals 5000)

# cpu_ns PID: CPU time the process has used, in ns (schedstat's first
# field; without CONFIG_SCHED_INFO, utime+stime in clock ticks of 10 ms).
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		cut -d' ' -f1 "/proc/$1/schedstat"
	else
		sed 's/.*) //' "/proc/$1/stat" | awk '{ print ($12 + $13) * 10000000 }'
	fi
}

# run MODE ROUND: one forkbench and one sigbench run.
run() {
	if [ "$1" = loaded ]; then
		load_module
		start_reader "$R/r$2"
		sleep 1
		cpu0=$(cpu_ns "$READER_PID")
	fi
	if out=$(/bin/forkbench "$forks" /bin/nop); then
		echo "$1 $2 $out" >> "$R/steady"
	else
		problem "forkbench failed in round $2 ($1)"
	fi
	# What oomprof-read spent on the forks' exec records (including its
	# own pause and once-a-second work over the run).
	if [ "$1" = loaded ]; then
		echo "reader $2 forks=$forks cpu_ns=$(($(cpu_ns "$READER_PID") - cpu0))" >> "$R/steady"
	fi
	if out=$(/bin/sigbench "$signals"); then
		echo "$1 $2 $out" >> "$R/steady"
	else
		problem "sigbench failed in round $2 ($1)"
	fi
	if [ "$1" = loaded ]; then
		stop_reader
		rmmod oomprof || fail "rmmod oomprof failed"
	fi
}

for round in 1 2 3 4 5 6 7 8 9 10; do
	if [ $((round % 2)) = 1 ]; then
		run loaded "$round"
		run none "$round"
	else
		run none "$round"
		run loaded "$round"
	fi
done
finish
