#!/usr/bin/env python3
"""go_rate0: a rate-0 Go binary: its kill is recorded with the message
"memory profiling disabled in this binary", and no profile file exists."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402

MSG = "memory profiling disabled in this binary"


def check(r):
    check_common(r)
    kills = r.kills()
    if sorted(k["comm"] for k in kills) != ["rate0-go119", "rate0-gocur"]:
        fail(f"kills: {[k['comm'] for k in kills]}")
    for k in kills:
        match_dmesg(r, k)
        if k["profile"] is not None:
            fail(f"{k['comm']}: a profile was written: {k['profile']}")
        if MSG not in (k.get("profile_error") or ""):
            fail(f"{k['comm']}: profile_error {k.get('profile_error')!r}")
    files = [f for f in os.listdir(os.path.join(r.dir, "r")) if f.endswith(".pb.gz")]
    if files:
        fail(f"profile files written: {files}")
    log = r.read("reader.log") or ""
    if log.count(MSG) < 2:
        fail(f"oomprof-read did not say {MSG!r} for both: {log[-600:]}")


main(check)
