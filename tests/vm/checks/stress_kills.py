#!/usr/bin/env python3
"""stress_kills: N consecutive OOM kills with the daemon running: N
records, seq 1..N gapless, nothing dropped, each record a victim the
harness started and the kernel killed; the module's counters agree."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail, main  # noqa: E402
from stress_lib import (check_stress_common, figures, killed,  # noqa: E402
                        segments, victim_pids)


def check(r):
    check_stress_common(r)
    s = r.summary()
    n = int(s.get("n", "0"))
    victims = victim_pids(r)
    if n <= 0 or len(victims) != n:
        fail(f"{len(victims)} victims started, expected n={n}")
    events = r.events()
    kills = r.kills()
    segs = segments(events)
    if len(segs) != 1:
        fail(f"{len(segs)} numbered streams, expected one module load")
    dropped = r.total_dropped()
    seqs = [k["seq"] for k in kills]
    oom_events = int(dict(ln.split() for ln in (r.read("t1.memory.events") or "").splitlines()
                          if ln.strip()).get("oom_kill", -1))
    kernel = {pid for pid, _ in killed(r)}
    figures(r, [
        f"stress_kills: {n} OOM kills in {float(s.get('elapsed_s', 0)):.1f} s "
        f"({n / max(float(s.get('elapsed_s', 1)), 0.001):.1f}/s); "
        f"records {len(kills)}, seq {min(seqs, default=0)}..{max(seqs, default=0)}, "
        f"dropped {dropped}; memory.events oom_kill {oom_events}; "
        f"oomprof-read RSS {s.get('reader_rss_kb')} kB, {s.get('reader_fds')} fds",
    ])
    if dropped:
        fail(f"{dropped} records dropped")
    if seqs != list(range(1, n + 1)):
        fail(f"seq of the {len(seqs)} records is not 1..{n}")
    if sorted(k["tgid"] for k in kills) != sorted(victims):
        missing = sorted(set(victims) - {k["tgid"] for k in kills})
        fail(f"records and victims differ; not recorded: {missing[:10]}")
    if oom_events != n:
        fail(f"memory.events oom_kill {oom_events}, expected {n}")
    not_killed = [k["pid"] for k in kills if k["pid"] not in kernel]
    if not_killed:
        fail(f"records of pids the kernel's log does not show killed: {not_killed[:10]}")
    st = r.json("stats.json")
    if st.get("kills_seen") != n or st.get("records_lost") != 0:
        fail(f"module stats kills_seen {st.get('kills_seen')} records_lost "
             f"{st.get('records_lost')}, expected {n} and 0")


main(check)
