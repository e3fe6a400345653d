#!/bin/bash
# make bench: benchmarks, not tests. Prints, measured in this one run:
#  - in a Debian 6.1 guest (QEMU/TCG: absolute times are several times a
#    real machine's, ratios hold): capture time and bytes for Go victims
#    with ~1k, 10k and 100k heap-profile buckets, and oomprof-read's
#    symbolize+write time for each;
#  - in the same guest: each Go victim's delay from its OOM kill to its
#    exit, with the module capturing and without the module, at 1k and
#    100k buckets (1M buckets need ~380 MB of capture buffer: more than
#    the 512 MB guest can spare next to the victim);
#  - on the host: heapprof_build + pprof_write for 1k, 10k, 100k synthetic
#    entries of 32-frame stacks.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# A guest runs both scenarios: more than the default 240 s without a
# progress line.
OOMPROF_BOOT_TIMEOUT=${OOMPROF_BOOT_TIMEOUT:-900} \
	"$top/tests/vm/run.sh" --kernels 6.1 --scenarios "bench bench_kill_exit" > /dev/null
eval "$("$top/tests/vm/kernels.sh" 6.1)"
echo "== capture in the kernel, symbolize+write in oomprof-read (guest, TCG)"
python3 -B "$top/tests/vm/checks/bench.py" "$top/tests/vm/.work/$KVER/bench" | grep -v '^ok$'
echo
echo "== OOM kill to exit of the victim, module capturing vs no module (guest, TCG)"
python3 -B "$top/tests/vm/checks/bench_kill_exit.py" "$top/tests/vm/.work/$KVER/bench_kill_exit" | grep -v '^ok$'
echo
echo "== symbolize+write on the host"
"$top/tests/userspace/heapprof/bench.sh"
