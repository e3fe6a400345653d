// SPDX-License-Identifier: GPL-2.0
/*
 * On-demand dumps: a live Go process's heap-profile buckets, now, for the
 * caller (OOMPROF_IOC_DUMP).
 *
 * The same walker as the OOM path, in the caller's sleepable context. The
 * process is alive and its task->mm set, so access_process_vm() is the
 * right reader here (it pins and maps each page for the copy); at an OOM
 * kill the victim may already have dropped task->mm, which is why the OOM
 * path reads through an mm reference instead (capture.c).
 *
 * Who may dump which process is the registry's rule (registry.c, the uapi
 * header): the request's /proc/PID/mem says the kernel let its opener
 * ptrace-attach the process, and the dump holds the process's exec lock
 * while it reads, so every byte comes from the address space that file
 * is bound to, never from a program exec'd meanwhile (a set-uid one, say).
 * That lock makes the process's execve() wait: the dump is bounded by
 * dump_timeout_ms, checked between reads of at most a page.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "oomprof.h"
#include "walker.h"

struct task_source {
	struct oomprof_mem_source src;
	struct task_struct *task;
	const struct oomprof_walk_limits *lim;
	bool timed_out;
};

/*
 * A page at a time: one access_process_vm() of a bucket (up to 8 KiB of
 * stack) can fault in several pages, each of which may have to come from
 * swap or a slow file; the deadline and a fatal signal are checked
 * between them.
 */
static int task_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		     size_t len)
{
	struct task_source *ts = container_of(src, struct task_source, src);
	u8 *to = dst;

	if (addr + len < addr || len > INT_MAX)
		return -EFAULT;
	while (len) {
		size_t piece = min_t(size_t, len,
				     PAGE_SIZE - offset_in_page(addr));

		if ((ts->lim->deadline_ns &&
		     ktime_get_ns() > ts->lim->deadline_ns) ||
		    fatal_signal_pending(current)) {
			ts->timed_out = true;
			return -EFAULT;
		}
		if (access_process_vm(ts->task, addr, to, piece, 0) !=
		    (int)piece)
			return -EFAULT;
		addr += piece;
		to += piece;
		len -= piece;
	}
	return 0;
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
	struct task_source ts = { .src.read = task_read, .lim = &lim };
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
	ts.task = task;
	lim.max_buckets = U64_MAX;
	memset(cap, 0, sizeof(*cap));
	oomprof_walk_capture(&ts.src, &lim, dump_timeout_ns, &w, cap);
	oomprof_task_unbind(task);
	if (ts.timed_out && cap->stop == OOMPROF_STOP_READ_FAULT)
		cap->stop = OOMPROF_STOP_TIMEOUT;
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
