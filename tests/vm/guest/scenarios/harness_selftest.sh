#!/bin/sh
# Tests the harness itself, without the module: a binary file crosses the
# transport intact, and a memcg OOM kill happens and kills the victim (not
# the -1000 harness). Not in run.sh's default list; run it with
# --scenarios harness_selftest after changing init, lib.sh or boot.sh.
. /lib.sh

# Every byte value, then random data that does not compress.
i=0
while [ "$i" -lt 256 ]; do
	# The format is built on purpose: printf '\NNN' emits byte NNN.
	# shellcheck disable=SC2059
	printf "\\$(printf %o "$i")"
	i=$((i + 1))
done > "$R/binary.bin"
head -c 262144 /dev/urandom >> "$R/binary.bin"
sha256sum < "$R/binary.bin" | cut -d' ' -f1 > "$R/binary.sha256"

make_cgroup t1 32M
oom_in_cgroup t1
cp "$CG/t1/memory.events" "$R/t1.memory.events"
finish
