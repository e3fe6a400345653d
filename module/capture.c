// SPDX-License-Identifier: GPL-2.0
/*
 * Capturing a Go victim's heap-profile buckets at its OOM kill.
 *
 * Capture buffers are vmalloc'd at load: under OOM, allocating is exactly
 * what fails. A victim takes one from mark_victim (atomic, lock-free) and
 * gives it back when the reader has copied the record out.
 *
 * How the victim's memory is read. mark_victim takes a reference on the
 * victim's address space (mmget_not_zero: get_task_mm would take the
 * task_lock the OOM killer already holds). The victim may run exit_mm()
 * before the capture runs, after which task->mm is NULL and
 * access_process_vm() sees nothing; so the walk reads through the held mm
 * itself: the capture work adopts it (kthread_use_mm) and copies with
 * copy_from_user_nofault(). That reads each page in place through the
 * victim's page tables: no page is faulted in (faulting allocates, and this
 * is an OOM), none is pinned per bucket, no mmap_lock is taken that the
 * dying victim or the OOM reaper could hold. A page that is not resident,
 * or that the OOM reaper has already unmapped, is a read fault that ends
 * the walk as partial, never stale data.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "oomprof.h"
#include "walker.h"

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

/* Where bucket entries start in a buffer: after the record's two heads. */
#define ENTRIES_OFFSET \
	(sizeof(struct oomprof_oom_kill) + sizeof(struct oomprof_go_capture))

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
	if (buf_size <= ENTRIES_OFFSET) {
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

/* A free buffer's index, or -1. Any context. */
int oomprof_capture_claim(void)
{
	unsigned int i;

	for (i = 0; i < nr_bufs; i++) {
		if (!atomic_cmpxchg(&bufs[i].busy, 0, 1)) {
			atomic_inc(&bufs_busy);
			return i;
		}
	}
	atomic64_inc(&captures_dropped);
	return -1;
}

void oomprof_capture_release(int idx)
{
	atomic_set_release(&bufs[idx].busy, 0);
	atomic_dec(&bufs_busy);
}

void oomprof_capture_note_dropped(void)
{
	atomic64_inc(&captures_dropped);
}

static int mm_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		   size_t len)
{
	if (addr + len < addr)
		return -EFAULT;
	return copy_from_user_nofault(dst, (const void __user *)(uintptr_t)addr,
				      len) ? -EFAULT : 0;
}

/*
 * Walk the buckets of the process whose address space is @mm (a reference
 * the caller holds and keeps) into buffer @idx, and describe the walk in
 * @cap. Process context, sleepable, bounded by max_buckets, the buffer
 * and capture_timeout_ms.
 */
void oomprof_capture_run(int idx, struct mm_struct *mm,
			 const struct oomprof_reg_info *reg,
			 struct oomprof_go_capture *cap)
{
	struct oomprof_mem_source src = { .read = mm_read };
	struct oomprof_walk_limits lim = {
		.max_buckets = max_buckets,
		.user_limit = TASK_SIZE_MAX,
	};
	struct oomprof_walk w = {
		.mbuckets_addr = reg->mbuckets_addr,
		.rate_addr = reg->rate_addr,
		.out = bufs[idx].mem + ENTRIES_OFFSET,
		.out_size = buf_size - ENTRIES_OFFSET,
	};

	kthread_use_mm(mm);
	oomprof_walk_capture(&src, &lim, timeout_ns, &w, cap);
	kthread_unuse_mm(mm);

	cap->registration_id = reg->id;
	cap->cookie = reg->cookie;
	cap->load_bias = reg->load_bias;
	memcpy(cap->exe_path, reg->exe_path, sizeof(cap->exe_path));
	memcpy(cap->build_id, reg->build_id, sizeof(cap->build_id));
}

/*
 * Lay the record out in buffer @idx: kill facts, then @cap, then the
 * entries the walk left there. Returns the record's header.
 */
struct oomprof_record_header *
oomprof_capture_finish(int idx, const struct oomprof_oom_kill *kill,
		       const struct oomprof_go_capture *cap)
{
	struct oomprof_oom_kill *rec = (struct oomprof_oom_kill *)bufs[idx].mem;

	memcpy(rec, kill, sizeof(*rec));
	memcpy(rec + 1, cap, sizeof(*cap));
	rec->hdr.type = OOMPROF_REC_GO_HEAP;
	rec->hdr.size = ENTRIES_OFFSET + cap->bucket_bytes;
	return &rec->hdr;
}

struct oomprof_record_header *oomprof_capture_record(int idx)
{
	return (struct oomprof_record_header *)bufs[idx].mem;
}

/* The reader copied record @idx out: count it and free the buffer. */
void oomprof_capture_delivered(int idx)
{
	atomic64_inc(&captures);
	oomprof_capture_release(idx);
}

void oomprof_capture_stats(struct oomprof_stats *st)
{
	st->captures = atomic64_read(&captures);
	st->captures_dropped = atomic64_read(&captures_dropped);
	st->capture_buffers = nr_bufs;
	st->capture_buffers_busy = atomic_read(&bufs_busy);
	st->capture_buffer_size = buf_size;
}
