// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_MARK_VICTIM_TASK_UID */
/* mark_victim's TP_PROTO is (struct task_struct *task, uid_t uid). */
#include <linux/sched.h>
#include <trace/events/oom.h>

void oomprof_conftest(struct task_struct *task);
void oomprof_conftest(struct task_struct *task)
{
	trace_mark_victim(task, 0);
}
