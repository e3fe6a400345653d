// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of watched Go processes.
 *
 * oomprof-read inspects a Go executable (where runtime.mbuckets and
 * runtime.MemProfileRate are) and registers the process here. At
 * mark_victim the OOM killer's victim is looked up in atomic context, so
 * readers walk an RCU hash table without locks; writers (ioctls, process
 * context) hold reg_lock and free entries after a grace period.
 *
 * An entry is bound to one process instance, never to a pid number: it
 * holds a reference on the process's struct pid (a reused pid number gets
 * a new struct pid), registration checks the start time the registrant
 * saw against the task's, and the entry remembers which address space it
 * was registered for (mmgrab keeps the pointer from being reused) so that
 * an exec since registration is noticed instead of read at stale
 * addresses.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "oomprof.h"

struct oomprof_reg {
	struct hlist_node node;
	struct rcu_head rcu;
	struct pid *pid;		/* the process (tgid); reference held */
	struct mm_struct *mm;		/* registered address space; mmgrab */
	struct oomprof_reg_info info;
};

#define REG_HASH_BITS 10
static DEFINE_HASHTABLE(reg_table, REG_HASH_BITS);
static DEFINE_SPINLOCK(reg_lock);	/* writers of reg_table, counters */
static unsigned int reg_count;
static unsigned int reg_max;
static u64 reg_next_id = 1;

static void reg_free_rcu(struct rcu_head *head)
{
	struct oomprof_reg *r = container_of(head, struct oomprof_reg, rcu);

	/* put_pid and mmdrop may free: fine from RCU callback context. */
	put_pid(r->pid);
	mmdrop(r->mm);
	kfree(r);
}

/* Caller holds reg_lock. */
static void reg_remove(struct oomprof_reg *r)
{
	hash_del_rcu(&r->node);
	reg_count--;
	call_rcu(&r->rcu, reg_free_rcu);
}

/* Entries whose process has exited. Caller holds reg_lock. */
static void reg_prune_dead(void)
{
	struct oomprof_reg *r;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(reg_table, bkt, tmp, r, node) {
		if (!pid_has_task(r->pid, PIDTYPE_TGID))
			reg_remove(r);
	}
}

/* /proc/PID/stat's start time: clock ticks since boot (fs/proc/array.c). */
u64 oomprof_task_start_ticks(struct task_struct *t)
{
	return div_u64(t->start_boottime, NSEC_PER_SEC / USER_HZ);
}

int oomprof_registry_add(struct oomprof_register *req)
{
	struct oomprof_reg *r, *old;
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int err = 0;

	if (req->flags)
		return -EINVAL;
	if (!req->mbuckets_addr || req->mbuckets_addr % 8 ||
	    !req->mem_profile_rate_addr || req->mem_profile_rate_addr % 8)
		return -EINVAL;

	pid = find_get_pid(req->pid);	/* in the caller's pid namespace */
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_TGID);
	if (!task) {
		put_pid(pid);
		return -ESRCH;
	}
	if (oomprof_task_start_ticks(task) != req->start_time_ticks) {
		/* The pid was reused since the registrant looked. */
		err = -ESRCH;
		goto out_task;
	}
	mm = get_task_mm(task);
	if (!mm) {
		err = -ESRCH;
		goto out_task;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		mmput(mm);
		err = -ENOMEM;
		goto out_task;
	}
	mmgrab(mm);
	mmput(mm);
	r->mm = mm;
	r->pid = pid;
	pid = NULL;	/* the entry owns the reference now */
	r->info.mbuckets_addr = req->mbuckets_addr;
	r->info.rate_addr = req->mem_profile_rate_addr;
	r->info.cookie = req->cookie;
	r->info.load_bias = req->load_bias;
	/* Strings from user space: terminated here, whatever they were. */
	strscpy(r->info.exe_path, req->exe_path, sizeof(r->info.exe_path));
	strscpy(r->info.build_id, req->build_id, sizeof(r->info.build_id));

	spin_lock(&reg_lock);
	/* A process registered again replaces its old entry. */
	hash_for_each_possible(reg_table, old, node, (unsigned long)r->pid) {
		if (old->pid == r->pid) {
			reg_remove(old);
			break;
		}
	}
	if (reg_count >= reg_max)
		reg_prune_dead();
	if (reg_count >= reg_max) {
		spin_unlock(&reg_lock);
		pr_warn_ratelimited("registry full (%u processes): raise max_registered\n",
				    reg_max);
		put_pid(r->pid);
		mmdrop(r->mm);
		kfree(r);
		err = -ENOSPC;
		goto out_task;
	}
	r->info.id = reg_next_id++;
	req->registration_id = r->info.id;
	hash_add_rcu(reg_table, &r->node, (unsigned long)r->pid);
	reg_count++;
	spin_unlock(&reg_lock);

out_task:
	put_task_struct(task);
	put_pid(pid);
	return err;
}

int oomprof_registry_remove(u64 id)
{
	struct oomprof_reg *r;
	struct hlist_node *tmp;
	unsigned int bkt;
	int err = -ENOENT;

	spin_lock(&reg_lock);
	hash_for_each_safe(reg_table, bkt, tmp, r, node) {
		if (r->info.id == id) {
			reg_remove(r);
			err = 0;
			break;
		}
	}
	reg_prune_dead();
	spin_unlock(&reg_lock);
	return err;
}

/*
 * Is @task's process registered? Atomic context (mark_victim). Returns
 * false if not; true with *info filled if so. *exec is set when the
 * process has a different address space than it was registered with.
 */
bool oomprof_registry_lookup(struct task_struct *task,
			     struct oomprof_reg_info *info, bool *exec)
{
	struct oomprof_reg *r;
	struct pid *pid;
	bool found = false;

	rcu_read_lock();
	pid = task_tgid(task);
	hash_for_each_possible_rcu(reg_table, r, node, (unsigned long)pid) {
		if (r->pid == pid) {
			*info = r->info;
			*exec = r->mm != task->mm;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

unsigned int oomprof_registry_count(void)
{
	return READ_ONCE(reg_count);
}

void oomprof_registry_init(unsigned int max)
{
	reg_max = max;
}

void oomprof_registry_exit(void)
{
	struct oomprof_reg *r;
	struct hlist_node *tmp;
	unsigned int bkt;

	spin_lock(&reg_lock);
	hash_for_each_safe(reg_table, bkt, tmp, r, node)
		reg_remove(r);
	spin_unlock(&reg_lock);
	/* Every reg_free_rcu has run before the module text goes away. */
	rcu_barrier();
}
