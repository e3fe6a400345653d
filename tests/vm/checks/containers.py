#!/usr/bin/env python3
"""containers: a hog OOM-killed in a real cgroup of each container layout.

Oracles: the cgroup the guest made for each victim ($R/layouts), which must
be where the kernel says the victim was (dmesg's oom-kill line,
task_memcg=, and the record's cgroup); and, for each layout, the fields
that its runtime's and the kubelet's naming mean, derived here from the
layout's own description and the pod UID and container id in the path the
guest made. The forged layout (kubelet names below a delegated user
subtree) must get no attribution; the path too long for the record must be
attributed to its pod only, marked truncated; the kubelet log tree the
guest made names pod 1 and its container and pod 2.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main, match_dmesg, check_show  # noqa: E402


def uid(n):
    return f"1a2b3c4d-000{n}-4e6f-8a9b-0c1d2e3f4a5b"


def cid(n):
    return "0123456789abcdef" * 3 + f"0123456789abcd0{n}"


P = "k" * 20

# name: (path as the guest must have made it, expected "container" object
# or None). Keys not listed are null / false.
LAYOUTS = {
    "sd-containerd-burstable": (
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
        f"{uid(1).replace('-', '_')}.slice/cri-containerd-{cid(1)}.scope",
        dict(driver="systemd", runtime="containerd", id=cid(1),
             pod_uid=uid(1), qos="burstable", namespace="shop",
             pod="cart-7d9f", container="app")),
    "sd-crio-guaranteed": (
        f"/kubepods.slice/kubepods-pod{uid(2).replace('-', '_')}.slice/"
        f"crio-{cid(2)}.scope",
        dict(driver="systemd", runtime="cri-o", id=cid(2), pod_uid=uid(2),
             qos="guaranteed", namespace="kube-system", pod="etcd-node1")),
    "sd-docker-besteffort": (
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
        f"{uid(3).replace('-', '_')}.slice/docker-{cid(3)}.scope",
        dict(driver="systemd", runtime="docker", id=cid(3), pod_uid=uid(3),
             qos="besteffort")),
    # containerd's and cri-dockerd's cgroupfs names are the same bare id.
    "fs-burstable": (
        f"/kubepods/burstable/pod{uid(4)}/{cid(4)}",
        dict(driver="cgroupfs", id=cid(4), pod_uid=uid(4), qos="burstable")),
    "fs-crio-guaranteed": (
        f"/kubepods/pod{uid(5)}/crio-{cid(5)}",
        dict(driver="cgroupfs", runtime="cri-o", id=cid(5), pod_uid=uid(5),
             qos="guaranteed")),
    "fs-besteffort": (
        f"/kubepods/besteffort/pod{uid(6)}/{cid(6)}",
        dict(driver="cgroupfs", id=cid(6), pod_uid=uid(6), qos="besteffort")),
    "docker-systemd": (
        f"/system.slice/docker-{cid(7)}.scope",
        dict(driver="systemd", runtime="docker", id=cid(7))),
    "docker-cgroupfs": (
        f"/docker/{cid(8)}",
        dict(driver="cgroupfs", runtime="docker", id=cid(8))),
    "forged-delegated": (
        "/user.slice/user-1000.slice/user@1000.service/kubepods.slice/"
        f"kubepods-pod{uid(9).replace('-', '_')}.slice/"
        f"cri-containerd-{cid(9)}.scope",
        None),
    "fs-nested": (
        f"/kubepods/pod{uid(0)}/{cid(0)}/inner",
        dict(driver="cgroupfs", id=cid(0), pod_uid=uid(0), qos="guaranteed",
             nested=True)),
    "sd-cut": (
        f"/{P}.slice/{P}-kubepods.slice/{P}-kubepods-burstable.slice/"
        f"{P}-kubepods-burstable-pod{uid(7).replace('-', '_')}.slice/"
        f"cri-containerd-{cid(7)}.scope",
        dict(driver="systemd", pod_uid=uid(7), qos="burstable",
             truncated=True)),
}

KEYS = ["driver", "runtime", "id", "pod_uid", "qos", "namespace", "pod",
        "container", "nested", "truncated"]

OOM_LINE = re.compile(r"oom-kill:constraint=[^,]*,.*?task_memcg=(\S+?),"
                      r"task=.*?,pid=(\d+),")


def check(r):
    check_common(r)
    check_show(r)
    made = {}
    for line in (r.read("layouts") or "").splitlines():
        name, pid, path = line.split()
        made[int(pid)] = (name, path)
    if sorted(n for n, _ in made.values()) != sorted(LAYOUTS):
        fail(f"the guest ran {sorted(n for n, _ in made.values())}, "
             f"expected {sorted(LAYOUTS)}")
    kernel = {int(m.group(2)): m.group(1) for m in OOM_LINE.finditer(r.dmesg)}
    kills = r.kills()
    if len(kills) != len(LAYOUTS):
        fail(f"{len(kills)} oom_kill lines, expected {len(LAYOUTS)}")
    for k in kills:
        match_dmesg(r, k)
        if k["pid"] not in made:
            fail(f"record of pid {k['pid']}, not one of the hogs {sorted(made)}")
        name, path = made[k["pid"]]
        want_path, want = LAYOUTS[name]
        if path != want_path:
            fail(f"{name}: the guest made {path!r}, not the layout's {want_path!r}")
        # Where the victim was: the kernel's word, the record's, the guest's.
        if kernel.get(k["pid"]) != path:
            fail(f"{name}: dmesg puts pid {k['pid']} in {kernel.get(k['pid'])!r}, "
                 f"the guest made {path!r}")
        if len(path) <= 255:
            if k["cgroup"] != path:
                fail(f"{name}: record cgroup {k['cgroup']!r} != {path!r}")
        elif not (path.startswith(k["cgroup"]) and len(k["cgroup"]) == 255):
            fail(f"{name}: record cgroup {k['cgroup']!r} is not the first 255 "
                 f"bytes of {path!r}")
        # The module's own flag: set when the path filled its 255 bytes.
        if k.get("cgroup_truncated") != (len(path) >= 255):
            fail(f"{name}: cgroup_truncated {k.get('cgroup_truncated')!r} for a "
                 f"{len(path)}-byte path")
        got = k.get("container", "absent")
        if want is None:
            if got is not None:
                fail(f"{name}: forged path attributed: {got!r}")
            continue
        if not isinstance(got, dict):
            fail(f"{name}: container {got!r}, expected an object")
        exp = {key: want.get(key, False if key in ("nested", "truncated")
                             else None) for key in KEYS}
        diff = {key: (got.get(key, "absent"), exp[key]) for key in KEYS
                if got.get(key, "absent") != exp[key]}
        if diff:
            fail(f"{name}: container fields (got, expected): {diff}")
    if r.total_dropped() != 0:
        fail(f"{r.total_dropped()} records dropped, expected 0")


main(check)
