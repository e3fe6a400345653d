#!/bin/bash
# make bench: benchmarks, not tests. Prints, measured in this one run:
#  - in a Debian 6.1 guest (QEMU/TCG: absolute times are several times a
#    real machine's, ratios hold): capture time and bytes for Go victims
#    with ~1k, 10k and 100k heap-profile buckets, and oomprof-read's
#    symbolize+write time for each;
#  - on the host: heapprof_build + pprof_write for 1k, 10k, 100k synthetic
#    entries of 32-frame stacks.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/vm/run.sh" --kernels 6.1 --scenarios bench > /dev/null
eval "$("$top/tests/vm/kernels.sh" 6.1)"
echo "== capture in the kernel, symbolize+write in oomprof-read (guest, TCG)"
python3 -B "$top/tests/vm/checks/bench.py" "$top/tests/vm/.work/$KVER/bench" | grep -v '^ok$'
echo
echo "== symbolize+write on the host"
"$top/tests/userspace/heapprof/bench.sh"
