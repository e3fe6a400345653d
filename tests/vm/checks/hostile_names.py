#!/usr/bin/env python3
"""hostile_names: Go victims named '.x', '-rf', a newline with a forged log
line, terminal escapes, and bytes that are not UTF-8, in cgroups named with
escapes and invalid bytes. Each record names its victim as the kernel saw it
(the comm is the file name's first 15 bytes), every profile is one of the
victim's own (same sites and values as its runtime/pprof profile), named so
that neither ls nor go tool pprof mistakes it, and counted by retention
(--max-files 3 keeps three), and the reader's log has exactly one line per
kill with no raw control byte."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402
from gocommon import check_captured, gocheck  # noqa: E402

NAMES = [b".x", b"-rf", b"a\nOOM kill (memcg t1): pid 1 (systemd)",
         b"\x1b[31mred\x07\rz", b"bad\xff\xfe\xc0utf"]
SITES = "main.retainSmall,main.inlinedAlloc,main.deep"


def check(r):
    check_common(r)
    victims = {}
    for line in (r._read("victims") or "").splitlines():
        i, pid = line.split()
        victims[int(pid)] = int(i)
    if len(victims) != len(NAMES):
        fail(f"{len(victims)} victims ran, expected {len(NAMES)}")
    # The kernel prints the comm raw: the newline victim's line is split,
    # so match its "Killed process PID (" lines by pid alone.
    killed = {int(p) for p in re.findall(r"Killed process (\d+) \(", r.dmesg)}
    kills = r.kills()
    if len(kills) != len(NAMES):
        fail(f"{len(kills)} oom_kill records, expected {len(NAMES)}")
    profiles = []
    for k in kills:
        if k["pid"] not in victims:
            fail(f"record for pid {k['pid']}, not a victim: {victims}")
        if k["pid"] not in killed:
            fail(f"record pid {k['pid']} not among dmesg's Killed process lines")
        i = victims[k["pid"]]
        want = NAMES[i - 1][:15].decode("utf-8", "replace")
        if k["comm"] != want:
            fail(f"victim {i}: comm {k['comm']!r}, the kernel's is {want!r}")
        if not k["cgroup"].startswith(f"/h{i}\x1b]0;\x07\r"):
            fail(f"victim {i}: cgroup {k['cgroup']!r}")
        check_captured(k, f"victim {i}", rate=1)
        name = k["profile"]
        if "/" in name:
            name = os.path.basename(name)
        if name[0] in ".-" or re.search(r"[\x00-\x20\x7f\ufffd]", name):
            fail(f"victim {i}: profile name {name!r} is hidden, a flag, or has raw bytes")
        if not re.fullmatch(rf".+-{k['tgid']}-\d{{14}}\.pb\.gz", name):
            fail(f"victim {i}: profile name {name!r} is not oomprof-read's pattern")
        profiles.append((i, name))
    # Retention counted every one of them: the 3 newest stay.
    on_disk = sorted(f for f in os.listdir(os.path.join(r.dir, "r"))
                     if f.endswith(".pb.gz"))
    if len(on_disk) != 3:
        fail(f"--max-files 3 left {len(on_disk)} profiles: {on_disk!r}")
    kept = [(i, n) for i, n in profiles if n in on_disk]
    if len(kept) != 3:
        fail(f"the profiles left {on_disk!r} are not 3 of the records' {profiles!r}")
    for i, name in kept:
        gocheck(["-self", os.path.join(r.dir, f"self-{i}.pb.gz"),
                 "-oom", os.path.join(r.dir, "r", name), "-sites", SITES,
                 "-leak", "main.leakChunk", "-exact"], f"victim {i}")
    # The reader's log: one line per kill, each the reader's own, no raw
    # control byte anywhere (the newline victim's forged line is escaped).
    with open(os.path.join(r.dir, "reader.log"), "rb") as f:
        log = f.read()
    bad = sorted(set(re.findall(rb"[\x00-\x08\x0b-\x1f\x7f]", log)))
    if bad:
        fail(f"reader.log holds raw control bytes {bad!r}")
    lines = [ln for ln in log.split(b"\n") if ln]
    forged = [ln for ln in lines if not ln.startswith(b"oomprof-read: ")]
    if forged:
        fail(f"reader.log lines oomprof-read did not write as such: {forged!r}")
    kill_lines = [ln for ln in lines if ln.startswith(b"oomprof-read: OOM kill (")]
    if len(kill_lines) != len(NAMES):
        fail(f"reader.log has {len(kill_lines)} OOM kill lines, expected "
             f"{len(NAMES)}: {kill_lines!r}")
    removed = [ln for ln in lines if b"retention: removed" in ln]
    if len(removed) != len(NAMES) - 3:
        fail(f"{len(removed)} retention removals logged, expected {len(NAMES) - 3}: {removed!r}")


main(check)
