// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD */
/* sched_process_exit's TP_PROTO is (struct task_struct *p, bool group_dead). */
#include <linux/sched.h>
#include <trace/events/sched.h>

void oomprof_conftest(struct task_struct *p);
void oomprof_conftest(struct task_struct *p)
{
	trace_sched_process_exit(p, true);
}
