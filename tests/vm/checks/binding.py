#!/usr/bin/env python3
"""binding: a request is bound to the program inspected and allowed only
where ptrace attach would be (progs/bindtest.c reports each check)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

EXPECTED_OK = [
    "the target exec'd and its word is at the old image's address, 0",
    "REGISTER+SET_RATE after an exec is refused with ESTALE",
    "REGISTER after an exec is refused with ESTALE",
    "DUMP after an exec is refused with ESTALE",
    "the new program's word is unchanged (0)",
    "no registration was made",
    "SET_RATE through a read-only /proc/PID/mem gives EBADF",
    "a file that is not /proc/PID/mem gives EINVAL",
    "no file gives EBADF",
    "the new program inspected afresh is registered and written",
    "the new program's word now holds the rate",
    "one registration added",
    "the target exec'd again",
    "the registration of the old program is gone at its exec",
    "its id is unknown to UNREGISTER",
    "registered afresh for the newest program",
    "the target exited cleanly",
]
for who in ("uid 65534 with root's device fd", "user namespace root"):
    EXPECTED_OK += [
        f"{who}: opening the device is refused",
        f"{who}: root's /proc/PID/mem does not open",
        f"{who}: its own /proc/PID/mem opens",
        f"{who}: cannot register a root process",
        f"{who}: cannot write into a root process",
        f"{who}: cannot dump a root process",
        f"{who}: can register itself",
    ]
EXPECTED_OK += [
    "root (with CAP_SYS_ADMIN) in its own user namespace",
    "the child's /proc shows its start time 1000 s later than the host's",
    "in a time namespace: registered with the start time its /proc shows",
    "in a time namespace: a start time one tick off is ESRCH",
    "the time namespace child's checks passed",
    "three dumps at once: two run, the third gets EBUSY",
    "with dump_timeout_ms=1 a dump stops at its deadline, partial",
]


def check_bindtest(r, expected):
    lines = (r.read("bindtest.txt") or "").splitlines()
    bad = [ln for ln in lines if ln.startswith("not ok")]
    if bad:
        fail("; ".join(bad))
    seen = {ln[3:] for ln in lines if ln.startswith("ok ")}
    missing = [e for e in expected if e not in seen]
    if missing:
        fail(f"bindtest never reported: {missing}")


def check(r):
    check_common(r)
    check_bindtest(r, EXPECTED_OK + [
        "a dump buffer larger than the guest's memory fails with ENOMEM"])
    log = r.read("dmesg_bigdump.txt") or ""
    if "dump_max_mb=4095 lowered to 2047" not in log:
        fail("no 'dump_max_mb=4095 lowered to 2047' line in dmesg")
    if "Killed process" in log:
        fail("a dump that could not have its buffer OOM-killed a process")


if __name__ == "__main__":
    main(check)
