#!/usr/bin/env python3
"""go_bigheap: a bigheap victim (N distinct stacks, MemProfileRate 1)
OOM-killed at the module's default settings after oomprof-read learned
its list: the capture is complete (go.stop "none", at least N buckets),
every stack of the victim's own runtime/pprof profile is in oomprof's
profile with equal inuse values, and `go tool pprof -top` opens it with
the leak on top. Prints the figures make bench reports (capture time and
bytes, the plain copy of as many bytes in the same guest, the ratio,
symbolize+write, pprof -top time)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402
import bigheap  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    (name, n, pid), = bigheap.victims(r)
    k = bigheap.the_kill(r, kills, name, n, pid)
    go = k.get("go") or {}
    if go.get("capture") not in ("complete", "partial"):
        fail(f"bigheap {name} (pid {pid}): no capture: {go}")
    fig = bigheap.ready_figures(r, name)
    cap_ms = go["capture_ns"] / 1e6
    print(f"figure: victim {n} stacks, depth {fig.get('depth')} bits; bucket list "
          f"(buckhash_sys) {fig.get('buckhash_sys', 0) / 2**20:.1f} MiB; made in "
          f"{fig.get('make_ms')} ms, own profile in {fig.get('selfprof_ms')} ms (guest, TCG)")
    print(f"figure: learning: {bigheap.learned_line(r, pid) or 'no learned line (validate mode)'}")
    print(f"figure: capture {go['buckets']} buckets, {go['bytes']} bytes in {cap_ms:.1f} ms "
          f"(path {go.get('path')}, started {go.get('capture_after_ns', 0) / 1e6:.1f} ms after the kill): "
          f"{go.get('capture')}" + ("" if go.get("capture") == "complete" else f", NOT COMPLETE: {go.get('stop')}"))
    read_bytes = go["bytes"] + go.get("counted", 0) * 176
    print(f"figure: of them {go.get('counted', 0)} counted (learned before the kill): "
          f"{go.get('counts_bytes', 0)} bytes of counts, "
          f"{go.get('counts_bytes', 0) / max(go.get('counted', 0), 1):.1f} a bucket; "
          f"the walk read {read_bytes} bytes")
    m = re.search(r"first_ns=(\d+) best_ns=(\d+) median_ns=(\d+)", r.read("memcpy") or "")
    if not m:
        fail(f"no memcpybench result for the {read_bytes} bytes the walk read: "
             f"{(r.read('memcpy') or '').strip()}")
    first, best, med = (int(x) / 1e6 for x in m.groups())
    print(f"figure: plain memcpy of the same {read_bytes} bytes in the same guest: "
          f"median {med:.2f} ms, best {best:.2f} ms, first {first:.2f} ms")
    print(f"figure: capture / plain copy = {cap_ms / med:.1f} (median copy), "
          f"{cap_ms / first:.1f} (first copy) (goal <= 3)")
    print(f"figure: symbolize+write: {bigheap.write_line(r, pid)}")
    oom, took = bigheap.verify(r, k, name, n, pid)
    print(f"figure: go tool pprof -top on the {n}-stack profile ({os.path.getsize(oom)} bytes): "
          f"{took:.1f} s on the host")
    stats = r.json("stats.json") or {}
    if "reserved_bytes" in stats:
        print(f"figure: module reserved_bytes {stats['reserved_bytes'] / 2**20:.1f} MiB (goal <= 64)")


main(check)
