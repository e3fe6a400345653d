#!/usr/bin/env python3
"""daemon_lifecycle: one oomprof-read through retention (--max-files 2),
SIGHUP, a module unload with it running (--detach, rmmod), the module's
return, stops by SIGTERM (connected and while waiting) and a kill while no
reader ran. Every kernel "Killed process" line must be in events.jsonl
(before or after the rotation), each once, and seq numbers contiguous in
each module lifetime."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, check_kill_shape, check_summary, fail, main  # noqa: E402

EXPECT = {
    "detach_waits_for_reader": "yes",
    "at_detach_pending": "yes",
    "detach_rc": "0",
    "rmmod_after_detach": "ok",
    "at_detach_saved_before_rmmod": "yes",
    "waiting_logged": "yes",
    "alive_after_rmmod": "yes",
    "reconnected_logged": "yes",
    "sigterm_connected": "0",
    "sigterm_connected2": "0",
    "waiting_at_start_logged": "yes",
    "sigterm_waiting": "0",
}

LABELS = ["first", "go1", "go2", "go3", "after_hup", "at_detach",
          "after_reload", "go_reload", "no_daemon"]


def check(r):
    check_common(r)
    check_summary(r, EXPECT)

    kills = {}
    for line in (r.read("kills") or "").splitlines():
        label, pid = line.split()
        kills[label] = int(pid)
    if sorted(kills) != sorted(LABELS):
        fail(f"kills file has {sorted(kills)}, expected {sorted(LABELS)}")

    old = r.events("r/events.jsonl.1")
    new = r.events("r/events.jsonl")
    where = {}
    for name, evs in (("events.jsonl.1", old), ("events.jsonl", new)):
        for e in evs:
            if e.get("type") == "oom_kill":
                check_kill_shape(e)
                if e["pid"] in where:
                    fail(f"pid {e['pid']} recorded twice")
                where[e["pid"]] = (name, e)

    # Every kill the kernel made is recorded, and nothing else.
    killed = r.killed()
    if sorted(p for p, _ in killed) != sorted(kills.values()):
        fail(f"dmesg's Killed process lines {killed} != the scenario's kills {kills}")
    for pid, comm in killed:
        if pid not in where:
            fail(f"Killed process {pid} ({comm}) is in no events.jsonl")
        if where[pid][1]["comm"] != comm:
            fail(f"pid {pid}: comm {where[pid][1]['comm']!r} != dmesg's {comm!r}")
    for label in ("first", "go1", "go2", "go3"):
        if where[kills[label]][0] != "events.jsonl.1":
            fail(f"kill {label} went to {where[kills[label]][0]}, expected the file before SIGHUP")
    for label in ("after_hup", "at_detach", "after_reload", "go_reload",
                  "no_daemon"):
        if where[kills[label]][0] != "events.jsonl":
            fail(f"kill {label} went to {where[kills[label]][0]}, expected the file reopened by SIGHUP")

    # seq: 1, 2, 3, ... in each module lifetime (it starts again at 1
    # after the reload); nothing dropped.
    seqs = [e.get("seq") for e in old + new]
    runs, cur = [], []
    for s in seqs:
        if not isinstance(s, int):
            fail(f"a line without an integer seq: {seqs}")
        if s == 1 and cur:
            runs.append(cur)
            cur = []
        cur.append(s)
    runs.append(cur)
    for run in runs:
        if run != list(range(1, len(run) + 1)):
            fail(f"seq numbers not contiguous: {seqs}")
    if len(runs) != 2:
        fail(f"expected two module lifetimes in the seq numbers, got {seqs}")
    for e in old + new:
        if e.get("dropped"):
            fail(f"records dropped: {e}")

    # Retention: three Go profiles, --max-files 2: the first one removed,
    # and logged.
    profiles = []
    for label in ("go1", "go2", "go3", "go_reload"):
        k = where[kills[label]][1]
        if not k.get("profile"):
            fail(f"{label}: no profile: {k.get('profile_error')}")
        profiles.append(os.path.basename(k["profile"]))
    listing = (r.read("ls_after_go.txt") or "").split()
    present = [n for n in listing if n.endswith(".pb.gz")]
    if sorted(present) != sorted(profiles[1:3]):
        fail(f"after three profiles with --max-files 2, {present} in DIR, expected {profiles[1:3]}")
    log = r.read("reader.log") or ""
    if not re.search(r"retention: removed \S*/" + re.escape(profiles[0]) + r" ", log):
        fail(f"no 'retention: removed ...{profiles[0]}' line in reader.log")
    if "reader detached" not in r.dmesg:
        fail("no 'reader detached' line in dmesg")
    detach = r.read("detach.log") or ""
    for want in ("the reader saved every queued record and let go",
                 "no reader had the device open"):
        if want not in detach:
            fail(f"oomprof-read --detach never said {want!r}: {detach[-300:]!r}")


main(check)
