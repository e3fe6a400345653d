#!/usr/bin/env python3
"""go_four: four Go victims killed at once in four cgroups: four complete
profiles, each opened by `go tool pprof` with the leak on top."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    victims = sorted(int(x) for x in (r.read("victim_pids") or "").split())
    if sorted(k["tgid"] for k in kills) != victims:
        fail(f"kills {sorted(k['tgid'] for k in kills)}, victims {victims}")
    for k in kills:
        match_dmesg(r, k)
        if (k.get("go") or {}).get("capture") != "complete" or not k.get("profile"):
            fail(f"pid {k['pid']}: capture {k.get('go')}, profile {k.get('profile')}: {k.get('profile_error')}")
        path = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
        res = subprocess.run(["go", "tool", "pprof", "-top", "-sample_index=inuse_space", path],
                             capture_output=True, text=True)
        rows = [ln for ln in res.stdout.splitlines() if "main." in ln or "runtime." in ln]
        if res.returncode or not rows or "main.leakChunk" not in rows[0]:
            fail(f"pid {k['pid']}: go tool pprof -top: {res.stderr.strip()[-300:]} {rows[:2]}")
    if r.total_dropped():
        fail(f"{r.total_dropped()} records dropped")


main(check)
