#!/usr/bin/env python3
"""dump_deadline: a dump never waits on a FUSE server its target's user runs.

progs/dumpdl.c dumps bucket lists that lead into untouched pages of FUSE
files (a server answering each READ 1.5 s late, one never answering): each
dump must stop there at once with READ_FAULT, no READ may reach a server
(the servers' own logs), and resident FUSE pages must still be read.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

DELAY_MS = 1500
BOUND_MS = DELAY_MS / 5

# (list, stop, buckets): what each dump must report.
CASES = [
    ("anonymous list", 0, 2),
    ("into an untouched private FUSE page", 8, 2),
    ("into an untouched shared FUSE page", 8, 1),
    ("a written private FUSE page", 0, 1),
    ("a resident shared FUSE page", 0, 1),
    ("into a never-answering server's private page", 8, 1),
    ("into a never-answering server's shared page", 8, 0),
    ("mbuckets in an untouched FUSE page", 8, 0),
    ("rate in an untouched FUSE page", 0, 2),
]

EXPECTED_OK = [
    "the victim built its lists",
    "setup: the slow server was asked only for the two pages the victim touched",
    "setup: the never-answering server was asked nothing",
    "open /dev/oomprof and the victim's /proc/PID/mem",
    "the victim exited normally",
]
for name, stop, n in CASES:
    EXPECTED_OK += [
        f"{name}: the dump succeeds",
        f"{name}: stop {stop}, {n} buckets",
        f"{name}: no server was asked a READ",
        f"{name}: returned within {BOUND_MS:.0f} ms",
    ]
    if stop:
        EXPECTED_OK.append(f"{name}: stopped at the FUSE page's address")

TIME_RE = re.compile(r"^time (.*) wall_ms ([0-9.]+) dump_ms ([0-9.]+)$")
READ_RE = re.compile(r"^read off (\d+) size \d+ pid \d+$")


def check(r):
    check_common(r)
    lines = (r.read("dumpdl.txt") or "").splitlines()
    bad = [ln for ln in lines if ln.startswith("not ok")]
    if bad:
        fail("; ".join(bad[:4]))
    got = {ln[3:] for ln in lines if ln.startswith("ok ")}
    missing = [w for w in EXPECTED_OK if w not in got]
    if missing:
        fail("dumpdl did not report: " + "; ".join(missing[:4]))
    # The servers' own counts, read here too: the two pages the victim
    # touched, nothing else, and nothing from the never-answering one.
    slow = [int(m.group(1)) for m in
            (READ_RE.match(ln) for ln in (r.read("slow.out") or "").splitlines())
            if m]
    if slow != [4096, 5 * 4096]:
        fail(f"the slow server was asked READs at offsets {slow}, "
             "want only [4096, 20480] (the pages the victim touched)")
    never = [ln for ln in (r.read("never.out") or "").splitlines()
             if ln.startswith("read ")]
    if never:
        fail(f"the never-answering server was asked: {never[:3]}")
    times = {}
    for ln in lines:
        m = TIME_RE.match(ln)
        if m:
            times[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    for name, _, _ in CASES:
        if name not in times:
            fail(f"no time line for {name!r}")
        wall, dump = times[name]
        if wall >= BOUND_MS:
            fail(f"{name}: the dump took {wall:.1f} ms, not under {BOUND_MS:.0f} ms "
                 f"(the server delays each READ {DELAY_MS} ms)")
    worst = max(times.values())
    print(f"dumps: worst wall {worst[0]:.1f} ms, server delay {DELAY_MS} ms")
    if r.summary().get("rmmod_after") != "ok":
        fail("rmmod after the dumps did not succeed")


main(check)
