#!/usr/bin/env python3
"""stress_go8: eight Go victims OOM-killed within one second at the
module's default settings: eight complete profiles, each holding every
stack of the victim's own runtime/pprof profile."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail, main, match_dmesg  # noqa: E402
from gocommon import gocheck  # noqa: E402
from stress_lib import check_stress_common, figures, victim_pids  # noqa: E402

SITES = "main.retainSmall,main.inlinedAlloc,main.deep"


def check(r):
    check_stress_common(r)
    victims = victim_pids(r)
    kills = r.kills()
    by_pid = {k["tgid"]: k for k in kills}
    times = sorted(k["boottime_ns"] for k in kills)
    spread = (times[-1] - times[0]) / 1e9 if times else -1
    complete = [k for k in kills if (k.get("go") or {}).get("capture") == "complete"
                and k.get("profile")]
    cap_ms = [k["go"].get("capture_ns", 0) / 1e6 for k in kills if k.get("go")]
    figures(r, [
        f"stress_go8: {len(kills)} Go victims killed within {spread:.3f} s: "
        f"{len(complete)} complete profiles; capture "
        f"{min(cap_ms, default=0):.1f}..{max(cap_ms, default=0):.1f} ms; "
        + "; ".join(f"{k['tgid']}: {(k.get('go') or {}).get('capture')}"
                    f"/{(k.get('go') or {}).get('stop')}" for k in kills
                    if k not in complete),
    ])
    if sorted(by_pid) != sorted(victims) or len(victims) != 8:
        fail(f"kill records {sorted(by_pid)}, victims {sorted(victims)}")
    if spread > 1.0:
        fail(f"the eight kills spread over {spread:.3f} s, not within one second")
    for n, pid in enumerate(victims, 1):
        k = by_pid[pid]
        match_dmesg(r, k)
        go = k.get("go") or {}
        if go.get("capture") != "complete" or not k.get("profile"):
            fail(f"victim {n} (pid {pid}): capture {go}, profile {k.get('profile')}: "
                 f"{k.get('profile_error')}")
        oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
        gocheck(["-self", os.path.join(r.dir, f"self-{n}.pb.gz"), "-oom", oom,
                 "-sites", SITES], f"victim {n}")
    if r.total_dropped():
        fail(f"{r.total_dropped()} records dropped")


main(check)
