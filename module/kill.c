// SPDX-License-Identifier: GPL-2.0
/*
 * One OOM kill, from mark_victim to a record in the event buffer.
 *
 * mark_victim runs inside the OOM killer with preemption off and, on the
 * usual path (__oom_kill_process), with task_lock(victim) held. So the
 * probe takes only what must be taken at that instant (the victim's
 * identity, its address-space counters, references on its cgroups) into a
 * kill slot allocated at load time, and defers the rest. The record is
 * published when the victim dequeues its SIGKILL (signal_deliver: the kill
 * has reached the victim) or, failing that, after sigkill_wait_ms, marked
 * as such.
 *
 * A registered Go victim's heap buckets are captured in the victim's own
 * context: the probe queues a task_work on the victim thread the OOM
 * killer chose (TWA_SIGNAL), and get_signal() runs task works before it
 * dequeues the SIGKILL. Until then the victim is still in its cgroup with
 * live threads, and the OOM killer's select_bad_process() aborts on it
 * (tsk_is_oom_victim without MMF_OOM_SKIP): a second OOM in its cgroup
 * waits for it rather than picking a neighbour. Once the capture is done
 * the victim exits and frees its memory exactly as it would without
 * oomprof. (Holding an mm reference across the victim's exit, as this
 * module once did, kept its pages charged after it had left its cgroup,
 * and a second OOM killed an innocent neighbour.)
 *
 * Every victim with an address space goes the same way, registered or
 * not, for the walk over its mappings (maps.c, the record's MAPS
 * section): it runs first, in the same callback or fallback as a Go
 * capture, bounded by 200 ms waiting for the victim's mmap_lock and
 * 50 ms walking, and never past the capture's end (capture_end_ns), and
 * says which path ran it. "The capture" below means that walk and, for a
 * registered Go victim, the bucket capture after it.
 *
 * The probe does take a reference on the victim's mm (mmget_not_zero; its
 * task_lock keeps exit_mm from running), for two cases the task_work alone
 * would lose: the kernel sends SIGKILL before mark_victim, so the chosen
 * thread may have passed get_signal()'s task_work_run() already; its
 * callback then runs in exit_task_work(), after exit_mm(), with only our
 * reference keeping its memory. It hands the capture to the worker and
 * waits for it: exit_task_work() comes before cgroup_exit(), so the victim
 * is still in its cgroup, and its memory is freed (our mmput) before it
 * leaves, as the kernel frees it without oomprof. Every way out of a
 * killed thread runs its task works before cgroup_exit(), so the callback
 * always sees the reference dropped before the victim leaves its cgroup.
 *
 * A victim that does not reach get_signal() within capture_wait_ms (asleep
 * uninterruptibly, say on a FUSE request) is captured by the publication
 * work instead, through the victim's mm, referenced only for that walk:
 * the fallback. Exactly one of the two captures: each claims the capture
 * with one cmpxchg (k->claim); the loser does nothing. Either way the
 * capture ends by kill time + OOMPROF_CAPTURE_END_MS, well before the OOM
 * reaper unmaps the victim's memory (OOM_REAPER_DELAY, 2 s).
 *
 * Slot lifetime: a slot is free when its refcount is 0. The probe takes
 * one reference for the publication (dropped by publish_work once the
 * record is queued) and one for a queued task_work (dropped by the
 * callback, which is the only user of k->twork: the slot must not be
 * reused while the victim may still run it). The slot returns to the pool
 * on the last put. k->lock orders the publication against signal_deliver
 * writing the SIGKILL time and against the end of an in-victim capture.
 *
 * Unload: a queued callback holds a module reference (try_module_get in
 * the probe, module_put as the callback's last call), so the module cannot
 * be removed while a victim may still call into it; the few instructions
 * of the callback after module_put are waited for in oomprof_kills_exit()
 * (see callbacks_gone()).
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/oom.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "oomprof.h"

static unsigned int capture_wait_ms = 300;
module_param(capture_wait_ms, uint, 0444);
MODULE_PARM_DESC(capture_wait_ms,
		 "How long a registered victim has to start its capture in its own context before a worker captures it instead (default 300, at most 1000)");

enum capture_claim {
	CLAIM_OPEN,		/* nobody captures yet */
	CLAIM_VICTIM,		/* the victim's task_work callback */
	CLAIM_HANDOVER,		/* the callback, past exit_mm: worker, now */
	CLAIM_FALLBACK,		/* publish_work */
};

struct oomprof_kill {
	atomic_t refs;			/* 0: free */
	spinlock_t lock;
	bool waiting;			/* armed, not yet being published */
	struct task_struct *victim;	/* reference held until published */
	struct cgroup_subsys_state *victim_css;	/* reference held */
	struct cgroup_subsys_state *oom_css;	/* reference held */
	unsigned long deadline;		/* jiffies: stop waiting for SIGKILL */
	struct delayed_work publish;
	struct oomprof_oom_kill rec;
	/*
	 * The record's sections (context.c), right after rec: written at
	 * the kill (the domain's memory) and at publication (the ranked
	 * processes), through ext.
	 */
	u64 ext_buf[OOMPROF_EXT_MAX / 8];
	struct oomprof_ext ext;
	unsigned long totalpages;	/* the OOM killer's, for badness */
	bool victim_mem_valid;
	struct oomprof_task_mem victim_mem;	/* at the kill */
	/* Any victim with an mm (the mappings), and a registered Go one: */
	bool go;			/* a Go capture follows the mappings */
	u32 path;			/* enum oomprof_capture_path, so far */
	char maps_scratch[OOMPROF_MAPS_SCRATCH];	/* a mapping's path */
	int capture;			/* capture buffer, or -1 */
	atomic_t claim;			/* enum capture_claim */
	bool capture_wanted;		/* a capture was started */
	bool capture_done;		/* under lock */
	bool captured;			/* a walk ran: publish the buffer */
	unsigned long capture_deadline;	/* jiffies: the fallback's turn */
	u64 capture_end_ns;		/* ktime_get_ns(): every walk ends */
	struct mm_struct *mm;		/* held until the capture is done */
	struct completion captured_cmp;	/* capture done, mm let go */
	struct oomprof_reg_info reg;
	struct oomprof_go_capture cap;
	struct callback_head twork;
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
		/* The machine's memory still says something. */
		oomprof_context_domain(&k->ext, NULL, false, 0);
		return;
	}
	rec->constraint = constraint_of(oc);
	rec->order = oc->order;
	rec->gfp_mask = (__force u32)oc->gfp_mask;
	k->totalpages = oc->totalpages;
#ifdef CONFIG_MEMCG
	/* The charging path holds the OOMing memcg; we take our own. */
	if (oc->memcg) {
		k->oom_css = &oc->memcg->css;
		css_get(k->oom_css);
	}
#endif
	/* Only a global OOM's totalpages is RAM + swap (constrained_alloc). */
	oomprof_context_domain(&k->ext, oc->memcg,
			       rec->constraint == OOMPROF_CONSTRAINT_GLOBAL &&
			       !oc->memcg, oc->totalpages);
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
 * The victim's entry of the ranked list, now, before it frees anything;
 * after take_oom_context (totalpages). Same locking as take_victim_facts.
 */
static void take_victim_rank(struct oomprof_kill *k, struct task_struct *t)
{
	k->victim_mem_valid = false;
	if (!t->mm)
		return;
	oomprof_context_task(&k->victim_mem, t, t->mm, k->totalpages);
	k->victim_mem.flags |= OOMPROF_TASK_VICTIM;
	k->victim_mem_valid = true;
}

/* The last put returns the slot to the pool (see the file comment). */
static void slot_put(struct oomprof_kill *k)
{
	/* Fully ordered: this use's writes precede the next claim. */
	atomic_dec(&k->refs);
}

static void capture_in_victim(struct callback_head *twork);

/*
 * Queue the capture on a thread of the victim that will run it in
 * get_signal(), before it takes its SIGKILL. Any thread will do: they
 * share the mm. The kernel sent SIGKILL before mark_victim, so the thread
 * the OOM killer chose may have taken it already, and would run the
 * callback only in its exit, after exit_mm (the hand-over case of
 * capture_in_victim); a thread whose SIGKILL is still pending has not
 * yet (or only just) passed task_work_run() in get_signal(). So: the
 * first such thread, else the chosen one. The walk ends at the first
 * match; complete_signal() just walked the same threads.
 *
 * TWA_SIGNAL sets TIF_NOTIFY_SIGNAL and wakes the thread from an
 * interruptible sleep (set_notify_signal: wake_up_state, kick_process),
 * as the SIGKILL just sent under this same task_lock did to every thread
 * (signal_wake_up): the same locks, taken in the same order.
 * task_work_add() fails (-ESRCH) only for a thread past exit_task_work().
 */
static int queue_in_victim(struct oomprof_kill *k, struct task_struct *victim)
{
	struct task_struct *t;
	int err = -ESRCH;

	rcu_read_lock();
	for_each_thread(victim, t) {
		bool pending;

		if (READ_ONCE(t->flags) & PF_EXITING)
			continue;
		/* No siglock: a stale answer only picks another thread. */
		pending = data_race(sigismember(&t->pending.signal, SIGKILL));
		if (!pending)
			continue;
		err = task_work_add(t, &k->twork, TWA_SIGNAL);
		if (!err)
			break;
	}
	rcu_read_unlock();
	if (err)
		err = task_work_add(victim, &k->twork, TWA_SIGNAL);
	return err;
}

/*
 * A registered Go victim: whether its buckets can be captured; if not,
 * the record says why.
 */
static bool go_capture_wanted(struct oomprof_kill *k, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;	/* stable under task_lock */
	bool exec = false;

	if (!oomprof_registry_lookup(t, &k->reg, &exec))
		return false;
	k->rec.hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	if (exec)
		k->rec.capture_stop = OOMPROF_STOP_EXEC;
	else if (!mm)
		k->rec.capture_stop = OOMPROF_STOP_NO_MM;
	/*
	 * The walker reads 64-bit words: a 32-bit (compat, x32) process has
	 * another bucket layout. Its address space ends below 4 GiB.
	 */
	else if (mm->task_size <= (1ULL << 32))
		k->rec.capture_stop = OOMPROF_STOP_NOT_64BIT;
	else
		return true;
	oomprof_capture_note_dropped();
	return false;
}

/*
 * Queue the walk over the victim's mappings and, for a registered Go
 * victim, its capture, in its own context. Atomic context, victim's
 * task_lock held: nothing here sleeps or allocates.
 */
static void start_capture(struct oomprof_kill *k, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;	/* stable under task_lock */

	k->capture = -1;
	k->capture_wanted = false;
	k->captured = false;
	k->capture_done = false;
	k->path = OOMPROF_CAPTURE_PATH_NONE;
	k->mm = NULL;
	reinit_completion(&k->captured_cmp);
	atomic_set(&k->claim, CLAIM_OPEN);
	k->go = go_capture_wanted(k, t);
	if (!mm)
		return;		/* no mappings, no MM_FACTS */
	/* get_task_mm() would take task_lock, which our caller holds. */
	if (!mmget_not_zero(mm)) {
		oomprof_maps_none(&k->ext, OOMPROF_MAPS_STOP_EXITING);
		if (k->go) {
			k->rec.capture_stop = OOMPROF_STOP_NO_MM;
			oomprof_capture_note_dropped();
		}
		return;
	}
	/*
	 * More Go victims at once than capture_buffers: the capture claims
	 * one when it runs, waiting briefly (capture_buffer()).
	 */
	if (k->go) {
		memset(&k->cap, 0, sizeof(k->cap));
		k->capture = oomprof_capture_claim_try();
	}
	k->capture_wanted = true;
	k->mm = mm;
	k->capture_end_ns = ktime_get_ns() +
			    (u64)OOMPROF_CAPTURE_END_MS * NSEC_PER_MSEC;
	k->capture_deadline = jiffies + msecs_to_jiffies(capture_wait_ms);

	/*
	 * Module and slot references for the callback, taken before it can
	 * run (the victim may run it on another CPU as soon as it is queued).
	 * try_module_get fails only while the module is being removed: then
	 * there is no capture.
	 */
	if (!try_module_get(THIS_MODULE)) {
		if (k->go)
			k->rec.capture_stop = OOMPROF_STOP_NO_MM;
		goto drop;
	}
	/*
	 * Only the walk over the mappings, no fatal signal and not exiting
	 * (a test's mark_victim on a live process): the victim would run the
	 * callback only at its next return to user mode, whenever that is.
	 * The fallback walks it at capture_wait_ms instead. An exiting victim
	 * without SIGKILL (oom_kill_process() marks a task_will_free_mem()
	 * one and sends nothing) gets the callback: it runs in its
	 * exit_task_work(), before cgroup_exit(), and hands the walk over, so
	 * our mm reference never outlives its stay in the cgroup.
	 */
	if (!k->go && !(READ_ONCE(t->signal->flags) & SIGNAL_GROUP_EXIT) &&
	    !(READ_ONCE(t->flags) & PF_EXITING)) {
		module_put(THIS_MODULE);
		return;
	}
	atomic_inc(&k->refs);
	init_task_work(&k->twork, capture_in_victim);
	if (queue_in_victim(k, t)) {
		slot_put(k);
		module_put(THIS_MODULE);
		oomprof_maps_none(&k->ext, OOMPROF_MAPS_STOP_EXITING);
		if (k->go)
			k->rec.capture_stop = OOMPROF_STOP_EXITING;
		goto drop;
	}
	return;
drop:
	/* No capture: the record says why; the buffer goes at publication. */
	k->mm = NULL;
	mmput_async(mm);
	k->capture_done = true;
	complete_all(&k->captured_cmp);
}

/*
 * The capture's buffer: claimed at the kill, or, when none was free then,
 * now, waiting for one at most OOMPROF_BUFFER_WAIT_MS and never past the
 * capture's end. Sleeps. False: none came free, and the record says so.
 */
static bool capture_buffer(struct oomprof_kill *k)
{
	u64 until = ktime_get_ns() + (u64)OOMPROF_BUFFER_WAIT_MS * NSEC_PER_MSEC;

	if (k->capture < 0)
		k->capture = oomprof_capture_claim_wait(min(until,
							    k->capture_end_ns));
	if (k->capture >= 0)
		return true;
	k->rec.capture_stop = OOMPROF_STOP_NO_BUFFER;
	return false;
}

/* The capture is over and the mm let go: publish_work may go on. */
static void capture_finished(struct oomprof_kill *k)
{
	unsigned long flags;

	spin_lock_irqsave(&k->lock, flags);
	k->capture_done = true;
	/* The record waits for its SIGKILL no longer than it would. */
	mod_delayed_work(kill_wq, &k->publish, 0);
	spin_unlock_irqrestore(&k->lock, flags);
	complete_all(&k->captured_cmp);
}

/*
 * The victim's task_work: runs in the victim, in get_signal() before it
 * dequeues its SIGKILL, or, had it passed that point before the probe
 * queued it, in exit_task_work() after exit_mm() (current->mm is NULL).
 * Sleepable. Either way before the victim leaves its cgroup, and it does
 * not return before the capture is done and the mm reference dropped.
 */
static void capture_in_victim(struct callback_head *twork)
{
	struct oomprof_kill *k = container_of(twork, struct oomprof_kill, twork);
	unsigned long flags;

	if (atomic_cmpxchg(&k->claim, CLAIM_OPEN, CLAIM_VICTIM) == CLAIM_OPEN) {
		if (current->mm == k->mm) {
			oomprof_maps_walk(&k->ext, k->mm,
					  OOMPROF_CAPTURE_PATH_VICTIM,
					  k->rec.kill_boottime_ns,
					  k->capture_end_ns, k->maps_scratch);
			/* The path says where a capture ran: none, none. */
			if (k->go && capture_buffer(k)) {
				oomprof_capture_run_current(k->capture, &k->reg,
							    k->capture_end_ns,
							    &k->cap);
				k->captured = true;
				k->rec.capture_path =
					OOMPROF_CAPTURE_PATH_VICTIM;
			}
			/* Not the last reference: current->mm is one. */
			mmput(k->mm);
			k->mm = NULL;
			capture_finished(k);
		} else {
			/* Past exit_mm: only k->mm keeps the memory. */
			k->path = OOMPROF_CAPTURE_PATH_HANDOVER;
			spin_lock_irqsave(&k->lock, flags);
			atomic_set(&k->claim, CLAIM_HANDOVER);
			mod_delayed_work(kill_wq, &k->publish, 0);
			spin_unlock_irqrestore(&k->lock, flags);
		}
	}
	/*
	 * A worker reads through k->mm (handover or fallback): stay in the
	 * cgroup, a victim in progress, until it has let the mm go. Bounded:
	 * the walk ends by capture_end_ns.
	 */
	wait_for_completion_timeout(&k->captured_cmp,
				    msecs_to_jiffies(OOMPROF_CAPTURE_END_MS));
	slot_put(k);
	/*
	 * Last: from here the module may be removed. What remains of this
	 * function is its return; see callbacks_gone().
	 */
	module_put(THIS_MODULE);
}

/*
 * The worker's capture (publish_work): at capture_deadline when the victim
 * has not run its callback (the fallback), or at once when the callback
 * handed it over. Reads through k->mm and drops it.
 */
static void capture_fallback(struct oomprof_kill *k)
{
	struct mm_struct *mm = k->mm;
	u32 path = k->path == OOMPROF_CAPTURE_PATH_HANDOVER ?
		   OOMPROF_CAPTURE_PATH_HANDOVER : OOMPROF_CAPTURE_PATH_FALLBACK;

	/* The page tables are read through mm itself: no kthread_use_mm. */
	oomprof_maps_walk(&k->ext, mm, path, k->rec.kill_boottime_ns,
			  k->capture_end_ns, k->maps_scratch);
	if (k->go && capture_buffer(k)) {
		oomprof_capture_run(k->capture, mm, &k->reg, k->capture_end_ns,
				    &k->cap);
		k->captured = true;
		k->rec.capture_path = path;
	}
	k->mm = NULL;
	/* Possibly the last reference: the victim's memory is freed here. */
	mmput(mm);
}

static struct oomprof_kill *claim_slot(void)
{
	unsigned int i;

	for (i = 0; i < nr_kills; i++) {
		if (atomic_cmpxchg(&kills[i].refs, 0, 1) == 0) {
			atomic_inc(&kills_busy);
			return &kills[i];
		}
	}
	return NULL;
}

/*
 * The kernel sends SIGKILL before mark_victim: a thread of the victim can
 * dequeue it before the slot is armed, and signal_deliver then finds no
 * slot waiting. The SIGKILL reached every thread's pending set
 * (complete_signal); a thread whose set no longer holds it, or that is
 * exiting, took it already. Called after arming under k->lock, so a
 * thread that takes it concurrently is seen here or by signal_deliver.
 * The walk is the one complete_signal() just made over the same threads.
 */
static bool sigkill_already_taken(struct task_struct *victim)
{
	struct task_struct *t;
	bool taken = false;

	/* complete_signal() marks the group for the fatal SIGKILL first. */
	if (!(READ_ONCE(victim->signal->flags) & SIGNAL_GROUP_EXIT))
		return false;
	rcu_read_lock();
	for_each_thread(victim, t) {
		bool pending;

		/* No siglock: a stale answer only moves the SIGKILL time. */
		pending = data_race(sigismember(&t->pending.signal, SIGKILL));
		if (!pending || (READ_ONCE(t->flags) & PF_EXITING)) {
			taken = true;
			break;
		}
	}
	rcu_read_unlock();
	return taken;
}

/*
 * The mark_victim probe (through compat.c). Atomic context: nothing here
 * sleeps or allocates.
 */
void oomprof_kill_begin(struct task_struct *victim)
{
	struct oom_control *oc;
	struct oomprof_kill *k;
	unsigned long flags, wait;

	/*
	 * The OOM killer also marks a task that is already dying (current,
	 * before it chooses anyone: oc->chosen is still NULL) so that it can
	 * reach the memory reserves: every thread of a killed process that
	 * allocates again gets marked that way. That is not a kill, and the
	 * kernel logs none; count it and go.
	 */
	/*
	 * The victim's task_lock (__oom_kill_process, oom_kill_process), or
	 * the victim is current (a dying task marked for the reserves):
	 * either way victim->mm stays put while we look at it.
	 */
	lockdep_assert(victim == current ||
		       lockdep_is_held(&victim->alloc_lock));
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
	k->totalpages = 0;
	oomprof_ext_init(&k->ext, k->ext_buf, sizeof(k->ext_buf));
	take_victim_facts(k, victim);
	take_oom_context(k, oc);
	take_victim_rank(k, victim);
	start_capture(k, victim);

	spin_lock_irqsave(&k->lock, flags);
	k->deadline = jiffies + sigkill_wait;
	wait = sigkill_wait;
	if (k->capture_wanted && !k->capture_done)
		wait = time_before(jiffies, k->capture_deadline) ?
		       min(wait, k->capture_deadline - jiffies) : 0;
	k->waiting = true;
	mod_delayed_work(kill_wq, &k->publish, wait);
	spin_unlock_irqrestore(&k->lock, flags);

	if (sigkill_already_taken(victim)) {
		spin_lock_irqsave(&k->lock, flags);
		if (!(k->rec.hdr.flags & OOMPROF_KILL_SIGKILL_SEEN)) {
			k->rec.sigkill_boottime_ns = ktime_get_boottime_ns();
			k->rec.hdr.flags |= OOMPROF_KILL_SIGKILL_SEEN;
			atomic64_inc(&sigkills_matched);
			mod_delayed_work(kill_wq, &k->publish, 0);
		}
		spin_unlock_irqrestore(&k->lock, flags);
	}
}

/*
 * The signal_deliver probe, for SIGKILL only: current is dequeuing it,
 * interrupts off, for every thread of a killed process; the first one
 * dates the kill.
 */
void oomprof_kill_sigkill(void)
{
	unsigned long flags;
	unsigned int i;
	u64 now;

	lockdep_assert_held(&current->sighand->siglock);
	if (!atomic_read(&kills_busy))
		return;
	now = ktime_get_boottime_ns();
	for (i = 0; i < nr_kills; i++) {
		struct oomprof_kill *k = &kills[i];

		if (!READ_ONCE(k->waiting))
			continue;
		spin_lock_irqsave(&k->lock, flags);
		if (k->waiting && k->victim->signal == current->signal &&
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
	/*
	 * kernfs writes at most OOMPROF_CGROUP_LEN - 1 bytes and, despite
	 * its comment, returns the bytes it wrote (6.1 and 6.12 build the
	 * path with scnprintf), so a path that fills the buffer may have
	 * been cut: flagged, as is one exactly that long. Other kernels
	 * return the full length or -E2BIG.
	 */
	if (ret >= OOMPROF_CGROUP_LEN - 1 || ret == -E2BIG)
		*flags |= OOMPROF_KILL_CGROUP_TRUNCATED;
	else if (ret < 0)
		path[0] = '\0';
}

/* What the publication holds: dropped once its record is queued. */
static void release_publication(struct oomprof_kill *k)
{
	if (k->victim_css)
		css_put(k->victim_css);
	if (k->oom_css)
		css_put(k->oom_css);
	put_task_struct(k->victim);
	k->victim = NULL;
	k->victim_css = NULL;
	k->oom_css = NULL;
	atomic_dec(&kills_busy);
	oomprof_device_kill_done();	/* a detach may wait for this */
	slot_put(k);
}

/*
 * Whether the record can go now: the capture is over (or never started)
 * and the SIGKILL seen or waited for long enough. If not, re-arms the work
 * or leaves it to the in-victim capture, which queues it when done.
 * k->lock held; may drop and retake it to run the fallback capture.
 */
static bool ready_to_publish(struct oomprof_kill *k, unsigned long *flags)
{
	lockdep_assert_held(&k->lock);
	if (k->capture_wanted && !k->capture_done) {
		int claim = atomic_read(&k->claim);

		if (claim == CLAIM_VICTIM)
			return false;	/* capture_in_victim queues us */
		if (claim == CLAIM_OPEN &&
		    time_before(jiffies, k->capture_deadline)) {
			mod_delayed_work(kill_wq, &k->publish,
					 k->capture_deadline - jiffies);
			return false;
		}
		if (claim == CLAIM_OPEN &&
		    atomic_cmpxchg(&k->claim, CLAIM_OPEN, CLAIM_FALLBACK) !=
		    CLAIM_OPEN)
			return false;	/* the victim just claimed it */
		spin_unlock_irqrestore(&k->lock, *flags);
		capture_fallback(k);
		spin_lock_irqsave(&k->lock, *flags);
		k->capture_done = true;
		complete_all(&k->captured_cmp);
	}
	/*
	 * A run queued for an earlier use of this slot can land here before
	 * the new kill's SIGKILL: go back to waiting until its deadline.
	 */
	if (!(k->rec.hdr.flags & OOMPROF_KILL_SIGKILL_SEEN) &&
	    time_before(jiffies, k->deadline)) {
		mod_delayed_work(kill_wq, &k->publish, k->deadline - jiffies);
		return false;
	}
	return true;
}

static void publish_work(struct work_struct *work)
{
	struct oomprof_kill *k =
		container_of(to_delayed_work(work), struct oomprof_kill, publish);
	struct oomprof_oom_kill *rec = &k->rec;
	unsigned long flags;

	spin_lock_irqsave(&k->lock, flags);
	if (!k->waiting || !ready_to_publish(k, &flags)) {
		spin_unlock_irqrestore(&k->lock, flags);
		return;
	}
	k->waiting = false;
	spin_unlock_irqrestore(&k->lock, flags);

	cgroup_facts(k->victim_css, rec->victim_cgroup, &rec->victim_cgroup_id,
		     &rec->hdr.flags);
	cgroup_facts(k->oom_css, rec->oom_cgroup, &rec->oom_cgroup_id,
		     &rec->hdr.flags);
	/* No lock held here: see context.c for why the walk is here. */
	oomprof_context_tasks(&k->ext, k->victim_mem_valid ? &k->victim_mem :
			      NULL, k->oom_css, k->totalpages);
	rec->ext_bytes = k->ext.used;
	if (k->capture >= 0 && k->captured) {
		oomprof_capture_finish(k->capture, rec, &k->cap, k->ext_buf,
				       k->ext.used);
		if (!oomprof_events_queue_capture(k->capture))
			oomprof_capture_release(k->capture);
	} else {
		if (k->capture >= 0) {
			oomprof_capture_release(k->capture);
			oomprof_capture_note_dropped();
		}
		/* The sections follow the structure (ext_buf is contiguous). */
		rec->ext_offset = rec->ext_bytes ? sizeof(*rec) : 0;
		rec->hdr.size = sizeof(*rec) + rec->ext_bytes;
		oomprof_events_queue(&rec->hdr);
	}
	k->capture = -1;
	release_publication(k);
}

int oomprof_kills_init(unsigned int slots, unsigned int sigkill_wait_ms)
{
	unsigned int i;
	int err;

	BUILD_BUG_ON(sizeof(struct oomprof_oom_kill) % 8);
	/* An OOM_KILL record is rec and its sections, read as one. */
	BUILD_BUG_ON(offsetof(struct oomprof_kill, ext_buf) !=
		     offsetof(struct oomprof_kill, rec) +
		     sizeof(struct oomprof_oom_kill));
	BUILD_BUG_ON(OOMPROF_EXT_MAX % 8);
	BUILD_BUG_ON(sizeof(struct oomprof_oom_kill) + OOMPROF_EXT_MAX >
		     OOMPROF_READ_MIN);
	err = oomprof_context_check();
	if (err)
		return err;
	err = oomprof_maps_check();
	if (err)
		return err;
	if (!slots) {
		pr_err("kill_slots must be at least 1\n");
		return -EINVAL;
	}
	if (capture_wait_ms > 1000) {
		pr_err("capture_wait_ms=%u is over 1000: the capture must end well before the OOM reaper frees the victim's memory (2 s after the kill)\n",
		       capture_wait_ms);
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
		atomic_set(&kills[i].refs, 0);
		spin_lock_init(&kills[i].lock);
		init_completion(&kills[i].captured_cmp);
		INIT_DELAYED_WORK(&kills[i].publish, publish_work);
		kills[i].capture = -1;
	}
	nr_kills = slots;
	sigkill_wait = msecs_to_jiffies(sigkill_wait_ms);
	return 0;
}

/*
 * No task_work callback of ours runs any more. A callback holds a module
 * reference from the probe to its module_put(), so none is pending when
 * the module's exit runs; one may still be between its module_put() and
 * its return into task_work_run(). With TASKS_RCU, synchronize_rcu_tasks()
 * waits until every task has switched voluntarily, run in user mode or
 * idled, none of which a task does inside that tail (a task preempted
 * there has not switched voluntarily). A non-preemptible kernel cannot
 * switch inside it at all, and a grace period of plain RCU sees every CPU
 * switch after it. A preemptible kernel without TASKS_RCU offers neither.
 */
#if IS_ENABLED(CONFIG_TASKS_RCU)
static void callbacks_gone(void)
{
	synchronize_rcu_tasks();
}
#elif !IS_ENABLED(CONFIG_PREEMPTION)
static void callbacks_gone(void)
{
	synchronize_rcu();
}
#else
#error "oomprof needs CONFIG_TASKS_RCU on a preemptible kernel (capture callbacks)"
#endif

/* Probes are detached and synchronized before this runs. */
void oomprof_kills_exit(void)
{
	unsigned int i, pending = 0;

	callbacks_gone();
	for (i = 0; i < nr_kills; i++) {
		struct oomprof_kill *k = &kills[i];

		/* Handles the work re-arming itself; a fallback finishes. */
		cancel_delayed_work_sync(&k->publish);
		if (!k->waiting)
			continue;
		if (k->mm) {		/* the fallback's turn never came */
			mmput(k->mm);
			k->mm = NULL;
		}
		if (k->capture >= 0) {
			oomprof_capture_release(k->capture);
			k->capture = -1;
		}
		k->waiting = false;
		release_publication(k);
	}
	destroy_workqueue(kill_wq);
	for (i = 0; i < nr_kills; i++)
		pending += atomic_read(&kills[i].refs) != 0;
	/*
	 * Cannot happen in the module (a pending callback holds a module
	 * reference); a caller that tears down with one queued must not
	 * turn it into a use after free.
	 */
	if (WARN_ON_ONCE(pending))
		pr_err("%u capture callbacks still queued at teardown: kill slots not freed\n",
		       pending);
	else
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
	st->reserved_bytes += (u64)nr_kills * sizeof(struct oomprof_kill);
}
