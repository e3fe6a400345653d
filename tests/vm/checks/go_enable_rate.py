#!/usr/bin/env python3
"""go_enable_rate: oomprof-read --enable-go-memprofile=524288 wrote the rate
into each rate-0 Go binary (Go 1.19 and stripped current Go found by the
start-up scan, current Go exec'd while it ran) and said so; each OOM kill
has a complete capture at MemProfileRate 524288 and a profile whose top
function is main.leakChunk with about the bytes the victim leaked after the
rate was set, and, for the two that retained 16 MiB at main.retainBefore
before the reader started, nothing of that. A Go program with its own rate
keeps it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, one_kill  # noqa: E402
from gocommon import check_captured, gocheck  # noqa: E402

RATE = 524288


def check(r):
    check_common(r)
    kills = r.kills()
    log = r.read("reader.log") or ""
    for tag in ("go119", "gocur", "gocurs"):
        comm = f"rate0-{tag}"
        k = one_kill(kills, comm)
        match_dmesg(r, k)
        want = (f"enabled heap profiling in Go process {k['tgid']} ({comm}) at "
                f"MemProfileRate={RATE}: allocations from now on are sampled")
        if want not in log:
            fail(f"{comm}: oomprof-read did not log {want!r}: {log[-800:]}")
        err = r.read(f"{comm}.err") or ""
        # The exec'd one may start slowly enough to see the rate at once.
        if (tag != "gocur" and "MemProfileRate=0 at start" not in err) or \
                f"MemProfileRate={RATE} after" not in err:
            fail(f"{comm}: the victim did not see its rate go from 0 to {RATE}: {err!r}")
        check_captured(k, comm, rate=RATE)
        leaked = int((r.read(f"progress-{tag}") or "0").split()[-1])
        if leaked < 32 << 20:
            fail(f"{comm}: leaked only {leaked} bytes after the rate was set")
        oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
        gocheck(["-oom", oom, "-leak", "main.leakChunk",
                 "-leak-bytes", str(leaked), "-tol", "0.15"] +
                (["-absent", "main.retainBefore"] if tag != "gocur" else []), comm)
    own = one_kill(kills, "victim-gocur")
    if (own.get("go") or {}).get("mem_profile_rate") != 65536:
        fail(f"victim-gocur: its own rate 65536 was not kept: {own.get('go')}")
    if "(victim-gocur) at MemProfileRate" in log:
        fail("oomprof-read wrote a rate into victim-gocur, which had its own")


main(check)
