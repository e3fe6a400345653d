#!/usr/bin/env python3
"""three_cgroups: three concurrent memcg OOMs, three distinct records; the
--metrics file, read by prometheus_client, counts each cgroup's kills as the
kernel's memory.events oom_kill does."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "userspace"))
import metrics_check  # noqa: E402


def check_metrics(r, cgroups):
    """Kills per OOM cgroup in the metrics file = memory.events oom_kill."""
    try:
        with open(r.path("metrics/oomprof.prom"), "rb") as f:
            samples, types = metrics_check.parse(f.read())
    except FileNotFoundError:
        fail("metrics/oomprof.prom was not written (--metrics)")
    except Exception as e:
        fail(f"metrics/oomprof.prom: {type(e).__name__}: {e}")
    if types.get("oomprof_oom_kills_total") != "counter":
        fail(f"oomprof_oom_kills_total has TYPE {types.get('oomprof_oom_kills_total')!r}")
    kills = {}
    for (name, labels), v in samples.items():
        if name == "oomprof_oom_kills_total":
            lb = dict(labels)
            if lb["constraint"] != "memcg" or lb["comm"] != "hog":
                fail(f"a kill series nobody caused: {lb} {v}")
            kills[lb["cgroup"]] = kills.get(lb["cgroup"], 0) + v
    for c in cgroups:
        ev = dict(line.split() for line in
                  (r.read(f"{c}.memory.events") or "").splitlines())
        want = int(ev.get("oom_kill", -1))
        got = sum(v for cg, v in kills.items() if cg.endswith("/" + c))
        if got != want:
            fail(f"metrics count {got} kill(s) in {c}, its memory.events "
                 f"oom_kill says {want} (series: {kills})")
    if sum(kills.values()) != len(r.killed()):
        fail(f"metrics count {sum(kills.values())} kills, dmesg "
             f"{len(r.killed())}")
    up = samples.get(("oomprof_module_up", frozenset()))
    seen = samples.get(("oomprof_module_kills_seen_total", frozenset()))
    if up != 1 or seen is None or seen < len(r.killed()):
        fail(f"module counters: up {up}, kills_seen {seen}")


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
    check_metrics(r, ["t1", "t2", "t3"])


main(check)
