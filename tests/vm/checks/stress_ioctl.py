#!/usr/bin/env python3
"""stress_ioctl: random ioctls from root and from an unprivileged process
holding a passed descriptor: both sides finish, no splat, no kmemleak
report (debug kernel), the reader survives, and no registration is left
once the fuzzer has exited (its own are dropped at its exit)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import fail, main  # noqa: E402
from stress_lib import check_stress_common, figures  # noqa: E402


def check(r):
    check_stress_common(r)
    s = r.summary()
    n = int(s.get("n", "0"))
    out = (r.read("ioctl.txt") or "").splitlines()
    sides = {ln.split()[0]: ln for ln in out if ln.strip()}
    figures(r, [f"stress_ioctl: seed {s.get('seed')}, {2 * n} ioctls in "
                f"{float(s.get('elapsed_s', 0)):.1f} s"] +
            [f"  {line}" for line in out])
    for side in ("root", "unprivileged"):
        line = sides.get(side, "")
        if f"calls={n} " not in line + " ":
            fail(f"{side} side did not finish {n} calls: {line!r}")
    unpriv = sides["unprivileged"]
    st = r.json("stats.json")
    if st.get("registered") != 0:
        fail(f"{st.get('registered')} registrations left after the fuzzer exited")
    # The kernel's ptrace rule: uid 65534 may not open init's /proc/PID/mem;
    # the module's: its own /proc/self/mem names no other process (ESTALE
    # for a request about pid 1, which the fuzzer makes often).
    if " open_pid1_mem=EACCES" not in unpriv and " open_pid1_mem=EPERM" not in unpriv:
        fail(f"the unprivileged side was not refused init's /proc/1/mem: {unpriv!r}")
    if " ESTALE=" not in unpriv:
        fail(f"the module never refused the unprivileged side a process its mem_fd does not name: {unpriv!r}")


main(check)
