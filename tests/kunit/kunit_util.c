// SPDX-License-Identifier: GPL-2.0
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "kunit_util.h"

struct okt_user okt_user;
static int okt_user_refs;

int okt_user_get(size_t size)
{
	unsigned long addr;

	if (okt_user_refs++)
		return 0;
	if (!current->mm)
		return -EINVAL;
	addr = vm_mmap(NULL, 0, size, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr)) {
		okt_user_refs--;
		return (int)addr;
	}
	okt_user.addr = addr;
	okt_user.size = size;
	okt_user.task = current;
	get_task_struct(current);
	okt_user.mm = current->mm;
	mmget(current->mm);
	return 0;
}

void okt_user_put(void)
{
	if (!okt_user_refs || --okt_user_refs)
		return;
	if (current->mm == okt_user.mm)
		vm_munmap(okt_user.addr, okt_user.size);
	mmput(okt_user.mm);
	put_task_struct(okt_user.task);
	memset(&okt_user, 0, sizeof(okt_user));
}

void okt_use_mm(struct kunit *test)
{
	KUNIT_ASSERT_NOT_NULL(test, okt_user.mm);
	kthread_use_mm(okt_user.mm);
}

void okt_unuse_mm(void)
{
	if (current->mm == okt_user.mm)
		kthread_unuse_mm(okt_user.mm);
}

u64 okt_start_ticks(struct task_struct *t)
{
	return div_u64(t->start_boottime, NSEC_PER_SEC / USER_HZ);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for oomprof's own logic");
