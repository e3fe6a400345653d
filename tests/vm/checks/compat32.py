#!/usr/bin/env python3
"""compat32: a registered 32-bit victim is recorded, its capture refused
("not a 64-bit process"): the walker reads 64-bit layouts only, so nothing
of the victim is read; the module's counters say no capture ran."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402
from binding import check_bindtest  # noqa: E402


def check(r):
    check_common(r)
    check_bindtest(r, ["device and the target's /proc/PID/mem open",
                       "the target is registered"])
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} kill records, expected 1")
    k = kills[0]
    match_dmesg(r, k)
    if k["comm"] != "hog32":
        fail(f"the kill record names {k['comm']!r}, not hog32")
    go = k.get("go")
    if not go:
        fail(f"the registered victim's record has no go object: {k}")
    if go.get("capture") != "none" or go.get("stop") != "not a 64-bit process":
        fail(f"capture {go.get('capture')!r} stop {go.get('stop')!r}, expected none / 'not a 64-bit process'")
    if go.get("path") != "none":
        fail(f"capture path {go.get('path')!r}: no capture should have run")
    st = r.json("stats.json")
    if st.get("captures", 0) != 0:
        fail(f"the module published {st.get('captures')} captures, expected 0")


main(check)
