#!/usr/bin/env python3
"""go_exec_fast: Go victims OOM-killed right after their exec (the time
measured on the records' own clock) were registered from the module's exec
record in time: every kill has a complete capture; an oracle run's profile
equals its own runtime/pprof profile at MemProfileRate 1, and a fast run's
(the same allocations, then a leak with no GC and no profile of its own)
equals that of the oracle run of the same binary before it; and a fast run
of the Go 1.19 and of the current-Go binary were each killed within 200 ms
of their exec (the PIE's times are reported)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402
from gocommon import gocheck  # noqa: E402

SITES = "main.retainSmall,main.inlinedAlloc,main.deep"
LIMIT_NS = 200_000_000


def phases(err, exec_ns, kill_ns):
    """The victim's -timing lines ("phase NAME BOOTTIME_NS") as the time
    from exec to each step and from the last to the kill."""
    steps, last = [], exec_ns
    for line in (err or "").splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "phase" and f[2].isdigit():
            steps.append(f"{f[1]} +{(int(f[2]) - last) / 1e6:.1f}")
            last = int(f[2])
    if steps:
        steps.append(f"kill +{(kill_ns - last) / 1e6:.1f} ms")
    return "exec " + ", ".join(steps) if steps else ""


def check(r):
    check_common(r)
    kills = {k["tgid"]: k for k in r.kills()}
    fastest = {}
    for line in (r.read("runs") or "").splitlines():
        pid, tag, i, kind = line.split()
        pid = int(pid)
        k = kills.get(pid)
        if k is None or k["comm"] != f"victim-{tag}":
            fail(f"victim-{tag} run {i} (pid {pid}): no kill record")
        match_dmesg(r, k)
        exec_ns = int((r.read(f"exec-{tag}-{i}") or "0").split()[0])
        if not exec_ns:
            fail(f"victim-{tag} run {i}: execat wrote no exec time")
        took = k["boottime_ns"] - exec_ns
        print(f"  victim-{tag} run {i} ({kind}): OOM-killed {took / 1e6:.1f} ms after its exec")
        if took <= 0:
            fail(f"victim-{tag} run {i}: kill before exec ({took} ns)?")
        if kind == "fast":
            fastest[tag] = min(fastest.get(tag, took), took)
        go = k.get("go") or {}
        if go.get("capture") != "complete":
            fail(f"victim-{tag} run {i}: capture {go}, expected complete "
                 f"({took / 1e6:.1f} ms after exec: registered too late?)")
        if not k.get("profile"):
            fail(f"victim-{tag} run {i}: no profile: {k.get('profile_error')}")
        oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
        # A fast run's oracle: the runtime's profile of the run before it,
        # the same binary making the same allocations.
        oracle = int(i) if kind == "oracle" else int(i) - 1
        gocheck(["-self", r.path(f"self-{tag}-{oracle}.pb.gz"), "-oom", oom, "-sites", SITES,
                 "-leak", "main.leakChunk", "-exact"] + (["-sites-only"] if kind == "fast" else []),
                f"victim-{tag} run {i}")
        steps = phases(r.read(f"victim-{tag}-{i}.err"), exec_ns, k["boottime_ns"])
        if steps:
            print(f"  victim-{tag} run {i}: {steps}")
    if sorted(fastest) != ["go119", "gocur", "gocurpie"]:
        fail(f"runs of {sorted(fastest)} only")
    # KASAN and lockdep make everything, the Go runtime's start included,
    # several times slower: there the run checks captures and splats only.
    if "debug" in os.path.basename(os.path.dirname(os.path.abspath(r.dir))):
        print("WARN: debug kernel: the 200 ms bound is not checked here "
              f"(fastest: {', '.join(f'{t} {v / 1e6:.0f} ms' for t, v in sorted(fastest.items()))})")
        return
    # The PIE's start is slower under emulation (its relocated data pages
    # are copied on write; measured 110-220 ms here against 40-110 ms for
    # the plain binaries): reported, and its runs must be captured like
    # the others, but the bound is on the two plain binaries.
    print(f"  victim-gocurpie: fastest run {fastest['gocurpie'] / 1e6:.1f} ms after exec")
    for tag, took in fastest.items():
        if tag != "gocurpie" and took >= LIMIT_NS:
            fail(f"victim-{tag}: fastest fast run killed {took / 1e6:.1f} ms after exec, never "
                 "within 200 ms: the scenario did not test a fast kill (the runs' steps above "
                 "show where the time went)")


main(check)
