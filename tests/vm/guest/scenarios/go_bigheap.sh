#!/bin/sh
# mem: 1536M
# Issue 11: a Go victim with N distinct heap-profile stacks at
# MemProfileRate 1 (bigheap: one 32-byte object per stack; N =
# oomprof_bigheap_n on the kernel command line, 200000 by default, make
# bench runs 1000000) makes its stacks, writes its own runtime/pprof heap
# profile after two GCs, waits until oomprof-read has learned its bucket
# list, then leaks until its cgroup OOM-kills it: with the module at its
# default settings the capture must be complete and the profile hold every
# stack of the victim's own with equal values (checked on the host).
# After the kill, memcpybench times a plain copy of as many bytes as the
# capture copied (make bench's ratio).
#
# oomprof_bigheap_validate=1: large capture buffers instead of learning
# (capture_buffers=1, capture_buffer_mb sized for N, capture_timeout_ms
# 1500, capture_max_buckets 2N), for checking the victim and the comparison without issue 11's
# daemon.
. /lib.sh

n=$(cmdline_param oomprof_bigheap_n 200000)
bigheap_load_module "$n" 1
start_reader "$R/r"

bigheap_start big "$n"
pid=$BIG_PID
bigheap_wait_ready big "$pid" $((120 + n / 2000))
[ "$validate" = 1 ] || bigheap_wait_learned "$pid" "$n" $((120 + n / 2000))
bigheap_go big
wait_exit "$pid" 300 || fail "bigheap $pid still alive 300 s after the go-ahead: $(cg_diag big)"
[ "$WAIT_STATUS" = 137 ] ||
	fail "bigheap exited with $WAIT_STATUS, not SIGKILL: $(tail -n 3 "$R/victim-big.err" | tr '\n' '|')"
say "bigheap $pid OOM-killed"
bigheap_wait_profile "$pid" $((60 + n / 2000))

# The plain copy, in this guest, of as many bytes as the capture's walk
# read, for the ratio: its full entries, and for each counted bucket its
# six header words and its 16 counters (176 bytes; the stack is skipped).
line=$(grep "\"tgid\":$pid," "$R/r/events.jsonl" | head -n 1)
full=$(echo "$line" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
counted=$(echo "$line" | sed -n 's/.*"counted":\([0-9]*\).*/\1/p')
bytes=$(( ${full:-0} + ${counted:-0} * 176 ))
echo "read_bytes=$bytes" >> "$R/summary"
if [ "$bytes" -gt 0 ]; then
	/bin/memcpybench "$bytes" > "$R/memcpy" 2>&1 || problem "memcpybench $bytes: $(cat "$R/memcpy")"
fi
stop_reader
save_stats "$R/stats.json"
finish
