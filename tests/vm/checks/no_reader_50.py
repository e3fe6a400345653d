#!/usr/bin/env python3
"""no_reader_50: 50 kills into an ~9-record buffer with no reader; a later
drain gets what fit, and every lost record is counted, in the stream and in
the module's stats alike."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    killed = r.killed()
    if len(killed) != 50:
        fail(f"dmesg has {len(killed)} Killed process lines, expected 50")
    kills = r.kills()
    n_read = len(kills)
    dropped = r.total_dropped()
    if n_read == 0:
        fail(f"drain read no oom_kill line (dropped {dropped})")
    if n_read + dropped != 50:
        fail(f"{n_read} read + {dropped} dropped = {n_read + dropped}, expected 50")
    for k in kills:
        match_dmesg(r, k)
    stats = r.json("stats.json")
    if stats.get("records_lost") != dropped:
        fail(f"stats records_lost {stats.get('records_lost')!r} != "
             f"{dropped} dropped in the stream")
    if stats.get("kills_seen") != 50:
        fail(f"stats kills_seen {stats.get('kills_seen')!r}, expected 50")
    if stats.get("records_read") is not None and stats["records_read"] < n_read:
        fail(f"stats records_read {stats['records_read']} < {n_read} lines read")


main(check)
