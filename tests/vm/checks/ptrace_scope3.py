#!/usr/bin/env python3
"""ptrace_scope3: with kernel.yama.ptrace_scope 3 the module refuses
registrations and dumps of other processes, oomprof-read -p says why, and
the daemon says it cannot watch a Go program."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from binding import check_bindtest  # noqa: E402
from common import check_common, fail, main  # noqa: E402

EXPECTED_OK = [
    "device opens",
    "ptrace_scope 3: root cannot open its child's /proc/PID/mem",
    "ptrace_scope 3: its own /proc/PID/mem opens",
    "ptrace_scope 3: cannot register another process",
    "ptrace_scope 3: cannot dump another process",
    "ptrace_scope 3: can register itself",
]

# mm_access() turns Yama's EPERM into EACCES: the errno text is not pinned.
SCOPE3 = re.compile(
    r"the kernel's ptrace rules do not let oomprof-read read its memory"
    r" \(opening /proc/{pid}/mem: [^)]*\): kernel\.yama\.ptrace_scope is 3,"
    r" which forbids reading any other process's memory")


def check(r):
    check_common(r)
    if (r.read("ptrace_scope.txt") or "").strip() != "3":
        fail("ptrace_scope was not 3")
    check_bindtest(r, EXPECTED_OK)
    pid = (r.read("go_pid") or "").strip()
    if not pid.isdigit():
        fail("no go_pid")
    want = SCOPE3.pattern.replace("{pid}", pid)
    got = r.read("err_dump.txt") or ""
    if not re.search(rf"pid {pid}: " + want, got):
        fail(f"err_dump.txt: expected /{want}/, got {got.strip()!r}")
    log = r.read("reader.log") or ""
    if not re.search(rf"not watching Go process {pid} \(victim-gocur\): " + want, log):
        fail(f"reader.log: no 'not watching Go process {pid}' line saying why: {log[-600:]!r}")


main(check)
