#!/usr/bin/env python3
"""loadunload: repeated load/unload, refused unload while a reader holds the
device, unload with a record queued; and a clean kernel log throughout."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, check_summary, fail, main  # noqa: E402

EXPECT = {
    "noreader_cycles": "20",
    "reader_rmmod_refused": "20",
    "reader_cycles": "20",
    "rmmod_after_reader_sigkill": "ok",
    "pending_rmmod": "ok",
    "reload_after_pending": "ok",
}


def check(r):
    check_common(r)
    check_summary(r, EXPECT)
    stats = r.json("pending_stats.json")
    if not stats.get("records_queued"):
        fail(f"no record queued before the pending rmmod: {stats}")
    if r.killed() and len(r.killed()) != 1:
        fail(f"expected one Killed process line, got {r.killed()}")


main(check)
