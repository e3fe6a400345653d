// SPDX-License-Identifier: GPL-2.0
/*
 * Exec and exit of processes.
 *
 * oomprof-read registers a Go program as soon as it has exec'd, instead of
 * finding it by polling /proc: every execve() queues an
 * OOMPROF_REC_PROC_EXEC record (from sched_process_exec, after the new
 * image is mapped, so /proc/PID/exe and /proc/PID/maps already show it).
 *
 * A registration describes one address space, so it ends when the process
 * exits or execs: it is dropped here, at once, rather than found stale at
 * an OOM kill or pruned when the registry fills up. Only exits of
 * registered processes are told to the reader (OOMPROF_REC_PROC_EXIT):
 * the reader has no use for the others.
 *
 * Both probes run for every process on the machine, in the task's own
 * context with preemption off: they take no sleeping lock and allocate
 * nothing. The common case takes no lock and writes no shared cache line:
 * a lockless registry lookup, a per-CPU count and, for exec, the question
 * whether a reader wants the record at all; only then is one built and
 * copied into the ring under its lock.
 *
 * Why not the proc connector (cn_proc), which reports exec and exit too: a
 * registration must end at the instant its address space does, which only
 * a probe on the exec and exit paths can do (the connector tells a
 * listener afterwards); these records reach the reader in the same ordered
 * stream as the kill records, so an exec and a kill are never seen in the
 * wrong order; and a lost record is counted (proc_events_lost, the reader
 * rescans /proc), where a connector socket that overflows only says that
 * something was dropped.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "oomprof.h"

static DEFINE_PER_CPU(u64, execs_seen);

/*
 * The executable's identity, for the reader's cache of programs it has
 * inspected: with it, an exec of a program it knows is not Go costs the
 * reader no look at /proc. The file is pinned by the exec in progress;
 * its size and times are read without the inode's lock, as stat() reads
 * them: a file being written at this very moment may give a torn value,
 * which only makes the reader look the slow way.
 */
static void exe_identity(struct oomprof_proc_event *e, struct file *file)
{
	struct inode *inode = file_inode(file);
	struct timespec64 mtime = oomprof_inode_mtime(inode);
	struct timespec64 ctime = oomprof_inode_ctime(inode);

	e->exe_dev = new_encode_dev(inode->i_sb->s_dev);
	e->exe_ino = inode->i_ino;
	e->exe_size = i_size_read(inode);
	e->exe_mtime_sec = mtime.tv_sec;
	e->exe_mtime_nsec = mtime.tv_nsec;
	e->exe_ctime_sec = ctime.tv_sec;
	e->exe_ctime_nsec = ctime.tv_nsec;
	e->exe_valid = 1;
}

static void queue_proc_event(u16 type, struct task_struct *p, u64 reg_id,
			     struct file *exe)
{
	struct oomprof_proc_event e;

	if (!oomprof_events_proc_wanted(sizeof(e)))
		return;
	memset(&e, 0, sizeof(e));
	oomprof_events_init_header(&e.hdr, type, sizeof(e));
	e.boottime_ns = ktime_get_boottime_ns();
	e.start_time_ticks = oomprof_task_start_ticks(p);
	e.registration_id = reg_id;
	e.pid = task_tgid_nr(p);
	e.ns_pid = task_tgid_nr_ns(p, task_active_pid_ns(p));
	/* p is current: its comm changes only under its own feet. */
	strscpy(e.comm, p->comm, sizeof(e.comm));
	if (exe)
		exe_identity(&e, exe);
	oomprof_events_queue_proc(&e.hdr);
}

/*
 * sched_process_exec: @p (current) runs its new program now, the file
 * @exe (the exec's own, NULL if the tracepoint gave none).
 */
void oomprof_proc_exec(struct task_struct *p, struct file *exe)
{
	u64 id;

	this_cpu_inc(execs_seen);
	id = oomprof_registry_forget(task_tgid(p), OOMPROF_FORGET_EXEC);
	queue_proc_event(OOMPROF_REC_PROC_EXEC, p, id, exe);
}

/*
 * sched_process_exit: the thread @p (current) is exiting; @group_dead when
 * it is the last of its process.
 */
void oomprof_proc_exit(struct task_struct *p, bool group_dead)
{
	u64 id;

	if (!group_dead)
		return;
	id = oomprof_registry_forget(task_tgid(p), OOMPROF_FORGET_EXIT);
	if (id)
		queue_proc_event(OOMPROF_REC_PROC_EXIT, p, id, NULL);
}

void oomprof_proc_stats(struct oomprof_stats *st)
{
	int cpu;

	st->execs_seen = 0;
	for_each_possible_cpu(cpu)
		st->execs_seen += per_cpu(execs_seen, cpu);
}

void oomprof_proc_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(execs_seen, cpu) = 0;
}
