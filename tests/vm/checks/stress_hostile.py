#!/usr/bin/env python3
"""stress_hostile: Go programs with forged runtime.mbuckets lists, each
registered and OOM-killed: every capture partial with the reason the
forgery calls for, the buckets before the forged one copied, the walk
bounded in time (the capture ends by 1.5 s after the kill), and no splat."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail, main, match_dmesg  # noqa: E402
from stress_lib import check_stress_common, figures  # noqa: E402

# mode: (stop reasons accepted, buckets expected or None)
EXPECT = {
    "cycle": ({"bucket list loops"}, 3),
    "unmapped": ({"memory not readable (not resident or already reaped)"}, 2),
    "kernel": ({"bad bucket pointer"}, 2),
    "nstk": ({"bucket stack deeper than 1024"}, 1),
    # Its tail grows (no runtime does that) once oomprof-read has
    # learned the list (the scenario waits for that): the capture finds
    # more buckets below the learned head than were learned.
    "grow": ({"the bucket list below the learned prefix is not the one learned"}, None),
    # Device memory is never read: the walk stops at the bucket there,
    # whatever reason the module gives, after the one before it.
    "device": (None, 1),
    # Never answered by its FUSE server: not resident, so unreadable
    # without a fault, and no fault is taken (one would wait forever).
    "fuse": ({"memory not readable (not resident or already reaped)"}, 1),
}
BOUND_NS = 1600 * 1000 * 1000


def check(r):
    check_stress_common(r)
    kills = {k["tgid"]: k for k in r.kills()}
    rows, problems = [], []
    for line in (r.read("victims") or "").splitlines():
        mode, tag, pid = line.split()
        k = kills.get(int(pid))
        if not k:
            problems.append(f"{mode}/{tag}: no record for pid {pid}")
            continue
        match_dmesg(r, k)
        go = k.get("go") or {}
        stops, buckets = EXPECT[mode]
        rows.append(f"{mode}/{tag}: {go.get('capture')} ({go.get('stop')}), "
                    f"{go.get('buckets')} buckets in {go.get('capture_ns', 0) / 1e6:.1f} ms")
        if go.get("capture") != "partial":
            problems.append(f"{mode}/{tag}: capture {go.get('capture')} ({go.get('stop')}), expected partial")
        elif stops is not None and go.get("stop") not in stops:
            problems.append(f"{mode}/{tag}: stopped for {go.get('stop')!r}, expected one of {sorted(stops)}")
        if buckets is not None and go.get("buckets") != buckets:
            problems.append(f"{mode}/{tag}: {go.get('buckets')} buckets, expected {buckets}")
        if not isinstance(go.get("capture_ns"), int) or go["capture_ns"] > BOUND_NS:
            problems.append(f"{mode}/{tag}: capture took {go.get('capture_ns')} ns, over {BOUND_NS}")
    figures(r, ["stress_hostile: forged bucket lists, each capture:"]
            + ["  " + row for row in rows])
    if len(rows) != 2 * len(EXPECT) and not problems:
        problems.append(f"{len(rows)} hostile victims recorded, expected {2 * len(EXPECT)}")
    if problems:
        fail("; ".join(problems))


main(check)
