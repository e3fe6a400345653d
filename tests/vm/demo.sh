#!/bin/bash
# make demo: build everything, boot Debian's 6.1 kernel under QEMU, OOM-kill
# a program in a memory cgroup there, and show what oomprof-read recorded
# next to what the kernel itself logged.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
echo "oomprof demo: building the module for Debian's 6.1 kernel and booting it under QEMU (TCG: about a minute)"
if ! "$here/run.sh" --kernels 6.1 --scenarios demo; then
	echo "demo: the guest run failed; see above and tests/vm/.work/" >&2
	exit 1
fi
eval "$("$here/kernels.sh" 6.1)"
res=$here/.work/$KVER/demo

echo
echo "== the kernel's own log of the kill (dmesg in the guest)"
grep -E 'invoked oom-killer|oom-kill:|Memory cgroup out of memory|Killed process' "$res/dmesg.txt" | sed 's/^/  /'
echo
echo "== what oomprof-read logged"
grep -v '^$' "$res/reader.log" | sed 's/^/  /'
echo
echo "== the first line it appended to events.jsonl (the C program)"
head -n 1 "$res/r/events.jsonl" | python3 -m json.tool | sed 's/^/  /'
echo
profile=$(ls "$res"/r/*.pb.gz | head -n 1)
echo "== the Go program's heap profile at its OOM kill: go tool pprof -top $(basename "$profile")"
go tool pprof -top "$profile" 2>&1 | head -n 14 | sed 's/^/  /'
echo
echo "(all of the guest's files: $res)"
