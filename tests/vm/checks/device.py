#!/usr/bin/env python3
"""device: the /dev/oomprof contract and oomprof-read's errors for people."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

EXPECTED_OK = [
    "no device node before the module loads",
    "first reader opens",
    "empty non-blocking read gives EAGAIN",
    "poll on an empty device is not readable",
    "second reader gets EBUSY",
    "second O_RDWR opener gets EBUSY",
    "write-only opener allowed beside the reader",
    "GET_VERSION matches this build's header",
    "GET_STATS says mark_victim is attached",
    "unknown ioctl gives ENOTTY",
    "the device is not seekable",
    "a reader can open again after the first closed",
    "root without CAP_SYS_ADMIN gets EPERM",
    "uid 65534 gets EACCES (mode 0600)",
    "poll wakes when a record is queued",
    "read() into a buffer too small for the record gives EINVAL",
    "read() returns exactly one whole OOM kill record",
    "then the device is empty again",
    "detach on the reader's own descriptor gives EINVAL",
    "poll reports EPOLLIN|EPOLLHUP to a detached reader",
    "read() gives ENODEV once nothing is queued",
    "a new reader gets ENODEV while detaching",
    "detach returns 1 once the reader has closed",
    "readers get ENODEV for a while after a detach",
    "detach with no reader returns 0 at once",
]

MESSAGES = {
    "err_nodev.txt": "/dev/oomprof: no such device — load the module: sudo modprobe oomprof",
    "err_nodev_wait.txt": "/dev/oomprof: no such device — waiting for the module: sudo modprobe oomprof",
    "err_nobody.txt": "/dev/oomprof: permission denied — run as root",
    "err_busy.txt": "/dev/oomprof: busy — another oomprof-read is already reading it",
}


def check(r):
    check_common(r)
    lines = (r.read("devtest.txt") or "").splitlines()
    bad = [ln for ln in lines if ln.startswith("not ok")]
    if bad:
        fail("; ".join(bad))
    seen = {ln[3:] for ln in lines if ln.startswith("ok ")}
    missing = [e for e in EXPECTED_OK if e not in seen]
    if missing:
        fail(f"devtest never reported: {missing}")
    for name, want in MESSAGES.items():
        got = r.read(name) or ""
        if want not in got:
            fail(f"{name}: expected {want!r}, got {got.strip()!r}")


main(check)
