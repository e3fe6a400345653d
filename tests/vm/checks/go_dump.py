#!/usr/bin/env python3
"""go_dump: oomprof-read -p of a quiet Go process equals the process's own
runtime/pprof heap profile, sample for sample, at rate 1 and at the default
rate, for Go 1.19, current Go and a PIE; and its errors say what is wrong."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402
from gocommon import gocheck  # noqa: E402

ERRORS = {
    "err_nopid.txt": "pid 999999: no such process",
    "err_notgo.txt": "not a Go program",
    "err_rate0.txt": "memory profiling disabled in this binary",
    "err_exited.txt": "no such process",
}


def check(r):
    check_common(r)
    for tag in ("go119", "gocur", "gocurpie"):
        for rate in ("1", "524288"):
            path = (r.read(f"dump-{tag}-{rate}.path") or "").strip()
            if not path:
                fail(f"victim-{tag} rate {rate}: no dump: {(r.read('dump.log') or '')[-400:]}")
            dump = os.path.join(r.dir, f"dump-{tag}-{rate}", os.path.basename(path))
            gocheck(["-self", os.path.join(r.dir, f"self-{tag}-{rate}.pb.gz"), "-oom", dump,
                     "-sites", "main.retainSmall,main.inlinedAlloc,main.deep" if rate == "1" else "",
                     "-exact", "-same", "-leak", ""], f"victim-{tag} rate {rate}")
    for name, want in ERRORS.items():
        got = r.read(name) or ""
        if want not in got:
            fail(f"{name}: expected {want!r}, got {got.strip()!r}")


main(check)
