#!/usr/bin/env python3
"""go_capture: for Go 1.19 and current-Go victims, plain, PIE and stripped
(MemProfileRate 1), the
OOM kill's heap profile shows each retained site exactly as the victim's own
runtime/pprof profile does, stack frame for frame, and the leaking site on
top."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, one_kill, check_show  # noqa: E402
from gocommon import check_captured, gocheck  # noqa: E402

SITES = "main.retainSmall,main.inlinedAlloc,main.deep"


def check(r):
    check_common(r)
    check_show(r)
    kills = r.kills()
    if len(kills) != 6:
        fail(f"{len(kills)} oom_kill lines, expected 6")
    for tag in ("go119", "gocur", "go119pie", "gocurpie", "go119s", "gocurs"):
        k = one_kill(kills, f"victim-{tag}")
        match_dmesg(r, k)
        check_captured(k, f"victim-{tag}", rate=1)
        name = os.path.basename(k["profile"])
        if not name.startswith(f"victim-{tag}-{k['tgid']}-") or not name.endswith(".pb.gz"):
            fail(f"victim-{tag}: profile named {name}")
        oom = os.path.join(r.dir, "r", name)
        self_prof = os.path.join(r.dir, f"self-{tag}.pb.gz")
        gocheck(["-self", self_prof, "-oom", oom, "-sites", SITES,
                 "-leak", "main.leakChunk", "-exact"], f"victim-{tag}")


main(check)
