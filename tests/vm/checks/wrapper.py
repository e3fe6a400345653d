#!/usr/bin/env python3
"""wrapper: the victim is the hog forked by `wrapper`; parents[0] is it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    wrapper_pid = int((r.read("wrapper_pid") or "0").strip() or 0)
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} oom_kill lines, expected 1")
    k = kills[0]
    match_dmesg(r, k)
    if k["comm"] != "hog":
        fail(f"victim comm {k['comm']!r}, expected 'hog' "
             f"(wrapper pid {wrapper_pid}, dmesg {r.killed()})")
    if not k["parents"]:
        fail("parents is empty")
    p0 = k["parents"][0]
    if p0["comm"] != "wrapper" or p0["pid"] != wrapper_pid:
        fail(f"parents[0] is {p0}, expected wrapper pid {wrapper_pid}")
    if len(k["parents"]) > 1 and k["parents"][1]["pid"] == wrapper_pid:
        fail(f"wrapper appears twice in parents {k['parents']}")


main(check)
