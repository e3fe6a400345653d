#!/usr/bin/env python3
"""demo: the two OOM kills the demo provokes were recorded, matching dmesg,
and the Go one has a heap profile."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    if len(kills) != 2:
        fail(f"{len(kills)} oom_kill lines, expected 2")
    for k in kills:
        match_dmesg(r, k)
    if not any(k.get("profile") for k in kills):
        fail("no heap profile for the Go program")


main(check)
