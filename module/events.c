// SPDX-License-Identifier: GPL-2.0
/*
 * The record buffer between the probes and the reader.
 *
 * A byte ring allocated at load time, so that queueing a record never
 * allocates: records are produced while the system is out of memory.
 * Writers run in any context and never wait for the reader; when a record
 * does not fit it is dropped and counted, and the count travels to the
 * reader in the next record's header or, if the ring drains first, in an
 * OOMPROF_REC_LOST record made up at read time.
 *
 * Go heap captures are too large for the ring: they stay in their capture
 * buffer (capture.c) and the ring carries a small reference in their place,
 * so they keep their order among the other records.
 *
 * There is one reader (device.c allows one read-mode opener; reader_mutex
 * covers a descriptor shared across fork). It copies a record out under the
 * lock, copies it to user space without the lock, and only then consumes
 * it, so a fault in copy_to_user loses nothing.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "oomprof.h"

/* Largest record this ring carries; device reads copy through a bounce. */
#define OOMPROF_EVENT_MAX OOMPROF_READ_MIN

static struct {
	spinlock_t lock;		/* all fields below */
	u8 *ring;
	size_t size;
	size_t head;			/* next byte written */
	size_t tail;			/* next byte read */
	size_t used;
	u64 next_seq;
	u64 lost_pending;		/* lost since the last queued record */
	/*
	 * Queue PROC_* records: a reader is open. This and used are also
	 * read without the lock (oomprof_events_proc_wanted), so they are
	 * written with WRITE_ONCE under it.
	 */
	bool proc_reader;
	u64 queued;
	u64 lost;
	u64 read;
	wait_queue_head_t wait;
	struct mutex reader_mutex;	/* one read() at a time */
	u8 *bounce;			/* reader's copy, OOMPROF_EVENT_MAX */
} ev;

/* PROC_* records dropped; counted without ev.lock (see queue_proc). */
static atomic64_t proc_lost;

int oomprof_events_init(size_t bytes)
{
	if (bytes < OOMPROF_EVENT_MAX) {
		pr_err("event_buffer_kb too small: need at least %d KiB\n",
		       OOMPROF_EVENT_MAX / 1024);
		return -EINVAL;
	}
	/* From scratch, also after an exit (the KUnit suites do that). */
	memset(&ev, 0, sizeof(ev));
	spin_lock_init(&ev.lock);
	init_waitqueue_head(&ev.wait);
	mutex_init(&ev.reader_mutex);
	ev.size = bytes;
	ev.ring = vzalloc(bytes);
	ev.bounce = kzalloc(OOMPROF_EVENT_MAX, GFP_KERNEL);
	if (!ev.ring || !ev.bounce) {
		vfree(ev.ring);
		kfree(ev.bounce);
		return -ENOMEM;
	}
	ev.next_seq = 1;
	atomic64_set(&proc_lost, 0);
	return 0;
}

void oomprof_events_exit(void)
{
	vfree(ev.ring);
	kfree(ev.bounce);
	ev.ring = NULL;
	ev.bounce = NULL;
}

void oomprof_events_init_header(struct oomprof_record_header *hdr, u16 type,
				u32 size)
{
	hdr->magic = OOMPROF_RECORD_MAGIC;
	hdr->version = OOMPROF_RECORD_VERSION;
	hdr->type = type;
	hdr->size = size;
	hdr->flags = 0;
	hdr->seq = 0;
	hdr->lost = 0;
}

/* Copy into the ring at ev.head, wrapping. */
static void ring_put(const void *src, size_t len)
{
	size_t first = min(len, ev.size - ev.head);

	lockdep_assert_held(&ev.lock);
	memcpy(ev.ring + ev.head, src, first);
	memcpy(ev.ring, (const u8 *)src + first, len - first);
	ev.head = (ev.head + len) % ev.size;
}

/* Copy out of the ring from offset @off, wrapping, without consuming. */
static void ring_peek_at(size_t off, void *dst, size_t len)
{
	size_t first = min(len, ev.size - off);

	lockdep_assert_held(&ev.lock);
	memcpy(dst, ev.ring + off, first);
	memcpy((u8 *)dst + first, ev.ring, len - first);
}

/* The same from ev.tail: the next record to read. */
static void ring_peek(void *dst, size_t len)
{
	ring_peek_at(ev.tail, dst, len);
}

/*
 * Put @ring_rec in the ring, numbering @rec (the record the reader will
 * see: the same one, or a capture buffer's record @ring_rec refers to).
 * Returns false, counting a loss, if the ring has no room.
 */
static bool queue(struct oomprof_record_header *ring_rec,
		  struct oomprof_record_header *rec)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&ev.lock, flags);
	rec->seq = ev.next_seq++;
	if (ev.size - ev.used >= ring_rec->size) {
		rec->lost = ev.lost_pending;
		ev.lost_pending = 0;
		ring_put(ring_rec, ring_rec->size);
		WRITE_ONCE(ev.used, ev.used + ring_rec->size);
		ev.queued++;
		queued = true;
	} else {
		ev.lost_pending++;
		ev.lost++;
	}
	spin_unlock_irqrestore(&ev.lock, flags);

	/* A loss wakes the reader too: it must learn of it. */
	if (queued || wq_has_sleeper(&ev.wait))
		wake_up_interruptible(&ev.wait);
	return queued;
}

/*
 * Queue a record whose header was set by oomprof_events_init_header().
 * Safe in atomic context; never blocks.
 */
void oomprof_events_queue(struct oomprof_record_header *rec)
{
	if (WARN_ON_ONCE(rec->size > OOMPROF_EVENT_MAX || rec->size % 8))
		return;
	queue(rec, rec);
}

/*
 * Queue the record in capture buffer @idx: the ring carries a reference,
 * the reader copies the record straight from the buffer. False if there
 * was no room (counted as lost): the caller still owns the buffer.
 */
bool oomprof_events_queue_capture(int idx)
{
	struct oomprof_capture_ref ref;

	oomprof_events_init_header(&ref.hdr, OOMPROF_REC_INTERNAL_CAPTURE,
				   sizeof(ref));
	ref.idx = idx;
	ref.reserved = 0;
	return queue(&ref.hdr, oomprof_capture_record(idx));
}

/*
 * Does a PROC_EXEC/PROC_EXIT record of @size bytes stand a chance? Only
 * while a reader is open (a reader scans /proc when it starts, older
 * events would be stale) and only into the first half of the ring, so
 * that exec bursts never take the room of OOM records. Every exec and
 * exit on the machine asks, so this takes no lock and writes nothing
 * shared: with no reader (a host where oomprof-read is not running) the
 * probes cost a load or two. A record that fails only the room test counts as lost
 * (proc_events_lost): the reader learns of it and rescans /proc.
 */
bool oomprof_events_proc_wanted(u32 size)
{
	if (!READ_ONCE(ev.proc_reader))
		return false;
	if (READ_ONCE(ev.used) + size > ev.size / 2) {
		atomic64_inc(&proc_lost);
		return false;
	}
	return true;
}

/*
 * Queue a PROC_EXEC/PROC_EXIT record (see oomprof_events_proc_wanted,
 * which the caller asks first to spare itself building one). The lock is
 * taken only when it will probably fit: under it, both tests again. They
 * carry seq 0 and never a loss count.
 */
bool oomprof_events_queue_proc(struct oomprof_record_header *rec)
{
	unsigned long flags;
	bool queued = false;

	if (WARN_ON_ONCE(rec->size > OOMPROF_EVENT_MAX || rec->size % 8))
		return false;
	if (!oomprof_events_proc_wanted(rec->size))
		return false;
	spin_lock_irqsave(&ev.lock, flags);
	if (ev.proc_reader && ev.used + rec->size <= ev.size / 2) {
		/*
		 * Outside the numbered stream: seq counts OOM records (and
		 * their losses) only, so a gap still means a lost kill, and
		 * a loss is told by the next kill or LOST record.
		 */
		rec->seq = 0;
		rec->lost = 0;
		ring_put(rec, rec->size);
		WRITE_ONCE(ev.used, ev.used + rec->size);
		ev.queued++;
		queued = true;
	} else if (ev.proc_reader) {
		atomic64_inc(&proc_lost);
	}
	spin_unlock_irqrestore(&ev.lock, flags);
	if (queued)
		wake_up_interruptible(&ev.wait);
	return queued;
}

void oomprof_events_set_reader(bool attached)
{
	unsigned long flags;

	spin_lock_irqsave(&ev.lock, flags);
	WRITE_ONCE(ev.proc_reader, attached);
	spin_unlock_irqrestore(&ev.lock, flags);
}

/* Is a reader open? Lockless: a stale answer costs one wait or one drop. */
bool oomprof_events_reader_open(void)
{
	return READ_ONCE(ev.proc_reader);
}

/* A record that never got as far as the ring (no kill slot free). */
void oomprof_events_note_lost(void)
{
	unsigned long flags;

	spin_lock_irqsave(&ev.lock, flags);
	ev.next_seq++;
	ev.lost_pending++;
	ev.lost++;
	spin_unlock_irqrestore(&ev.lock, flags);
	wake_up_interruptible(&ev.wait);
}

static bool events_ready(void)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&ev.lock, flags);
	ready = ev.used || ev.lost_pending;
	spin_unlock_irqrestore(&ev.lock, flags);
	return ready;
}

/* What read() hands out next. */
struct next_rec {
	const void *src;	/* kernel copy to give the reader */
	size_t len;		/* its size */
	size_t ring_len;	/* ring bytes it takes; 0: a made-up LOST */
	int capture;		/* capture buffer to free once read, or -1 */
};

/*
 * Find the next record. Returns its size, 0 if there is nothing, or
 * -EMSGSIZE if it does not fit in @room. Ring records are copied into the
 * bounce buffer; a capture record stays in its capture buffer (the ring
 * holds a reference to it). A LOST record is made up (and the loss
 * consumed) only when the ring is empty, so that it arrives after every
 * record queued before the loss.
 */
static ssize_t next_record(size_t room, struct next_rec *n)
{
	struct oomprof_record_header hdr;
	unsigned long flags;
	ssize_t ret = 0;

	n->capture = -1;
	spin_lock_irqsave(&ev.lock, flags);
	if (ev.used) {
		ring_peek(&hdr, sizeof(hdr));
		n->ring_len = hdr.size;
		if (hdr.type == OOMPROF_REC_INTERNAL_CAPTURE) {
			struct oomprof_capture_ref ref;

			ring_peek(&ref, sizeof(ref));
			n->capture = ref.idx;
			n->src = oomprof_capture_record(ref.idx);
			n->len = ((struct oomprof_record_header *)n->src)->size;
		} else {
			ring_peek(ev.bounce, hdr.size);
			n->src = ev.bounce;
			n->len = hdr.size;
		}
		ret = n->len > room ? -EMSGSIZE : n->len;
	} else if (ev.lost_pending) {
		if (room < sizeof(hdr)) {
			ret = -EMSGSIZE;
		} else {
			oomprof_events_init_header(&hdr, OOMPROF_REC_LOST,
						   sizeof(hdr));
			hdr.seq = ev.next_seq - 1;
			hdr.lost = ev.lost_pending;
			ev.lost_pending = 0;
			memcpy(ev.bounce, &hdr, sizeof(hdr));
			n->src = ev.bounce;
			n->len = sizeof(hdr);
			n->ring_len = 0;
			ret = sizeof(hdr);
		}
	}
	spin_unlock_irqrestore(&ev.lock, flags);
	return ret;
}

static void restore_lost(const void *rec)
{
	const struct oomprof_record_header *hdr = rec;
	unsigned long flags;

	spin_lock_irqsave(&ev.lock, flags);
	ev.lost_pending += hdr->lost;
	spin_unlock_irqrestore(&ev.lock, flags);
}

static void consume(size_t len)
{
	unsigned long flags;

	spin_lock_irqsave(&ev.lock, flags);
	ev.tail = (ev.tail + len) % ev.size;
	WRITE_ONCE(ev.used, ev.used - len);
	ev.read++;
	spin_unlock_irqrestore(&ev.lock, flags);
}

/*
 * Set by OOMPROF_IOC_DETACH (device.c): once the ring is empty, read()
 * fails with ENODEV instead of waiting, so the reader closes the device.
 */
static bool reader_detaching;

void oomprof_events_set_detaching(bool on)
{
	WRITE_ONCE(reader_detaching, on);
	wake_up_interruptible(&ev.wait);
}

static bool reader_woken(void)
{
	return events_ready() || READ_ONCE(reader_detaching);
}

ssize_t oomprof_events_read(char __user *buf, size_t count, bool nonblock)
{
	ssize_t done = 0;
	int err;

	/*
	 * read(2) of 0 bytes returns 0 and consumes nothing, whether or not
	 * a record is queued: it neither waits nor fails.
	 */
	if (!count)
		return 0;
	if (mutex_lock_interruptible(&ev.reader_mutex))
		return -ERESTARTSYS;

	while (!events_ready()) {
		if (READ_ONCE(reader_detaching)) {
			done = -ENODEV;
			goto out;
		}
		if (nonblock) {
			done = -EAGAIN;
			goto out;
		}
		mutex_unlock(&ev.reader_mutex);
		err = wait_event_interruptible(ev.wait, reader_woken());
		if (err)
			return err;
		if (mutex_lock_interruptible(&ev.reader_mutex))
			return -ERESTARTSYS;
	}

	for (;;) {
		struct next_rec n;
		ssize_t len = next_record(count - done, &n);

		if (len == -EMSGSIZE) {
			/* Too small for even one record: say so. */
			if (!done)
				done = -EINVAL;
			break;
		}
		if (len <= 0)
			break;
		if (copy_to_user(buf + done, n.src, len)) {
			if (!done)
				done = -EFAULT;
			/* A made-up LOST record goes back, not away. */
			if (!n.ring_len)
				restore_lost(ev.bounce);
			break;
		}
		if (n.ring_len)
			consume(n.ring_len);
		if (n.capture >= 0)
			oomprof_capture_delivered(n.capture);
		done += len;
	}
out:
	mutex_unlock(&ev.reader_mutex);
	return done;
}

__poll_t oomprof_events_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &ev.wait, wait);
	if (events_ready())
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(reader_detaching))
		mask |= EPOLLIN | EPOLLHUP;
	return mask;
}

void oomprof_events_stats(struct oomprof_stats *st)
{
	unsigned long flags;

	spin_lock_irqsave(&ev.lock, flags);
	st->records_queued = ev.queued;
	st->records_lost = ev.lost;
	st->records_read = ev.read;
	st->buffer_size = ev.size;
	st->buffer_used = ev.used;
	spin_unlock_irqrestore(&ev.lock, flags);
	/* The ring and the reader's bounce buffer, allocated at load. */
	st->reserved_bytes += PAGE_ALIGN(ev.size) + OOMPROF_EVENT_MAX;
	st->proc_events_lost = atomic64_read(&proc_lost);
}

/* At unload: what the numbered stream leaves behind (main.c reports it). */
void oomprof_events_left(struct oomprof_events_left *left)
{
	struct oomprof_record_header hdr;
	unsigned long flags;
	size_t off, used;

	memset(left, 0, sizeof(*left));
	spin_lock_irqsave(&ev.lock, flags);
	left->numbered = ev.next_seq - 1;
	left->lost_unreported = ev.lost_pending;
	/* Walk the unread records without consuming them. */
	off = ev.tail;
	for (used = ev.used; used >= sizeof(hdr); used -= hdr.size) {
		ring_peek_at(off, &hdr, sizeof(hdr));
		if (WARN_ON_ONCE(hdr.size < sizeof(hdr) || hdr.size > used))
			break;
		if (hdr.type != OOMPROF_REC_PROC_EXEC &&
		    hdr.type != OOMPROF_REC_PROC_EXIT)
			left->unread++;
		off = (off + hdr.size) % ev.size;
	}
	spin_unlock_irqrestore(&ev.lock, flags);
}
