// SPDX-License-Identifier: GPL-2.0
/*
 * Adapters from the target kernel's tracepoint prototypes to the module's
 * own entry points. Logic lives elsewhere; this file only translates.
 */
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <trace/events/oom.h>
#include <trace/events/sched.h>

#include "compat.h"
#include "oomprof.h"

#if OOMPROF_HAVE_MARK_VICTIM_TASK_UID
/*
 * TP_PROTO(struct task_struct *task, uid_t uid): upstream since 6.2 and
 * backported to some 6.1 distribution kernels (Debian's among them). The
 * uid is taken from the victim's credentials in kill.c for both prototypes,
 * so the record does not depend on which one the kernel has.
 */
static void mark_victim_probe(void *data, struct task_struct *task, uid_t uid)
{
	oomprof_kill_begin(task);
}
#else
/*
 * TP_PROTO(int pid): older kernels pass only the victim's pid (task->pid,
 * in the initial pid namespace). The caller holds task_lock(victim) or is
 * the victim itself, so the task cannot go away while we look it up.
 */
static void mark_victim_probe(void *data, int pid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_PID);
	if (task)
		oomprof_kill_begin(task);
	rcu_read_unlock();
}
#endif

/*
 * Probes are attached through tracepoint_probe_register(), which takes a
 * void *: nothing there compares the probe with the tracepoint's
 * TP_PROTO. check_trace_callback_type_<name>() (DECLARE_TRACE in the
 * target's own headers) takes exactly the callback type the tracepoint
 * calls, so a probe of another prototype fails the build
 * (-Werror=incompatible-pointer-types) instead of being called with the
 * wrong arguments. Only a branch the headers declare is checked: the
 * KUnit module also builds the other one, forced by -D.
 */
void *oomprof_compat_mark_victim_probe(void)
{
#if !OOMPROF_MARK_VICTIM_FORCED
	check_trace_callback_type_mark_victim(mark_victim_probe);
#endif
	return mark_victim_probe;
}

#if OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD
/* TP_PROTO(struct task_struct *p, bool group_dead): newer kernels say so. */
static void sched_exit_probe(void *data, struct task_struct *p,
			     bool group_dead)
{
	oomprof_proc_exit(p, group_dead);
}
#else
/*
 * TP_PROTO(struct task_struct *p): do_exit() has already counted this
 * thread out of signal->live when the tracepoint fires (kernel/exit.c:
 * atomic_dec_and_test before trace_sched_process_exit), so zero means it
 * was the process's last thread.
 */
static void sched_exit_probe(void *data, struct task_struct *p)
{
	oomprof_proc_exit(p, !atomic_read(&p->signal->live));
}
#endif

void *oomprof_compat_sched_exit_probe(void)
{
#if !OOMPROF_SCHED_EXIT_FORCED
	check_trace_callback_type_sched_process_exit(sched_exit_probe);
#endif
	return sched_exit_probe;
}
