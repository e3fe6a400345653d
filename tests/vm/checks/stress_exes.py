#!/usr/bin/env python3
"""stress_exes: N distinct executables (some hostile, some Go) exec'd while
hogs are OOM-killed: every kill recorded, nothing lost, and oomprof-read's
memory and open files bounded: once its executable cache is full (1024
files) its RSS grows no more (within 25% + 8 MiB of what it was at 1100
files) and its fds not at all."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail  # noqa: E402
from common import main  # noqa: E402
from stress_lib import check_stress_common, figures, killed, victim_pids  # noqa: E402

AFTER_RE = re.compile(r"^after (\d+): rss_kb=(-?\d+) fds=(-?\d+)$")
CACHE_ENTRIES = 1024


def check(r):
    check_stress_common(r)
    text = r.read("exestorm.txt") or ""
    if "failed" in text:
        fail("exestorm: " + "; ".join(ln for ln in text.splitlines() if "failed" in ln))
    points = [tuple(map(int, m.groups())) for m in
              (AFTER_RE.match(ln) for ln in text.splitlines()) if m]
    summary = r.summary()
    n = int(summary.get("n", "0"))
    if not points or points[-1][0] != n:
        fail(f"exestorm did not finish its {n} executables: {text[-300:]!r}")
    if any(rss <= 0 or fds < 0 for _, rss, fds in points):
        fail(f"oomprof-read's /proc status unreadable during the storm: {points}")

    pids = victim_pids(r)
    kills = [k for k in r.kills() if k["comm"] == "hog"]
    got = {k["tgid"] for k in kills}
    dm = {pid for pid, comm in killed(r) if comm == "hog"}
    missing = sorted(p for p in pids if p in dm and p not in got)
    if missing:
        fail(f"{len(missing)} OOM-killed hogs have no record: {missing[:10]}")
    if r.total_dropped():
        fail(f"{r.total_dropped()} records lost")
    if len(kills) < 3:
        fail(f"only {len(kills)} kills during the storm: the kill loop did not run")

    log = r.read("reader.log") or ""
    starved = [ln for ln in log.splitlines()
               if "Too many open files" in ln or "Cannot allocate memory" in ln]
    if starved:
        fail(f"oomprof-read ran out of fds or memory: {starved[:3]}")

    first = points[0]
    full = [p for p in points if p[0] >= CACHE_ENTRIES + 76]
    last = points[-1]
    lines = [f"stress_exes: {n} distinct executables in {summary.get('secs')} s, "
             f"{len(kills)} OOM kills recorded meanwhile",
             "  oomprof-read after N executables: " +
             ", ".join(f"{i}: {rss / 1024:.1f} MiB / {fds} fds" for i, rss, fds in points)]
    figures(r, lines)
    if last[2] > first[2] + 2:
        fail(f"oomprof-read's open files grew from {first[2]} to {last[2]}")
    if full:
        base = full[0][1]
        if last[1] > base * 1.25 + 8 * 1024:
            fail(f"oomprof-read's RSS grew from {base} kB at {full[0][0]} executables "
                 f"(cache full) to {last[1]} kB at {last[0]}")


main(check)
