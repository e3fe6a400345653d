#!/usr/bin/env python3
"""oom_context: each kill record's context against the kernel's own view.

The memcg kill's domain memory against the cgroup's memory.* files read
after the kill (memory.max, memory.events' oom_kill exactly; usage at the
limit); the machine's total RAM against /proc/meminfo. The ranked list of
both kills against the kernel's dump_tasks lines in dmesg (pid, tgid, rss,
oom_score_adj) for the processes both show: the victim first, every
holder in it, and no process the kernel ranks above the list's last entry
left out."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, warn, check_show, dump_blocks  # noqa: E402

KB_PER_PAGE = 4


def holders(r, tag):
    out = {}
    for line in (r.read(f"holders.{tag}") or "").splitlines():
        pid, mib, adj = (int(x) for x in line.split())
        out[pid] = (mib, adj)
    if len(out) != 3:
        fail(f"holders.{tag}: {len(out)} holders, expected 3")
    return out


def rss_pages(t):
    return (t["anon_rss_kb"] + t["file_rss_kb"] + t["shmem_rss_kb"]) // KB_PER_PAGE


def check_tasks(r, k, dump, hold, label):
    tasks = k.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        fail(f"{label}: no ranked tasks in the record: {k.get('tasks')!r}")
    if len(tasks) > 10:
        fail(f"{label}: {len(tasks)} tasks, more than top_tasks (10)")
    if k["tasks_truncated"]:
        fail(f"{label}: walk truncated after {k['tasks_walked']} processes")
    first = tasks[0]
    if not first["victim"] or first["tgid"] != k["tgid"]:
        fail(f"{label}: the victim {k['pid']} is not ranked first: {tasks[0]}")
    if sum(1 for t in tasks if t["victim"]) != 1:
        fail(f"{label}: not exactly one task marked victim")
    total = k["oom_totalpages"]
    prev = None
    for i, t in enumerate(tasks):
        want = None
        if t["badness"] is not None:
            want = (rss_pages(t) + t["swap_kb"] // KB_PER_PAGE +
                    t["pgtables_kb"] // KB_PER_PAGE +
                    t["oom_score_adj"] * (total // 1000))
            if t["badness"] != want:
                fail(f"{label}: task {t['pid']} badness {t['badness']} "
                     f"!= oom_badness of its own numbers {want}")
        elif t["oom_score_adj"] != -1000:
            warn(f"{label}: task {t['pid']} unkillable at adj {t['oom_score_adj']}")
        b = t["badness"] if t["badness"] is not None else -(1 << 63)
        if prev is not None and b > prev:
            fail(f"{label}: task {i} ({t['pid']}) ranks above its predecessor")
        prev = b
    listed = {t["tgid"]: t for t in tasks}
    for pid, (mib, adj) in hold.items():
        if pid not in listed:
            fail(f"{label}: holder {pid} ({mib} MiB, adj {adj}) not ranked: "
                 f"{[(t['pid'], t['comm']) for t in tasks]}")
        t = listed[pid]
        if t["oom_score_adj"] != adj or t["victim"]:
            fail(f"{label}: holder {pid}: adj {t['oom_score_adj']} victim "
                 f"{t['victim']}, expected {adj}, false")
        # 6.1 syncs a task's rss counts into its mm every 64 faults:
        # up to 63 pages of the holder's may not show yet.
        if t["anon_rss_kb"] < mib * 1024 - 64 * 4:
            fail(f"{label}: holder {pid} anon_rss_kb {t['anon_rss_kb']} "
                 f"below the {mib} MiB it touched")
    # The oracle: the kernel's dump_tasks lines of this OOM.
    both = 0
    for t in tasks:
        d = dump.get(t["pid"])
        if d is None:
            warn(f"{label}: task {t['pid']} ({t['comm']}) not in dump_tasks "
                 "(started after it?)")
            continue
        both += 1
        if d["tgid"] != t["tgid"] or d["oom_score_adj"] != t["oom_score_adj"] \
                or d["uid"] != t["uid"]:
            fail(f"{label}: task {t['pid']}: tgid/adj/uid {t['tgid']}/"
                 f"{t['oom_score_adj']}/{t['uid']}, dump_tasks says "
                 f"{d['tgid']}/{d['oom_score_adj']}/{d['uid']}")
        slack = 64 if t["victim"] or t["tgid"] in hold else \
            max(64, d["rss"] // 10)
        if abs(rss_pages(t) - d["rss"]) > slack:
            fail(f"{label}: task {t['pid']} ({t['comm']}) rss {rss_pages(t)} "
                 f"pages, dump_tasks says {d['rss']}")
        if d["pgtables_bytes"] // 1024 != t["pgtables_kb"] and \
                (t["victim"] or t["tgid"] in hold):
            fail(f"{label}: task {t['pid']} pgtables_kb {t['pgtables_kb']}, "
                 f"dump_tasks says {d['pgtables_bytes']} bytes")
    if both < 1 + len(hold):
        fail(f"{label}: only {both} ranked tasks in dump_tasks")
    # Nobody the kernel ranks clearly above the list's last entry left out.
    if len(tasks) == 10 and tasks[-1]["badness"] is not None:
        floor = tasks[-1]["badness"]
    else:
        floor = None
    for pid, d in dump.items():
        if d["tgid"] in listed or d["oom_score_adj"] == -1000:
            continue
        b = d["rss"] + d["swapents"] + d["pgtables_bytes"] // 4096 + \
            d["oom_score_adj"] * (total // 1000)
        if floor is None or b > floor + max(64, floor // 10):
            fail(f"{label}: dump_tasks' {pid} ({d['comm']}, badness {b}) "
                 f"missing from the ranked list")


def meminfo_kb(r, key):
    m = re.search(rf"^{key}:\s+(\d+) kB", r.read("meminfo.before") or "", re.M)
    if not m:
        fail(f"meminfo.before has no {key}")
    return int(m.group(1))


def check_system(k, r, label, global_oom):
    s = (k.get("oom_domain") or {}).get("system")
    if not s:
        fail(f"{label}: no system memory in oom_domain: {k.get('oom_domain')!r}")
    if s["ram_total_bytes"] != meminfo_kb(r, "MemTotal") * 1024:
        fail(f"{label}: ram_total_bytes {s['ram_total_bytes']} != MemTotal")
    if not 0 <= s["ram_free_bytes"] <= s["ram_total_bytes"] or \
            not 0 <= s["ram_available_bytes"] <= s["ram_total_bytes"]:
        fail(f"{label}: free/available out of range: {s}")
    if global_oom:
        if s["ram_available_bytes"] > s["ram_total_bytes"] // 5:
            fail(f"{label}: {s['ram_available_bytes']} bytes available at a "
                 f"global OOM, over a fifth of RAM")
        if s["swap_total_bytes"] != meminfo_kb(r, "SwapTotal") * 1024:
            fail(f"{label}: swap_total_bytes {s['swap_total_bytes']} != SwapTotal")


def read_int(r, name):
    text = (r.read(name) or "").strip()
    if not text:
        fail(f"{name} missing")
    return None if text == "max" else int(text)


def check_memcg(k, r):
    m = (k.get("oom_domain") or {}).get("memcg")
    if not m:
        fail(f"memcg: no memcg in oom_domain: {k.get('oom_domain')!r}")
    mx = read_int(r, "ctx.memory.max")
    if m["max_bytes"] != mx:
        fail(f"memcg: max_bytes {m['max_bytes']} != memory.max {mx}")
    if m["high_bytes"] != read_int(r, "ctx.memory.high"):
        fail(f"memcg: high_bytes {m['high_bytes']} != memory.high")
    if not mx - 4 * 1024 * 1024 <= m["usage_bytes"] <= mx:
        fail(f"memcg: usage_bytes {m['usage_bytes']} not at memory.max {mx}")
    if r.read("ctx.memory.peak") is not None:
        peak = read_int(r, "ctx.memory.peak")
        if not m["usage_bytes"] <= m["peak_bytes"] <= peak:
            fail(f"memcg: peak_bytes {m['peak_bytes']} not between usage "
                 f"{m['usage_bytes']} and memory.peak {peak}")
    if r.read("ctx.memory.swap.max") is not None:
        if m["swap_max_bytes"] != read_int(r, "ctx.memory.swap.max"):
            fail(f"memcg: swap_max_bytes {m['swap_max_bytes']} != memory.swap.max")
    ev = dict(line.split() for line in
              (r.read("ctx.memory.events") or "").splitlines())
    ev = {key: int(v) for key, v in ev.items()}
    if "oom_kill" not in ev:
        fail(f"ctx.memory.events unreadable: {ev}")
    if m["events"]["oom_kill"] != ev["oom_kill"] or ev["oom_kill"] != 1:
        fail(f"memcg: oom_kill {m['events']['oom_kill']}, memory.events "
             f"says {ev['oom_kill']} after the one kill")
    for key in ("low", "high", "max", "oom", "oom_group_kill"):
        if key in ev and not 0 <= m["events"][key] <= ev[key]:
            fail(f"memcg: events.{key} {m['events'][key]} not within "
                 f"memory.events' {ev[key]} read after the kill")
    if m["events"]["oom"] < 1:
        fail("memcg: events.oom is 0 at an OOM kill")


def check(r):
    check_common(r)
    check_show(r)
    kills = r.kills()
    victims = [int(x) for x in (r.read("victim_pids") or "").split()]
    if len(victims) != 2 or len(kills) != 2:
        fail(f"{len(kills)} oom_kill lines for victims {victims}, expected 2")
    for pid, comm in r.killed():
        if pid not in victims:
            fail(f"the kernel killed {pid} ({comm}), not a hog {victims}")
    blocks = dump_blocks(r.dmesg)
    for k, victim, label, tag in ((kills[0], victims[0], "memcg", "memcg"),
                                  (kills[1], victims[1], "global", "global")):
        match_dmesg(r, k)
        if k["tgid"] != victim:
            fail(f"{label}: record of {k['tgid']}, the hog was {victim}")
        if k["constraint"] != label:
            fail(f"{label}: constraint {k['constraint']!r}")
        if victim not in blocks:
            fail(f"{label}: no dump_tasks block before the kill of {victim} "
                 "in dmesg (vm.oom_dump_tasks=1)")
        check_system(k, r, label, label == "global")
        if label == "memcg":
            check_memcg(k, r)
        elif (k.get("oom_domain") or {}).get("memcg") is not None:
            fail("global: a memcg in oom_domain")
        check_tasks(r, k, blocks[victim][1], holders(r, tag), label)
        print(f"{label}: {len(k['tasks'])} ranked, walked "
              f"{k['tasks_walked']} in {k['tasks_walk_ns']} ns; "
              f"{len(blocks[victim][1])} in dump_tasks")
    if r.total_dropped() != 0:
        fail(f"{r.total_dropped()} records dropped")


main(check)
