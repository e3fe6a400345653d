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

#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "oomprof.h"

struct oomprof_reg {
	struct hlist_node node;
	struct rcu_work free_work;	/* after a grace period, in a worker */
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
static u64 reg_added;		/* counters for oomprof_stats */
static u64 reg_exited;
static u64 reg_execd;

/*
 * Entries are freed from a worker after a grace period, not from an RCU
 * callback: the last mmdrop frees the page tables under pgd_lock, which is
 * not softirq-safe (lockdep says so on the debug kernel). The module's own
 * workqueue lets unload wait for every pending free.
 */
static struct workqueue_struct *reg_wq;

static void reg_free_work(struct work_struct *work)
{
	struct oomprof_reg *r = container_of(to_rcu_work(work),
					     struct oomprof_reg, free_work);

	put_pid(r->pid);
	mmdrop(r->mm);
	kfree(r);
}

/* Caller holds reg_lock. */
static void reg_remove(struct oomprof_reg *r)
{
	hash_del_rcu(&r->node);
	reg_count--;
	INIT_RCU_WORK(&r->free_work, reg_free_work);
	queue_rcu_work(reg_wq, &r->free_work);
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

/*
 * OOMPROF_REGISTER_SET_RATE: write req->set_rate into the Go process's
 * runtime.MemProfileRate if that is 0. The outcome goes to the request;
 * the registration does not depend on it.
 *
 * The caller holds @task's exec_update_lock for reading, as mm_access()
 * does: @task cannot exec meanwhile, so both accesses reach the address
 * space the registrant inspected, never a new program's. The read and the
 * write are two accesses: a Go program that stores its own rate in
 * between has it overwritten (it would have to do so within these
 * microseconds, and a program built with profiling off rarely does).
 */
static void reg_set_rate(struct task_struct *task, struct oomprof_register *req)
{
	unsigned long addr = req->mem_profile_rate_addr;
	s64 old = 0, rate = req->set_rate;
	int n;

	n = access_process_vm(task, addr, &old, sizeof(old), 0);
	if (n != sizeof(old)) {
		req->set_rate_result = OOMPROF_SET_RATE_FAILED;
		req->set_rate_errno = EFAULT;
		return;
	}
	req->old_rate = old;
	if (old) {
		req->set_rate_result = OOMPROF_SET_RATE_ALREADY;
		return;
	}
	/* A writable data variable: no FOLL_FORCE. */
	n = access_process_vm(task, addr, &rate, sizeof(rate), FOLL_WRITE);
	if (n != sizeof(rate)) {
		req->set_rate_result = OOMPROF_SET_RATE_FAILED;
		req->set_rate_errno = EFAULT;
		return;
	}
	req->set_rate_result = OOMPROF_SET_RATE_WRITTEN;
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
	bool set_rate;
	int err = 0;

	if (req->flags & ~OOMPROF_REGISTER_SET_RATE)
		return -EINVAL;
	if (!req->mbuckets_addr || req->mbuckets_addr % 8 ||
	    !req->mem_profile_rate_addr || req->mem_profile_rate_addr % 8)
		return -EINVAL;
	set_rate = req->flags & OOMPROF_REGISTER_SET_RATE;
	if (set_rate) {
		if (req->set_rate < 1 || req->set_rate > OOMPROF_SET_RATE_MAX)
			return -EINVAL;
		/* Writing another process's memory: what ptrace would need. */
		if (!capable(CAP_SYS_PTRACE))
			return -EPERM;
	}
	req->set_rate_result = OOMPROF_SET_RATE_NONE;
	req->set_rate_errno = 0;
	req->old_rate = 0;

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
	/*
	 * Held until the rate is written: no exec in between, so the rate
	 * goes into the address space that was registered.
	 */
	if (set_rate) {
		err = down_read_killable(&task->signal->exec_update_lock);
		if (err)
			goto out_task;
	}
	mm = get_task_mm(task);
	if (!mm) {
		err = -ESRCH;
		goto out_unlock;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		mmput(mm);
		err = -ENOMEM;
		goto out_unlock;
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
		goto out_unlock;
	}
	r->info.id = reg_next_id++;
	reg_added++;
	req->registration_id = r->info.id;
	hash_add_rcu(reg_table, &r->node, (unsigned long)r->pid);
	reg_count++;
	spin_unlock(&reg_lock);
	/* Only into a process that is registered: the caller is told. */
	if (set_rate)
		reg_set_rate(task, req);

out_unlock:
	if (set_rate)
		up_read(&task->signal->exec_update_lock);
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

/*
 * The process @tgid exited (its last thread) or called execve(): its
 * registration, made for an address space that is gone, goes too. Called
 * from the sched_process_exit/exec probes for every process on the
 * machine, so the common case (not registered) is an RCU lookup without
 * the lock. Returns the removed registration's id, or 0.
 */
u64 oomprof_registry_forget(struct pid *tgid, enum oomprof_forget why)
{
	struct oomprof_reg *r;
	bool seen = false;
	u64 id = 0;

	rcu_read_lock();
	hash_for_each_possible_rcu(reg_table, r, node, (unsigned long)tgid) {
		if (r->pid == tgid) {
			seen = true;
			break;
		}
	}
	rcu_read_unlock();
	if (!seen)
		return 0;

	/* Never taken in interrupt context: a plain spinlock will do. */
	spin_lock(&reg_lock);
	hash_for_each_possible(reg_table, r, node, (unsigned long)tgid) {
		if (r->pid == tgid) {
			id = r->info.id;
			reg_remove(r);
			if (why == OOMPROF_FORGET_EXIT)
				reg_exited++;
			else
				reg_execd++;
			break;
		}
	}
	spin_unlock(&reg_lock);
	return id;
}

unsigned int oomprof_registry_count(void)
{
	return READ_ONCE(reg_count);
}

void oomprof_registry_stats(struct oomprof_stats *st)
{
	spin_lock(&reg_lock);
	st->registered = reg_count;
	st->registrations_added = reg_added;
	st->registrations_exited = reg_exited;
	st->registrations_execd = reg_execd;
	spin_unlock(&reg_lock);
}

int oomprof_registry_init(unsigned int max)
{
	reg_wq = alloc_workqueue("oomprof_reg", WQ_UNBOUND, 0);
	if (!reg_wq)
		return -ENOMEM;
	reg_max = max;
	reg_added = 0;
	reg_exited = 0;
	reg_execd = 0;
	return 0;
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
	/*
	 * Every free has run before the module text goes away: rcu_barrier
	 * waits for the grace periods, which queue the works; destroying the
	 * workqueue drains them.
	 */
	rcu_barrier();
	destroy_workqueue(reg_wq);
	reg_wq = NULL;
}
