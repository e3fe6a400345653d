"""Helpers for the Go scenarios: the gocheck comparer, built once."""
import os
import subprocess

from common import fail

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "..", ".work")


def gocheck_bin():
    out = os.path.join(WORK, "gocheck")
    src = os.path.join(HERE, "gocheck")
    newest = max(os.path.getmtime(os.path.join(src, f)) for f in os.listdir(src))
    if not os.path.exists(out) or os.path.getmtime(out) < newest:
        env = dict(os.environ, GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
                   GOPATH=os.path.join(WORK, "gopath"),
                   GOCACHE=os.path.join(WORK, "gocache"))
        res = subprocess.run(["go", "build", "-o", out, "."], cwd=src, env=env,
                             capture_output=True, text=True)
        if res.returncode:
            fail(f"cannot build gocheck: {res.stderr.strip()[-500:]}")
    return out


def check_captured(k, label, rate=None):
    """The kill record k carries a complete Go capture (at MemProfileRate
    RATE when given) and names the profile written from it."""
    go = k.get("go") or {}
    if go.get("capture") != "complete":
        fail(f"{label}: capture {go}, expected complete")
    if rate is not None and go.get("mem_profile_rate") != rate:
        fail(f"{label}: mem_profile_rate {go.get('mem_profile_rate')}, expected {rate}")
    if not k.get("profile"):
        fail(f"{label}: no profile: {k.get('profile_error')}")


def gocheck(args, label):
    res = subprocess.run([gocheck_bin()] + args, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        print(f"  {label}: {line}")
    if res.returncode:
        problems = [ln for ln in res.stdout.splitlines() if ln.startswith("problem:")]
        fail(f"{label}: {'; '.join(problems)[:1500] or res.stdout[-800:] or res.stderr[-800:]}")
