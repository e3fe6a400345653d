#!/usr/bin/env python3
"""harness_selftest: the transport is binary-safe and a memcg OOM kills the
victim (the harness's oom_score_adj -1000 is not inherited by it)."""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail, main  # noqa: E402


def check(r):
    from common import check_common
    check_common(r)
    with open(r.path("binary.bin"), "rb") as f:
        data = f.read()
    if data[:256] != bytes(range(256)):
        fail("binary.bin does not start with bytes 0..255")
    want = (r.read("binary.sha256") or "").strip()
    got = hashlib.sha256(data).hexdigest()
    if got != want:
        fail(f"binary.bin sha256 {got} != guest's {want}")
    victims = [int(x) for x in (r.read("victim_pids") or "").split()]
    killed = r.killed()
    if [p for p, _ in killed] != victims:
        fail(f"dmesg Killed process {killed} != victims {victims}")


main(check)
