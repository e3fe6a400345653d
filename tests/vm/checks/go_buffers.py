#!/usr/bin/env python3
"""go_buffers: capture_buffers=1 and three Go victims at once: one complete
capture, symbolized by a reader that did not register it; two records that
say no capture buffer was free; the module's counters agree."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    if len(kills) != 3:
        fail(f"{len(kills)} kill lines, expected 3")
    captured = [k for k in kills if k.get("profile")]
    dropped = [k for k in kills if (k.get("go") or {}).get("capture") == "none"]
    if len(captured) != 1 or len(dropped) != 2:
        fail(f"captured {[k['pid'] for k in captured]}, dropped {[k.get('go') for k in dropped]}")
    for k in kills:
        match_dmesg(r, k)
    for k in dropped:
        if "no capture buffer free" not in k["go"]["stop"]:
            fail(f"pid {k['pid']}: stop {k['go']['stop']!r}")
        if "not captured" not in (k.get("profile_error") or ""):
            fail(f"pid {k['pid']}: profile_error {k.get('profile_error')!r}")
    path = os.path.join(r.dir, "r", os.path.basename(captured[0]["profile"]))
    res = subprocess.run(["go", "tool", "pprof", "-top", "-sample_index=inuse_space", path],
                         capture_output=True, text=True)
    rows = [ln for ln in res.stdout.splitlines() if "main." in ln or "runtime." in ln]
    if res.returncode or not rows or "main.leakChunk" not in rows[0]:
        fail(f"the captured profile is not symbolized with the leak on top: {rows[:3]} {res.stderr[-300:]}")
    stats = json.loads(r.read("stats.json") or "{}")
    if stats.get("captures_dropped") != 2 or stats.get("captures") != 1:
        fail(f"stats: captures {stats.get('captures')}, captures_dropped {stats.get('captures_dropped')}")


main(check)
