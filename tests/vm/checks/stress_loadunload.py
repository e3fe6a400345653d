#!/usr/bin/env python3
"""stress_loadunload: N detach-and-unload cycles while OOM kills keep
coming. No splat; every load's device appeared with the probes attached;
per load the numbered stream is gapless; and every kill a module saw is
recorded or counted: over all loads, the numbers the modules gave
(records and losses, from their unload lines) equal the records read plus
the losses reported plus what each module said it left unread or
unreported; kills dropped in flight at an unload are counted in its line.
Every record names a process the kernel killed, once."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_summary, fail, main  # noqa: E402
from stress_lib import (check_stress_common, figures, killed,  # noqa: E402
                        segments, unloads, victim_pids)


def check(r):
    check_stress_common(r)
    s = r.summary()
    n = int(s.get("n", "0"))
    check_summary(r, {"unloads_ok": str(n), "final_rmmod": "ok"})
    ups = unloads(r)
    if len(ups) != n + 1:
        fail(f"{len(ups)} 'oomprof: unloading' lines, expected {n + 1}")
    events = r.events()
    kills = r.kills()
    segs = segments(events)
    if len(segs) > n + 1:
        fail(f"{len(segs)} numbered streams for {n + 1} loads")
    last = sum(seg[-1]["seq"] for seg in segs)
    reported_lost = r.total_dropped()
    numbered = sum(u["numbered"] for u in ups)
    unread = sum(u["unread"] for u in ups)
    unreported = sum(u["unreported"] for u in ups)
    seen = sum(u["seen"] for u in ups)
    dropped = sum(u["dropped"] for u in ups)
    kernel = killed(r)
    kernel_pids = {pid for pid, _ in kernel}
    victims = victim_pids(r)
    devwatch = (r.read("devwatch.txt") or "").splitlines()
    figures(r, [
        f"stress_loadunload: {n} unload/load cycles; {len(victims)} hogs started, "
        f"{len(kernel)} OOM kills in the kernel log, {seen} seen by a module: "
        f"{len(kills)} recorded, {reported_lost} lost and reported, "
        f"{unread} unread and {unreported} unreported at unload, "
        f"{dropped} dropped in flight at unload; "
        f"{len(kernel) - seen} while no module was loaded",
    ])
    if last + unread + unreported != numbered:
        fail(f"the modules numbered {numbered} (records and losses); "
             f"read {last} by the last seq of each load + {unread} unread + "
             f"{unreported} unreported = {last + unread + unreported}")
    if len(kills) + reported_lost != last:
        fail(f"{len(kills)} records + {reported_lost} losses != {last}, the seq read")
    if numbered > seen:
        fail(f"the modules numbered {numbered} records and losses for {seen} kills")
    if seen > len(kernel):
        fail(f"the modules saw {seen} kills, the kernel logged {len(kernel)}")
    pids = [k["pid"] for k in kills]
    if len(set(pids)) != len(pids):
        fail("a kill was recorded twice")
    stray = [p for p in pids if p not in kernel_pids]
    if stray:
        fail(f"records of pids the kernel did not kill: {stray[:10]}")
    bad = [ln for ln in devwatch if "probes 0x" not in ln]
    if len(devwatch) != n + 1 or bad:
        fail(f"devwatch: {len(devwatch)} lines for {n + 1} loads; {bad[:2]}")


main(check)
