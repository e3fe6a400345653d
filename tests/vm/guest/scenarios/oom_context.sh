#!/bin/sh
# mem: 1536M
# A kill's context: the OOM domain's memory and its processes ranked by
# badness, checked against the kernel's own view (memory.* files after the
# kill, dump_tasks lines in dmesg). Part 1: a memcg OOM in /ctx with three
# holders (neighbours whose memory stays put) and the hog. Part 2: a global
# OOM with three big holders (300, 200 and 150 MiB: several big processes,
# hence the 1.5 GiB guest) in the root cgroup and the hog. Everything of the
# harness runs at oom_score_adj -1000, so only the hog can be chosen: it is
# the largest.
. /lib.sh

echo 1 > /proc/sys/vm/oom_dump_tasks
load_module
cat /proc/meminfo > "$R/meminfo.before"
start_reader "$R/r"

# start_holders CGDIR TAG MIB:ADJ...: holders, ready when they say so.
start_holders() {
	_cg=$1
	_tag=$2
	shift 2
	for _h in "$@"; do
		if [ -n "$_cg" ]; then
			run_victim_in_cgroup "$_cg" /bin/holder "${_h%%:*}" "${_h##*:}" \
				> "$R/holder.$_tag.${_h%%:*}" 2>> "$R/holder.err" &
		else
			run_victim /bin/holder "${_h%%:*}" "${_h##*:}" \
				> "$R/holder.$_tag.${_h%%:*}" 2>> "$R/holder.err" &
		fi
		echo "$! ${_h%%:*} ${_h##*:}" >> "$R/holders.$_tag"
		wait_for 30 grep -q ready "$R/holder.$_tag.${_h%%:*}" ||
			fail "holder $! (${_h}) not ready in 30 s: $(cat "$R/holder.err")"
	done
}

stop_holders() {
	while read -r _pid _ _; do
		kill -9 "$_pid" 2>/dev/null
		wait "$_pid" 2>/dev/null
	done < "$R/holders.$1"
}

say "part 1: memcg OOM in /ctx (96M) with holders of 8, 16 and 4 MiB"
make_cgroup ctx 96M
start_holders "$CG/ctx" memcg 8:0 16:0 4:100
oom_in_cgroup ctx
say "hog $(tail -n 1 "$R/victim_pids") killed"
for f in memory.events memory.max memory.high memory.peak memory.swap.max \
	memory.swap.current; do
	[ -e "$CG/ctx/$f" ] && cp "$CG/ctx/$f" "$R/ctx.$f"
done
stop_holders memcg

say "part 2: global OOM with holders of 300, 200 and 150 MiB"
start_holders "" global 300:0 200:0 150:-500
run_victim /bin/hog > /dev/null 2>> "$R/hog.err" &
hog=$!
echo "$hog" >> "$R/victim_pids"
wait_exit "$hog" 120 || fail "hog $hog still alive after 120 s; $(grep MemAvailable /proc/meminfo)"
[ "$WAIT_STATUS" = 137 ] || fail "hog $hog exited with $WAIT_STATUS, not SIGKILL (137)"
say "hog $hog killed"
stop_holders global

sleep 2
stop_reader
save_stats "$R/stats.json"
finish
