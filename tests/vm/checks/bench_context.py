#!/usr/bin/env python3
"""bench_context: the cost of a kill record's ranked process list, per
1,000 processes walked; fails only if a record or its list is missing
(a benchmark, not a test of speed)."""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402


def check(r):
    check_common(r)
    kills = {k["tgid"]: k for k in r.kills()}
    by_n = {}
    for line in (r.read("victims") or "").splitlines():
        n, pid = (int(x) for x in line.split())
        k = kills.get(pid)
        if not k or k.get("tasks_walk_ns") is None:
            fail(f"no record with a ranked list for hog {pid} ({n} sleepers)")
        by_n.setdefault(n, []).append(k)
    print("sleepers  processes walked  walk ms (median of 3)  us per 1,000 processes  truncated")
    for n in sorted(by_n):
        ks = by_n[n]
        walked = statistics.median(k["tasks_walked"] for k in ks)
        ms = statistics.median(k["tasks_walk_ns"] for k in ks) / 1e6
        trunc = any(k.get("tasks_truncated") for k in ks)
        print(f"{n:>8}  {walked:>16.0f}  {ms:>21.2f}  {ms * 1e3 / walked * 1000:>22.0f}  {trunc}")
    print("(in the publication work after the kill, not in the OOM killer's path)")


main(check)
