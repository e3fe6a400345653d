#!/usr/bin/env python3
"""threads (extra): a multi-threaded victim is recorded as the process the
kernel killed, with its SIGKILL seen and no kill slot left busy."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, sigkill  # noqa: E402


def check(r):
    check_common(r)
    victim = int((r.read("victim_pids") or "0").split()[0])
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} oom_kill lines, expected 1 (dmesg: {r.killed()})")
    k = kills[0]
    match_dmesg(r, k)
    if k["tgid"] != victim:
        fail(f"tgid {k['tgid']} is not the threadhog process {victim}")
    if k["comm"] != "threadhog":
        fail(f"comm {k['comm']!r}, expected 'threadhog'")
    if not isinstance(sigkill(k), int) or sigkill(k) <= 0:
        fail(f"SIGKILL not seen for a multi-threaded victim: {sigkill(k)!r}")
    stats = r.json("stats.json")
    if stats.get("sigkills_matched") != stats.get("kills_seen"):
        fail(f"sigkills_matched {stats.get('sigkills_matched')} != "
             f"kills_seen {stats.get('kills_seen')}")
    if stats.get("kill_slots_busy") != 0:
        fail(f"kill_slots_busy {stats.get('kill_slots_busy')} after the victim died")


main(check)
