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
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/capability.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "oomprof.h"
#include "walker.h"

struct task_source {
	struct oomprof_mem_source src;
	struct task_struct *task;
};

static int task_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		     size_t len)
{
	struct task_source *ts = container_of(src, struct task_source, src);

	if (addr + len < addr || len > INT_MAX)
		return -EFAULT;
	return access_process_vm(ts->task, addr, dst, len, 0) == (int)len ?
	       0 : -EFAULT;
}

static unsigned int dump_max_bytes;
static u64 dump_timeout_ns;

void oomprof_dump_init(unsigned int max_mb, unsigned int timeout_ms)
{
	dump_max_bytes = max_mb << 20;
	dump_timeout_ns = (u64)timeout_ms * NSEC_PER_MSEC;
}

int oomprof_dump(struct oomprof_dump *req)
{
	struct task_source ts = { .src.read = task_read };
	struct oomprof_walk_limits lim = { .user_limit = TASK_SIZE_MAX };
	struct oomprof_walk w = {
		.mbuckets_addr = req->mbuckets_addr,
		.rate_addr = req->mem_profile_rate_addr,
	};
	struct oomprof_go_capture *cap = &req->cap;
	struct task_struct *task;
	struct pid *pid;
	int err = 0;

	/* Reading another process's memory: what ptrace would need too. */
	if (!capable(CAP_SYS_PTRACE))
		return -EPERM;
	if (req->flags || req->mbuckets_addr % 8 ||
	    req->mem_profile_rate_addr % 8)
		return -EINVAL;
	w.out_size = min_t(u64, req->buf_size, dump_max_bytes);
	w.out_size -= w.out_size % 8;
	if (!w.out_size)
		return -EINVAL;

	pid = find_get_pid(req->pid);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	if (oomprof_task_start_ticks(task) != req->start_time_ticks) {
		err = -ESRCH;	/* the pid was reused since the caller looked */
		goto out_task;
	}
	w.out = kvmalloc(w.out_size, GFP_KERNEL);
	if (!w.out) {
		err = -ENOMEM;
		goto out_task;
	}
	ts.task = task;
	lim.max_buckets = U64_MAX;
	memset(cap, 0, sizeof(*cap));
	oomprof_walk_capture(&ts.src, &lim, dump_timeout_ns, &w, cap);
	if (copy_to_user(u64_to_user_ptr(req->buf), w.out, w.bytes))
		err = -EFAULT;
	kvfree(w.out);
out_task:
	put_task_struct(task);
	return err;
}
