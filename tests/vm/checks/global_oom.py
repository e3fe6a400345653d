#!/usr/bin/env python3
"""global_oom: a system-wide OOM is recorded as "global" and the harness
survives it (the results arrived at all)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    killed = r.killed()
    if not killed:
        fail("dmesg has no Killed process line")
    victims = [int(x) for x in (r.read("victim_pids") or "").split()]
    for pid, comm in killed:
        if pid not in victims:
            fail(f"the kernel killed {pid} ({comm}), not the hog {victims}: "
                 "a harness process was not protected")
    kills = [k for k in r.kills() if k["constraint"] == "global"]
    if not kills:
        fail(f"no oom_kill line with constraint global "
             f"(lines: {[(k['pid'], k['constraint']) for k in r.kills()]})")
    for k in kills:
        match_dmesg(r, k)
        if k["oom_cgroup"] not in ("", None):
            fail(f"global OOM with oom_cgroup {k['oom_cgroup']!r}")


main(check)
