/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the oomprof KUnit suites.
 *
 * User memory without a live victim: KUnit runs each suite's suite_init and
 * suite_exit in the context of the process loading the test module
 * (insmod), and each case in a kernel thread. okt_user_get() (suite_init)
 * maps anonymous memory into insmod's address space and keeps a reference
 * to it; a case adopts that address space with okt_use_mm() and can then
 * hand real __user pointers to the module's read path, or let capture.c
 * read "victim" memory through it. insmod is also the live user process
 * the registry cases register.
 */
#ifndef OKT_UTIL_H
#define OKT_UTIL_H

#include <kunit/test.h>
#include <linux/sched.h>
#include <linux/types.h>

struct okt_user {
	struct task_struct *task;	/* insmod; reference held */
	struct mm_struct *mm;		/* its address space; mmget held */
	unsigned long addr;		/* our anonymous mapping there */
	size_t size;
};

extern struct okt_user okt_user;

int okt_user_get(size_t size);	/* suite_init (insmod context) */
void okt_user_put(void);	/* suite_exit (insmod context) */
void okt_use_mm(struct kunit *test);
void okt_unuse_mm(void);
/* /proc/PID/stat's start time of @t, as oomprof-read reads it. */
u64 okt_start_ticks(struct task_struct *t);

/* compat_task_uid.c, compat_pid.c: module/compat.c for each prototype. */
void *okt_compat_probe_task_uid(void);
void *okt_compat_probe_pid(void);

#endif
