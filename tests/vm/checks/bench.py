#!/usr/bin/env python3
"""bench: print capture and symbolize+write costs; fails only if a capture
is missing (it is a benchmark, not a test of speed)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402


def check(r):
    check_common(r)
    log = r.read("reader.log") or ""
    write_ms = {int(m.group(1)): float(m.group(2)) for m in re.finditer(
        r"heap profile of pid (\d+) .* written in ([0-9.]+) ms", log)}
    rows = []
    for k in sorted(r.kills(), key=lambda k: k["go"]["buckets"] if k.get("go") else 0):
        go = k.get("go") or {}
        if go.get("capture") != "complete":
            fail(f"pid {k['pid']}: capture {go}")
        rows.append((go["buckets"], go["bytes"], go["capture_ns"] / 1e6, write_ms.get(k["tgid"])))
    print(f"{'buckets':>9} {'bytes':>11} {'capture ms':>11} {'ns/bucket':>10} {'write ms':>10} {'us/bucket':>10}")
    for b, nbytes, cap, wr in rows:
        print(f"{b:>9} {nbytes:>11} {cap:>11.2f} {cap * 1e6 / b:>10.0f} "
              f"{wr if wr is not None else float('nan'):>10.1f} "
              f"{(wr or float('nan')) * 1e3 / b:>10.1f}")
    if len(rows) == 3:
        print(f"capture time ratio 100k/1k buckets: {rows[2][2] / rows[0][2]:.1f}x "
              f"for {rows[2][0] / rows[0][0]:.0f}x the buckets")


main(check)
