#!/usr/bin/env python3
"""go_regions: registration regions copied by DUMP and at the OOM kill."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

# Each check progs/regiontest.c prints; all must say "ok".
EXPECTED_OK = [
    "open /dev/oomprof as its reader",
    "the victim is ready in its cgroup",
    "open the victim's /proc/PID/mem",
    "a region over OOMPROF_GO_REGION_MAX gives EINVAL",
    "a region with reserved set gives EINVAL",
    "register the victim with three regions",
    "a dump buffer no larger than the region data gives EINVAL",
    "dump with the regions",
    "dump: the empty bucket list is complete",
] + [f"{w}: {c}" for w in ("dump", "kill") for c in (
    "regions 0 and 3 copied, 1 not",
    "the unmapped region failed with EFAULT",
    "regions_bytes is the 8-rounded sum",
    "the marker's bytes are the victim's",
    "the failed region is zeros",
    "the rate word region holds 524288",
)] + [
    "let the victim allocate",
    "kill: the empty bucket list is complete",
    "kill: the record's size accounts for the region data",
    "the victim's GO_HEAP record arrives",
    "the victim was killed",
]


def check(r):
    check_common(r)
    lines = (r.read("regiontest.txt") or "").splitlines()
    bad = [ln for ln in lines if ln.startswith("not ok")]
    if bad:
        fail("; ".join(bad))
    got = {ln[3:] for ln in lines if ln.startswith("ok ")}
    missing = [w for w in EXPECTED_OK if w not in got]
    if missing:
        fail("regiontest did not report: " + "; ".join(missing))


main(check)
