#!/usr/bin/env python3
"""go_fuse_fallback: a registered Go victim asleep uninterruptibly in a FUSE
read at its OOM kill never runs its own capture; the fallback captures it
in time (capture_wait_ms=300, well inside the OOM reaper's 2 s), the record
says so, and the module cannot be removed until the victim has run (and
dropped) its queued callback."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, check_summary, fail, main, match_dmesg  # noqa: E402

WAIT_MS = 300
BOUND_MS = 1500     # kill.c: OOMPROF_CAPTURE_END_MS


def check(r):
    check_common(r)
    summary = check_summary(r, {"rmmod_pending": "refused", "rmmod_after": "ok"})
    if summary.get("victim_state_after_record") != "D":
        fail(f"the victim was not in uninterruptible sleep once recorded: "
             f"state {summary.get('victim_state_after_record')!r}")
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} kill records, expected 1")
    k = kills[0]
    match_dmesg(r, k)
    go = k.get("go") or {}
    if go.get("path") != "fallback":
        fail(f"capture path {go.get('path')!r}, expected 'fallback' ({go})")
    if go.get("capture") != "complete":
        fail(f"capture {go.get('capture')!r} ({go.get('stop')!r}), not complete")
    after_ms = go["capture_after_ns"] / 1e6
    end_ms = after_ms + go["capture_ns"] / 1e6
    if not WAIT_MS <= after_ms < WAIT_MS + 200:
        fail(f"the fallback started {after_ms:.0f} ms after the kill, not at capture_wait_ms={WAIT_MS}")
    if end_ms >= BOUND_MS:
        fail(f"the fallback capture ended {end_ms:.0f} ms after the kill, past {BOUND_MS} ms")
    print(f"fallback started {after_ms:.0f} ms after the kill, ended at {end_ms:.0f} ms")


main(check)
