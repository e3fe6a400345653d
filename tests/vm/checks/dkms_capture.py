#!/usr/bin/env python3
"""dkms_capture: the module the guest loaded through modules-load.d is the
.ko `dkms install` put in the host's private install tree (same file,
srcversion, build id and vermagic, from the dkms install path), and with it
and the unit's oomprof-read two Go victims' OOM kills give heap profiles
that match the victims' own, frame for frame."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, one_kill  # noqa: E402
from gocommon import check_captured, gocheck  # noqa: E402

SITES = "main.retainSmall,main.inlinedAlloc,main.deep"
TAGS = ("go119", "gocur")
# Every one must be present and equal on both sides.
IDENTITY = ("path", "srcversion", "build_id", "vermagic", "sha256")


def keyvals(r, name):
    text = r.read(name)
    if text is None:
        fail(f"{name} missing")
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def check_identity(r):
    want = keyvals(r, "dkms_expected.txt")
    got = keyvals(r, "dkms_loaded.txt")
    for key in IDENTITY:
        if not want.get(key):
            fail(f"dkms_expected.txt has no {key} (run.sh writes it from the dkms tree)")
        if got.get(key) != want[key]:
            fail(f"loaded module's {key} {got.get(key)!r} != the dkms-installed "
                 f"one's {want[key]!r}: the guest did not load the .ko dkms built")
    kver = got.get("kver", "")
    if not want["path"].startswith(f"/lib/modules/{kver}/updates/dkms/oomprof.ko"):
        fail(f"loaded from {want['path']}, not the dkms install path "
             f"/lib/modules/{kver}/updates/dkms/")
    if not want["vermagic"].startswith(kver + " "):
        fail(f"vermagic {want['vermagic']!r} is not for the running kernel {kver}")


def check(r):
    check_common(r)
    check_identity(r)
    kills = r.kills()
    if len(kills) != len(TAGS):
        fail(f"{len(kills)} oom_kill lines, expected {len(TAGS)}")
    for tag in TAGS:
        k = one_kill(kills, f"victim-{tag}")
        match_dmesg(r, k)
        check_captured(k, f"victim-{tag}")
        # The unit's StateDirectory: the daemon ran as the unit says.
        if not k["profile"].startswith("/var/lib/oomprof/"):
            fail(f"victim-{tag}: profile {k['profile']} not in /var/lib/oomprof")
        name = os.path.basename(k["profile"])
        oom = os.path.join(r.dir, "r", name)
        if not os.path.isfile(oom):
            fail(f"victim-{tag}: profile {name} not among the results")
        self_prof = os.path.join(r.dir, f"self-{tag}.pb.gz")
        gocheck(["-self", self_prof, "-oom", oom, "-sites", SITES,
                 "-leak", "main.leakChunk", "-exact"], f"victim-{tag}")


main(check)
