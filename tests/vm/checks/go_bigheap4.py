#!/usr/bin/env python3
"""go_bigheap4: four bigheap victims (N stacks each) learned by
oomprof-read, then OOM-killed at once in four cgroups at the module's
default settings: four complete captures, each profile holding every stack
of its victim's own runtime/pprof profile with equal values, each opened by
`go tool pprof -top` with the leak on top."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402
import bigheap  # noqa: E402


def check(r):
    check_common(r)
    kills = r.kills()
    vs = bigheap.victims(r)
    if len(vs) != 4:
        fail(f"{len(vs)} bigheap victims listed, expected 4")
    for name, n, pid in vs:
        k, go, oom, took = bigheap.check_victim(r, kills, name, n, pid)
        print(f"figure: {name}: {go['buckets']} buckets, {go['bytes']} bytes captured in "
              f"{go['capture_ns'] / 1e6:.1f} ms; {bigheap.write_line(r, pid)}; pprof -top {took:.1f} s")
    if r.total_dropped():
        fail(f"{r.total_dropped()} records dropped")


main(check)
