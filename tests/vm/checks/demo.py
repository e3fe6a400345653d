#!/usr/bin/env python3
"""demo: the OOM kill the demo provokes was recorded, matching dmesg."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} oom_kill lines, expected 1")
    match_dmesg(r, kills[0])


main(check)
