"""Shared parts of the stress_* checkers (tests/stress.sh).

The long scenarios drain the guest's kernel log into dmesg-during.txt as
they go (a thousand OOM reports do not fit the 4 MiB ring); the kernel
complaints are looked for there too. Each checker writes the figures it
measured to figures.txt in the results directory, which tests/stress.sh
prints per kernel.
"""
import os
import re

from common import KILLED_RE, check_common, dmesg_problem, fail


class _Log:
    def __init__(self, text):
        self.dmesg = text


def full_dmesg(r):
    return (r.read("dmesg-during.txt") or "") + (r.dmesg or "")


def check_stress_common(r):
    """check_common, and no kernel complaint in the drained log either."""
    bad = dmesg_problem(_Log(r.read("dmesg-during.txt") or ""))
    if bad:
        fail(bad)
    check_common(r)


def killed(r):
    """(pid, comm) of every "Killed process" line, drained log included."""
    return [(int(m.group(1)), m.group(2))
            for m in KILLED_RE.finditer(full_dmesg(r))]


def victim_pids(r, name="victim_pids"):
    return [int(x) for x in (r.read(name) or "").split()]


def figures(r, lines):
    with open(os.path.join(r.dir, "figures.txt"), "w") as f:
        for line in lines:
            f.write(line + "\n")
            print("  " + line)


UNLOAD_RE = re.compile(
    r"oomprof: unloading: (\d+) OOM kills seen, (\d+) numbered, (\d+) "
    r"numbered records unread, (\d+) losses unreported, (\d+) kills "
    r"dropped in flight")


def unloads(r):
    """Each unload line: dict(seen, numbered, unread, unreported, dropped)."""
    keys = ("seen", "numbered", "unread", "unreported", "dropped")
    return [dict(zip(keys, map(int, m.groups())))
            for m in UNLOAD_RE.finditer(full_dmesg(r))]


def segments(events):
    """The numbered lines (oom_kill and lost) split per module load: seq
    starts again at 1 after each load. Checks each segment is gapless:
    a line's seq is the previous one's plus its own losses (dropped) plus
    one for a kill, or plus its losses for a "lost" line."""
    segs, cur, prev = [], [], 0
    for e in events:
        if e.get("type") not in ("oom_kill", "lost"):
            continue
        seq = e.get("seq")
        dropped = e.get("dropped") or 0
        step = dropped + (1 if e["type"] == "oom_kill" else 0)
        if not isinstance(seq, int) or seq < 1:
            fail(f"bad seq in {e}")
        if cur and seq != prev + step and seq <= prev:
            segs.append(cur)
            cur, prev = [], 0
        if seq != prev + step:
            fail(f"seq gap: {seq} after {prev} with dropped {dropped} "
                 f"(line {str(e)[:160]})")
        cur.append(e)
        prev = seq
    if cur:
        segs.append(cur)
    return segs
