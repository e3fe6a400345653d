"""Shared by the big-heap checkers (go_bigheap, go_bigheap4): each bigheap
victim's capture complete, its profile against its own, and figures."""
import os
import re
import subprocess
import time

from common import fail, match_dmesg
from gocommon import check_captured, gocheck


def victims(r):
    """[(name, stacks, pid)] from the scenario's $R/bigheap."""
    out = []
    for line in (r.read("bigheap") or "").splitlines():
        name, n, pid = line.split()
        out.append((name, int(n), int(pid)))
    if not out:
        fail("no bigheap victim listed ($R/bigheap empty: the scenario stopped before starting one)")
    return out


def ready_figures(r, name):
    """The victim's own line (pid=, stacks=, buckhash_sys=, ...) as ints."""
    text = r.read(f"ready-{name}") or ""
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text)}


def learned_line(r, pid):
    lines = [ln for ln in (r.read("reader.log") or "").splitlines()
             if re.match(rf"oomprof-read: learned \d+ heap-profile buckets of pid {pid} ", ln)]
    return lines[-1] if lines else None


def write_line(r, pid):
    """The reader's line on PID's profile: written (or why not), not the
    one saying a writer thread took it."""
    found = None
    for ln in (r.read("reader.log") or "").splitlines():
        if "within --write-memory" in ln:
            continue  # it waited for room: not written yet
        if f"heap profile of pid {pid} " in ln or f"no heap profile for pid {pid} " in ln:
            found = ln
            if "on a writer thread" not in ln or "written in" in ln:
                return ln
    return found


def pprof_top(path):
    """Seconds `go tool pprof -top` takes on PATH, and its first rows."""
    t0 = time.monotonic()
    res = subprocess.run(["go", "tool", "pprof", "-top", "-sample_index=inuse_space", path],
                         capture_output=True, text=True)
    took = time.monotonic() - t0
    rows = [ln for ln in res.stdout.splitlines() if "main." in ln]
    if res.returncode or not rows:
        fail(f"go tool pprof -top {path}: exit {res.returncode}: {res.stderr.strip()[-300:]}")
    return took, rows


def the_kill(r, kills, name, n, pid):
    """The victim's one kill record, matched to the kernel's log."""
    ks = [k for k in kills if k["tgid"] == pid]
    if len(ks) != 1:
        fail(f"bigheap {name} (pid {pid}, {n} stacks): {len(ks)} kill records, expected 1")
    match_dmesg(r, ks[0])
    return ks[0]


def verify(r, k, name, n, pid):
    """Captured complete, its profile equal to the victim's own on every
    stack, opened by go tool pprof with the leak on top; returns the
    profile's path and pprof -top's seconds."""
    go = k.get("go") or {}
    # OOMPROF_STOP_NONE is spelt "complete" in go.stop.
    if go.get("capture") != "complete" or go.get("stop") != "complete":
        fail(f"bigheap {name} (pid {pid}, {n} stacks): capture {go.get('capture')}, "
             f"stop {go.get('stop')!r} after {go.get('buckets')} buckets; "
             f"oomprof-read: {learned_line(r, pid) or 'no learned line'}")
    check_captured(k, f"bigheap {name}", rate=1)
    if go.get("buckets", 0) < n:
        fail(f"bigheap {name}: {go.get('buckets')} buckets captured, the victim made {n} stacks")
    oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
    gocheck(["-self", r.path(f"self-{name}.pb.gz"), "-oom", oom,
             "-sites", "main.makeStacks", "-exact", "-leak", "main.leakChunk"],
            f"bigheap {name}")
    took, rows = pprof_top(oom)
    if "main.leakChunk" not in rows[0]:
        fail(f"bigheap {name}: go tool pprof -top shows {rows[0].strip()!r} on top, not main.leakChunk")
    return oom, took


def check_victim(r, kills, name, n, pid):
    k = the_kill(r, kills, name, n, pid)
    oom, took = verify(r, k, name, n, pid)
    return k, k.get("go") or {}, oom, took
