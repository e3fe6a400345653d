#!/usr/bin/env python3
"""learned_prefix: a Go victim's record after OOMPROF_IOC_LEARNED, decoded
here on the uapi's terms: the buckets newer than known_head whole, then one
count entry per learned bucket (zigzag address delta, mask of nonzero
memRecord words, the words as LEB128), with the addresses and memRecords
the reader read through /proc/PID/mem before the kill; the capture complete
and quick; the module's memory at load as stated."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_common, fail, main  # noqa: E402

REC_GO_HEAP = 3
KILL_GO_PROCESS = 1 << 5
# struct oomprof_go_capture, as in include/uapi/linux/oomprof.h
CAP_FMT = "<10Q2IQ256s128s4Q" + "QII" * 4 + "4i2I"
CAP_FIELDS = ("registration_id cookie mbuckets_addr rate_addr rate nbuckets "
              "bucket_bytes start_ns duration_ns stop_addr stop flags "
              "load_bias exe_path build_id known_head known_count "
              "nbuckets_counted counts_bytes").split() + \
    [f"region{i}_{f}" for i in range(4) for f in ("addr", "bytes", "reserved")] + \
    [f"region_error{i}" for i in range(4)] + ["regions_copied", "regions_bytes"]


def varint(buf, pos):
    v = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            fail(f"count entries: varint runs past the end at byte {pos}")
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if not b & 0x80:
            return v, pos
        shift += 7


def check(r):
    check_common(r)
    head, count, kill_size, cap_size, learn_ms = (
        int(float(x)) for x in r.read("learned.txt").split())
    raw = open(os.path.join(r.dir, "learned.bin"), "rb").read()
    learned = [struct.unpack_from("<17Q", raw, i * 136) for i in range(len(raw) // 136)]
    total = len(learned)
    skip = total - count
    if skip != 3 or learned[skip][0] != head:
        fail(f"learned.txt ({head:#x}, {count}) does not match learned.bin ({total} buckets)")
    if struct.calcsize(CAP_FMT) != cap_size:
        fail(f"CAP_FMT is {struct.calcsize(CAP_FMT)} bytes, the uapi's {cap_size}")

    rec = open(os.path.join(r.dir, "record.bin"), "rb").read()
    magic, version, typ, size, flags = struct.unpack_from("<IHHII", rec, 0)
    if typ != REC_GO_HEAP or not flags & KILL_GO_PROCESS:
        fail(f"the victim's record is type {typ}, flags {flags:#x}: not a Go heap capture")
    if size != len(rec) or size % 8:
        fail(f"hdr.size {size}, record {len(rec)} bytes")
    cap = dict(zip(CAP_FIELDS, struct.unpack_from(CAP_FMT, rec, kill_size)))
    if cap["stop"] != 0:
        fail(f"capture stopped ({cap['stop']}) at {cap['stop_addr']:#x} after "
             f"{cap['nbuckets']} buckets, {cap['nbuckets_counted']} counted")
    if (cap["known_head"], cap["known_count"]) != (head, count):
        fail(f"the capture used prefix ({cap['known_head']:#x}, {cap['known_count']}), "
             f"learned ({head:#x}, {count})")
    # The victim sleeps from before it is learned to its kill, but its
    # runtime may still allocate (at MemProfileRate 1, a new site is a new
    # bucket, pushed at the head): up to a few buckets newer than the list
    # learnprobe read, copied whole before the ones it read.
    extra = cap["nbuckets"] - total
    if not 0 <= extra <= 16 or cap["nbuckets_counted"] != count:
        fail(f"{cap['nbuckets']} buckets, {cap['nbuckets_counted']} counted; "
             f"the list had {total}, {count} learned")
    # The record's sections (ext_offset, ext_bytes: the last two words of
    # struct oomprof_oom_kill) follow the entries, padded to 8.
    ext_offset, ext_bytes = struct.unpack_from("<II", rec, kill_size - 8)
    end = ext_offset if ext_bytes else size
    if ext_bytes and ext_offset + ext_bytes != size:
        fail(f"sections at {ext_offset}, {ext_bytes} bytes, do not end the "
             f"{size}-byte record")
    # The runtime's memory statistics (regions) come before the entries.
    start = kill_size + cap_size + cap["regions_bytes"]
    if start + cap["bucket_bytes"] + cap["counts_bytes"] > end or \
            end - (start + cap["bucket_bytes"] + cap["counts_bytes"]) >= 8:
        fail(f"entries end {end} is not the entries' {cap['bucket_bytes']} + "
             f"{cap['counts_bytes']} bytes, padded to 8")

    # Full entries: the buckets newer than known_head, whole.
    pos = start
    end = pos + cap["bucket_bytes"]
    known = {b[0] for b in learned}
    for i in range(extra + skip):
        addr, = struct.unpack_from("<Q", rec, pos)
        w = struct.unpack_from("<6Q", rec, pos + 8)
        nstk = w[5]
        counts = struct.unpack_from("<16Q", rec, pos + 8 + (6 + nstk) * 8)
        pos += 8 + (6 + nstk + 16) * 8
        if i < extra:
            if addr in known or w[2] != 1:
                fail(f"full entry {i}, made since the list was read: bucket "
                     f"{addr:#x} typ {w[2]} (a learned address, or not a heap bucket)")
            print(f"WARN: bucket {addr:#x} made since the list was read")
            continue
        want = learned[i - extra]
        if addr != want[0] or w[2] != 1:
            fail(f"full entry {i}: bucket {addr:#x} typ {w[2]}, expected {want[0]:#x}")
        if counts != want[1:]:
            fail(f"full entry {i} at {addr:#x}: memRecord {counts}, learned {want[1:]}")
    if pos != end:
        fail(f"full entries end at {pos}, bucket_bytes says {end}")

    # Count entries.
    buf = rec[end:end + cap["counts_bytes"]]
    p = prev = 0
    nonzero = 0
    changed = []
    for i in range(count):
        zz, p = varint(buf, p)
        prev = (prev + ((zz >> 1) ^ -(zz & 1))) & (2**64 - 1)
        mask, p = varint(buf, p)
        if mask >> 16:
            fail(f"count entry {i}: mask {mask:#x} over 16 bits")
        words = []
        for j in range(16):
            if mask & (1 << j):
                v, p = varint(buf, p)
                if v == 0:
                    fail(f"count entry {i}: word {j} is flagged nonzero but is 0")
                words.append(v)
            else:
                words.append(0)
        want = learned[skip + i]
        if prev != want[0]:
            fail(f"count entry {i}: address {prev:#x}, learned bucket {want[0]:#x}")
        if tuple(words) != want[1:]:
            changed.append(f"count entry {i} at {prev:#x}: memRecord {words}, learned {list(want[1:])}")
        nonzero += bin(mask).count("1")
    if p != len(buf):
        fail(f"count entries take {p} bytes, counts_bytes says {len(buf)}")
    # The victim sleeps from before it is learned to its kill; its runtime
    # may still allocate at a few sites of its own (timers, the sleep) in
    # between. The buckets made by makeBuckets keep the counts learned.
    if len(changed) > 10:
        fail(f"{len(changed)} of {count} count entries differ from the learned memRecords: "
             + "; ".join(changed[:3]))
    for c in changed:
        print("WARN: changed since learned: " + c)

    reserved, counted, captures = (int(x) for x in r.read("stats.txt").split())
    if counted != 1 or captures != 1:
        fail(f"stats: captures_counted {counted}, captures {captures}")
    if reserved > 64 << 20:
        fail(f"the module reserved {reserved} bytes at load, over 64 MiB")
    load = r.read("load_line")
    if f"{reserved >> 10} KiB reserved" not in load:
        fail(f"the load line does not state the {reserved >> 10} KiB reserved: {load.strip()!r}")
    ns = cap["duration_ns"]
    print(f"{total} buckets ({len(changed)} counts changed since learned, {count} counted in {cap['counts_bytes']} bytes, "
          f"{cap['counts_bytes'] / count:.1f} B/bucket, {nonzero / count:.1f} words), "
          f"captured in {ns / 1e6:.1f} ms: {ns / total:.0f} ns/bucket; learned in {learn_ms} ms; "
          f"{reserved >> 10} KiB reserved at load")


if __name__ == "__main__":
    main(check)
