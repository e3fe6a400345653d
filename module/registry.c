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
 *
 * Who may register, write a rate into or dump which process (the uapi
 * header states the rule): the opener of /dev/oomprof was privileged, and
 * the request carries an open /proc/PID/mem of the process. The kernel
 * let that file be opened only to someone allowed to ptrace-attach the
 * process, and bound it to the address space the process had then. The
 * module cannot run ptrace_may_access() itself (not exported), so it
 * takes the kernel's verdict from the file: it checks that the file
 * really is a procfs mem file and that the process still runs in the
 * file's address space, under the process's exec_update_lock so that no
 * exec can intervene, and only then reads or writes.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/seqlock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time_namespace.h>
#include <linux/workqueue.h>

#include "oomprof.h"
#include "walker.h"

struct oomprof_reg {
	struct hlist_node node;		/* in reg_by_pid */
	struct hlist_node id_node;	/* in reg_by_id */
	struct rcu_work free_work;	/* after a grace period, in a worker */
	struct pid *pid;		/* the process (tgid); reference held */
	struct mm_struct *mm;		/* registered address space; mmgrab */
	/*
	 * The open /dev/oomprof file that set info.known_head (compared,
	 * never dereferenced: its release clears it before the file goes),
	 * or NULL.
	 */
	const struct file *learned_by;
	/*
	 * info.known_head and info.known_count change together under
	 * reg_lock while mark_victim copies info locklessly: a lookup retries
	 * rather than take a head with another prefix's count.
	 */
	seqcount_spinlock_t learned_seq;
	struct oomprof_reg_info info;
};

/*
 * Two tables of 2^reg_bits buckets each, sized from max_registered at
 * load: by struct pid (lookups from the probes, RCU) and by registration
 * id (UNREGISTER, under reg_lock), so no ioctl walks the whole table.
 */
static struct hlist_head *reg_by_pid;
static struct hlist_head *reg_by_id;
static unsigned int reg_bits;
static DEFINE_SPINLOCK(reg_lock);	/* writers of both tables, counters */
static unsigned int reg_count;
static unsigned int reg_max;
static u64 reg_next_id = 1;
static u64 reg_added;		/* counters for oomprof_stats */
static u64 reg_exited;
static u64 reg_execd;
static u64 reg_max_buckets;	/* capture_max_buckets: bounds known_count */

/*
 * Eight entries a bucket when full (most hosts register far fewer): 8192
 * buckets, 64 KiB a table, at the default max_registered of 65536.
 */
#define REG_MIN_BITS 4
#define REG_MAX_BITS 16

static struct hlist_head *pid_bucket(struct pid *pid)
{
	return &reg_by_pid[hash_ptr(pid, reg_bits)];
}

static struct hlist_head *id_bucket(u64 id)
{
	return &reg_by_id[hash_64(id, reg_bits)];
}

/*
 * Entries are freed from a worker after a grace period, not from an RCU
 * callback: the last mmdrop frees the page tables under pgd_lock, which is
 * not softirq-safe (lockdep says so on the debug kernel). The module's own
 * workqueue lets unload wait for every pending free.
 */
static struct workqueue_struct *reg_wq;
/*
 * Entries are 528 bytes on x86-64: from kmalloc they would take 1 KiB
 * each, from a cache of their own under 600. Charged to the registrant's
 * memory cgroup.
 */
static struct kmem_cache *reg_cache;

static void reg_free_work(struct work_struct *work)
{
	struct oomprof_reg *r = container_of(to_rcu_work(work),
					     struct oomprof_reg, free_work);

	put_pid(r->pid);
	mmdrop(r->mm);
	kmem_cache_free(reg_cache, r);
}

static void reg_remove(struct oomprof_reg *r)
{
	lockdep_assert_held(&reg_lock);
	hlist_del_init_rcu(&r->node);
	hlist_del(&r->id_node);	/* only ever walked under reg_lock */
	reg_count--;
	INIT_RCU_WORK(&r->free_work, reg_free_work);
	queue_rcu_work(reg_wq, &r->free_work);
}

/*
 * Entries whose process has exited. Only needed where the exit probe is
 * not attached (the probe drops an entry at exit), so only run when the
 * table is full.
 */
static void reg_prune_dead(void)
{
	struct oomprof_reg *r;
	struct hlist_node *tmp;
	unsigned int bkt;

	lockdep_assert_held(&reg_lock);
	for (bkt = 0; bkt < (1U << reg_bits); bkt++)
		hlist_for_each_entry_safe(r, tmp, &reg_by_pid[bkt], node)
			if (!pid_has_task(r->pid, PIDTYPE_TGID))
				reg_remove(r);
}

/*
 * The f_op of procfs's /proc/PID/mem files (fs/proc/base.c:
 * proc_mem_operations; not exported), learnt from a /proc/self/mem this
 * module opened itself. Kernel text: valid for as long as the kernel runs,
 * so learnt once and never forgotten.
 */
static const struct file_operations *proc_mem_fops;
static DEFINE_MUTEX(proc_mem_learn_lock);

/*
 * Learn proc_mem_fops: from module load (modprobe's context) and, if /proc
 * was not there then, at the first request. The caller's /proc may be
 * anything its mount namespace put there (a FUSE file system, a bind mount
 * of another procfs file over "mem"), so the file is believed only if it
 * is procfs's, is named "mem" itself (a bind mount keeps the source's
 * name), can be written, and holds the caller's own address space, as
 * procfs's mem_open() leaves it (environ and auxv do too, but are not
 * named "mem"). Needs a user process (a kernel thread has no mm to see).
 */
int oomprof_proc_mem_learn(void)
{
	struct file *f;
	int err = 0;

	if (READ_ONCE(proc_mem_fops))
		return 0;
	if (!current->mm || (current->flags & PF_KTHREAD))
		return -ENOENT;
	mutex_lock(&proc_mem_learn_lock);
	if (proc_mem_fops)
		goto out;
	f = filp_open("/proc/self/mem", O_RDONLY, 0);
	if (IS_ERR(f)) {
		err = PTR_ERR(f);
		goto out;
	}
	if (file_inode(f)->i_sb->s_magic == PROC_SUPER_MAGIC &&
	    !strcmp(f->f_path.dentry->d_name.name, "mem") &&
	    f->f_op->write && f->private_data == current->mm)
		WRITE_ONCE(proc_mem_fops, f->f_op);
	else
		err = -ENOENT;
	fput(f);
out:
	mutex_unlock(&proc_mem_learn_lock);
	if (err)
		pr_warn_ratelimited("cannot open /proc/self/mem to recognize /proc/PID/mem files (%d): is procfs mounted on /proc?\n",
				    err);
	return err;
}

/*
 * @f is a /proc/PID/mem file (its opener passed the kernel's ptrace
 * attach check for PID), opened for writing if @write. Returns 0 with the
 * address space it is bound to in *@mm (NULL: the process had none, it
 * was exiting), or -errno. The file holds the mm (mmgrab) until fput.
 */
int oomprof_mem_file_check(struct file *f, bool write, struct mm_struct **mm)
{
	const struct file_operations *fops = READ_ONCE(proc_mem_fops);

	if (!fops) {
		oomprof_proc_mem_learn();
		fops = READ_ONCE(proc_mem_fops);
		if (!fops)
			return -ENOENT;
	}
	if (f->f_op != fops)
		return -EINVAL;
	if (!(f->f_mode & FMODE_READ) || (write && !(f->f_mode & FMODE_WRITE)))
		return -EBADF;
	*mm = f->private_data;
	return 0;
}

/* /proc/PID/stat's start time: clock ticks since boot (fs/proc/array.c). */
u64 oomprof_task_start_ticks(struct task_struct *t)
{
	return div_u64(t->start_boottime, NSEC_PER_SEC / USER_HZ);
}

/*
 * The same as the caller reads it in /proc/PID/stat: procfs adds the
 * reader's time namespace offset, so a registrant in its own time
 * namespace passes a value that differs from the host's by that offset.
 */
static u64 caller_start_ticks(struct task_struct *t)
{
	return div_u64(timens_add_boottime_ns(t->start_boottime),
		       NSEC_PER_SEC / USER_HZ);
}

/*
 * The process @nr (tgid in the caller's pid namespace), checked to run in
 * @mm now: on success *@taskp holds a reference and its exec_update_lock
 * for reading, so the process cannot exec (its mm cannot change) until
 * oomprof_task_unbind(). An exit can still clear task->mm meanwhile: the
 * readers see that as a failed read.
 */
int oomprof_task_bind(u32 nr, u64 start_ticks, struct mm_struct *mm,
		      struct task_struct **taskp)
{
	struct task_struct *task;
	struct mm_struct *now;
	struct pid *pid;
	int err;

	if (!mm)
		return -ESRCH;	/* the file was opened on an exiting process */
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	if (!task)
		return -ESRCH;
	if (start_ticks && caller_start_ticks(task) != start_ticks) {
		err = -ESRCH;	/* the pid was reused since the caller looked */
		goto out_task;
	}
	err = down_read_killable(&task->signal->exec_update_lock);
	if (err)
		goto out_task;
	task_lock(task);
	now = task->mm;
	task_unlock(task);
	if (!now) {
		err = -ESRCH;		/* exiting */
	} else if (now != mm) {
		err = -ESTALE;		/* exec'd since, or another process's */
	} else {
		*taskp = task;
		return 0;
	}
	up_read(&task->signal->exec_update_lock);
out_task:
	put_task_struct(task);
	return err;
}

void oomprof_task_unbind(struct task_struct *task)
{
	up_read(&task->signal->exec_update_lock);
	put_task_struct(task);
}

/*
 * OOMPROF_REGISTER_SET_RATE: write req->set_rate into the Go process's
 * runtime.MemProfileRate if that is 0. The outcome goes to the request;
 * the registration does not depend on it.
 *
 * The caller holds @task's exec_update_lock for reading and has checked
 * that @task runs in the address space the registrant's /proc/PID/mem
 * was opened on: both accesses reach the program the registrant
 * inspected, never a new one. The read and the write are two accesses: a
 * Go program that stores its own rate in between has it overwritten (it
 * would have to do so within these microseconds, and a program built with
 * profiling off rarely does).
 */
static void reg_set_rate(struct task_struct *task, struct oomprof_register *req)
{
	unsigned long addr = req->mem_profile_rate_addr;
	s64 old = 0, rate = req->set_rate;
	int n;

	lockdep_assert_held_read(&task->signal->exec_update_lock);
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

/*
 * Register the process req->pid, which must run in @mm (the address space
 * of the registrant's /proc/PID/mem, checked by the caller with
 * oomprof_mem_file_check()).
 */
int oomprof_registry_add(struct oomprof_register *req, struct mm_struct *mm)
{
	struct oomprof_reg *r, *old;
	struct task_struct *task;
	bool set_rate;
	int err = 0;

	if (req->flags & ~OOMPROF_REGISTER_SET_RATE)
		return -EINVAL;
	if (!req->mbuckets_addr || req->mbuckets_addr % 8 ||
	    !req->mem_profile_rate_addr || req->mem_profile_rate_addr % 8)
		return -EINVAL;
	/* Checked once here, so that a capture can trust their total. */
	if (!oomprof_regions_valid(req->regions, TASK_SIZE_MAX))
		return -EINVAL;
	set_rate = req->flags & OOMPROF_REGISTER_SET_RATE;
	if (set_rate &&
	    (req->set_rate < 1 || req->set_rate > OOMPROF_SET_RATE_MAX))
		return -EINVAL;
	req->set_rate_result = OOMPROF_SET_RATE_NONE;
	req->set_rate_errno = 0;
	req->old_rate = 0;

	r = kmem_cache_zalloc(reg_cache, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	/*
	 * Held until the entry is in the table and the rate written: no exec
	 * in between, so both concern the address space the registrant's
	 * file is bound to.
	 */
	err = oomprof_task_bind(req->pid, req->start_time_ticks, mm, &task);
	if (err) {
		kmem_cache_free(reg_cache, r);
		return err;
	}
	seqcount_spinlock_init(&r->learned_seq, &reg_lock);
	mmgrab(mm);
	r->mm = mm;
	r->pid = get_pid(task_tgid(task));
	r->info.mbuckets_addr = req->mbuckets_addr;
	r->info.rate_addr = req->mem_profile_rate_addr;
	r->info.cookie = req->cookie;
	r->info.load_bias = req->load_bias;
	memcpy(r->info.regions, req->regions, sizeof(r->info.regions));
	/* Strings from user space: terminated here, whatever they were. */
	strscpy(r->info.exe_path, req->exe_path, sizeof(r->info.exe_path));
	strscpy(r->info.build_id, req->build_id, sizeof(r->info.build_id));

	spin_lock(&reg_lock);
	/* A process registered again replaces its old entry. */
	hlist_for_each_entry(old, pid_bucket(r->pid), node) {
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
		kmem_cache_free(reg_cache, r);
		err = -ENOSPC;
		goto out_unbind;
	}
	r->info.id = reg_next_id++;
	hlist_add_head_rcu(&r->node, pid_bucket(r->pid));
	hlist_add_head(&r->id_node, id_bucket(r->info.id));
	reg_count++;
	/* Pairs with the full barrier of the exit's atomic_dec_and_test. */
	smp_mb();
	/*
	 * An exit racing this registration: the last thread leaves
	 * signal->live before its sched_process_exit probe takes reg_lock to
	 * drop the entry. A probe that ran before the insertion found
	 * nothing, and the entry would pin the dead process's mm_struct and
	 * page-table root until the table filled up; seen here, it goes at
	 * once. (An exec cannot race: the exec lock is held.)
	 */
	if (!atomic_read(&task->signal->live)) {
		reg_remove(r);
		spin_unlock(&reg_lock);
		err = -ESRCH;
		goto out_unbind;
	}
	reg_added++;
	req->registration_id = r->info.id;
	spin_unlock(&reg_lock);
	/* Only into a process that is registered: the caller is told. */
	if (set_rate)
		reg_set_rate(task, req);

out_unbind:
	oomprof_task_unbind(task);
	return err;
}

/*
 * OOMPROF_IOC_REGISTER: the request's mem_fd is the registrant's
 * permission and binds the request to one program (see the top).
 */
int oomprof_registry_register(struct oomprof_register *req)
{
	bool write = req->flags & OOMPROF_REGISTER_SET_RATE;
	struct mm_struct *mm;
	struct file *f;
	int err;

	if (req->reserved)
		return -EINVAL;
	f = fget(req->mem_fd);
	if (!f)
		return -EBADF;
	err = oomprof_mem_file_check(f, write, &mm);
	if (!err)
		err = oomprof_registry_add(req, mm);
	fput(f);
	return err;
}

int oomprof_registry_remove(u64 id)
{
	struct oomprof_reg *r;
	int err = -ENOENT;

	spin_lock(&reg_lock);
	hlist_for_each_entry(r, id_bucket(id), id_node) {
		if (r->info.id == id) {
			reg_remove(r);
			err = 0;
			break;
		}
	}
	spin_unlock(&reg_lock);
	return err;
}

/* Under reg_lock: set or clear @r's learned prefix. */
static void reg_set_learned(struct oomprof_reg *r, u64 head, u64 count,
			    const struct file *owner)
{
	lockdep_assert_held(&reg_lock);
	write_seqcount_begin(&r->learned_seq);
	r->info.known_head = head;
	r->info.known_count = head ? count : 0;
	write_seqcount_end(&r->learned_seq);
	r->learned_by = head ? owner : NULL;
}

/*
 * OOMPROF_IOC_LEARNED (see the uapi header): the reader holding @owner
 * open knows registration req->registration_id's buckets from known_head
 * on. Nothing of the process is read here; the capture checks each
 * counted bucket as it walks it, and a list that is not the learned one
 * stops it (OOMPROF_STOP_LEARNED_MISMATCH).
 */
int oomprof_registry_learned(const struct oomprof_learned *req,
			     const struct file *owner)
{
	struct oomprof_reg *r;
	int err = -ENOENT;

	if (req->reserved)
		return -EINVAL;
	if (req->known_head &&
	    (req->known_head % sizeof(u64) || req->known_head < PAGE_SIZE ||
	     req->known_head >= TASK_SIZE_MAX || !req->known_count ||
	     req->known_count > READ_ONCE(reg_max_buckets)))
		return -EINVAL;
	spin_lock(&reg_lock);
	hlist_for_each_entry(r, id_bucket(req->registration_id), id_node) {
		if (r->info.id == req->registration_id) {
			reg_set_learned(r, req->known_head, req->known_count,
					owner);
			err = 0;
			break;
		}
	}
	spin_unlock(&reg_lock);
	return err;
}

/*
 * @owner is being released: whatever it taught is forgotten, so that no
 * capture sends count entries to a reader that cannot resolve them (a
 * restarted daemon holds nothing). Walks the whole table: a close of the
 * device is rare, and the table has at most 2^REG_MAX_BITS buckets.
 */
void oomprof_registry_forget_owner(const struct file *owner)
{
	struct oomprof_reg *r;
	unsigned int bkt;

	spin_lock(&reg_lock);
	for (bkt = 0; bkt < (1U << reg_bits); bkt++)
		hlist_for_each_entry(r, &reg_by_pid[bkt], node)
			if (r->learned_by == owner)
				reg_set_learned(r, 0, 0, NULL);
	spin_unlock(&reg_lock);
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
	hlist_for_each_entry_rcu(r, pid_bucket(pid), node) {
		if (r->pid == pid) {
			unsigned int seq;

			do {
				seq = read_seqcount_begin(&r->learned_seq);
				*info = r->info;
			} while (read_seqcount_retry(&r->learned_seq, seq));
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
	hlist_for_each_entry_rcu(r, pid_bucket(tgid), node) {
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
	hlist_for_each_entry(r, pid_bucket(tgid), node) {
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
	/* The two hash tables; entries are allocated per registration. */
	st->reserved_bytes += 2 * sizeof(*reg_by_pid) << reg_bits;
}

int oomprof_registry_init(unsigned int max, u64 max_buckets)
{
	unsigned int i;

	reg_bits = clamp_t(unsigned int, order_base_2(max(max / 8, 1U)),
			   REG_MIN_BITS, REG_MAX_BITS);
	reg_by_pid = kvcalloc(1U << reg_bits, sizeof(*reg_by_pid), GFP_KERNEL);
	reg_by_id = kvcalloc(1U << reg_bits, sizeof(*reg_by_id), GFP_KERNEL);
	reg_wq = alloc_workqueue("oomprof_reg", WQ_UNBOUND, 0);
	reg_cache = kmem_cache_create("oomprof_reg", sizeof(struct oomprof_reg),
				      0, SLAB_ACCOUNT, NULL);
	if (!reg_by_pid || !reg_by_id || !reg_wq || !reg_cache) {
		kvfree(reg_by_pid);
		kvfree(reg_by_id);
		if (reg_wq)
			destroy_workqueue(reg_wq);
		kmem_cache_destroy(reg_cache);
		reg_by_pid = NULL;
		reg_by_id = NULL;
		reg_wq = NULL;
		reg_cache = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < (1U << reg_bits); i++) {
		INIT_HLIST_HEAD(&reg_by_pid[i]);
		INIT_HLIST_HEAD(&reg_by_id[i]);
	}
	reg_max = max;
	reg_max_buckets = max_buckets;
	reg_count = 0;
	reg_added = 0;
	reg_exited = 0;
	reg_execd = 0;
	/* In modprobe's context; failing here, the first request retries. */
	oomprof_proc_mem_learn();
	return 0;
}

void oomprof_registry_exit(void)
{
	struct oomprof_reg *r;
	struct hlist_node *tmp;
	unsigned int bkt;

	spin_lock(&reg_lock);
	for (bkt = 0; bkt < (1U << reg_bits); bkt++)
		hlist_for_each_entry_safe(r, tmp, &reg_by_pid[bkt], node)
			reg_remove(r);
	spin_unlock(&reg_lock);
	/*
	 * Every free has run before the module text goes away: rcu_barrier
	 * waits for the grace periods, which queue the works; destroying the
	 * workqueue drains them. Only then can the tables go.
	 */
	rcu_barrier();
	destroy_workqueue(reg_wq);
	reg_wq = NULL;
	kmem_cache_destroy(reg_cache);
	reg_cache = NULL;
	kvfree(reg_by_pid);
	kvfree(reg_by_id);
	reg_by_pid = NULL;
	reg_by_id = NULL;
}
