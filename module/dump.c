// SPDX-License-Identifier: GPL-2.0
/*
 * On-demand dumps: a live Go process's heap-profile buckets, now, for the
 * caller (OOMPROF_IOC_DUMP).
 *
 * The same walker as the OOM path, in the caller's sleepable context.
 *
 * Who may dump which process is the registry's rule (registry.c, the uapi
 * header): the request's /proc/PID/mem says the kernel let its opener
 * ptrace-attach the process, and the dump holds the process's exec lock
 * while it reads, so every byte comes from the address space that file
 * is bound to, never from a program exec'd meanwhile (a set-uid one, say).
 * That lock makes the process's execve() wait: the dump is bounded by
 * dump_timeout_ms, checked between reads of at most a page.
 *
 * Which pages a dump may fault in. The process being dumped owns its
 * memory: its runtime.mbuckets word, or a forged bucket's allnext, can
 * point into a mapping of a file on a FUSE file system its own user
 * serves. Faulting such a page in sends the server a READ and waits for
 * the answer; once the server has taken the request, even a SIGKILL does
 * not end that wait (fuse's request_wait_answer), so a server that never
 * answers would hold the dumper, the process's exec lock and a dump slot
 * for good, whatever dump_timeout_ms says: a deadline checked between
 * pages cannot bound a wait inside one. Other mappings can wait on
 * someone else the same way: files on NFS or other network file systems,
 * memory a userfaultfd watches (its handler is the process's own). So a
 * dump faults in only pages
 * of private anonymous memory that no userfaultfd watches: what a fault
 * there waits for (a zero page, a swap-in from the swap the administrator
 * set up) no local user serves. The runtime's buckets live there
 * (persistentalloc takes its chunks from anonymous mmap). Any other
 * mapping is read only where the page is already mapped in the process
 * (FOLL_NOFAULT), as the OOM path reads every page: the runtime's own
 * variables (runtime.MemProfileRate in .noptrdata or .noptrbss, the
 * memstats regions) are in the executable's data mappings, which the
 * runtime keeps using (every malloc reads the rate), so their
 * pages are normally mapped. The executable's own mapping gets no
 * exception: it can sit on FUSE too. A page that is not mapped (never
 * touched, or reclaimed since) gives OOMPROF_STOP_READ_FAULT ("not
 * resident") for a bucket, OOMPROF_CAPTURE_NO_RATE for the rate and
 * -EFAULT for a region, at once and without a request to anyone. Device
 * memory (VM_IO, VM_PFNMAP) is never read: OOMPROF_STOP_IO_MAPPING.
 *
 * Nor does a dump wait for the process's mmap_lock beyond its deadline
 * (a writer queued behind a reader stuck in such a fault would hold it
 * there): it tries the lock until dump_timeout_ms is up, then stops with
 * OOMPROF_STOP_MM_BUSY.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "oomprof.h"
#include "walker.h"

#ifndef OOMPROF_HAVE_FOLL_NOFAULT
#define OOMPROF_HAVE_FOLL_NOFAULT 0
#endif
#ifndef OOMPROF_HAVE_GUP_REMOTE_VMAS
#define OOMPROF_HAVE_GUP_REMOTE_VMAS 0
#endif

struct task_source {
	struct oomprof_mem_source src;
	struct mm_struct *mm;
	const struct oomprof_walk_limits *lim;
	/*
	 * Why a read failed when the memory was not the reason (the
	 * deadline, the mmap_lock, a fatal signal): the walk's stop, which
	 * would otherwise say READ_FAULT. 0: none.
	 */
	u32 stop;
};

/* See the top: only a fault no local user can make wait. */
static bool may_fault(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) && !(vma->vm_flags & VM_SHARED) &&
	       !userfaultfd_armed(vma);
}

static long gup_one(struct mm_struct *mm, unsigned long addr,
		    unsigned int flags, struct page **page)
{
	/*
	 * No @locked: gup keeps the mmap_lock held (no retry that would
	 * drop it) and a fault it takes waits without FAULT_FLAG_ALLOW_RETRY.
	 */
#if OOMPROF_HAVE_GUP_REMOTE_VMAS
	return get_user_pages_remote(mm, addr, 1, flags, page, NULL, NULL);
#else
	return get_user_pages_remote(mm, addr, 1, flags, page, NULL);
#endif
}

/*
 * The process's mmap_lock for reading by the deadline, never queued on it
 * (see the top). false: ts->stop says why not.
 */
static bool lock_mm(struct task_source *ts)
{
	while (!mmap_read_trylock(ts->mm)) {
		if (fatal_signal_pending(current)) {
			ts->stop = OOMPROF_STOP_TIMEOUT;
			return false;
		}
		if (ts->lim->deadline_ns &&
		    ktime_get_ns() > ts->lim->deadline_ns) {
			ts->stop = OOMPROF_STOP_MM_BUSY;
			return false;
		}
		usleep_range(200, 500);
	}
	return true;
}

/* @len bytes at @addr, all in one page. */
static int read_page(struct task_source *ts, unsigned long addr, void *dst,
		     size_t len)
{
	struct vm_area_struct *vma;
	unsigned int flags = 0;
	struct page *page;
	void *kaddr;
	long got;

	if (!lock_mm(ts))
		return -EFAULT;
	vma = vma_lookup(ts->mm, addr);
	if (!vma) {
		mmap_read_unlock(ts->mm);
		return -EFAULT;
	}
	if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		mmap_read_unlock(ts->mm);
		return -ENXIO;
	}
	if (!may_fault(vma)) {
#if OOMPROF_HAVE_FOLL_NOFAULT
		flags |= FOLL_NOFAULT;
#else
		/* No way to ask gup for a resident page only: no read. */
		mmap_read_unlock(ts->mm);
		return -EFAULT;
#endif
	}
	got = gup_one(ts->mm, addr, flags, &page);
	mmap_read_unlock(ts->mm);
	if (got != 1)
		return -EFAULT;
	kaddr = kmap_local_page(page);
	memcpy(dst, kaddr + offset_in_page(addr), len);
	kunmap_local(kaddr);
	put_page(page);
	return 0;
}

/*
 * A page at a time: one read of a bucket (up to 8 KiB of stack) can fault
 * in several pages, each of which may have to come from swap; the
 * deadline and a fatal signal are checked between them.
 */
static int task_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		     size_t len)
{
	struct task_source *ts = container_of(src, struct task_source, src);
	u8 *to = dst;
	int err = 0;

	if (addr + len < addr || addr + len > TASK_SIZE_MAX)
		return -EFAULT;
	/* An exit may have begun: its address space is read while it lasts. */
	if (!mmget_not_zero(ts->mm))
		return -EFAULT;
	while (len) {
		size_t piece = min_t(size_t, len,
				     PAGE_SIZE - offset_in_page(addr));

		if ((ts->lim->deadline_ns &&
		     ktime_get_ns() > ts->lim->deadline_ns) ||
		    fatal_signal_pending(current)) {
			ts->stop = OOMPROF_STOP_TIMEOUT;
			err = -EFAULT;
			break;
		}
		err = read_page(ts, addr, to, piece);
		if (err)
			break;
		addr += piece;
		to += piece;
		len -= piece;
	}
	mmput(ts->mm);
	return err;
}

/*
 * kvmalloc() warns (a panic with panic_on_warn) at INT_MAX bytes and
 * more: the largest dump buffer stays below.
 */
#define DUMP_MAX_MB_LIMIT	2047
/*
 * Dumps running at once: each holds up to dump_max_mb, charged to its
 * caller's memory cgroup; a further one gets EBUSY.
 */
#define DUMP_CONCURRENT		2

static size_t dump_max_bytes;
static u64 dump_timeout_ns;
static atomic_t dumps_running = ATOMIC_INIT(0);

void oomprof_dump_init(unsigned int max_mb, unsigned int timeout_ms)
{
	if (max_mb > DUMP_MAX_MB_LIMIT) {
		pr_warn("dump_max_mb=%u lowered to %u: a kernel buffer of 2 GiB or more is not allowed\n",
			max_mb, DUMP_MAX_MB_LIMIT);
		max_mb = DUMP_MAX_MB_LIMIT;
	}
	dump_max_bytes = (size_t)max_mb << 20;
	dump_timeout_ns = (u64)timeout_ms * NSEC_PER_MSEC;
}

/*
 * Dump the process req->pid, which must run in @mm (the address space of
 * the caller's /proc/PID/mem, checked with oomprof_mem_file_check()).
 */
int oomprof_dump_mm(struct oomprof_dump *req, struct mm_struct *mm)
{
	struct oomprof_walk_limits lim = { .user_limit = TASK_SIZE_MAX };
	struct task_source ts = { .src.read = task_read, .lim = &lim,
				  .mm = mm };
	struct oomprof_walk w = {
		.mbuckets_addr = req->mbuckets_addr,
		.rate_addr = req->mem_profile_rate_addr,
	};
	struct oomprof_go_capture *cap = &req->cap;
	struct task_struct *task;
	u32 room;
	int err;

	if (req->flags || req->reserved || req->mbuckets_addr % 8 ||
	    req->mem_profile_rate_addr % 8 ||
	    !oomprof_regions_valid(req->regions, TASK_SIZE_MAX))
		return -EINVAL;
	/* The region data first, then the entries, in one buffer. */
	room = oomprof_regions_room(req->regions);
	w.out_size = min_t(u64, req->buf_size, dump_max_bytes);
	w.out_size -= w.out_size % 8;
	if (w.out_size <= room)
		return -EINVAL;
	w.regions = req->regions;

	if (atomic_inc_return(&dumps_running) > DUMP_CONCURRENT) {
		err = -EBUSY;
		goto out_count;
	}
	/*
	 * Charged to the caller: a dump is its request, and its memory. A
	 * buffer that does not fit fails the dump (ENOMEM) rather than OOM-
	 * kill anyone, in the caller's cgroup or on the machine.
	 */
	w.regions_out = kvmalloc(w.out_size, GFP_KERNEL_ACCOUNT |
				 __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (!w.regions_out) {
		err = -ENOMEM;
		goto out_count;
	}
	w.out = (u8 *)w.regions_out + room;
	w.out_size -= room;
	err = oomprof_task_bind(req->pid, req->start_time_ticks, mm, &task);
	if (err)
		goto out_free;
	lim.max_buckets = U64_MAX;
	memset(cap, 0, sizeof(*cap));
	oomprof_walk_capture(&ts.src, &lim, dump_timeout_ns, &w, cap);
	oomprof_task_unbind(task);
	if (ts.stop && cap->stop == OOMPROF_STOP_READ_FAULT)
		cap->stop = ts.stop;
	/* After the lock is dropped: this may fault in the caller's pages. */
	if (copy_to_user(u64_to_user_ptr(req->buf), w.regions_out,
			 room + w.bytes))
		err = -EFAULT;
out_free:
	kvfree(w.regions_out);
out_count:
	atomic_dec(&dumps_running);
	return err;
}

/* OOMPROF_IOC_DUMP: req->mem_fd is the caller's permission (registry.c). */
int oomprof_dump(struct oomprof_dump *req)
{
	struct mm_struct *mm;
	struct file *f;
	int err;

	f = fget(req->mem_fd);
	if (!f)
		return -EBADF;
	err = oomprof_mem_file_check(f, false, &mm);
	if (!err)
		err = oomprof_dump_mm(req, mm);
	fput(f);
	return err;
}
