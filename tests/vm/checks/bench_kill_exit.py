#!/usr/bin/env python3
"""bench_kill_exit: print each Go victim's delay from its OOM kill
(mark_victim) until its memory is freed (exit_mmap), with the module
capturing (default settings) and with no module, from the guest kernel's
own trace, with each capture's outcome; and the worst wake-up delay of a
SCHED_FIFO task on each CPU during the biggest kill, module vs none.
A figure, not a pass/fail: fails only if the data is missing."""
import os
import re
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

# "  bigheap-gocur-123  [001] d..1.  12.345678: mark_victim: pid=123"
EV_RE = re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\].*?\s(\d+\.\d+): (\w+): (.*)$")
VICTIM_COMMS = ("bigheap-gocur", "victim-gocur")


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
    cap = {}
    if os.path.exists(r.path("r/events.jsonl")):
        for k in r.kills():
            cap[k["tgid"]] = k.get("go") or {}
    for mode, n, pid in victims:
        if pid not in kill_t:
            fail(f"no mark_victim event for victim {pid}")
        # Its address space is torn down by its own last thread, or by the
        # module's worker (a kworker) when that held the last reference.
        ends = [t for t, comm in frees if t >= kill_t[pid] and
                (comm in VICTIM_COMMS or comm.startswith("kworker"))]
        if not ends:
            fail(f"no exit_mmap after the kill of victim {pid}")
        rows[(mode, n)].append(((min(ends) - kill_t[pid]) * 1e3, pid))
    print(f"{'mode':>9} {'buckets':>8}  kill to memory freed, ms [capture: outcome, buckets, ms], per victim")
    partial = []
    for (mode, n), v in sorted(rows.items(), key=lambda x: (x[0][1], x[0][0])):
        cells = []
        for d, pid in v:
            c = ""
            if mode == "capture":
                go = cap.get(pid)
                if not go:
                    c = " [no record]"
                else:
                    c = f" [{go.get('capture')}, {go.get('buckets')}, {go.get('capture_ns', 0) / 1e6:.0f}]"
                    if go.get("capture") != "complete":
                        partial.append(f"victim {pid} ({n} stacks): {go.get('capture')}: {go.get('stop')}")
            cells.append(f"{d:8.1f}{c}")
        print(f"{mode:>9} {n:>8}  {' '.join(cells)}")
    for p in partial:
        print(f"NOT COMPLETE: {p}")
    lines = sorted(r.read("learned").splitlines()) if r.read("learned") else []
    for ln in lines:
        if "not-learned" in ln:
            print(f"NOT LEARNED before the kill: pid {ln.split()[0]} (oomprof-read had {ln.split()[1]} buckets)")
    big = max(n for _, n, _ in victims)
    print(f"worst wake-up delay of a SCHED_FIFO task pinned to each CPU, during the {big}-bucket kill "
          f"(from 1 s before the go-ahead to 1 s after the exit):")
    worst = {}
    for mode in ("capture", "nomodule"):
        cells = []
        for cpu in (0, 1):
            m = re.search(r"samples=(\d+) max_us=(\d+)", r.read(f"rtlat-{mode}-{cpu}") or "")
            if not m:
                fail(f"no rtlat result for {mode} on CPU {cpu}: {(r.read(f'rtlat-{mode}-{cpu}') or '').strip()}")
            cells.append(f"CPU{cpu} {int(m.group(2)) / 1e3:.2f} ms ({m.group(1)} wake-ups)")
            worst[mode] = max(worst.get(mode, 0), int(m.group(2)))
        print(f"  {mode:>9}: {', '.join(cells)}")
    print(f"  worst, module capturing / no module: {worst['capture'] / 1e3:.2f} / "
          f"{worst['nomodule'] / 1e3:.2f} ms = {worst['capture'] / max(worst['nomodule'], 1):.2f}")


main(check)
