#!/usr/bin/env python3
"""go_container: a Go program in its own mount and pid namespaces, its binary
reachable only inside, is registered, captured at its OOM kill and
symbolized; the record carries its host pid and its pid in the namespace
(1: it is the namespace's init), and its profile equals its own."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402
from gocommon import check_captured, gocheck  # noqa: E402

SITES = "main.retainSmall,main.inlinedAlloc,main.deep"


def check(r):
    check_common(r)
    host_pid = int((r.read("victim_pids") or "0").split()[0])
    if (r.read("exe-seen") or "").strip() != "/ctr/victim-ctr":
        fail(f"victim's exe is {r.read('exe-seen')!r}, expected /ctr/victim-ctr in its namespace")
    nspid = (r.read("nspid") or "").split()
    if nspid[1:] != [str(host_pid), "1"]:
        fail(f"/proc/PID/status NSpid {nspid}: not pid 1 of its own namespace")
    k = [k for k in r.kills() if k["tgid"] == host_pid]
    if len(k) != 1:
        fail(f"no single kill record for host pid {host_pid}")
    k = k[0]
    match_dmesg(r, k)
    if k["comm"] != "victim-ctr" or k["ns_pid"] != 1:
        fail(f"kill record says {k['comm']} ns_pid {k['ns_pid']}, expected victim-ctr, 1")
    check_captured(k, "victim-ctr")
    oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
    gocheck(["-self", r.path("self-ctr.pb.gz"), "-oom", oom, "-sites", SITES,
             "-leak", "main.leakChunk", "-exact"], "victim-ctr")


main(check)
