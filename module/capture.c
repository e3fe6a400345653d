// SPDX-License-Identifier: GPL-2.0
/*
 * Capturing a Go victim's heap-profile buckets at its OOM kill.
 *
 * Capture buffers are vmalloc'd at load: under OOM, allocating is exactly
 * what fails. A victim takes one from mark_victim (atomic, lock-free) and
 * gives it back when the reader has copied the record out.
 *
 * How the victim's memory is read. Normally in the victim itself, in a
 * task_work it runs before it takes its SIGKILL (kill.c says why): its own
 * address space is current->mm. The fallback, for a victim that does not
 * get there in time, runs in a worker that adopts the victim's mm for the
 * walk (kthread_use_mm). Either way the walk holds the mmap_lock for
 * reading (taken with trylock, never waited for: see lock_mm), skips
 * device mappings, and reads each page in place through the page tables:
 * a window of resident pages it holds references on while it reads them
 * (get_user_pages_fast_only, see window_fill), else
 * copy_from_user_nofault(). No page is faulted in (faulting allocates,
 * and this is an OOM), and no reference outlives the walk. A page that is
 * not resident, or that the OOM reaper has already unmapped, is a read
 * fault that ends the walk as partial, never stale data.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mmap_lock.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "oomprof.h"
#include "walker.h"

/* The window's pages are read through page_address(): no highmem. */
#ifdef CONFIG_HIGHMEM
#error "oomprof reads a victim's pages through the kernel's direct map: no CONFIG_HIGHMEM"
#endif

struct capture_buf {
	atomic_t busy;
	u8 *mem;
};

static struct capture_buf *bufs;
static unsigned int nr_bufs;
static size_t buf_size;
static u64 max_buckets;
static u64 timeout_ns;
static atomic_t bufs_busy;
static atomic64_t captures;
static atomic64_t captures_dropped;
static atomic64_t captures_counted;

/*
 * Where region data starts in a buffer: after the record's two heads. The
 * bucket entries follow the data (the registration's regions_bytes).
 */
#define REGIONS_OFFSET \
	(sizeof(struct oomprof_oom_kill) + sizeof(struct oomprof_go_capture))
/* The most region data a registration can ask for. */
#define REGIONS_MAX	(OOMPROF_GO_MAX_REGIONS * OOMPROF_GO_REGION_MAX)

/* The walk's read window (see mm_peek): pages of the victim it holds. */
#define WINDOW_PAGES	16
#define WINDOW_SIZE	(WINDOW_PAGES * PAGE_SIZE)
/*
 * Where a read the window holds across two pages is copied to (a peek is
 * at most this long), at the end of each capture buffer: entries never
 * reach it.
 */
#define BOUNCE_SIZE	PAGE_SIZE

int oomprof_capture_init(unsigned int buffers, unsigned int buffer_mb,
			 unsigned int bucket_limit, unsigned int timeout_ms)
{
	unsigned int i;

	nr_bufs = buffers;
	buf_size = (size_t)buffer_mb << 20;
	max_buckets = bucket_limit;
	timeout_ns = (u64)timeout_ms * NSEC_PER_MSEC;
	if (!nr_bufs)
		return 0;
	if (buf_size <= REGIONS_OFFSET + REGIONS_MAX + BOUNCE_SIZE +
			OOMPROF_EXT_MAX) {
		pr_err("capture_buffer_mb must be at least 1\n");
		return -EINVAL;
	}
	bufs = kcalloc(nr_bufs, sizeof(*bufs), GFP_KERNEL);
	if (!bufs)
		return -ENOMEM;
	for (i = 0; i < nr_bufs; i++) {
		bufs[i].mem = vmalloc(buf_size);
		if (!bufs[i].mem) {
			oomprof_capture_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void oomprof_capture_exit(void)
{
	unsigned int i;

	for (i = 0; bufs && i < nr_bufs; i++)
		vfree(bufs[i].mem);
	kfree(bufs);
	bufs = NULL;
	nr_bufs = 0;
}

static DECLARE_WAIT_QUEUE_HEAD(bufs_freed);

/* A free buffer's index, or -1, not counted as a drop. Any context. */
int oomprof_capture_claim_try(void)
{
	unsigned int i;

	for (i = 0; i < nr_bufs; i++) {
		if (!atomic_cmpxchg(&bufs[i].busy, 0, 1)) {
			atomic_inc(&bufs_busy);
			return i;
		}
	}
	return -1;
}

/* A free buffer's index, or -1. Any context. */
int oomprof_capture_claim(void)
{
	int idx = oomprof_capture_claim_try();

	if (idx < 0)
		atomic64_inc(&captures_dropped);
	return idx;
}

/*
 * A free buffer's index, waiting for one until ktime_get_ns() reaches
 * @until_ns, or -1. Sleeps. More Go victims at once than buffers: a
 * buffer comes free as soon as the reader has copied a capture out, which
 * takes it milliseconds, so a victim that waits briefly is captured whole
 * instead of not at all. With no reader open, nothing frees a buffer:
 * no wait.
 */
int oomprof_capture_claim_wait(u64 until_ns)
{
	u64 now = ktime_get_ns();
	int idx = oomprof_capture_claim_try();

	if (idx < 0 && oomprof_events_reader_open() && now < until_ns)
		wait_event_timeout(bufs_freed, (idx = oomprof_capture_claim_try()) >= 0,
				   nsecs_to_jiffies(until_ns - now) + 1);
	if (idx < 0)
		atomic64_inc(&captures_dropped);
	return idx;
}

void oomprof_capture_release(int idx)
{
	atomic_set_release(&bufs[idx].busy, 0);
	atomic_dec(&bufs_busy);
	wake_up(&bufs_freed);
}

void oomprof_capture_note_dropped(void)
{
	atomic64_inc(&captures_dropped);
}

/*
 * Reads through the current address space (the victim's own, or the one
 * a worker adopted with kthread_use_mm), with its mmap_lock held for
 * reading so that the mappings checked stay the mappings read.
 */
struct mm_source {
	struct oomprof_mem_source src;
	struct mm_struct *mm;
	unsigned long ok_start, ok_end;	/* the last mapping found ordinary */
	/*
	 * The read window (see mm_peek): page i of it, at win_start + i
	 * pages, referenced, or NULL where it was not resident or not
	 * ordinary memory.
	 */
	struct page *win[WINDOW_PAGES];
	unsigned long win_start;	/* page-aligned; valid if win_set */
	bool win_set;
	/*
	 * The page the last peek was in (its user address, or 1: none) and
	 * where it is in the kernel's mapping: most peeks fall in the same
	 * page as the one before, and take no more than this.
	 */
	unsigned long hot_page;
	const u8 *hot_kaddr;
	u8 *bounce;			/* BOUNCE_SIZE bytes */
};

/*
 * 0 if [addr, addr + len) lies in mapped, ordinary memory; -ENXIO if any
 * of it is device memory (VM_IO, VM_PFNMAP: a read there can have side
 * effects on a device); -EFAULT if unmapped. A read is at most a bucket
 * (~8 KiB), so this looks up a few mappings at most.
 */
static int check_mappings(struct mm_source *s, unsigned long addr,
			  size_t len)
{
	unsigned long end = addr + len;

	mmap_assert_locked(s->mm);
	while (addr < end) {
		struct vm_area_struct *vma;

		if (addr >= s->ok_start && addr < s->ok_end) {
			addr = s->ok_end;
			continue;
		}
		vma = vma_lookup(s->mm, addr);
		if (!vma)
			return -EFAULT;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			return -ENXIO;
		s->ok_start = vma->vm_start;
		s->ok_end = vma->vm_end;
		addr = vma->vm_end;
	}
	return 0;
}

/* Drop the window's page references. Every walk ends with this. */
static void window_release(struct mm_source *s)
{
	unsigned int i;

	for (i = 0; i < WINDOW_PAGES; i++) {
		if (s->win[i])
			put_page(s->win[i]);
		s->win[i] = NULL;
	}
	s->win_set = false;
	s->hot_page = 1;
}

/*
 * Take the window's pages from @start: a reference on each that is
 * ordinary memory (check_mappings) and resident, from the page tables
 * as they are, with get_user_pages_fast_only(): nothing is faulted in
 * (faulting allocates, and this is an OOM) and special mappings are
 * refused there too. A page that fails is left out; a read that needs it
 * goes the direct way, with its retries. Pages already held for the new
 * window (the two windows overlap) are kept, not taken again.
 *
 * The OOM reaper may unmap the victim's memory meanwhile (it takes the
 * mmap_lock for reading too): a page we hold a reference on is then not
 * freed, nor reused, until window_release(), so what is read from it is
 * what the victim had there, never another owner's data. At most
 * WINDOW_PAGES pages are held, for a walk whose time is bounded.
 */
static void window_fill(struct mm_source *s, unsigned long start)
{
	struct page *keep[WINDOW_PAGES] = {};
	unsigned int i, n;

	/* Pages of the old window that the new one covers too. */
	for (i = 0; s->win_set && i < WINDOW_PAGES; i++) {
		unsigned long page = s->win_start + i * PAGE_SIZE;

		if (s->win[i] && page >= start &&
		    page < start + WINDOW_SIZE) {
			keep[(page - start) >> PAGE_SHIFT] = s->win[i];
			s->win[i] = NULL;
		}
	}
	window_release(s);
	memcpy(s->win, keep, sizeof(keep));
	s->win_set = true;
	s->win_start = start;
	for (i = 0; i < WINDOW_PAGES; i += n) {
		unsigned long page = start + i * PAGE_SIZE;

		n = 1;
		if (s->win[i] || page < PAGE_SIZE ||
		    page > TASK_SIZE_MAX - PAGE_SIZE ||
		    check_mappings(s, page, PAGE_SIZE))
			continue;
		/* The run of pages from i that are not held yet and ordinary. */
		while (i + n < WINDOW_PAGES && !s->win[i + n] &&
		       page + n * PAGE_SIZE <= TASK_SIZE_MAX - PAGE_SIZE &&
		       !check_mappings(s, page + n * PAGE_SIZE, PAGE_SIZE))
			n++;
		/*
		 * Takes the run's pages up to the first one it cannot; that
		 * one is left out and the rest of the run tried again.
		 */
		n = min_t(unsigned int, n,
			  get_user_pages_fast_only(page, n, 0, s->win + i) + 1);
	}
}

/*
 * Where a window for [addr, addr + len) starts. The runtime allocates
 * buckets upwards in address and pushes each new one at the list's head,
 * so the walk mostly goes down in memory: a read below the current
 * window gets a window that extends below it, with two pages above for
 * the rest of its bucket; any other read, one that extends above.
 */
static unsigned long window_place(struct mm_source *s, unsigned long addr,
				  size_t len)
{
	unsigned long top = round_up(addr + len, PAGE_SIZE) + 2 * PAGE_SIZE;

	if (s->win_set && addr < s->win_start)
		return top > WINDOW_SIZE ? top - WINDOW_SIZE : 0;
	return round_down(addr, PAGE_SIZE);
}

/*
 * The window holding [addr, addr + len), placed (window_place) and
 * filled if it is not there yet; false if a page of it is not held.
 */
static bool window_get(struct mm_source *s, unsigned long addr, size_t len)
{
	unsigned long first, last, i;

	if (!s->win_set || addr < s->win_start ||
	    addr + len > s->win_start + WINDOW_SIZE)
		window_fill(s, window_place(s, addr, len));
	first = (addr - s->win_start) >> PAGE_SHIFT;
	last = (addr + len - 1 - s->win_start) >> PAGE_SHIFT;
	for (i = first; i <= last; i++)
		if (!s->win[i])
			return false;
	return true;
}

/*
 * Copy [addr, addr + len) out of the window (window_get said it holds
 * it) to @dst, a page at a time: the pages need not be adjacent in the
 * kernel's mapping.
 */
static void window_copy(struct mm_source *s, unsigned long addr, u8 *dst,
			size_t len)
{
	while (len) {
		unsigned long off = addr - s->win_start;
		size_t piece = min_t(size_t, len,
				     PAGE_SIZE - (off & ~PAGE_MASK));

		memcpy(dst, (u8 *)page_address(s->win[off >> PAGE_SHIFT]) +
			    (off & ~PAGE_MASK), piece);
		addr += piece;
		dst += piece;
		len -= piece;
	}
}

static int mm_read_direct(struct mm_source *s, u64 addr, void *dst,
			  size_t len)
{
	int err, tries;

	err = check_mappings(s, addr, len);
	if (err)
		return err;
	/*
	 * Reads the page in place: no fault is taken (faulting allocates,
	 * and this is an OOM) and, with page faults disabled, the fault
	 * handler takes no mmap_lock either. A page can be missing for a
	 * moment (a migration entry while compaction moves it, under the
	 * memory pressure every OOM comes with): try twice more, after a
	 * pause, before calling it unreadable.
	 */
	for (tries = 0; tries < 3; tries++) {
		if (tries)
			usleep_range(50, 100);
		if (!copy_from_user_nofault(dst,
					    (const void __user *)(uintptr_t)addr,
					    len))
			return 0;
	}
	return -EFAULT;
}

/* Can [addr, addr + len) go through the window at all? */
static bool window_fits(u64 addr, size_t len)
{
	return addr + len >= addr && addr + len <= TASK_SIZE_MAX &&
	       len && len <= WINDOW_SIZE / 4;
}

/*
 * A read of the walk. A million buckets take two reads each, and under
 * emulation both the cost of a copy_from_user_nofault() call and that of
 * copying whole pages (a bucket is ~375 bytes, the walk of a learned one
 * needs ~180 of them) dominate: the walk reads the victim's pages in
 * place, through a window of WINDOW_PAGES pages it holds references on,
 * which holds tens of the runtime's adjacent buckets (persistentalloc
 * hands them out from one chunk after another). These are the victim's
 * live pages: its other threads may still write them, so the walker reads
 * each field it relies on once (walker.h). What the window cannot hold
 * is read directly.
 */
static const void *mm_peek(struct oomprof_mem_source *src, u64 addr,
			   size_t len)
{
	struct mm_source *s = container_of(src, struct mm_source, src);
	unsigned long off = addr & ~PAGE_MASK;

	/* The hot page is held (window_release forgets it). */
	if ((addr & PAGE_MASK) == s->hot_page && len <= PAGE_SIZE - off)
		return s->hot_kaddr + off;
	if (!window_fits(addr, len) || len > BOUNCE_SIZE ||
	    !window_get(s, addr, len))
		return NULL;
	if (len <= PAGE_SIZE - off) {
		s->hot_page = addr & PAGE_MASK;
		s->hot_kaddr = page_address(s->win[(s->hot_page -
						     s->win_start) >> PAGE_SHIFT]);
		return s->hot_kaddr + off;
	}
	/* Across two pages, not adjacent in the kernel's mapping: a copy. */
	window_copy(s, addr, s->bounce, len);
	return s->bounce;
}

static int mm_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		   size_t len)
{
	struct mm_source *s = container_of(src, struct mm_source, src);

	if (window_fits(addr, len) && window_get(s, addr, len)) {
		window_copy(s, addr, dst, len);
		return 0;
	}
	if (addr + len < addr || addr + len > TASK_SIZE_MAX)
		return -EFAULT;
	return mm_read_direct(s, addr, dst, len);
}

/*
 * The mmap_lock for reading, without ever blocking on it: the OOM path
 * must not wait behind a writer that may itself wait for memory. Retried
 * until @until (ktime_get_ns).
 */
static bool lock_mm(struct mm_struct *mm, u64 until)
{
	while (!mmap_read_trylock(mm)) {
		if (ktime_get_ns() >= until)
			return false;
		usleep_range(200, 500);
	}
	return true;
}

/*
 * Walk the buckets of the current address space @mm into buffer @idx and
 * describe the walk in @cap; done by @end_ns (ktime_get_ns) or after
 * capture_timeout_ms, whichever comes first.
 */
static void walk_current(int idx, struct mm_struct *mm,
			 const struct oomprof_reg_info *reg, u64 end_ns,
			 struct oomprof_go_capture *cap)
{
	struct mm_source s = {
		.src.read = mm_read,
		.src.peek = mm_peek,
		.mm = mm,
		.hot_page = 1,
		.bounce = bufs[idx].mem + buf_size - BOUNCE_SIZE,
	};
	struct oomprof_walk_limits lim = {
		.max_buckets = max_buckets,
		.user_limit = TASK_SIZE_MAX,
	};
	/* Registered valid (oomprof_registry_add): at most REGIONS_MAX. */
	u32 room = oomprof_regions_room(reg->regions);
	struct oomprof_walk w = {
		.mbuckets_addr = reg->mbuckets_addr,
		.rate_addr = reg->rate_addr,
		.out = bufs[idx].mem + REGIONS_OFFSET + room,
		/* The record's sections go after the entries, below the bounce. */
		.out_size = buf_size - REGIONS_OFFSET - room - BOUNCE_SIZE -
			    OOMPROF_EXT_MAX,
		.known_head = reg->known_head,
		.known_count = reg->known_count,
		.regions = reg->regions,
		.regions_out = bufs[idx].mem + REGIONS_OFFSET,
	};
	u64 now = ktime_get_ns();
	u64 until = min(now + timeout_ns, end_ns);

	if (now >= until || !lock_mm(mm, until)) {
		oomprof_regions_describe(reg->regions,
					 now >= until ? -ETIME : -EBUSY, cap);
		memset(w.regions_out, 0, room);
		cap->start_boottime_ns = ktime_get_boottime_ns();
		cap->stop = now >= until ? OOMPROF_STOP_TIMEOUT :
			    OOMPROF_STOP_MM_BUSY;
		cap->mbuckets_addr = reg->mbuckets_addr;
		cap->mem_profile_rate_addr = reg->rate_addr;
		cap->mem_profile_rate = -1;
		cap->flags = OOMPROF_CAPTURE_NO_RATE;
	} else {
		now = ktime_get_ns();
		oomprof_walk_capture(&s.src, &lim, until > now ? until - now : 0,
				     &w, cap);
		/* Whatever ended the walk: no page stays referenced after it. */
		window_release(&s);
		mmap_read_unlock(mm);
	}

	cap->registration_id = reg->id;
	cap->cookie = reg->cookie;
	cap->load_bias = reg->load_bias;
	memcpy(cap->exe_path, reg->exe_path, sizeof(cap->exe_path));
	memcpy(cap->build_id, reg->build_id, sizeof(cap->build_id));
}

/*
 * From a worker: @mm is the victim's, referenced by the caller for the
 * walk. Process context, sleepable.
 */
void oomprof_capture_run(int idx, struct mm_struct *mm,
			 const struct oomprof_reg_info *reg, u64 end_ns,
			 struct oomprof_go_capture *cap)
{
	kthread_use_mm(mm);
	walk_current(idx, mm, reg, end_ns, cap);
	kthread_unuse_mm(mm);
}

/* In the victim itself (its task_work): its own address space. */
void oomprof_capture_run_current(int idx, const struct oomprof_reg_info *reg,
				 u64 end_ns, struct oomprof_go_capture *cap)
{
	walk_current(idx, current->mm, reg, end_ns, cap);
}

/*
 * Lay the record out in buffer @idx: kill facts, then @cap, then the
 * region data and entries the walk left there, then the @ext_bytes of
 * sections at @ext (at most OOMPROF_EXT_MAX: the walk left that room).
 * Returns the record's header.
 */
struct oomprof_record_header *
oomprof_capture_finish(int idx, const struct oomprof_oom_kill *kill,
		       const struct oomprof_go_capture *cap, const void *ext,
		       u32 ext_bytes)
{
	struct oomprof_oom_kill *rec = (struct oomprof_oom_kill *)bufs[idx].mem;
	size_t end = REGIONS_OFFSET + cap->regions_bytes + cap->bucket_bytes +
		     cap->counts_bytes;
	size_t ext_off = round_up(end, 8);

	if (WARN_ON_ONCE(ext_bytes > OOMPROF_EXT_MAX))
		ext_bytes = 0;
	memcpy(rec, kill, sizeof(*rec));
	memcpy(rec + 1, cap, sizeof(*cap));
	/*
	 * Count entries are bytes: zeros pad them to the multiple of 8 the
	 * sections and every record's size are. The walk's out_size keeps
	 * room for both below the bounce area.
	 */
	memset(bufs[idx].mem + end, 0, ext_off - end);
	memcpy(bufs[idx].mem + ext_off, ext, ext_bytes);
	rec->ext_offset = ext_bytes ? ext_off : 0;
	rec->ext_bytes = ext_bytes;
	rec->hdr.type = OOMPROF_REC_GO_HEAP;
	rec->hdr.size = ext_off + ext_bytes;
	return &rec->hdr;
}

struct oomprof_record_header *oomprof_capture_record(int idx)
{
	return (struct oomprof_record_header *)bufs[idx].mem;
}

/* The reader copied record @idx out: count it and free the buffer. */
void oomprof_capture_delivered(int idx)
{
	const struct oomprof_go_capture *cap = (const void *)(bufs[idx].mem +
		sizeof(struct oomprof_oom_kill));

	atomic64_inc(&captures);
	if (cap->nbuckets_counted)
		atomic64_inc(&captures_counted);
	oomprof_capture_release(idx);
}

void oomprof_capture_stats(struct oomprof_stats *st)
{
	st->captures = atomic64_read(&captures);
	st->captures_dropped = atomic64_read(&captures_dropped);
	st->captures_counted = atomic64_read(&captures_counted);
	st->capture_buffers = nr_bufs;
	st->capture_buffers_busy = atomic_read(&bufs_busy);
	st->capture_buffer_size = buf_size;
	st->reserved_bytes += nr_bufs * (PAGE_ALIGN(buf_size) + sizeof(*bufs));
}
