#!/usr/bin/env python3
"""cgroup_oom: one memcg OOM kill in /t1, recorded once and correctly."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, sigkill, warn  # noqa: E402


def check(r):
    check_common(r)
    killed = r.killed()
    if len(killed) != 1:
        fail(f"dmesg has {len(killed)} Killed process lines, expected 1: {killed}")
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} oom_kill lines, expected 1")
    k = kills[0]
    match_dmesg(r, k)
    if k["constraint"] != "memcg":
        fail(f"constraint {k['constraint']!r}, expected 'memcg'")
    if not k["cgroup"].endswith("/t1"):
        fail(f"cgroup {k['cgroup']!r} does not end with /t1")
    if not str(k["oom_cgroup"]).endswith("/t1"):
        fail(f"oom_cgroup {k['oom_cgroup']!r} does not end with /t1")
    if k["anon_rss_kb"] <= 32 * 1024:
        fail(f"anon_rss_kb {k['anon_rss_kb']} not above 32 MiB for a 64 MiB cgroup")
    if not k["parents"]:
        fail("parents is empty")
    if k["oom_score_adj"] != 0:
        fail(f"oom_score_adj {k['oom_score_adj']}, the hog set 0")
    if k["pid"] != k["tgid"]:
        fail(f"pid {k['pid']} != tgid {k['tgid']} for single-threaded hog")
    if k["trigger"]["pid"] != k["pid"]:
        warn(f"trigger {k['trigger']} is not the victim itself")
    # The hog is running when chosen: it must be seen taking its SIGKILL,
    # and long before the module's sigkill_wait_ms (1 s) runs out.
    if not isinstance(sigkill(k), int) or not 0 < sigkill(k) < 1_000_000_000:
        fail(f"sigkill_after_ns {sigkill(k)!r}: SIGKILL delivery not seen in time")
    if r.total_dropped() != 0:
        fail(f"{r.total_dropped()} records dropped")


main(check)
