#!/usr/bin/env python3
"""go_default_rate: at MemProfileRate 512 KiB the leaking site's scaled
inuse_space is within 15% of the bytes the victim reports retaining."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402
from gocommon import gocheck  # noqa: E402


def check(r):
    check_common(r)
    for tag in ("go119", "gocur"):
        k = [k for k in r.kills() if k["comm"] == f"victim-{tag}"]
        if len(k) != 1 or not k[0].get("profile"):
            fail(f"victim-{tag}: no single kill with a profile: {k}")
        k = k[0]
        if (k.get("go") or {}).get("mem_profile_rate") != 524288:
            fail(f"victim-{tag}: mem_profile_rate {k.get('go')}")
        leaked = int((r.read(f"progress-{tag}") or "0").split()[-1])
        oom = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
        # The retained sites are tiny next to the sampling rate: only the
        # leak is checked here, against the victim's own count.
        gocheck(["-self", os.path.join(r.dir, f"self-{tag}.pb.gz"), "-oom", oom,
                 "-sites", "", "-leak", "main.leakChunk",
                 "-leak-bytes", str(leaked), "-tol", "0.15"], f"victim-{tag}")


main(check)
