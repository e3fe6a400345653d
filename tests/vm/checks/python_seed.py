#!/usr/bin/env python3
"""python_seed: the victim's memory by mapping, against what the victim and
the kernel said.

python3 (child of the C wrapper) appended 100 MB bytearrays until the memcg
killed it, writing "allocated N" after each. The kernel merges side-by-side
anonymous mappings into one VMA, so N x 100 MB may come as one mapping. Its record must name it and
its wrapper parent (dmesg's Killed process line), hold its anonymous
memory in its mappings (their resident total within 5% of the record's
anon_rss_kb, the kernel's own counter), list anonymous mappings of N to
N + 1 times 100 MB (the last may be the one being written at the kill), at
least N x 100 MB of them resident, list its [heap] at the address /proc/PID/maps gave it,
show the memcg at its limit (memory.events' oom_kill, memory.max) and rank
both holders of the memcg in its task list."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, check_show, fail, main, match_dmesg  # noqa: E402

MB100 = 100 * 1024 * 1024
MAX = 400 * 1024 * 1024


def maps_heap_start(text):
    for line in (text or "").splitlines():
        if line.rstrip().endswith("[heap]"):
            return int(line.split("-")[0], 16)
    return None


def check(r):
    check_common(r)
    wrapper = int((r.read("wrapper_pid") or "0").strip() or 0)
    py = int((r.read("python_pid") or "0").strip() or 0)
    said = [int(n) for n in
            re.findall(r"^allocated (\d+)$", r.read("seed.err") or "", re.M)]
    if not said:
        fail("python3 reported no allocation (seed.err)")
    n = said[-1]
    kills = r.kills()
    if len(kills) != 1:
        fail(f"{len(kills)} oom_kill lines, expected 1")
    k = kills[0]
    match_dmesg(r, k)
    if k["tgid"] != py or not k["comm"].startswith("python3"):
        fail(f"victim {k['tgid']} ({k['comm']}), expected python3 pid {py}")
    if not k["parents"] or k["parents"][0]["pid"] != wrapper or \
            k["parents"][0]["comm"] != "wrapper":
        fail(f"parents[0] is {k['parents'][:1]}, expected wrapper {wrapper}")

    m = k.get("mappings")
    if not isinstance(m, dict):
        fail(f"no mappings in the record: {m!r}")
    if m["walk"] != "complete" or m["truncated"]:
        fail(f"mapping walk {m['walk']} (truncated {m['truncated']})")
    if m["path"] not in ("in-victim", "fallback", "handover"):
        fail(f"mapping walk path {m['path']!r}")
    walk_ns = m["walk_ns"] - m["lock_wait_us"] * 1000
    print(f"INFO: mapping walk {m['path']}: {m['vmas']} mappings, "
          f"{m['ptes']} page-table entries in {walk_ns / 1e6:.3f} ms "
          f"after {m['lock_wait_us'] / 1e3:.3f} ms waiting for the "
          f"mmap_lock, {m['walk_after_ns'] / 1e6:.3f} ms after the kill")
    if walk_ns > 60 * 10**6 or m["lock_wait_us"] > 260 * 1000:
        fail(f"mapping walk took {walk_ns} ns after {m['lock_wait_us']} us "
             f"for the lock: over its bounds (50 ms, 200 ms)")
    tot = m["totals"]
    anon = sum(tot.get(kind, {}).get("resident_bytes", 0)
               for kind in ("anon", "heap", "stack"))
    want = k["anon_rss_kb"] * 1024
    if not want or abs(anon - want) > 0.05 * want:
        fail(f"anonymous mappings hold {anon} bytes resident, the record's "
             f"anon_rss_kb says {want}: not within 5%")
    # The kernel merges adjacent anonymous mappings of the same flags into
    # one VMA (as /proc/PID/maps shows them): glibc's 100 MB mmaps lie side
    # by side, so they come as one mapping of N (or N + 1, the one being
    # written at the kill) times 100 MB, or several.
    big = [e for e in m["top"] if e["kind"] == "anon" and
           e["size_bytes"] >= MB100]
    size = sum(e["size_bytes"] for e in big)
    res = sum(e["resident_bytes"] for e in big)
    print(f"INFO: python3 reported {n} x 100 MB; the record: "
          f"{len(big)} anonymous mapping(s) of {size} bytes, {res} resident")
    if not n * MB100 <= size <= (n + 1) * MB100 + (16 << 20) or \
            not n * MB100 * 0.99 <= res <= size or \
            not 1 <= len(big) <= n + 1:
        fail(f"python3 said it allocated {n} x 100 MB; the record lists "
             f"{len(big)} anonymous mappings of 100 MB or more, {size} "
             f"bytes, {res} resident: "
             f"{[(e['start'], e['size_bytes'], e['resident_bytes']) for e in m['top']]}")
    if m["size_only"]:
        fail("some mapping of memory counted by size only")
    if m["top"] != sorted(m["top"], key=lambda e: (-e["resident_bytes"],
                                                   -e["size_bytes"])):
        fail("mappings not ranked by resident bytes")
    heap = [e for e in m["top"] if e["kind"] == "heap"]
    start = maps_heap_start(r.read("python.maps"))
    if start is None:
        fail("python.maps has no [heap] line")
    if tot.get("heap", {}).get("count") != 1 or len(heap) != 1 or \
            int(heap[0]["start"], 16) != start or \
            not heap[0]["resident_bytes"]:
        fail(f"[heap] at {start:#x} in /proc/PID/maps; the record has "
             f"{heap} (totals {tot.get('heap')})")

    dom = (k.get("oom_domain") or {}).get("memcg") or {}
    events = r.read("seed.memory.events") or ""
    ok = re.search(r"^oom_kill (\d+)$", events, re.M)
    if not ok or int(ok.group(1)) < 1 or dom.get("max_bytes") != MAX or \
            dom.get("events", {}).get("oom_kill") != int(ok.group(1)):
        fail(f"memcg: record {dom}, memory.events {events!r}")
    if dom["usage_bytes"] < 0.9 * MAX:
        fail(f"memcg usage {dom['usage_bytes']} not at its limit {MAX}")
    holders = {int(line.split()[0]) for line in
               (r.read("holders") or "").splitlines()}
    ranked = {t["tgid"] for t in k.get("tasks") or []}
    if len(holders) != 2 or not holders <= ranked:
        fail(f"holders {holders} not all in the ranked tasks {ranked}")
    check_show(r)


main(check)
