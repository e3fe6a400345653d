// SPDX-License-Identifier: GPL-2.0
/*
 * module/events.c: the record ring between the probes and the reader.
 * Records are queued as the probes queue them and read through the real
 * read path (oomprof_events_read) into user memory of the loading process.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/stat.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "kunit_util.h"
#include "oomprof.h"

#define USER_BYTES	(4 << 20)
/*
 * The ring's geometry in these cases is in units of a 4 KiB read: the
 * smallest ring holds OOMPROF_READ_MIN, K times that.
 */
#define K		(OOMPROF_READ_MIN / 4096)

static bool ev_up, cap_up, reg_up;

static void ev_setup(struct kunit *test, size_t bytes, unsigned int bufs)
{
	KUNIT_ASSERT_EQ(test, oomprof_events_init(bytes), 0);
	ev_up = true;
	KUNIT_ASSERT_EQ(test, oomprof_capture_init(bufs, 1, 1000, 100), 0);
	cap_up = true;
}

static void ev_exit(struct kunit *test)
{
	if (ev_up) {
		oomprof_events_set_detaching(false);
		oomprof_events_exit();
	}
	if (cap_up)
		oomprof_capture_exit();
	if (reg_up)
		oomprof_registry_exit();
	ev_up = false;
	cap_up = false;
	reg_up = false;
}

/* A record of @size bytes, payload filled from @tag. */
static struct oomprof_record_header *mkrec(struct kunit *test, u32 size,
					   u8 tag)
{
	struct oomprof_record_header *h = kunit_kzalloc(test, size, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, h);
	oomprof_events_init_header(h, OOMPROF_REC_OOM_KILL, size);
	for (i = sizeof(*h); i < size; i++)
		((u8 *)h)[i] = tag + i;
	return h;
}

static void queue_n(struct kunit *test, int n, u32 size, u8 tag)
{
	while (n--)
		oomprof_events_queue(mkrec(test, size, tag++));
}

/*
 * read() @count bytes into @ubuf (user memory of the loading process, or
 * a bad address), then copy what came to @out. The address space is
 * adopted only around the calls: an assertion ends the case's thread.
 */
static ssize_t rd_at(struct kunit *test, char __user *ubuf, size_t count,
		     bool nonblock, void *out)
{
	unsigned long left = 0;
	ssize_t n;

	KUNIT_ASSERT_LE(test, count, (size_t)USER_BYTES);
	okt_use_mm(test);
	n = oomprof_events_read(ubuf, count, nonblock);
	if (n > 0 && out)
		left = copy_from_user(out, ubuf, n);
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	return n;
}

static ssize_t rd(struct kunit *test, size_t count, bool nonblock, void *out)
{
	return rd_at(test, (char __user *)okt_user.addr, count, nonblock, out);
}

static struct oomprof_stats stats(void)
{
	struct oomprof_stats st = {};

	oomprof_events_stats(&st);
	return st;
}

static void events_header_encoding(struct kunit *test)
{
	struct oomprof_record_header h;

	memset(&h, 0xa5, sizeof(h));
	oomprof_events_init_header(&h, OOMPROF_REC_GO_HEAP, 1234 * 8);
	KUNIT_EXPECT_EQ(test, h.magic, OOMPROF_RECORD_MAGIC);
	KUNIT_EXPECT_EQ(test, h.version, (u16)OOMPROF_RECORD_VERSION);
	KUNIT_EXPECT_EQ(test, h.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_EQ(test, h.size, 1234U * 8);
	KUNIT_EXPECT_EQ(test, h.flags, 0U);
	KUNIT_EXPECT_EQ(test, h.seq, 0ULL);
	KUNIT_EXPECT_EQ(test, h.lost, 0ULL);
	/* "OOMP" in the byte order readers on this machine see. */
	KUNIT_EXPECT_EQ(test, 0, memcmp(&h.magic, "OOMP", 4));
}

/* Whole records, in order, numbered, 8-aligned, as queued. */
static void events_stream_format(struct kunit *test)
{
	static const u32 sizes[] = { 32, 896, 40, 4096, 8, 1000 };
	u8 *buf = kunit_kzalloc(test, 16384, GFP_KERNEL);
	struct oomprof_record_header *q[ARRAY_SIZE(sizes)];
	size_t off = 0, total = 0;
	unsigned int i;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 16384, 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 sz = sizes[i] < sizeof(*q[i]) ? sizeof(*q[i]) : sizes[i];

		q[i] = mkrec(test, sz, i * 16);
		oomprof_events_queue(q[i]);
		total += sz;
		/* queue() numbers the caller's record too. */
		KUNIT_EXPECT_EQ(test, q[i]->seq, (u64)i + 1);
	}
	KUNIT_EXPECT_EQ(test, stats().buffer_used, (u64)total);
	n = rd(test, 16384, true, buf);
	KUNIT_ASSERT_EQ(test, n, (ssize_t)total);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct oomprof_record_header *h = (void *)(buf + off);

		KUNIT_EXPECT_EQ(test, off % 8, (size_t)0);
		KUNIT_EXPECT_EQ(test, h->magic, OOMPROF_RECORD_MAGIC);
		KUNIT_EXPECT_EQ(test, h->version, (u16)OOMPROF_RECORD_VERSION);
		KUNIT_EXPECT_EQ(test, h->seq, (u64)i + 1);
		KUNIT_EXPECT_EQ(test, h->lost, 0ULL);
		KUNIT_EXPECT_EQ(test, h->size, q[i]->size);
		KUNIT_EXPECT_EQ(test, 0, memcmp(h, q[i], q[i]->size));
		off += h->size;
	}
	KUNIT_EXPECT_EQ(test, rd(test, 16384, true, NULL), (ssize_t)-EAGAIN);
	KUNIT_EXPECT_EQ(test, stats().records_read, (u64)ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, stats().buffer_used, 0ULL);
}

/* Full ring: later records are dropped, counted, and reported. */
static void events_full_ring_lost_record(struct kunit *test)
{
	struct oomprof_record_header *h;
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	struct oomprof_stats st;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 4096 * K, 0);
	queue_n(test, 4, 1024 * K, 1);
	queue_n(test, 3, 1024 * K, 9);	/* no room: lost */
	oomprof_events_note_lost();	/* no kill slot: lost too */
	st = stats();
	KUNIT_EXPECT_EQ(test, st.records_queued, 4ULL);
	KUNIT_EXPECT_EQ(test, st.records_lost, 4ULL);
	KUNIT_EXPECT_EQ(test, st.buffer_used, 4096ULL * K);

	/*
	 * One read: the four records, then, the ring being drained, the
	 * losses as a LOST record.
	 */
	KUNIT_ASSERT_EQ(test, rd(test, 8192 * K, true, buf),
			(ssize_t)(4096 * K + sizeof(*h)));
	for (i = 0; i < 4; i++) {
		h = (void *)(buf + 1024 * K * i);
		KUNIT_EXPECT_EQ(test, h->seq, (u64)i + 1);
		KUNIT_EXPECT_EQ(test, h->lost, 0ULL);
	}
	h = (void *)(buf + 4096 * K);
	KUNIT_EXPECT_EQ(test, h->type, (u16)OOMPROF_REC_LOST);
	KUNIT_EXPECT_EQ(test, h->magic, OOMPROF_RECORD_MAGIC);
	KUNIT_EXPECT_EQ(test, h->size, (u32)sizeof(*h));
	KUNIT_EXPECT_EQ(test, h->lost, 4ULL);
	KUNIT_EXPECT_EQ(test, h->seq, 8ULL);	/* the last lost one's */
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)-EAGAIN);

	/* Numbering goes on after the lost ones. */
	h = (void *)buf;
	queue_n(test, 1, 64, 0);
	KUNIT_ASSERT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)64);
	KUNIT_EXPECT_EQ(test, h->seq, 9ULL);
	KUNIT_EXPECT_EQ(test, h->lost, 0ULL);
	st = stats();
	KUNIT_EXPECT_EQ(test, st.records_read, 5ULL);
	KUNIT_EXPECT_EQ(test, st.records_lost, 4ULL);
}

/* A loss followed by a queued record travels in that record's header. */
static void events_lost_in_next_header(struct kunit *test)
{
	struct oomprof_record_header *h;
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 4096 * K, 0);
	queue_n(test, 4, 1024 * K, 1);
	queue_n(test, 2, 1024 * K, 5);		/* lost: seq 5, 6 */
	KUNIT_ASSERT_EQ(test, rd(test, 1024 * K, true, buf), (ssize_t)1024 * K);
	queue_n(test, 1, 1024 * K, 7);		/* seq 7, lost 2 */
	KUNIT_ASSERT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)4096 * K);
	for (i = 0; i < 4; i++) {
		h = (void *)(buf + 1024 * K * i);
		KUNIT_EXPECT_EQ(test, h->seq, i < 3 ? (u64)i + 2 : 7ULL);
		KUNIT_EXPECT_EQ(test, h->lost, i < 3 ? 0ULL : 2ULL);
	}
	/* Nothing more: the loss was told once. */
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)-EAGAIN);
}

/* read() semantics: short buffers, partial batches, faults. */
static void events_read_semantics(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	struct oomprof_record_header *h = (void *)buf;
	char __user *bad = (char __user *)16;	/* never mapped */

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 8192 * K, 0);
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)-EAGAIN);
	/* Empty: a 0-byte read is 0 too, not EAGAIN (and never waits). */
	KUNIT_EXPECT_EQ(test, rd(test, 0, true, buf), (ssize_t)0);
	queue_n(test, 3, 896 * K, 1);
	/* Too small for one record: EINVAL, nothing consumed. */
	KUNIT_EXPECT_EQ(test, rd(test, 896 * K - 1, true, buf), (ssize_t)-EINVAL);
	/* read(2) of 0 bytes: 0, nothing consumed, whether blocking or not. */
	KUNIT_EXPECT_EQ(test, rd(test, 0, true, buf), (ssize_t)0);
	KUNIT_EXPECT_EQ(test, rd(test, 0, false, buf), (ssize_t)0);
	KUNIT_EXPECT_EQ(test, stats().records_read, 0ULL);
	/* Room for one and a half: one whole record. */
	KUNIT_EXPECT_EQ(test, rd(test, 896 * K + 448 * K, true, buf), (ssize_t)896 * K);
	KUNIT_EXPECT_EQ(test, h->seq, 1ULL);
	/* A fault: EFAULT, and the record is still there. */
	KUNIT_EXPECT_EQ(test, rd_at(test, bad, 4096 * K, true, NULL),
			(ssize_t)-EFAULT);
	KUNIT_EXPECT_EQ(test, rd(test, 4096 * K, true, buf), (ssize_t)(2 * 896 * K));
	KUNIT_EXPECT_EQ(test, h->seq, 2ULL);

	/* A made-up LOST record survives a fault too. */
	queue_n(test, 10, 896 * K, 1);	/* 10 * 896 * K > 8192 * K: one lost */
	KUNIT_EXPECT_EQ(test, stats().records_lost, 1ULL);
	/* Room for the nine records but not the LOST one after them. */
	KUNIT_EXPECT_EQ(test, rd(test, 9 * 896 * K + sizeof(*h) - 8, true, buf),
			(ssize_t)(9 * 896 * K));
	KUNIT_EXPECT_EQ(test, rd(test, sizeof(*h) - 1, true, buf),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, rd_at(test, bad, 4096 * K, true, NULL),
			(ssize_t)-EFAULT);
	KUNIT_ASSERT_EQ(test, rd(test, 4096 * K, true, buf), (ssize_t)sizeof(*h));
	KUNIT_EXPECT_EQ(test, h->type, (u16)OOMPROF_REC_LOST);
	KUNIT_EXPECT_EQ(test, h->lost, 1ULL);
	KUNIT_EXPECT_EQ(test, rd(test, 4096 * K, true, buf), (ssize_t)-EAGAIN);
}

/*
 * OOMPROF_IOC_DETACH's half in the ring: a detaching reader gets every
 * queued record, the LOST one too, then ENODEV (also a blocking read,
 * which must not wait); poll says EPOLLHUP. Undone, reads wait again.
 */
static void events_detach_drains(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	struct oomprof_record_header *h = (void *)buf;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 8192 * K, 0);
	queue_n(test, 10, 896 * K, 1);	/* nine fit, one lost */
	oomprof_events_set_detaching(true);
	KUNIT_EXPECT_EQ(test, oomprof_events_poll(NULL, NULL),
			EPOLLIN | EPOLLRDNORM | EPOLLHUP);
	KUNIT_EXPECT_EQ(test, rd(test, 4096 * K, false, buf), (ssize_t)(4 * 896 * K));
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, false, buf),
			(ssize_t)(5 * 896 * K + sizeof(*h)));
	h = (void *)(buf + 5 * 896 * K);
	KUNIT_EXPECT_EQ(test, h->type, (u16)OOMPROF_REC_LOST);
	KUNIT_EXPECT_EQ(test, h->lost, 1ULL);
	KUNIT_EXPECT_EQ(test, oomprof_events_poll(NULL, NULL),
			EPOLLIN | EPOLLHUP);
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, false, buf), (ssize_t)-ENODEV);
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)-ENODEV);
	oomprof_events_set_detaching(false);
	KUNIT_EXPECT_EQ(test, oomprof_events_poll(NULL, NULL), (__poll_t)0);
	KUNIT_EXPECT_EQ(test, rd(test, 8192 * K, true, buf), (ssize_t)-EAGAIN);
}

/* Records cross the ring's end intact, whatever the sizes. */
static void events_wraparound(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	struct oomprof_record_header *want;
	u64 seq = 1;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 4096 * K + 8 * 37, 0);	/* not a power of two */
	for (i = 0; i < 300; i++) {
		u32 size = 32 + 8 * ((i * 37) % 200);
		ssize_t n;

		want = mkrec(test, size, i);
		oomprof_events_queue(want);
		n = rd(test, 8192 * K, true, buf);
		KUNIT_ASSERT_EQ(test, n, (ssize_t)size);
		KUNIT_ASSERT_EQ(test, 0, memcmp(buf, want, size));
		KUNIT_ASSERT_EQ(test, ((struct oomprof_record_header *)buf)->seq,
				seq++);
		kunit_kfree(test, want);
	}
	KUNIT_EXPECT_EQ(test, stats().records_lost, 0ULL);
	KUNIT_EXPECT_EQ(test, stats().records_read, 300ULL);
}

/* A Go heap record: the ring holds a reference; read() copies the buffer. */
static void events_capture_record(struct kunit *test)
{
	struct oomprof_oom_kill *kill = kunit_kzalloc(test, sizeof(*kill),
						      GFP_KERNEL);
	struct oomprof_go_capture cap = { .bucket_bytes = 800 };
	size_t want = sizeof(*kill) + sizeof(cap) + 800;
	u8 *buf = kunit_kzalloc(test, want + 64, GFP_KERNEL);
	struct oomprof_oom_kill *got = (void *)buf;
	struct oomprof_record_header *rec;
	struct oomprof_stats st = {}, st0 = {};
	int idx, idx2;

	KUNIT_ASSERT_NOT_NULL(test, kill);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 4096 * K, 2);
	/* capture.c's counters live as long as the module: deltas. */
	oomprof_capture_stats(&st0);
	oomprof_events_init_header(&kill->hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(*kill));
	kill->victim.pid = 4242;
	idx = oomprof_capture_claim();
	KUNIT_ASSERT_GE(test, idx, 0);
	rec = oomprof_capture_finish(idx, kill, &cap, NULL, 0);
	KUNIT_EXPECT_EQ(test, rec->type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_EQ(test, rec->size, (u32)want);
	KUNIT_EXPECT_EQ(test, rec->size % 8, 0U);
	queue_n(test, 1, 64, 0);
	KUNIT_ASSERT_TRUE(test, oomprof_events_queue_capture(idx));
	queue_n(test, 1, 64, 0);

	/* Too small for the capture: the first record only. */
	KUNIT_EXPECT_EQ(test, rd(test, 64 + 8, true, buf), (ssize_t)64);
	KUNIT_EXPECT_EQ(test, rd(test, want - 8, true, buf), (ssize_t)-EINVAL);
	KUNIT_ASSERT_EQ(test, rd(test, want + 64, true, buf),
			(ssize_t)(want + 64));
	KUNIT_EXPECT_EQ(test, got->hdr.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_EQ(test, got->hdr.seq, 2ULL);
	KUNIT_EXPECT_EQ(test, got->victim.pid, 4242U);
	KUNIT_EXPECT_EQ(test, ((struct oomprof_go_capture *)(got + 1))->bucket_bytes,
			800ULL);
	KUNIT_EXPECT_EQ(test, ((struct oomprof_record_header *)(buf + want))->seq,
			3ULL);
	/* Delivered: the buffer is free again and counted. */
	oomprof_capture_stats(&st);
	KUNIT_EXPECT_EQ(test, st.capture_buffers_busy, 0U);
	KUNIT_EXPECT_EQ(test, st.captures - st0.captures, 1ULL);

	/* Buffers run out: the third claim fails and is counted. */
	idx = oomprof_capture_claim();
	idx2 = oomprof_capture_claim();
	KUNIT_EXPECT_GE(test, idx, 0);
	KUNIT_EXPECT_GE(test, idx2, 0);
	KUNIT_EXPECT_NE(test, idx, idx2);
	KUNIT_EXPECT_EQ(test, oomprof_capture_claim(), -1);
	oomprof_capture_stats(&st);
	KUNIT_EXPECT_EQ(test, st.captures_dropped - st0.captures_dropped, 1ULL);
	KUNIT_EXPECT_EQ(test, st.capture_buffers_busy, 2U);
	oomprof_capture_release(idx);
	oomprof_capture_release(idx2);
}

/* A full ring refuses a capture; the caller keeps the buffer. */
static void events_capture_ring_full(struct kunit *test)
{
	struct oomprof_oom_kill *kill = kunit_kzalloc(test, sizeof(*kill),
						      GFP_KERNEL);
	struct oomprof_go_capture cap = {};
	int idx;

	KUNIT_ASSERT_NOT_NULL(test, kill);
	ev_setup(test, 4096 * K, 1);
	oomprof_events_init_header(&kill->hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(*kill));
	queue_n(test, 1, 4096 * K, 0);
	idx = oomprof_capture_claim();
	KUNIT_ASSERT_GE(test, idx, 0);
	oomprof_capture_finish(idx, kill, &cap, NULL, 0);
	KUNIT_EXPECT_FALSE(test, oomprof_events_queue_capture(idx));
	KUNIT_EXPECT_EQ(test, stats().records_lost, 1ULL);
	oomprof_capture_release(idx);
}

static void events_init_too_small(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, oomprof_events_init(OOMPROF_READ_MIN - 8),
			-EINVAL);
}

/* A PROC_EXEC record as the exec probe would queue it. */
static struct oomprof_record_header *mkproc(struct kunit *test, u32 pid)
{
	struct oomprof_proc_event *e = kunit_kzalloc(test, sizeof(*e),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	oomprof_events_init_header(&e->hdr, OOMPROF_REC_PROC_EXEC,
				   sizeof(*e));
	e->pid = pid;
	return &e->hdr;
}

/*
 * Process events: none without a reader; with one, only into the first
 * half of the ring, the rest counted in proc_events_lost without taking a
 * sequence number or counting as a lost record; OOM records still fit.
 */
static void events_proc_half_ring(struct kunit *test)
{
	size_t rec = sizeof(struct oomprof_proc_event);
	struct oomprof_record_header *h;
	struct oomprof_stats st;
	unsigned int n = 0;
	u8 *out;
	size_t off;
	ssize_t got;

	ev_setup(test, 8192 * K, 1);
	KUNIT_EXPECT_FALSE(test, oomprof_events_queue_proc(mkproc(test, 7)));
	st = stats();
	KUNIT_EXPECT_EQ(test, st.buffer_used, 0ULL);
	KUNIT_EXPECT_EQ(test, st.proc_events_lost, 0ULL);

	oomprof_events_set_reader(true);
	while (oomprof_events_queue_proc(mkproc(test, 100 + n)))
		n++;
	KUNIT_EXPECT_EQ(test, n, (unsigned int)(4096 * K / rec));
	KUNIT_EXPECT_FALSE(test, oomprof_events_queue_proc(mkproc(test, 9)));
	st = stats();
	KUNIT_EXPECT_LE(test, st.buffer_used, 4096ULL * K);
	KUNIT_EXPECT_EQ(test, st.proc_events_lost, 2ULL);
	KUNIT_EXPECT_EQ(test, st.records_lost, 0ULL);
	/* The other half is still there for an OOM record. */
	oomprof_events_queue(mkrec(test, 2048, 1));
	st = stats();
	KUNIT_EXPECT_EQ(test, st.records_lost, 0ULL);

	out = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);
	got = rd(test, 8192 * K, true, out);
	KUNIT_ASSERT_EQ(test, got, (ssize_t)(n * rec + 2048));
	/* Process events: seq 0; the OOM record is the stream's first. */
	for (off = 0; off < (size_t)got; off += h->size) {
		h = (struct oomprof_record_header *)(out + off);
		KUNIT_EXPECT_EQ(test, h->seq, off < n * rec ? 0ULL : 1ULL);
		KUNIT_EXPECT_EQ(test, h->lost, 0ULL);
		if (off < n * rec) {
			KUNIT_EXPECT_EQ(test, h->type, OOMPROF_REC_PROC_EXEC);
			KUNIT_EXPECT_EQ(test,
					((struct oomprof_proc_event *)h)->pid,
					100 + (u32)(off / rec));
		} else {
			KUNIT_EXPECT_EQ(test, h->type, OOMPROF_REC_OOM_KILL);
		}
	}
	/* A lost kill is told by a LOST record, never by a process event. */
	oomprof_events_note_lost();
	KUNIT_EXPECT_TRUE(test, oomprof_events_queue_proc(mkproc(test, 8)));
	got = rd(test, 8192 * K, true, out);
	KUNIT_ASSERT_EQ(test, got, (ssize_t)(rec + sizeof(*h)));
	h = (struct oomprof_record_header *)out;
	KUNIT_EXPECT_EQ(test, h->type, OOMPROF_REC_PROC_EXEC);
	KUNIT_EXPECT_EQ(test, h->lost, 0ULL);
	h = (struct oomprof_record_header *)(out + rec);
	KUNIT_EXPECT_EQ(test, h->type, OOMPROF_REC_LOST);
	KUNIT_EXPECT_EQ(test, h->lost, 1ULL);
	KUNIT_EXPECT_EQ(test, h->seq, 2ULL);

	oomprof_events_set_reader(false);
	KUNIT_EXPECT_FALSE(test, oomprof_events_queue_proc(mkproc(test, 7)));
}

/*
 * proc.c over the real registry: exec and the exit of a process's last
 * thread drop its registration and say so; other exits say nothing.
 */
static void events_proc_exec_exit(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	struct oomprof_proc_event *e;
	struct oomprof_register req = {};
	struct oomprof_stats st = {};
	struct file *exe;
	char exe_path[32];
	struct kstat stat;
	u8 *out;
	int err;
	ssize_t got;

	ev_setup(test, 65536, 1);
	KUNIT_ASSERT_EQ(test, oomprof_registry_init(16, 1000), 0);
	reg_up = true;
	oomprof_proc_init();
	oomprof_events_set_reader(true);
	out = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, out);

	req.pid = task_tgid_vnr(me);
	req.start_time_ticks = oomprof_task_start_ticks(me);
	req.mbuckets_addr = 0x500000;
	req.mem_profile_rate_addr = 0x500008;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);

	/* A thread exits, not the last: nothing happens. */
	oomprof_proc_exit(me, false);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
	KUNIT_EXPECT_EQ(test, rd(test, 4096, true, NULL), (ssize_t)-EAGAIN);

	/* The last thread exits: registration gone, PROC_EXIT says which. */
	oomprof_proc_exit(me, true);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
	got = rd(test, 4096, true, out);
	KUNIT_ASSERT_EQ(test, got, (ssize_t)sizeof(*e));
	e = (struct oomprof_proc_event *)out;
	KUNIT_EXPECT_EQ(test, e->hdr.type, OOMPROF_REC_PROC_EXIT);
	KUNIT_EXPECT_EQ(test, e->registration_id, req.registration_id);
	KUNIT_EXPECT_EQ(test, e->pid, (u32)task_tgid_nr(me));
	KUNIT_EXPECT_EQ(test, e->start_time_ticks, req.start_time_ticks);
	KUNIT_EXPECT_STREQ(test, e->comm, me->comm);
	/* An unregistered process's exit is not told. */
	oomprof_proc_exit(me, true);
	KUNIT_EXPECT_EQ(test, rd(test, 4096, true, NULL), (ssize_t)-EAGAIN);

	/* Exec: always told; drops the registration made for the old image. */
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	/* insmod's executable, as its exec would have had it. */
	snprintf(exe_path, sizeof(exe_path), "/proc/%d/exe",
		 task_tgid_nr(okt_user.task));
	exe = filp_open(exe_path, O_RDONLY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(exe));
	oomprof_proc_exec(me, exe);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
	got = rd(test, 4096, true, out);
	KUNIT_ASSERT_EQ(test, got, (ssize_t)sizeof(*e));
	KUNIT_EXPECT_EQ(test, e->hdr.type, OOMPROF_REC_PROC_EXEC);
	KUNIT_EXPECT_EQ(test, e->registration_id, req.registration_id);
	/* The executable's identity is what stat() of the file says. */
	err = vfs_getattr(&exe->f_path, &stat, STATX_BASIC_STATS,
			  AT_STATX_SYNC_AS_STAT);
	fput(exe);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, e->exe_valid, 1U);
	KUNIT_EXPECT_EQ(test, e->exe_dev, (u64)new_encode_dev(stat.dev));
	KUNIT_EXPECT_EQ(test, e->exe_ino, stat.ino);
	KUNIT_EXPECT_EQ(test, e->exe_size, (u64)stat.size);
	KUNIT_EXPECT_GT(test, e->exe_size, 0ULL);
	KUNIT_EXPECT_EQ(test, e->exe_mtime_sec, (s64)stat.mtime.tv_sec);
	KUNIT_EXPECT_EQ(test, e->exe_mtime_nsec, (u32)stat.mtime.tv_nsec);
	KUNIT_EXPECT_EQ(test, e->exe_ctime_sec, (s64)stat.ctime.tv_sec);
	KUNIT_EXPECT_EQ(test, e->exe_ctime_nsec, (u32)stat.ctime.tv_nsec);
	/* No file from the tracepoint: no identity, and nothing else lost. */
	oomprof_proc_exec(me, NULL);
	got = rd(test, 4096, true, out);
	KUNIT_ASSERT_EQ(test, got, (ssize_t)sizeof(*e));
	KUNIT_EXPECT_EQ(test, e->registration_id, 0ULL);
	KUNIT_EXPECT_EQ(test, e->exe_valid, 0U);
	KUNIT_EXPECT_EQ(test, e->exe_ino, 0ULL);

	oomprof_registry_stats(&st);
	oomprof_proc_stats(&st);
	KUNIT_EXPECT_EQ(test, st.registrations_added, 2ULL);
	KUNIT_EXPECT_EQ(test, st.registrations_exited, 1ULL);
	KUNIT_EXPECT_EQ(test, st.registrations_execd, 1ULL);
	KUNIT_EXPECT_EQ(test, st.execs_seen, 2ULL);
	oomprof_events_set_reader(false);
}

/* mod_events.c: events.c's ev.lock. */
spinlock_t *okt_events_lock(void);

struct proc_q {
	struct oomprof_record_header *rec;
	bool queued;
	bool done;		/* WRITE_ONCE by the thread */
	struct completion exited;
};

static int proc_q_thread(void *arg)
{
	struct proc_q *q = arg;

	q->queued = oomprof_events_queue_proc(q->rec);
	WRITE_ONCE(q->done, true);
	complete(&q->exited);
	return 0;
}

/*
 * Queue @rec as the exec probe would, on another CPU, while this one
 * holds the ring's lock for up to 500 ms: true if the call returned
 * while the lock was held (it took no lock). *queued: its result.
 */
static bool proc_queue_lockless(struct kunit *test,
				struct oomprof_record_header *rec, bool *queued)
{
	struct proc_q q = { .rec = rec };
	struct task_struct *t;
	unsigned long flags;
	int here, there, ms;
	bool finished;

	init_completion(&q.exited);
	here = raw_smp_processor_id();
	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	/* This thread stays here, the queuing one runs there. */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(here)),
			0);
	t = kthread_create(proc_q_thread, &q, "okt_proc_q");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, there);

	spin_lock_irqsave(okt_events_lock(), flags);
	wake_up_process(t);
	for (ms = 0; ms < 500 && !READ_ONCE(q.done); ms++)
		mdelay(1);
	finished = READ_ONCE(q.done);
	spin_unlock_irqrestore(okt_events_lock(), flags);

	wait_for_completion(&q.exited);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	*queued = q.queued;
	return finished;
}

/*
 * Every exec on the machine asks the ring whether a reader wants its
 * record: with none, or with the process-event half of the ring full, the
 * answer comes without the ring's lock (which disables interrupts). With
 * a reader and room, the record needs the lock: the control case, which
 * shows the harness sees a lock being taken.
 */
static void events_proc_lockless_when_unwanted(struct kunit *test)
{
	size_t rec = sizeof(struct oomprof_proc_event);
	struct oomprof_stats st;
	bool queued = true;
	unsigned int n = 0;

	ev_setup(test, 8192 * K, 0);
	KUNIT_EXPECT_TRUE(test, proc_queue_lockless(test, mkproc(test, 1),
						    &queued));
	KUNIT_EXPECT_FALSE(test, queued);
	st = stats();
	KUNIT_EXPECT_EQ(test, st.buffer_used, 0ULL);
	KUNIT_EXPECT_EQ(test, st.proc_events_lost, 0ULL);

	/* A reader, room: the lock is needed, and the record goes in. */
	oomprof_events_set_reader(true);
	KUNIT_EXPECT_FALSE(test, proc_queue_lockless(test, mkproc(test, 2),
						     &queued));
	KUNIT_EXPECT_TRUE(test, queued);
	KUNIT_EXPECT_EQ(test, stats().buffer_used, (u64)rec);

	/* The half of the ring process events may use is full. */
	while (oomprof_events_queue_proc(mkproc(test, 100 + n)))
		n++;
	st = stats();
	KUNIT_EXPECT_EQ(test, st.proc_events_lost, 1ULL);
	KUNIT_EXPECT_TRUE(test, proc_queue_lockless(test, mkproc(test, 3),
						    &queued));
	KUNIT_EXPECT_FALSE(test, queued);
	st = stats();
	KUNIT_EXPECT_EQ(test, st.proc_events_lost, 2ULL);
	KUNIT_EXPECT_EQ(test, st.buffer_used, (u64)(n + 1) * rec);
	KUNIT_EXPECT_EQ(test, st.records_lost, 0ULL);
	oomprof_events_set_reader(false);
}

/*
 * At unload the module logs what its numbered stream leaves behind:
 * numbers given (records and losses), numbered records still unread
 * (process events are not numbered), losses no record has told yet.
 */
static void events_left_at_unload(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 8192 * K, GFP_KERNEL);
	struct oomprof_events_left left;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	ev_setup(test, 8192 * K, 0);
	oomprof_events_left(&left);
	KUNIT_EXPECT_EQ(test, left.numbered, 0ULL);
	KUNIT_EXPECT_EQ(test, left.unread, 0ULL);
	KUNIT_EXPECT_EQ(test, left.lost_unreported, 0ULL);

	oomprof_events_set_reader(true);
	queue_n(test, 1, 896 * K, 1);
	KUNIT_EXPECT_TRUE(test, oomprof_events_queue_proc(mkproc(test, 5)));
	queue_n(test, 2, 896 * K, 2);
	KUNIT_EXPECT_TRUE(test, oomprof_events_queue_proc(mkproc(test, 6)));
	oomprof_events_note_lost();
	oomprof_events_note_lost();
	oomprof_events_left(&left);
	KUNIT_EXPECT_EQ(test, left.numbered, 5ULL);
	KUNIT_EXPECT_EQ(test, left.unread, 3ULL);
	KUNIT_EXPECT_EQ(test, left.lost_unreported, 2ULL);

	/* One kill record read: two remain, the losses still untold. */
	KUNIT_ASSERT_EQ(test, rd(test, 896 * K, true, buf), (ssize_t)896 * K);
	oomprof_events_left(&left);
	KUNIT_EXPECT_EQ(test, left.unread, 2ULL);
	KUNIT_EXPECT_EQ(test, left.lost_unreported, 2ULL);

	/* Everything read, the LOST record last: nothing is left. */
	KUNIT_ASSERT_GT(test, rd(test, 8192 * K, true, buf), (ssize_t)0);
	oomprof_events_left(&left);
	KUNIT_EXPECT_EQ(test, left.numbered, 5ULL);
	KUNIT_EXPECT_EQ(test, left.unread, 0ULL);
	KUNIT_EXPECT_EQ(test, left.lost_unreported, 0ULL);
	oomprof_events_set_reader(false);
}

static int events_suite_init(struct kunit_suite *suite)
{
	return okt_user_get(USER_BYTES);
}

static void events_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case events_cases[] = {
	KUNIT_CASE(events_header_encoding),
	KUNIT_CASE(events_stream_format),
	KUNIT_CASE(events_full_ring_lost_record),
	KUNIT_CASE(events_lost_in_next_header),
	KUNIT_CASE(events_read_semantics),
	KUNIT_CASE(events_detach_drains),
	KUNIT_CASE(events_wraparound),
	KUNIT_CASE(events_capture_record),
	KUNIT_CASE(events_capture_ring_full),
	KUNIT_CASE(events_init_too_small),
	KUNIT_CASE(events_proc_half_ring),
	KUNIT_CASE(events_proc_exec_exit),
	KUNIT_CASE(events_proc_lockless_when_unwanted),
	KUNIT_CASE(events_left_at_unload),
	{}
};

static struct kunit_suite events_suite = {
	.name = "oomprof_events",
	.suite_init = events_suite_init,
	.suite_exit = events_suite_exit,
	.exit = ev_exit,
	.test_cases = events_cases,
};

kunit_test_suites(&events_suite);
