// SPDX-License-Identifier: GPL-2.0
/* conftest: OOMPROF_HAVE_MARK_VICTIM_PID */
/* mark_victim's TP_PROTO is (int pid), as before Linux 6.2. */
#include <linux/sched.h>
#include <trace/events/oom.h>

void oomprof_conftest(int pid);
void oomprof_conftest(int pid)
{
	trace_mark_victim(pid);
}
