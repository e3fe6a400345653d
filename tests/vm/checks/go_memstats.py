#!/usr/bin/env python3
"""go_memstats: a Go victim's runtime memory statistics at its OOM kill.

Oracle: the victim's own runtime.ReadMemStats, printed (memstats-TAG.json)
just before it leaked 1 MiB chunks (progress-TAG: bytes leaked so far, one
line per chunk) until the kill. The record's statistics must be that
snapshot plus at most what was allocated since:

- HeapAlloc, TotalAlloc, HeapInuse grow by at most the bytes leaked after
  the print (the last progress line, plus one chunk leaked but not yet
  printed when the kill came) plus SLACK: what the victim allocated after
  ReadMemStats besides its chunks (the JSON line, fmt's buffers for each
  progress line) and, for HeapInuse, the part of a span its objects do
  not fill (at most one 8 KiB page per size class in use, 68 classes).
- Sys grows by at most the same plus SYS_SLACK: the heap grows in 4 MiB
  palloc chunks (runtime/mpagealloc.go pallocChunkBytes) mapped as a whole,
  and its metadata (heap arena bitmaps, GC work, page-allocator summary)
  grows with it, by well under 1/8 of the heap's growth.
- NumGC and TotalAlloc never go down; StackInuse stays within 1 MiB (the
  victim starts no goroutine while leaking).
- HeapAlloc >= the profile's inuse bytes: exactly at MemProfileRate 1
  (go119); at the default rate (gocur) the profile is an estimate scaled
  by runtime/pprof's 1/(1-exp(-size/rate)): its 1 MiB chunks are each
  sampled with probability 0.86, so over the ~100 chunks of a 160 MiB
  cgroup its total stays within 1.25 of the truth by a wide margin (over
  5 standard deviations).
- The victim's anonymous RSS is its runtime's memory: at least 80% of
  HeapInuse (the retained objects of spans the runtime never wrote are not
  resident: see FIELD-NOTES) and at most Sys minus HeapReleased plus 4 MiB
  (a static Go binary's anonymous mappings are all the runtime's; the
  4 MiB: its .data/.bss pages, counted as anonymous once written).

The profile's comments carry the statistics, --show prints them, and the
stripped victim's record says why it has none (no DWARF), as does the
reader's log, once. An on-demand dump (-p) of a quiet victim has them in
its profile's comment, equal within 1 MiB (0.1 MiB rounding, the
runtime's own allocations) to what the victim printed just before.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, check_show, fail, main, match_dmesg, one_kill, show_reports  # noqa: E402
from gocommon import check_captured, gocheck_bin  # noqa: E402
import subprocess  # noqa: E402

MIB = 1 << 20
CHUNK = MIB
SLACK = 2 * MIB + 68 * 8192
SYS_SLACK = 8 * MIB


def profile_info(path, label):
    res = subprocess.run([gocheck_bin(), "-info", "-oom", path],
                         capture_output=True, text=True)
    if res.returncode:
        fail(f"{label}: gocheck -info: {res.stderr.strip()[-300:]}")
    inuse, comments = None, []
    for line in res.stdout.splitlines():
        if line.startswith("inuse_space "):
            inuse = int(line.split()[1])
        elif line.startswith("comment "):
            comments.append(line[len("comment "):])
    return inuse, comments


def check_victim(r, kills, reports, tag, exact):
    label = f"victim-{tag}"
    k = one_kill(kills, label)
    match_dmesg(r, k)
    check_captured(k, label)
    ms = k.get("go_memstats")
    if not isinstance(ms, dict):
        fail(f"{label}: no go_memstats in its record: {k.get('go_memstats_error')}")
    before = json.loads(r.read(f"memstats-{tag}.json") or "null") or fail(
        f"{label}: no memstats-{tag}.json")
    progress = (r.read(f"progress-{tag}") or "").split()
    leaked = int(progress[-1]) if progress else 0
    since = leaked + CHUNK
    print(f"  {label}: leaked {leaked / MIB:.0f} MiB after ReadMemStats")
    for f in ("HeapAlloc", "HeapInuse", "HeapIdle", "HeapReleased", "HeapSys",
              "StackInuse", "GCSys", "OtherSys", "Sys", "NumGC", "TotalAlloc"):
        if f not in ms:
            fail(f"{label}: go_memstats has no {f}: {ms}")
        print(f"  {label}: {f} {before[f]} -> {ms[f]}")
    for f in ("HeapAlloc", "TotalAlloc", "HeapInuse"):
        grew = ms[f] - before[f]
        if grew > since + SLACK:
            fail(f"{label}: {f} grew by {grew} bytes, more than the {since} leaked since ReadMemStats + {SLACK}")
    if ms["TotalAlloc"] < before["TotalAlloc"] + leaked:
        fail(f"{label}: TotalAlloc {ms['TotalAlloc']} < {before['TotalAlloc']} + {leaked} leaked since")
    if ms["HeapAlloc"] < before["HeapAlloc"] + leaked // 2:
        fail(f"{label}: HeapAlloc {ms['HeapAlloc']} does not hold the {leaked} bytes leaked (retained) since")
    if ms["Sys"] - before["Sys"] > since + since // 8 + SYS_SLACK:
        fail(f"{label}: Sys grew by {ms['Sys'] - before['Sys']}, more than {since} leaked + 1/8 + {SYS_SLACK}")
    if ms["NumGC"] < before["NumGC"]:
        fail(f"{label}: NumGC {ms['NumGC']} < {before['NumGC']} before")
    if abs(ms["StackInuse"] - before["StackInuse"]) > MIB:
        fail(f"{label}: StackInuse {ms['StackInuse']} vs {before['StackInuse']} before")
    inuse, comments = profile_info(os.path.join(r.dir, "r", os.path.basename(k["profile"])), label)
    limit = inuse if exact else inuse / 1.25
    print(f"  {label}: profile inuse_space {inuse}, HeapAlloc {ms['HeapAlloc']}")
    if ms["HeapAlloc"] < limit:
        fail(f"{label}: HeapAlloc {ms['HeapAlloc']} < the profile's inuse {inuse}" + ("" if exact else " / 1.25"))
    rss = k["anon_rss_kb"] * 1024
    lo = 0.8 * ms["HeapInuse"]
    hi = ms["Sys"] - ms["HeapReleased"] + 4 * MIB
    print(f"  {label}: anon RSS {rss}, expected in [{lo:.0f}, {hi}]")
    if not lo <= rss <= hi:
        fail(f"{label}: anon RSS {rss} not within [0.8 HeapInuse {lo:.0f}, Sys - HeapReleased + 4 MiB {hi}]")
    want = f"go memstats at kill: HeapInuse {ms['HeapInuse'] / MIB:.1f} MiB"
    if not any(c.startswith(want) for c in comments):
        fail(f"{label}: no profile comment starting {want!r}: {comments}")
    rep = [x for x in reports if f"({label})" in x]
    line = "  go memstats HeapInuse "
    if len(rep) != 1 or line not in rep[0]:
        fail(f"{label}: --show has no memstats line: {rep[:1]}")


def check(r):
    check_common(r)
    check_show(r)
    kills = r.kills()
    if len(kills) != 3:
        fail(f"{len(kills)} oom_kill lines, expected 3")
    reports = show_reports(r)
    check_victim(r, kills, reports, "go119", True)
    check_victim(r, kills, reports, "gocur", False)
    label = "victim-go119s"
    k = one_kill(kills, label)
    check_captured(k, label)
    if "go_memstats" in k:
        fail(f"{label}: stripped, yet go_memstats {k['go_memstats']}")
    err = k.get("go_memstats_error") or ""
    if "DWARF" not in err:
        fail(f"{label}: go_memstats_error does not say the DWARF is missing: {err!r}")
    rep = [x for x in reports if f"({label})" in x]
    if len(rep) != 1 or "  go memstats none: " not in rep[0]:
        fail(f"{label}: --show does not say why there are no memstats: {rep[:1]}")
    # The dump of the quiet victim: its statistics as it printed them
    # (it allocates nothing while it holds; 1 MiB for the runtime's own).
    label = "dump of victim-gocurpie"
    held = json.loads(r.read("memstats-hold.json") or "null") or fail(f"{label}: no memstats-hold.json")
    path = (r.read("dump.path") or "").strip() or fail(f"{label}: no profile: {r.read('dump.log')}")
    _, comments = profile_info(os.path.join(r.dir, "dump", os.path.basename(path)), label)
    c = [x for x in comments if x.startswith("go memstats at the dump: ")]
    if len(c) != 1:
        fail(f"{label}: no memstats comment: {comments}")
    got = dict((f, float(v.split()[0]) * MIB) for f, v in
               (part.split(" ", 1) for part in c[0][len("go memstats at the dump: "):].split(", ")
                if part.endswith(" MiB")))
    print(f"  {label}: {c[0]}")
    for f in ("HeapInuse", "HeapAlloc", "StackInuse", "Sys"):
        if f not in got or abs(got[f] - held[f]) > MIB:
            fail(f"{label}: {f} {got.get(f)} in the comment vs {held[f]} the victim printed")
    log = r.read("reader.log") or ""
    said = [ln for ln in log.splitlines() if "will have no Go memory statistics" in ln]
    if len(said) != 1 or "victim-go119s" not in said[0]:
        fail(f"{label}: the reader's log should say once why memstats will be missing: {said}")


main(check)
