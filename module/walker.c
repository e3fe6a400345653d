// SPDX-License-Identifier: GPL-2.0
/*
 * Walking runtime.mbuckets.
 *
 * The runtime (runtime/mprof.go) links every memory-profile bucket through
 * bucket.allnext from the head pointer runtime.mbuckets. New buckets are
 * only ever pushed at the head, so a walk from a head read once sees a
 * consistent list. Each bucket is six words (next, allnext, typ, hash,
 * size, nstk), nstk PCs, then the memRecord (16 words).
 *
 * Everything read is untrusted: pointers must be aligned user addresses,
 * typ must be memProfile (1), nstk at most the runtime's own maximum. The
 * walk is bounded by a bucket count, the output buffer and a deadline, and
 * a cyclic list is cut where it repeats (Brent's algorithm finds the cycle
 * in constant memory; the entries already emitted give its start, so no
 * bucket is reported twice, also when a bound ends the walk before the
 * check has noticed the loop).
 *
 * From the reader's learned prefix on (known_head, see the uapi's
 * OOMPROF_REC_GO_HEAP), the walk writes count entries: it still reads and
 * validates each bucket's header, for the link to the next one, but of
 * the rest only the memRecord, never the stack the reader already holds.
 * That part is bounded by known_count: the learned list has exactly that
 * many buckets, so a cycle there, or any other list than the learned one,
 * ends as OOMPROF_STOP_LEARNED_MISMATCH.
 */
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "walker.h"

/*
 * Every word of a bucket is read as a native u64: the layout of a 64-bit
 * Go process on a kernel of the same word size and byte order. Callers
 * refuse 32-bit victims (kill.c); a 32-bit kernel is refused here.
 */
#if BITS_PER_LONG != 64
#error "oomprof's bucket walker reads 64-bit Go processes on 64-bit kernels only"
#endif

/* Buckets walked between two chances to reschedule. */
#define RESCHED_EVERY	256
/*
 * Buckets walked between two readings of the clock at most (about 1.5 ms
 * of a counted walk under TCG, where a reading costs microseconds).
 */
#define CLOCK_EVERY	4096

#define GO_MEM_PROFILE	1	/* runtime.memProfile, bucketType */

/* Why a failed read stopped the walk. */
static u32 read_stop(int err)
{
	return err == -ENXIO ? OOMPROF_STOP_IO_MAPPING :
			       OOMPROF_STOP_READ_FAULT;
}

struct go_bucket_head {
	u64 next;
	u64 allnext;
	u64 typ;
	u64 hash;
	u64 size;
	u64 nstk;
};

static size_t entry_size(u64 nstk)
{
	return sizeof(u64) + sizeof(struct go_bucket_head) +
	       (nstk + OOMPROF_GO_MEMRECORD_WORDS) * sizeof(u64);
}

static bool bad_pointer(u64 addr, const struct oomprof_walk_limits *lim)
{
	return addr % sizeof(u64) || addr >= lim->user_limit ||
	       addr < PAGE_SIZE;
}

/*
 * The list loops with period @lambda. Keep the entries up to the first one
 * whose address comes round again @lambda entries later, and drop the
 * rest: they are the second pass over the loop. Records the cycle, with
 * the address the last kept bucket leads back to as stop_addr.
 */
static void cut_cycle(struct oomprof_walk *w, u64 lambda)
{
	u8 *out = w->out;
	size_t a = 0, b = 0;
	u64 i, kept;

	/* b: the entry lambda entries after a. */
	for (i = 0; i < lambda && b < w->bytes; i++)
		b += entry_size(((struct go_bucket_head *)(out + b + 8))->nstk);
	for (kept = 0; b < w->bytes; kept++) {
		if (*(u64 *)(out + a) == *(u64 *)(out + b))
			break;
		a += entry_size(((struct go_bucket_head *)(out + a + 8))->nstk);
		b += entry_size(((struct go_bucket_head *)(out + b + 8))->nstk);
	}
	/* Entries [0, kept + lambda) are distinct; b is where they end. */
	w->nbuckets = kept + lambda;
	w->bytes = b;
	w->stop = OOMPROF_STOP_CYCLE;
	/* Entry kept: where the last kept bucket's allnext leads back to. */
	w->stop_addr = *(u64 *)(out + a);
}

/*
 * @len bytes of memRecord at @at. It may reach into a page the runtime
 * never wrote (see below): such pieces are read page by page and the
 * unreadable ones taken as the zeros they are, flagged in the capture.
 */
static void read_counts(struct oomprof_mem_source *src, u64 at, u8 *dst,
			size_t len, struct oomprof_walk *w)
{
	if (src->read(src, at, dst, len) == 0)
		return;
	while (len) {
		size_t piece = min_t(size_t, len, PAGE_SIZE - (at & ~PAGE_MASK));

		if (src->read(src, at, dst, piece)) {
			memset(dst, 0, piece);
			w->flags |= OOMPROF_CAPTURE_ZERO_FILLED;
		}
		at += piece;
		dst += piece;
		len -= piece;
	}
}

/*
 * The rest of a bucket after its header: the stack must be readable; the
 * memRecord after it may reach into a page the runtime never wrote
 * (persistentalloc hands out zeroed memory and only the current cycle's
 * counts are written), which copy_from_user_nofault cannot read. Such
 * pieces are read page by page and the unreadable ones taken as the zeros
 * they are, flagged in the capture. 0, or the read's error if the stack
 * is unread.
 */
static int read_stack_and_counts(struct oomprof_mem_source *src, u64 addr,
				 struct go_bucket_head *head, size_t need,
				 struct oomprof_walk *w)
{
	size_t stk = head->nstk * sizeof(u64);
	size_t rec = need - sizeof(u64) - sizeof(*head) - stk;
	u8 *dst = (u8 *)(head + 1);
	u64 at = addr + sizeof(*head);

	int err;

	if (src->read(src, at, dst, stk + rec) == 0)
		return 0;
	if (stk) {
		err = src->read(src, at, dst, stk);
		if (err)
			return err;
	}
	read_counts(src, at + stk, dst + stk, rec, w);
	return 0;
}

/* A count entry's largest size: three varints of 10 bytes, 16 words. */
#define COUNT_ENTRY_MAX	((2 + OOMPROF_GO_MEMRECORD_WORDS) * 10)

/* Unsigned LEB128 of @v at @p; returns the bytes written (1 to 10). */
static size_t put_varint(u8 *p, u64 v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (u8)v | 0x80;
		v >>= 7;
	}
	p[n++] = (u8)v;
	return n;
}

/* The mask's largest varint: 16 bits. */
#define MASK_VARINT_MAX	3

/*
 * @n words of @rec from word @i on into the mask and, as varints, at @p;
 * returns the bytes written. Each word is read once: a memRecord peeked
 * is live memory, and a second read could find 0 where the mask says it
 * is not.
 */
static __always_inline size_t put_words(u8 *p, const u64 *rec, int i,
					u64 *mask)
{
	u64 a = READ_ONCE(rec[i]), b = READ_ONCE(rec[i + 1]);
	u64 c = READ_ONCE(rec[i + 2]), d = READ_ONCE(rec[i + 3]);
	size_t n = 0;

	/* Most words are zero (two of sixteen, on average, are not). */
	if (!(a | b | c | d))
		return 0;
	if (a) {
		n += put_varint(p + n, a);
		*mask |= BIT_ULL(i);
	}
	if (b) {
		n += put_varint(p + n, b);
		*mask |= BIT_ULL(i + 1);
	}
	if (c) {
		n += put_varint(p + n, c);
		*mask |= BIT_ULL(i + 2);
	}
	if (d) {
		n += put_varint(p + n, d);
		*mask |= BIT_ULL(i + 3);
	}
	return n;
}

/*
 * The count entry of a bucket @delta bytes after the previous one, whose
 * memRecord is @rec, at @to (COUNT_ENTRY_MAX bytes of room); returns its
 * length. The words go first, after room for the largest mask, and move
 * down once the mask is known: each word is read once. This is the walk's
 * hot path, run a million times at an OOM, and under emulation every
 * instruction counts: no local array (the kernel zeroes those on entry),
 * no second pass.
 */
static size_t put_count_entry(u8 *to, s64 delta, const u64 *rec)
{
	size_t n = put_varint(to, ((u64)delta << 1) ^ (u64)(delta >> 63));
	u8 *words = to + n + MASK_VARINT_MAX;
	size_t nw = 0, nm, i;
	u64 mask = 0;

	BUILD_BUG_ON(OOMPROF_GO_MEMRECORD_WORDS != 16);
	nw += put_words(words + nw, rec, 0, &mask);
	nw += put_words(words + nw, rec, 4, &mask);
	nw += put_words(words + nw, rec, 8, &mask);
	nw += put_words(words + nw, rec, 12, &mask);
	nm = put_varint(to + n, mask);
	/* Down, from the lowest byte up: the two ranges may overlap. */
	for (i = 0; nm < MASK_VARINT_MAX && i < nw; i++)
		to[n + nm + i] = words[i];
	return n + nm + nw;
}

/*
 * The count entry where less than COUNT_ENTRY_MAX bytes are left (the
 * buffer's end): built aside, kept if it fits. Rare; out of line so that
 * the hot path has no local array.
 */
static noinline bool put_count_entry_tight(struct oomprof_walk *w, s64 delta,
					   const u64 *rec)
{
	size_t room = w->out_size - w->bytes - w->counts_bytes;
	u8 entry[COUNT_ENTRY_MAX];
	size_t n = put_count_entry(entry, delta, rec);

	if (room < n) {
		w->stop = OOMPROF_STOP_BUFFER_FULL;
		return false;
	}
	memcpy((u8 *)w->out + w->bytes + w->counts_bytes, entry, n);
	w->counts_bytes += n;
	return true;
}

/* Append the count entry; false with w->stop set if it does not fit. */
static bool emit_count_entry(struct oomprof_walk *w, s64 delta,
			     const u64 *rec)
{
	if (w->out_size - w->bytes - w->counts_bytes < COUNT_ENTRY_MAX)
		return put_count_entry_tight(w, delta, rec);
	w->counts_bytes += put_count_entry((u8 *)w->out + w->bytes +
					   w->counts_bytes, delta, rec);
	return true;
}

/*
 * The header checks of a counted bucket (the same as a full entry's:
 * typ and nstk are what the runtime wrote if this is the bucket the
 * reader learned): its nstk, or -1 with w->stop set. Each word read once.
 */
static s64 check_count_head(const struct go_bucket_head *head,
			    struct oomprof_walk *w)
{
	u64 nstk;

	if (READ_ONCE(head->typ) != GO_MEM_PROFILE) {
		w->stop = OOMPROF_STOP_BAD_TYPE;
		return -1;
	}
	nstk = READ_ONCE(head->nstk);
	if (nstk > OOMPROF_GO_MAX_STACK) {
		w->stop = OOMPROF_STOP_BAD_NSTK;
		return -1;
	}
	return nstk;
}

/*
 * count_bucket() through copies, where the source cannot peek: a page not
 * held, one never written (read_counts). Out of line: its copies are
 * local arrays.
 */
static noinline bool count_bucket_read(struct oomprof_mem_source *src,
				       u64 addr, struct oomprof_walk *w,
				       u64 prev, u64 *next)
{
	u64 copy[OOMPROF_GO_MEMRECORD_WORDS];
	struct go_bucket_head head;
	s64 nstk;
	int err;

	err = src->read(src, addr, &head, sizeof(head));
	if (err) {
		w->stop = read_stop(err);
		return false;
	}
	nstk = check_count_head(&head, w);
	if (nstk < 0)
		return false;
	*next = head.allnext;
	read_counts(src, addr + sizeof(head) + nstk * sizeof(u64), (u8 *)copy,
		    sizeof(copy), w);
	return emit_count_entry(w, (s64)(addr - prev), copy);
}

/*
 * The bucket at @addr as a count entry (format in the uapi header), after
 * the ones already written; *@next is its allnext. Reads the header and
 * the memRecord after the stack, never the stack. Returns false with
 * w->stop set if the walk ends here.
 */
static bool count_bucket(struct oomprof_mem_source *src, u64 addr,
			 struct oomprof_walk *w, u64 prev, u64 *next)
{
	const struct go_bucket_head *head;
	const u64 *rec;
	s64 nstk;

	if (!src->peek)
		return count_bucket_read(src, addr, w, prev, next);
	head = src->peek(src, addr, sizeof(*head));
	if (!head)
		return count_bucket_read(src, addr, w, prev, next);
	nstk = check_count_head(head, w);
	if (nstk < 0)
		return false;
	/* Taken now: a peek is valid only until the source's next call. */
	*next = READ_ONCE(head->allnext);
	rec = src->peek(src, addr + sizeof(*head) + nstk * sizeof(u64),
			OOMPROF_GO_MEMRECORD_WORDS * sizeof(u64));
	/* Read again whole: a peek may have moved the source's window. */
	if (!rec)
		return count_bucket_read(src, addr, w, prev, next);
	return emit_count_entry(w, (s64)(addr - prev), rec);
}

/*
 * A bound (count, bytes, time) can end the walk after the list came round
 * again but before Brent's check noticed, leaving repeated entries. If
 * there are any, the last entry's address occurs earlier too, and the
 * nearest earlier occurrence is one loop back: returns that distance, or 0
 * if no address repeats.
 */
static u64 repeat_period(const struct oomprof_walk *w, u64 last)
{
	const u8 *out = w->out;
	size_t off = 0;
	u64 i, period = 0;

	for (i = 0; i + 1 < w->nbuckets; i++) {
		const struct go_bucket_head *head = (const void *)(out + off + 8);

		if (*(const u64 *)(out + off) == last)
			period = w->nbuckets - 1 - i;
		off += entry_size(head->nstk);
	}
	return period;
}

void oomprof_walk_buckets(struct oomprof_mem_source *src,
			  const struct oomprof_walk_limits *lim,
			  struct oomprof_walk *w)
{
	u64 addr, tortoise, power = 1, lambda = 0, last = 0;
	u64 last_counted = 0;	/* the first count entry's delta is from 0 */
	/* So that the first bucket checks the time. */
	unsigned long tick = jiffies - 1;
	bool counting = false;
	u8 *out = w->out;
	int err;

	w->nbuckets = 0;
	w->bytes = 0;
	w->nbuckets_counted = 0;
	w->counts_bytes = 0;
	w->stop = OOMPROF_STOP_NONE;
	w->stop_addr = 0;
	w->flags = 0;

	if (src->read(src, w->rate_addr, &w->rate, sizeof(w->rate))) {
		w->rate = -1;
		w->flags |= OOMPROF_CAPTURE_NO_RATE;
	}
	err = src->read(src, w->mbuckets_addr, &addr, sizeof(addr));
	if (err) {
		w->stop = read_stop(err);
		w->stop_addr = w->mbuckets_addr;
		return;
	}
	tortoise = addr;

	while (addr) {
		struct go_bucket_head *head;
		size_t need;
		u64 next;

		if (!counting && w->known_head && addr == w->known_head)
			counting = true;
		/* The learned list had known_count buckets; this has more. */
		if (counting && w->nbuckets_counted >= w->known_count) {
			w->stop = OOMPROF_STOP_LEARNED_MISMATCH;
			break;
		}
		if (bad_pointer(addr, lim)) {
			w->stop = OOMPROF_STOP_BAD_POINTER;
			break;
		}
		if (w->nbuckets >= lim->max_buckets) {
			w->stop = OOMPROF_STOP_MAX_BUCKETS;
			break;
		}
		/*
		 * Sleepable callers only (the victim's task_work, a worker,
		 * an ioctl): a walk of a million buckets must not hold the
		 * CPU for its whole length.
		 */
		if (w->nbuckets % RESCHED_EVERY == RESCHED_EVERY - 1)
			cond_resched();
		/*
		 * The clock only when a tick has passed since it was last
		 * read, or CLOCK_EVERY buckets have: where the clocksource is
		 * a device (HPET in a VM), reading it took longer than the
		 * rest of a counted bucket. A tick is a few ms, far under the
		 * deadline's own margin, but a guest starved by its host can
		 * go a second without one (walks of 2.5 s against a 1.5 s
		 * bound, 6.12 under TCG at load 12): hence the count too.
		 */
		if (lim->deadline_ns &&
		    (time_after(jiffies, tick) ||
		     w->nbuckets % CLOCK_EVERY == CLOCK_EVERY - 1)) {
			tick = jiffies;
			if (ktime_get_ns() > lim->deadline_ns) {
				w->stop = OOMPROF_STOP_TIMEOUT;
				break;
			}
		}
		if (counting) {
			if (!count_bucket(src, addr, w, last_counted, &next))
				break;
			w->nbuckets++;
			w->nbuckets_counted++;
			last_counted = addr;
			addr = next;
			continue;
		}
		need = entry_size(0);
		if (w->out_size - w->bytes < need) {
			w->stop = OOMPROF_STOP_BUFFER_FULL;
			break;
		}
		*(u64 *)(out + w->bytes) = addr;
		head = (struct go_bucket_head *)(out + w->bytes + sizeof(u64));
		err = src->read(src, addr, head, sizeof(*head));
		if (err) {
			w->stop = read_stop(err);
			break;
		}
		if (head->typ != GO_MEM_PROFILE) {
			w->stop = OOMPROF_STOP_BAD_TYPE;
			break;
		}
		if (head->nstk > OOMPROF_GO_MAX_STACK) {
			w->stop = OOMPROF_STOP_BAD_NSTK;
			break;
		}
		need = entry_size(head->nstk);
		if (w->out_size - w->bytes < need) {
			w->stop = OOMPROF_STOP_BUFFER_FULL;
			break;
		}
		err = read_stack_and_counts(src, addr, head, need, w);
		if (err) {
			w->stop = read_stop(err);
			break;
		}
		next = head->allnext;
		w->bytes += need;
		w->nbuckets++;
		last = addr;

		/* Brent: does the list come back to the tortoise? */
		lambda++;
		if (next && next == tortoise) {
			cut_cycle(w, lambda);
			return;
		}
		if (lambda == power) {
			tortoise = next;
			power *= 2;
			lambda = 0;
		}
		addr = next;
	}
	/* The learned list had known_count buckets; this has fewer. */
	if (counting && w->stop == OOMPROF_STOP_NONE &&
	    w->nbuckets_counted < w->known_count)
		w->stop = OOMPROF_STOP_LEARNED_MISMATCH;
	if (w->stop == OOMPROF_STOP_NONE)
		return;
	w->stop_addr = addr;
	/*
	 * Counting began when the walk reached known_head, necessarily
	 * the first time it came there: the full entries before hold no
	 * repeat then (a loop before it would have reached it first).
	 */
	if (counting)
		return;
	lambda = w->nbuckets > 1 ? repeat_period(w, last) : 0;
	if (lambda)
		cut_cycle(w, lambda);
}

static bool region_used(const struct oomprof_go_region *r)
{
	return r->addr || r->bytes || r->reserved;
}

/*
 * Are @regions (OOMPROF_GO_MAX_REGIONS slots, from user space) what the
 * uapi allows: each unused (all 0) or a user range below @user_limit of
 * 1 to OOMPROF_GO_REGION_MAX bytes? Their total is then bounded too.
 */
bool oomprof_regions_valid(const struct oomprof_go_region *regions,
			   u64 user_limit)
{
	unsigned int i;

	for (i = 0; i < OOMPROF_GO_MAX_REGIONS; i++) {
		const struct oomprof_go_region *r = &regions[i];

		if (!region_used(r))
			continue;
		if (r->reserved || !r->addr || !r->bytes ||
		    r->bytes > OOMPROF_GO_REGION_MAX ||
		    r->addr > user_limit || r->bytes > user_limit - r->addr)
			return false;
	}
	return true;
}

/* Bytes the data of valid @regions takes: each used one rounded up to 8. */
u32 oomprof_regions_room(const struct oomprof_go_region *regions)
{
	unsigned int i;
	u32 room = 0;

	for (i = 0; regions && i < OOMPROF_GO_MAX_REGIONS; i++)
		if (region_used(&regions[i]))
			room += round_up(regions[i].bytes, 8);
	return room;
}

/*
 * Describe valid @regions in @cap as not copied, each used one failing
 * with @err (a capture that could not read at all, or the start of one
 * that will).
 */
void oomprof_regions_describe(const struct oomprof_go_region *regions,
			      int err, struct oomprof_go_capture *cap)
{
	unsigned int i;

	memset(cap->regions, 0, sizeof(cap->regions));
	memset(cap->region_error, 0, sizeof(cap->region_error));
	cap->regions_copied = 0;
	cap->regions_bytes = oomprof_regions_room(regions);
	for (i = 0; regions && i < OOMPROF_GO_MAX_REGIONS; i++) {
		if (!region_used(&regions[i]))
			continue;
		cap->regions[i] = regions[i];
		cap->region_error[i] = err;
	}
}

/*
 * Copy valid @regions into @out (oomprof_regions_room() bytes), each at
 * its place, and say in @cap which were. A region that cannot be read is
 * left zeros with its error and the others are still copied: they are
 * facts of their own, whatever becomes of the buckets. At most
 * OOMPROF_GO_MAX_REGIONS reads of at most a page each.
 */
void oomprof_walk_regions(struct oomprof_mem_source *src,
			  const struct oomprof_walk_limits *lim,
			  const struct oomprof_go_region *regions, void *out,
			  struct oomprof_go_capture *cap)
{
	unsigned int i;
	u8 *p = out;

	oomprof_regions_describe(regions, 0, cap);
	if (cap->regions_bytes)
		memset(out, 0, cap->regions_bytes);
	for (i = 0; regions && i < OOMPROF_GO_MAX_REGIONS; i++) {
		const struct oomprof_go_region *r = &regions[i];
		int err;

		if (!region_used(r))
			continue;
		if (lim->deadline_ns && ktime_get_ns() > lim->deadline_ns)
			err = -ETIME;
		else
			err = src->read(src, r->addr, p, r->bytes);
		if (err) {
			/* A read that failed part way may have left bytes. */
			memset(p, 0, r->bytes);
			cap->region_error[i] = err;
		} else {
			cap->regions_copied |= BIT(i);
		}
		p += round_up(r->bytes, 8);
	}
}

void oomprof_walk_capture(struct oomprof_mem_source *src,
			  struct oomprof_walk_limits *lim, u64 timeout_ns,
			  struct oomprof_walk *w,
			  struct oomprof_go_capture *cap)
{
	u64 start = ktime_get_ns();

	lim->deadline_ns = start + timeout_ns;
	cap->start_boottime_ns = ktime_get_boottime_ns();
	oomprof_walk_regions(src, lim, w->regions, w->regions_out, cap);
	oomprof_walk_buckets(src, lim, w);
	cap->duration_ns = ktime_get_ns() - start;
	cap->mbuckets_addr = w->mbuckets_addr;
	cap->mem_profile_rate_addr = w->rate_addr;
	cap->mem_profile_rate = w->rate;
	cap->nbuckets = w->nbuckets;
	cap->bucket_bytes = w->bytes;
	cap->known_head = w->known_head;
	cap->known_count = w->known_count;
	cap->nbuckets_counted = w->nbuckets_counted;
	cap->counts_bytes = w->counts_bytes;
	cap->stop = w->stop;
	cap->stop_addr = w->stop_addr;
	cap->flags = w->flags;
}
