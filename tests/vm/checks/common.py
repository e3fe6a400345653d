"""Shared helpers of the host-side checkers (python3, stdlib only).

A checker is run as `checks/NAME.py RESULTS_DIR`. It prints optional
"WARN: ..." lines, and on failure a one-line reason as its LAST line of
output, exiting 1; on success it prints "ok" last and exits 0. run.sh shows
the last line as the FAIL reason.
"""

import json
import os
import re
import sys


class CheckFailed(Exception):
    pass


def fail(msg):
    raise CheckFailed(msg)


def warn(msg):
    print("WARN: " + msg)




def sigkill(k):
    """Nanoseconds from mark_victim to the victim taking its SIGKILL."""
    return k.get("sigkill_after_ns")


# Kernel log markers that mean something went wrong in the kernel, whatever
# the scenario. Case matters: "not a bug" lines are normal boot noise.
BAD_KERNEL_PATTERNS = [
    (re.compile(r"\bBUG\b"), "BUG"),
    (re.compile(r"\bWARNING\b"), "WARNING"),
    (re.compile(r"\bOops\b"), "Oops"),
    (re.compile(r"general protection"), "general protection"),
    (re.compile(r"\bKASAN\b"), "KASAN"),
    # The word, not lockdep_*() frames in the debug kernel's OOM reports'
    # stack dumps, nor its boot banner "RCU lockdep checking is enabled".
    (re.compile(r"\blockdep\b(?! checking is enabled)"), "lockdep"),
    # Lockdep found something and switched itself off.
    (re.compile(r"turning off the locking correctness validator"),
     "lockdep"),
    (re.compile(r"sleeping function called from invalid context"),
     "sleeping function called from invalid context"),
]

KILLED_RE = re.compile(r"Killed process (\d+) \((.*?)\) total-vm")

KILL_KEYS = [
    "type", "time", "pid", "tgid", "comm", "uid", "cgroup", "constraint",
    "oom_cgroup", "total_vm_kb", "anon_rss_kb", "file_rss_kb", "shmem_rss_kb",
    "oom_score_adj", "trigger", "parents", "dropped", "profile",
    "sigkill_after_ns",
]

RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class Results:
    def __init__(self, d):
        self.dir = d
        self.exit_code = self._read("exit_code")
        self.error = self._read("error") or ""
        self.init_errors = self._read("init_errors") or ""
        self.dmesg = self._read("dmesg.txt") or ""
        self._events = {}

    def path(self, name):
        return os.path.join(self.dir, name)

    def _read(self, name):
        try:
            with open(self.path(name), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def read(self, name):
        return self._read(name)

    def json(self, name):
        text = self._read(name)
        if text is None:
            fail(f"{name} missing")
        try:
            return json.loads(text)
        except ValueError as e:
            fail(f"{name} is not one JSON object ({e}): {text[:200]!r}")

    def killed(self):
        """The kernel's own "Killed process PID (COMM)" lines: [(pid, comm)]."""
        return [(int(m.group(1)), m.group(2))
                for m in KILLED_RE.finditer(self.dmesg)]

    def events(self, rel="r/events.jsonl"):
        """Every line of the reader's output (REL: events.jsonl or a file it
        was rotated to), parsed; fails on a bad line."""
        if rel in self._events:
            return self._events[rel]
        text = self._read(rel)
        if text is None:
            fail(f"{rel} missing (reader wrote nothing)")
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                fail(f"{rel}:{n}: empty line")
            try:
                obj = json.loads(line)
            except ValueError as e:
                fail(f"{rel}:{n}: not JSON ({e}): {line[:120]!r}")
            if not isinstance(obj, dict):
                fail(f"{rel}:{n}: not a JSON object")
            out.append(obj)
        self._events[rel] = out
        return out

    def summary(self):
        """The scenario's key=value lines ($R/summary) as a dict."""
        out = {}
        for line in (self._read("summary") or "").splitlines():
            key, _, value = line.partition("=")
            out[key] = value
        return out

    def kills(self):
        kills = [e for e in self.events() if e.get("type") == "oom_kill"]
        for k in kills:
            check_kill_shape(k)
        return kills

    def total_dropped(self):
        """Records lost: the sum of "dropped" over every line, kill lines and
        {"type": "lost"} notices alike."""
        total = 0
        for e in self.events():
            d = e.get("dropped", 0)
            if d is None:
                d = 0
            if not isinstance(d, int) or d < 0:
                fail(f"bad dropped value {d!r} in {e}")
            total += d
        return total


def check_kill_shape(k):
    missing = [key for key in KILL_KEYS if key not in k]
    if missing:
        fail(f"oom_kill line lacks {missing}: {json.dumps(k)[:300]}")
    if not isinstance(k["time"], str) or not RFC3339_RE.match(k["time"]):
        fail(f"time {k['time']!r} is not RFC 3339")
    for key in ("pid", "tgid", "uid", "total_vm_kb", "anon_rss_kb",
                "file_rss_kb", "shmem_rss_kb", "oom_score_adj", "dropped"):
        if not isinstance(k[key], int):
            fail(f"{key} is not an integer: {k[key]!r}")
    if not isinstance(k["parents"], list):
        fail(f"parents is not a list: {k['parents']!r}")
    for p in k["parents"] + [k["trigger"]]:
        if not isinstance(p, dict) or not isinstance(p.get("pid"), int) \
                or not isinstance(p.get("comm"), str):
            fail(f"bad task entry {p!r}")
    if k["constraint"] not in ("memcg", "global", "cpuset", "mempolicy",
                               "unknown"):
        fail(f"constraint {k['constraint']!r} is not one of the defined values")


def check_common(r):
    """What every scenario needs: the guest finished its scenario with 0 and
    the kernel logged nothing alarming. A kernel complaint is reported first:
    it is the likelier cause of a scenario failure than the reverse."""
    scenario_msg = r.error.strip().replace("\n", "; ")
    if r.exit_code is None:
        fail("no exit_code in results (guest did not run its scenario?)")
    bad = dmesg_problem(r) or kmemleak_problem(r)
    if bad:
        fail(bad + (f" [scenario: {scenario_msg}]" if scenario_msg else ""))
    if r.init_errors.strip():
        fail("guest init: " + r.init_errors.strip().replace("\n", "; ")
             + (f" [scenario: {scenario_msg}]" if scenario_msg else ""))
    if r.exit_code.strip() != "0":
        fail(f"guest scenario exited {r.exit_code.strip()}: "
             + (scenario_msg or "(no message)"))


# The kernel's OOM report (vm.oom_dump_tasks=1, the default):
TS_RE = re.compile(r"^(<\d+>)?\[\s*\d+\.\d+\]\s?")
# [  pid  ]   uid  tgid total_vm      rss [rss_anon rss_file rss_shmem]
#   pgtables_bytes swapents oom_score_adj name
TASK_RE = re.compile(r"^\[\s*(\d+)\]\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+"
                     r"((?:\d+\s+)*)(-?\d+)\s+(\d+)\s+(-?\d+)\s+(\S.*)$")
SUMMARY_RE = re.compile(r"oom-kill:constraint=(\w+),.*,pid=(\d+),uid=\d+")


def dump_blocks(dmesg):
    """{victim pid: (constraint, {pid: dump task})} from dump_tasks lines."""
    blocks, cur = {}, None
    for raw in dmesg.splitlines():
        line = TS_RE.sub("", raw).strip()
        if line.startswith("Tasks state (memory values in pages)"):
            cur = {}
            continue
        m = SUMMARY_RE.search(line)
        if m and cur is not None:
            blocks[int(m.group(2))] = (m.group(1), cur)
            cur = None
            continue
        if cur is None:
            continue
        m = TASK_RE.match(line)
        if m:
            extra = m.group(6).split()
            cur[int(m.group(1))] = {
                "pid": int(m.group(1)), "uid": int(m.group(2)),
                "tgid": int(m.group(3)), "rss": int(m.group(5)),
                # 6.1: pgtables_bytes swapents; 6.12: rss_anon rss_file
                # rss_shmem before them.
                "pgtables_bytes": int(m.group(7)), "swapents": int(m.group(8)),
                "oom_score_adj": int(m.group(9)), "comm": m.group(10),
                "extra": extra,
            }
    return blocks


def show_report(lines, first, count=40):
    """The lines of a kernel report, as WARN lines run.sh passes on."""
    for line in lines[first:first + count]:
        warn("| " + line.rstrip()[:200])


def dmesg_problem(r):
    lines = r.dmesg.splitlines()
    for i, line in enumerate(lines):
        for rx, name in BAD_KERNEL_PATTERNS:
            if rx.search(line):
                show_report(lines, max(0, i - 2))
                return f"dmesg has {name}: {line.strip()[:200]}"
    return None


def kmemleak_problem(r):
    """The guest init scans for leaks after the scenario on kernels with
    kmemleak (the debug kernel) and leaves the report in kmemleak.txt;
    objects leaked before the scenario were cleared before it ran."""
    text = r.read("kmemleak.txt")
    if not text or not text.strip():
        return None
    lines = text.splitlines()
    show_report(lines, 0)
    n = text.count("unreferenced object")
    return (f"kmemleak: {n} unreferenced object(s) after the scenario: "
            f"{lines[0].strip()[:160]}")


def check_summary(r, expect):
    """Every key of EXPECT has its value in the scenario's summary."""
    summary = r.summary()
    for key, want in expect.items():
        if summary.get(key) != want:
            fail(f"summary {key}={summary.get(key)!r}, expected {want!r}")
    return summary


def one_kill(kills, comm):
    """The one kill record of the process named COMM."""
    k = [k for k in kills if k["comm"] == comm]
    if len(k) != 1:
        fail(f"no single kill record for {comm}: {[x['comm'] for x in kills]}")
    return k[0]


def match_dmesg(r, k):
    """The kill line k names the process the kernel killed."""
    killed = dict(r.killed())
    if k["pid"] not in killed:
        fail(f"record pid {k['pid']} ({k['comm']}) not among dmesg's "
             f"Killed process lines {r.killed()}")
    if killed[k["pid"]] != k["comm"]:
        fail(f"record comm {k['comm']!r} != dmesg's {killed[k['pid']]!r} "
             f"for pid {k['pid']}")


def show_reports(r, rel="r/events.jsonl"):
    """`oomprof-read --show FILE --last 0` (the host's build) on the
    scenario's events: the text of each kill's report, in order."""
    import subprocess
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "..", "..", "user", "oomprof-read")
    res = subprocess.run([exe, "--show", r.path(rel), "--last", "0"],
                         capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        fail(f"oomprof-read --show exited {res.returncode}: {res.stderr.strip()[:300]}")
    blocks = re.split(r"\n(?=OOM kill \d+ of \d+: )", res.stdout)
    return [b for b in blocks if b.startswith("OOM kill ")]


def check_show(r, rel="r/events.jsonl"):
    """Each kill's --show report states the facts of its record (which the
    checker holds against the kernel's own log): the victim, its cgroup,
    the OOM domain's lines where the record has them, the victim's row in
    the ranked processes with its badness, its mappings (the walk, each
    kind's count, the most resident ones at their addresses), and the top
    allocation sites of a Go victim's profile."""
    kills = r.kills()
    reports = show_reports(r, rel)
    if len(reports) != len(kills):
        fail(f"--show printed {len(reports)} kill reports for {len(kills)} kills")
    for k, rep in zip(kills, reports):
        want = [f"  victim      pid {k['pid']} ({k['comm']})",
                f"  cgroup      {k['cgroup']}"]
        dom = k.get("oom_domain") or {}
        if dom.get("memcg"):
            want.append("  memcg       in use ")
        if dom.get("system"):
            want.append("  machine     RAM ")
        for t in k.get("tasks") or []:
            if t.get("victim"):
                want.append(re.compile(rf"^ +{t['pid']} .* {t['badness']}  <- killed$", re.M))
        maps = k.get("mappings")
        if maps:
            want.append(f"  mappings    {maps['vmas']} walked {maps['path']} ")
            for kind, t in (maps.get("totals") or {}).items():
                mapping = "mapping" if t["count"] == 1 else "mappings"
                want.append(re.compile(rf"^    {kind} +\S+ \S+ resident in "
                                       rf"{t['count']} {mapping} of ", re.M))
            for m in (maps.get("top") or [])[:3]:
                want.append(re.compile(rf"^    {re.escape(m['start'])} .* {m['kind']} ", re.M))
        if k.get("profile") and k.get("go", {}).get("buckets"):
            want.append("allocation sites (inuse_space")
        for w in want:
            ok = w.search(rep) if isinstance(w, re.Pattern) else w in rep
            if not ok:
                fail(f"--show's report of pid {k['pid']} lacks "
                     f"{getattr(w, 'pattern', w)!r}: {rep[:600]!r}")


def main(check):
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} RESULTS_DIR", file=sys.stderr)
        sys.exit(2)
    r = Results(sys.argv[1])
    try:
        check(r)
    except CheckFailed as e:
        print(str(e).replace("\n", " "))
        sys.exit(1)
    print("ok")
    sys.exit(0)
