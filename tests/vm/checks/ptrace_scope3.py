#!/usr/bin/env python3
"""ptrace_scope3: with kernel.yama.ptrace_scope 3 the module refuses
registrations and dumps of other processes, oomprof-read -p says why, and
the daemon says it cannot watch a Go program."""
import os
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

SCOPE3 = ("the kernel's ptrace rules do not let oomprof-read read its memory"
          " (opening /proc/{pid}/mem: Operation not permitted):"
          " kernel.yama.ptrace_scope is 3")


def check(r):
    check_common(r)
    if (r.read("ptrace_scope.txt") or "").strip() != "3":
        fail("ptrace_scope was not 3")
    check_bindtest(r, EXPECTED_OK)
    pid = (r.read("go_pid") or "").strip()
    want = SCOPE3.format(pid=pid)
    got = r.read("err_dump.txt") or ""
    if f"pid {pid}: {want}" not in got:
        fail(f"err_dump.txt: expected {want!r}, got {got.strip()!r}")
    log = r.read("reader.log") or ""
    if f"not watching Go process {pid} (victim-gocur): {want}" not in log:
        fail(f"reader.log: no 'not watching Go process {pid}' line saying why: {log[-600:]!r}")


main(check)
