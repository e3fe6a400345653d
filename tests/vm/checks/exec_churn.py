#!/usr/bin/env python3
"""exec_churn: among 1000 short-lived processes, every one of 10 Go programs
living 300 ms was registered by oomprof-read, and after all exited the
module's own counters show every registration gone (no leak)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402


def check(r):
    check_common(r)
    before = r.json("stats-before.json")
    after = r.json("stats-after.json")
    probes = after.get("probes", {})
    if not (probes.get("sched_process_exec") and probes.get("sched_process_exit")):
        fail(f"module not attached to sched_process_exec/exit: {probes}")
    execs = after["execs_seen"] - before["execs_seen"]
    print(f"  {execs} execs seen, {after['proc_events_lost']} process events dropped")
    if execs < 1010:
        fail(f"module saw {execs} execs, expected at least 1010")
    log = r.read("reader.log") or ""
    watched = set(int(m) for m in re.findall(r"watching Go process (\d+) ", log))
    pids = []
    for line in (r.read("go_pids") or "").splitlines():
        pid, tag = line.split()
        pids.append(int(pid))
        if int(pid) not in watched:
            fail(f"Go program victim-{tag} {pid} was never registered (missed)")
    if len(pids) != 10:
        fail(f"{len(pids)} Go programs started, expected 10")
    added = after["registrations_added"] - before["registrations_added"]
    gone = (after["registrations_exited"] - before["registrations_exited"]
            + after["registrations_execd"] - before["registrations_execd"])
    print(f"  registrations: {added} added, {gone} dropped at exit/exec, "
          f"{after['registered']} left")
    if added < 10:
        fail(f"{added} registrations made, expected at least 10")
    if after["registered"] != 0:
        fail(f"{after['registered']} registrations left after every Go program exited (leak)")
    if after["registrations_exited"] - before["registrations_exited"] < 10:
        fail("fewer than 10 registrations dropped at exit")


main(check)
