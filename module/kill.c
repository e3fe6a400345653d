// SPDX-License-Identifier: GPL-2.0
/*
 * One OOM kill, from mark_victim to a record in the event buffer.
 *
 * mark_victim runs inside the OOM killer with preemption off and, on the
 * usual path (__oom_kill_process), with task_lock(victim) held. So the
 * probe takes only what must be taken at that instant (the victim's
 * identity, its address-space counters, references on its cgroups) into a
 * kill slot allocated at load time, and defers the rest to a workqueue.
 * The record is published when the victim dequeues its SIGKILL
 * (signal_deliver: the kill has reached the victim) or, failing that,
 * after sigkill_wait_ms, marked as such.
 *
 * A registered Go victim's heap buckets are captured at once, in
 * capture_work, while the publication waits for both the capture and the
 * SIGKILL (or its deadline); the record is then the capture buffer's
 * OOMPROF_REC_GO_HEAP record instead of a plain OOMPROF_REC_OOM_KILL.
 *
 * Slot states: FREE -> FILLING (claimed by a probe) -> WAITING (armed) ->
 * PUBLISHING (work owns it) -> FREE. k->lock orders WAITING -> PUBLISHING
 * against signal_deliver writing the SIGKILL time.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "oomprof.h"

enum kill_state { KILL_FREE, KILL_FILLING, KILL_WAITING, KILL_PUBLISHING };

struct oomprof_kill {
	atomic_t state;			/* enum kill_state */
	spinlock_t lock;
	struct task_struct *victim;	/* reference held until published */
	struct cgroup_subsys_state *victim_css;	/* reference held */
	struct cgroup_subsys_state *oom_css;	/* reference held */
	unsigned long deadline;		/* jiffies: stop waiting for SIGKILL */
	struct delayed_work publish;
	struct oomprof_oom_kill rec;
	/* A registered Go victim: */
	int capture;			/* capture buffer, or -1 */
	bool capture_pending;		/* capture_work not finished */
	struct mm_struct *mm;		/* held (mmget) until captured */
	struct oomprof_reg_info reg;
	struct oomprof_go_capture cap;
	struct work_struct capture_work;
};

static struct oomprof_kill *kills;
static unsigned int nr_kills;
static unsigned long sigkill_wait;	/* jiffies */
static atomic_t kills_busy;
static atomic64_t kills_seen;
static atomic64_t dying_marked;
static atomic64_t sigkills_matched;
static struct workqueue_struct *kill_wq;

static void fill_ident(struct oomprof_task_ident *id, struct task_struct *t)
{
	BUILD_BUG_ON(sizeof(t->comm) != OOMPROF_COMM_LEN);
	id->pid = t->pid;
	id->tgid = t->tgid;
	/*
	 * Not get_task_comm(): it takes task_lock, which our caller holds
	 * for the victim. A racing rename can tear the copy at worst, which
	 * is what the kernel's own mark_victim event records too.
	 */
	memcpy(id->comm, t->comm, OOMPROF_COMM_LEN);
	id->comm[OOMPROF_COMM_LEN - 1] = '\0';
}

static void fill_parents(struct oomprof_oom_kill *rec, struct task_struct *t)
{
	struct task_struct *p;
	u32 n = 0;

	rcu_read_lock();
	p = rcu_dereference(t->real_parent);
	/* The chain ends at the idle task (pid 0), parent of init. */
	while (p && p->pid) {
		if (n == OOMPROF_MAX_PARENTS) {
			rec->hdr.flags |= OOMPROF_KILL_PARENTS_TRUNCATED;
			break;
		}
		fill_ident(&rec->parents[n++], p);
		p = rcu_dereference(p->real_parent);
	}
	rcu_read_unlock();
	rec->nparents = n;
}

static u16 constraint_of(const struct oom_control *oc)
{
	if (oc->memcg)
		return OOMPROF_CONSTRAINT_MEMCG;
	switch (oc->constraint) {
	case CONSTRAINT_CPUSET:
		return OOMPROF_CONSTRAINT_CPUSET;
	case CONSTRAINT_MEMORY_POLICY:
		return OOMPROF_CONSTRAINT_MEMORY_POLICY;
	case CONSTRAINT_MEMCG:
		return OOMPROF_CONSTRAINT_MEMCG;
	default:
		/*
		 * CONSTRAINT_NONE, and also the path where the OOM killer
		 * picks an already exiting current before it computes the
		 * constraint: with no memcg, that is a global OOM.
		 */
		return OOMPROF_CONSTRAINT_GLOBAL;
	}
}

static void take_oom_context(struct oomprof_kill *k, struct oom_control *oc)
{
	struct oomprof_oom_kill *rec = &k->rec;

	if (!oc) {
		rec->constraint = OOMPROF_CONSTRAINT_UNKNOWN;
		rec->hdr.flags |= OOMPROF_KILL_NO_CONSTRAINT;
		return;
	}
	rec->constraint = constraint_of(oc);
	rec->order = oc->order;
	rec->gfp_mask = (__force u32)oc->gfp_mask;
#ifdef CONFIG_MEMCG
	/* The charging path holds the OOMing memcg; we take our own. */
	if (oc->memcg) {
		k->oom_css = &oc->memcg->css;
		css_get(k->oom_css);
	}
#endif
}

static void take_victim_facts(struct oomprof_kill *k, struct task_struct *t)
{
	struct oomprof_oom_kill *rec = &k->rec;
	struct mm_struct *mm = t->mm;	/* stable: see file comment */

	fill_ident(&rec->victim, t);
	fill_ident(&rec->trigger, current);
	rec->oom_score_adj = t->signal->oom_score_adj;
	rec->uid = from_kuid_munged(&init_user_ns, task_uid(t));

	rcu_read_lock();
	rec->victim_ns_pid = task_tgid_nr_ns(t, task_active_pid_ns(t));
#ifdef CONFIG_MEMCG
	k->victim_css = task_css(t, memory_cgrp_id);
	if (k->victim_css && !css_tryget(k->victim_css))
		k->victim_css = NULL;
#endif
	rcu_read_unlock();

	if (mm) {
		rec->total_vm_kb = mm->total_vm << (PAGE_SHIFT - 10);
		rec->anon_rss_kb =
			get_mm_counter(mm, MM_ANONPAGES) << (PAGE_SHIFT - 10);
		rec->file_rss_kb =
			get_mm_counter(mm, MM_FILEPAGES) << (PAGE_SHIFT - 10);
		rec->shmem_rss_kb =
			get_mm_counter(mm, MM_SHMEMPAGES) << (PAGE_SHIFT - 10);
		rec->pgtables_kb = mm_pgtables_bytes(mm) >> 10;
		rec->hdr.flags |= OOMPROF_KILL_MM_FACTS;
	}
	fill_parents(rec, t);
}

/*
 * A registered Go victim: hold its address space and queue the capture.
 * Atomic context: nothing here sleeps or allocates.
 */
static void start_capture(struct oomprof_kill *k, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;
	bool exec = false;
	int idx;

	k->capture = -1;
	k->capture_pending = false;
	k->mm = NULL;
	if (!oomprof_registry_lookup(t, &k->reg, &exec))
		return;
	k->rec.hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	if (exec) {
		k->rec.capture_stop = OOMPROF_STOP_EXEC;
		oomprof_capture_note_dropped();
		return;
	}
	/* get_task_mm() would take task_lock, which our caller holds. */
	if (!mm || !mmget_not_zero(mm)) {
		k->rec.capture_stop = OOMPROF_STOP_NO_MM;
		oomprof_capture_note_dropped();
		return;
	}
	idx = oomprof_capture_claim();
	if (idx < 0) {
		/* More Go victims at once than capture_buffers. */
		k->rec.capture_stop = OOMPROF_STOP_NO_BUFFER;
		mmput_async(mm);
		return;
	}
	memset(&k->cap, 0, sizeof(k->cap));
	k->capture = idx;
	k->mm = mm;
	k->capture_pending = true;
	queue_work(kill_wq, &k->capture_work);
}

static void capture_work(struct work_struct *work)
{
	struct oomprof_kill *k =
		container_of(work, struct oomprof_kill, capture_work);
	unsigned long flags;

	oomprof_capture_run(k->capture, k->mm, &k->reg, &k->cap);
	mmput(k->mm);
	k->mm = NULL;

	spin_lock_irqsave(&k->lock, flags);
	k->capture_pending = false;
	/* The record may wait for its SIGKILL no longer than it would have. */
	mod_delayed_work(kill_wq, &k->publish, 0);
	spin_unlock_irqrestore(&k->lock, flags);
}

static struct oomprof_kill *claim_slot(void)
{
	unsigned int i;

	for (i = 0; i < nr_kills; i++) {
		if (atomic_cmpxchg(&kills[i].state, KILL_FREE, KILL_FILLING) ==
		    KILL_FREE) {
			atomic_inc(&kills_busy);
			return &kills[i];
		}
	}
	return NULL;
}

/*
 * The mark_victim probe (through compat.c). Atomic context, victim's
 * task_lock held: nothing here sleeps or allocates.
 */
void oomprof_kill_begin(struct task_struct *victim)
{
	struct oom_control *oc;
	struct oomprof_kill *k;
	unsigned long flags;

	/*
	 * The OOM killer also marks a task that is already dying (current,
	 * before it chooses anyone: oc->chosen is still NULL) so that it can
	 * reach the memory reserves: every thread of a killed process that
	 * allocates again gets marked that way. That is not a kill, and the
	 * kernel logs none; count it and go.
	 */
	oc = oomprof_current_oom_control();
	if (oc && !oc->chosen) {
		atomic64_inc(&dying_marked);
		return;
	}
	atomic64_inc(&kills_seen);
	k = claim_slot();
	if (!k) {
		/* More kills in flight than kill_slots: counted, reported. */
		oomprof_events_note_lost();
		return;
	}

	memset(&k->rec, 0, sizeof(k->rec));
	oomprof_events_init_header(&k->rec.hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(k->rec));
	k->rec.kill_realtime_ns = ktime_get_real_ns();
	k->rec.kill_boottime_ns = ktime_get_boottime_ns();
	get_task_struct(victim);
	k->victim = victim;
	k->victim_css = NULL;
	k->oom_css = NULL;
	take_victim_facts(k, victim);
	take_oom_context(k, oc);
	start_capture(k, victim);

	spin_lock_irqsave(&k->lock, flags);
	k->deadline = jiffies + sigkill_wait;
	atomic_set(&k->state, KILL_WAITING);
	mod_delayed_work(kill_wq, &k->publish, sigkill_wait);
	spin_unlock_irqrestore(&k->lock, flags);
}

/*
 * The signal_deliver probe, for SIGKILL only: current is dequeuing it.
 * Called with sighand->siglock held and interrupts off, for every thread
 * of a killed process; the first one dates the kill.
 */
void oomprof_kill_sigkill(void)
{
	unsigned long flags;
	unsigned int i;
	u64 now;

	if (!atomic_read(&kills_busy))
		return;
	now = ktime_get_boottime_ns();
	for (i = 0; i < nr_kills; i++) {
		struct oomprof_kill *k = &kills[i];

		if (atomic_read(&k->state) != KILL_WAITING)
			continue;
		spin_lock_irqsave(&k->lock, flags);
		if (atomic_read(&k->state) == KILL_WAITING &&
		    k->victim->signal == current->signal &&
		    !(k->rec.hdr.flags & OOMPROF_KILL_SIGKILL_SEEN)) {
			k->rec.sigkill_boottime_ns = now;
			k->rec.hdr.flags |= OOMPROF_KILL_SIGKILL_SEEN;
			atomic64_inc(&sigkills_matched);
			mod_delayed_work(kill_wq, &k->publish, 0);
		}
		spin_unlock_irqrestore(&k->lock, flags);
	}
}

static void cgroup_facts(struct cgroup_subsys_state *css, char *path,
			 u64 *id, u32 *flags)
{
	int ret;

	if (!css)
		return;
	*id = cgroup_id(css->cgroup);
	ret = cgroup_path(css->cgroup, path, OOMPROF_CGROUP_LEN);
	/* Older kernels return the full length, newer ones -E2BIG. */
	if (ret >= OOMPROF_CGROUP_LEN || ret == -E2BIG)
		*flags |= OOMPROF_KILL_CGROUP_TRUNCATED;
	else if (ret < 0)
		path[0] = '\0';
}

static void release_slot(struct oomprof_kill *k)
{
	if (k->victim_css)
		css_put(k->victim_css);
	if (k->oom_css)
		css_put(k->oom_css);
	put_task_struct(k->victim);
	k->victim = NULL;
	k->victim_css = NULL;
	k->oom_css = NULL;
	atomic_set_release(&k->state, KILL_FREE);
	atomic_dec(&kills_busy);
}

static void publish_work(struct work_struct *work)
{
	struct oomprof_kill *k =
		container_of(to_delayed_work(work), struct oomprof_kill, publish);
	struct oomprof_oom_kill *rec = &k->rec;
	unsigned long flags;

	spin_lock_irqsave(&k->lock, flags);
	if (atomic_read(&k->state) != KILL_WAITING || k->capture_pending) {
		/* capture_work queues us again when it is done. */
		spin_unlock_irqrestore(&k->lock, flags);
		return;
	}
	/*
	 * A run queued for an earlier use of this slot can land here before
	 * the new kill's SIGKILL: go back to waiting until its deadline.
	 */
	if (!(rec->hdr.flags & OOMPROF_KILL_SIGKILL_SEEN) &&
	    time_before(jiffies, k->deadline)) {
		mod_delayed_work(kill_wq, &k->publish, k->deadline - jiffies);
		spin_unlock_irqrestore(&k->lock, flags);
		return;
	}
	atomic_set(&k->state, KILL_PUBLISHING);
	spin_unlock_irqrestore(&k->lock, flags);

	cgroup_facts(k->victim_css, rec->victim_cgroup, &rec->victim_cgroup_id,
		     &rec->hdr.flags);
	cgroup_facts(k->oom_css, rec->oom_cgroup, &rec->oom_cgroup_id,
		     &rec->hdr.flags);
	if (k->capture >= 0) {
		oomprof_capture_finish(k->capture, rec, &k->cap);
		if (!oomprof_events_queue_capture(k->capture))
			oomprof_capture_release(k->capture);
		k->capture = -1;
	} else {
		oomprof_events_queue(&rec->hdr);
	}
	release_slot(k);
}

int oomprof_kills_init(unsigned int slots, unsigned int sigkill_wait_ms)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct oomprof_oom_kill) % 8);
	if (!slots) {
		pr_err("kill_slots must be at least 1\n");
		return -EINVAL;
	}
	kills = kvcalloc(slots, sizeof(*kills), GFP_KERNEL);
	if (!kills)
		return -ENOMEM;
	/*
	 * WQ_MEM_RECLAIM: a rescuer thread guarantees progress when the
	 * system cannot create workers, which is exactly during an OOM.
	 */
	kill_wq = alloc_workqueue("oomprof", WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!kill_wq) {
		kvfree(kills);
		return -ENOMEM;
	}
	for (i = 0; i < slots; i++) {
		atomic_set(&kills[i].state, KILL_FREE);
		spin_lock_init(&kills[i].lock);
		INIT_DELAYED_WORK(&kills[i].publish, publish_work);
		INIT_WORK(&kills[i].capture_work, capture_work);
		kills[i].capture = -1;
	}
	nr_kills = slots;
	sigkill_wait = msecs_to_jiffies(sigkill_wait_ms);
	return 0;
}

/* Probes are detached and synchronized before this runs. */
void oomprof_kills_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_kills; i++) {
		struct oomprof_kill *k = &kills[i];

		/* A capture in flight finishes (it is time-bounded). */
		cancel_work_sync(&k->capture_work);
		/* Handles the work re-arming itself. */
		cancel_delayed_work_sync(&k->publish);
		if (k->mm) {		/* capture queued, never ran */
			mmput(k->mm);
			k->mm = NULL;
		}
		if (k->capture >= 0) {
			oomprof_capture_release(k->capture);
			k->capture = -1;
		}
		if (atomic_read(&k->state) != KILL_FREE)
			release_slot(k);
	}
	destroy_workqueue(kill_wq);
	kvfree(kills);
	kills = NULL;
	nr_kills = 0;
}

void oomprof_kills_stats(struct oomprof_stats *st)
{
	st->kills_seen = atomic64_read(&kills_seen);
	st->dying_marked = atomic64_read(&dying_marked);
	st->sigkills_matched = atomic64_read(&sigkills_matched);
	st->kill_slots = nr_kills;
	st->kill_slots_busy = atomic_read(&kills_busy);
}
