#!/usr/bin/env python3
"""three_cgroups: three concurrent memcg OOMs, three distinct records."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    killed = r.killed()
    if len(killed) != 3:
        fail(f"dmesg has {len(killed)} Killed process lines, expected 3: {killed}")
    kills = r.kills()
    if len(kills) != 3:
        fail(f"{len(kills)} oom_kill lines, expected 3 (dmesg: {killed})")
    pids = [k["pid"] for k in kills]
    if len(set(pids)) != 3:
        fail(f"pids not distinct: {pids}")
    for k in kills:
        match_dmesg(r, k)
        if k["constraint"] != "memcg":
            fail(f"pid {k['pid']}: constraint {k['constraint']!r}, expected memcg")
    # Each victim's cgroup is the one the guest put it in.
    where = {}
    for line in (r.read("victim_cgroups") or "").splitlines():
        pid, cg = line.split()
        where[int(pid)] = cg
    cgroups = [k["cgroup"] for k in kills]
    if len(set(cgroups)) != 3:
        fail(f"cgroup paths not distinct: {cgroups}")
    for k in kills:
        want = where.get(k["pid"])
        if want is None or not k["cgroup"].endswith("/" + want):
            fail(f"pid {k['pid']} recorded in {k['cgroup']!r}, guest put it in {want!r}")
    if r.total_dropped() != 0:
        fail(f"{r.total_dropped()} records dropped, expected 0")


main(check)
