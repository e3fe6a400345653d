#!/usr/bin/env python3
"""bench_kill_exit: print each Go victim's delay from its OOM kill
(mark_victim) until its memory is freed (exit_mmap), with the module
capturing and with no module, from the guest kernel's own trace.
A figure, not a pass/fail: fails only if the data is missing."""
import os
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

# "  victim-gocur-123  [001] d..1.  12.345678: mark_victim: pid=123"
EV_RE = re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\].*?\s(\d+\.\d+): (\w+): (.*)$")


def check(r):
    check_common(r)
    victims = []
    for line in (r.read("victims") or "").splitlines():
        mode, n, pid = line.split()
        victims.append((mode, int(n), int(pid)))
    if not victims:
        fail("no victims listed")
    kill_t = {}
    frees = []                  # (time, comm) of every exit_mmap
    for line in (r.read("trace.txt") or "").splitlines():
        m = EV_RE.match(line)
        if not m:
            continue
        t, ev, rest = float(m.group(3)), m.group(4), m.group(5)
        f = dict(kv.split("=", 1) for kv in rest.split() if "=" in kv)
        if ev == "mark_victim":
            kill_t.setdefault(int(f["pid"]), t)
        elif ev == "exit_mmap":
            frees.append((t, m.group(1)))
    rows = defaultdict(list)
    cap_ms = {}
    if os.path.exists(r.path("r/events.jsonl")):
        for k in r.kills():
            go = k.get("go") or {}
            if "capture_ns" in go:
                cap_ms[k["tgid"]] = go["capture_ns"] / 1e6
    for i, (mode, n, pid) in enumerate(victims):
        if pid not in kill_t:
            fail(f"no mark_victim event for victim {pid}")
        # Its address space is torn down by its own last thread, or by the
        # module's worker (a kworker) when that held the last reference.
        ends = [t for t, comm in frees if t >= kill_t[pid] and
                (comm == "victim-gocur" or comm.startswith("kworker"))]
        if not ends:
            fail(f"no exit_mmap after the kill of victim {pid}")
        rows[(mode, n)].append(((min(ends) - kill_t[pid]) * 1e3, cap_ms.get(pid)))
    print(f"{'mode':>9} {'buckets':>8}  kill to memory freed, ms (capture ms), per victim")
    for (mode, n), v in sorted(rows.items(), key=lambda x: (x[0][1], x[0][0])):
        cells = " ".join(f"{d:7.1f}" + (f" ({c:.0f})" if c is not None else "")
                         for d, c in v)
        print(f"{mode:>9} {n:>8}  {cells}")


main(check)
