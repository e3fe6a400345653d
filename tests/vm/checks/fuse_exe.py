#!/usr/bin/env python3
"""fuse_exe: a Go program run from FUSE (a server that stalls only
oomprof-read's reads) is recorded without a profile and oomprof-read says
once why; it never read the file (the server saw no read from it); a Go
program from an ordinary file afterwards gets its profile."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg  # noqa: E402


def check(r):
    check_common(r)
    s = r.summary()
    kills = {k["tgid"]: k for k in r.kills()}
    fuse, plain = int(s.get("fuse", 0)), int(s.get("plain", 0))
    held = [ln for ln in (r.read("fusehang.out") or "").splitlines()
            if ln.startswith("read pid")]
    if held:
        fail(f"the FUSE server held reads of oomprof-read: {held[:3]}")
    if fuse not in kills:
        fail(f"no record of the FUSE victim {fuse}")
    k = kills[fuse]
    match_dmesg(r, k)
    if k.get("go") is not None or k.get("profile"):
        fail(f"the FUSE victim was registered or profiled: go={k.get('go')} profile={k.get('profile')}")
    log = r.read("reader.log") or ""
    said = [ln for ln in log.splitlines() if "on a FUSE file system" in ln]
    if len(said) != 1:
        fail(f"oomprof-read said {len(said)} times that it skips FUSE: {said[:3]}")
    if plain not in kills:
        fail(f"no record of the plain victim {plain}")
    k = kills[plain]
    go = k.get("go") or {}
    if go.get("capture") != "complete" or not k.get("profile"):
        fail(f"the plain victim after the FUSE one: capture {go.get('capture')!r}, profile {k.get('profile')!r}")
    path = os.path.join(r.dir, "r", os.path.basename(k["profile"]))
    if not os.path.isfile(path):
        fail(f"{path} missing")


main(check)
