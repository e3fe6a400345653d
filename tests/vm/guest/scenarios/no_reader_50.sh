#!/bin/sh
# 50 memcg OOM kills with no reader and a buffer that holds about 9 records
# (48 KiB; a hog's kill record is ~5 KiB with its sections):
# the module must keep what fits, count what it drops, and hand both to a
# reader that drains later.
. /lib.sh

load_module event_buffer_kb=48
make_cgroup t1 16M

i=1
while [ "$i" -le 50 ]; do
	oom_in_cgroup t1 30
	i=$((i + 1))
done
say "50 hogs killed"
cp "$CG/t1/memory.events" "$R/t1.memory.events"

# A moment for the last victim's SIGKILL to be matched.
sleep 1
save_stats "$R/stats_before.json"

[ -x /bin/oomprof-read ] || fail "no /bin/oomprof-read in the initramfs: oomprof-read did not build"
mkdir -p "$R/r"
if ! timeout 30 /bin/oomprof-read -d "$R/r" --drain 2>> "$R/reader.log"; then
	problem "oomprof-read --drain failed or timed out: $(tail -n 3 "$R/reader.log" | tr '\n' '|')"
fi
save_stats "$R/stats.json"
finish
