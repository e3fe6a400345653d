// SPDX-License-Identifier: GPL-2.0
/*
 * A kill's context, in the record's sections: the memory of the OOM's
 * domain at the kill, and the processes of that domain ranked as the OOM
 * killer ranked them, so that a record shows what the victim was chosen
 * from and who would have been next.
 *
 * The domain's memory is read in the mark_victim probe (kill.c): every
 * number is an atomic counter or a word read once, so it is the memory
 * the OOM killer saw, before the victim frees anything.
 *
 * The ranked list is taken by the publication work instead, in process
 * context with no lock held. Reading another process's address-space
 * counters needs that process's task_lock (it keeps its mm from being
 * freed), and the probe holds the victim's: a second task_lock of the
 * same class there is the recursive pattern lockdep rightly flags, and a
 * walk over every process would lengthen the OOM killer's own critical
 * section. The victim's own entry is taken in the probe (it has to be: by
 * publication it may have freed its memory), so the list ranks the victim
 * at its kill against its neighbours a few milliseconds later
 * (sigkill_wait_ms at most). The walk is bounded in processes and time,
 * and says when it was cut short.
 *
 * Badness is the OOM killer's oom_badness() (mm/oom_kill.c, identical in
 * 6.1 and 6.12; it is not exported): resident pages + swap entries + page
 * table pages, plus oom_score_adj * (totalpages / 1000), with the kernel's
 * totalpages for this OOM (oom_control). A process the OOM killer skips
 * (oom_score_adj -1000, reaped, in vfork) is listed as unkillable, ranked
 * last. Differences: oom_task_origin() processes (swapoff, ksm's unmerge)
 * rank at LONG_MAX for the kernel and at their badness here; for a cpuset
 * or mempolicy OOM the kernel also skips processes with no memory on the
 * allowed nodes (oom_cpuset_eligible, not exported), here every process
 * of the machine is ranked.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/oom.h>
#include <linux/page_counter.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/vmstat.h>

#include "oomprof.h"

static unsigned int top_tasks = 10;
module_param(top_tasks, uint, 0444);
MODULE_PARM_DESC(top_tasks,
		 "Processes of the OOM's domain listed in each kill record, highest badness first (default 10, at most 32, 0: none)");

/* Bounds of the walk over the processes, at each publication. */
#define OOMPROF_TASKS_WALK_MAX	65536
#define OOMPROF_TASKS_WALK_NS	(50 * NSEC_PER_MSEC)

int oomprof_context_check(void)
{
	if (top_tasks > OOMPROF_MAX_TASKS) {
		pr_err("top_tasks=%u is over %u, the most a record holds: load with top_tasks=%u or less\n",
		       top_tasks, OOMPROF_MAX_TASKS, OOMPROF_MAX_TASKS);
		return -EINVAL;
	}
	return 0;
}

void oomprof_ext_init(struct oomprof_ext *x, void *buf, u32 size)
{
	x->buf = buf;
	x->size = size;
	x->used = 0;
}

/*
 * Append a section of @bytes (header included, rounded up to 8) and
 * return it zeroed with its header set, or NULL if it does not fit (the
 * record then goes without it). Any context: no allocation, no lock.
 */
void *oomprof_ext_add(struct oomprof_ext *x, u16 type, u32 bytes)
{
	struct oomprof_section *sec;

	if (bytes < sizeof(*sec) || bytes > x->size - x->used ||
	    round_up(bytes, 8) > x->size - x->used)
		return NULL;
	bytes = round_up(bytes, 8);
	sec = (struct oomprof_section *)(x->buf + x->used);
	memset(sec, 0, bytes);
	sec->type = type;
	sec->bytes = bytes;
	x->used += bytes;
	return sec;
}

/*
 * Shrink the last section @sec to @bytes (a list whose length is known
 * only once it is full). Only the last one: the others would move.
 */
void oomprof_ext_trim(struct oomprof_ext *x, struct oomprof_section *sec,
		      u32 bytes)
{
	bytes = round_up(bytes, 8);
	if (WARN_ON_ONCE((u8 *)sec + sec->bytes != x->buf + x->used ||
			 bytes < sizeof(*sec) || bytes > sec->bytes))
		return;
	x->used -= sec->bytes - bytes;
	sec->bytes = bytes;
}

/*
 * Insert @e (@size bytes) in @top, an array of *@n entries kept in the
 * order @before gives, at most @max of them. An entry that ties goes after
 * those already there. Returns its index, or -1 if it ranks below all of a
 * full list (or max is 0). The ranked processes and the victim's mappings
 * both keep their top entries this way.
 */
int oomprof_top_insert(void *top, u32 *n, u32 max, size_t size,
		       const void *e,
		       bool (*before)(const void *a, const void *b))
{
	u8 *base = top;
	u32 i = *n;

	while (i > 0 && before(e, base + (i - 1) * size))
		i--;
	if (i >= max)
		return -1;
	if (*n < max)
		(*n)++;
	memmove(base + (i + 1) * size, base + i * size, (*n - 1 - i) * size);
	memcpy(base + i * size, e, size);
	return i;
}

static bool badness_before(const void *a, const void *b)
{
	return ((const struct oomprof_task_mem *)a)->badness >
	       ((const struct oomprof_task_mem *)b)->badness;
}

/*
 * Insert @e in @r, highest badness first; the victim, inserted first,
 * stays ahead of its equals. False if it ranks below all of a full list.
 */
bool oomprof_rank_insert(struct oomprof_rank *r,
			 const struct oomprof_task_mem *e)
{
	return oomprof_top_insert(r->e, &r->n, r->max, sizeof(*e), e,
				  badness_before) >= 0;
}

/* oom_badness()'s arithmetic, in its types (long). */
s64 oomprof_badness(u64 pages, short adj, unsigned long totalpages)
{
	long points = pages;
	long a = adj;

	a *= totalpages / 1000;
	return points + a;
}

/*
 * One process's entry from its thread @t and address space @mm, which
 * the caller keeps stable (t's task_lock, see the callers).
 */
void oomprof_context_task(struct oomprof_task_mem *e, struct task_struct *t,
			  struct mm_struct *mm, unsigned long totalpages)
{
	short adj = READ_ONCE(t->signal->oom_score_adj);
	unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
	unsigned long file = get_mm_counter(mm, MM_FILEPAGES);
	unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES);
	unsigned long swap = get_mm_counter(mm, MM_SWAPENTS);
	unsigned long pgtables = mm_pgtables_bytes(mm);

	memset(e, 0, sizeof(*e));
	e->pid = t->pid;
	e->tgid = t->tgid;
	/* Not get_task_comm(): its task_lock is held. */
	memcpy(e->comm, t->comm, OOMPROF_COMM_LEN);
	e->comm[OOMPROF_COMM_LEN - 1] = '\0';
	rcu_read_lock();
	e->uid = from_kuid_munged(&init_user_ns, task_uid(t));
	rcu_read_unlock();
	e->oom_score_adj = adj;
	e->total_vm_kb = READ_ONCE(mm->total_vm) << (PAGE_SHIFT - 10);
	e->anon_rss_kb = anon << (PAGE_SHIFT - 10);
	e->file_rss_kb = file << (PAGE_SHIFT - 10);
	e->shmem_rss_kb = shmem << (PAGE_SHIFT - 10);
	e->swap_kb = swap << (PAGE_SHIFT - 10);
	e->pgtables_kb = pgtables >> 10;
	if (adj == OOM_SCORE_ADJ_MIN || test_bit(MMF_OOM_SKIP, &mm->flags) ||
	    in_vfork(t)) {
		e->flags |= OOMPROF_TASK_UNKILLABLE;
		e->badness = S64_MIN;
		return;
	}
	/* get_mm_rss() is anon + file + shmem: the values read above. */
	e->badness = oomprof_badness(anon + file + shmem + swap +
				     pgtables / PAGE_SIZE, adj, totalpages);
}

#ifdef CONFIG_MEMCG
static u64 limit_bytes(unsigned long pages)
{
	return pages >= PAGE_COUNTER_MAX ? OOMPROF_UNLIMITED :
	       (u64)pages << PAGE_SHIFT;
}

static void domain_memcg(struct oomprof_ext *x, struct mem_cgroup *memcg)
{
	static const int events[OOMPROF_MEMCG_NR_EVENTS] = {
		[OOMPROF_MEMCG_LOW] = MEMCG_LOW,
		[OOMPROF_MEMCG_HIGH] = MEMCG_HIGH,
		[OOMPROF_MEMCG_MAX] = MEMCG_MAX,
		[OOMPROF_MEMCG_OOM] = MEMCG_OOM,
		[OOMPROF_MEMCG_OOM_KILL] = MEMCG_OOM_KILL,
		[OOMPROF_MEMCG_OOM_GROUP_KILL] = MEMCG_OOM_GROUP_KILL,
	};
	struct oomprof_sec_memcg *m;
	unsigned int i;

	m = oomprof_ext_add(x, OOMPROF_SEC_MEMCG, sizeof(*m));
	if (!m)
		return;
	m->usage_bytes = (u64)page_counter_read(&memcg->memory) << PAGE_SHIFT;
	m->max_bytes = limit_bytes(READ_ONCE(memcg->memory.max));
	m->high_bytes = limit_bytes(READ_ONCE(memcg->memory.high));
	m->peak_bytes = (u64)READ_ONCE(memcg->memory.watermark) << PAGE_SHIFT;
	/* On cgroup v1 the union holds memsw (memory + swap): left out. */
	if (cgroup_subsys_on_dfl(memory_cgrp_subsys)) {
		m->swap_bytes = (u64)page_counter_read(&memcg->swap) <<
				PAGE_SHIFT;
		m->swap_max_bytes = limit_bytes(READ_ONCE(memcg->swap.max));
		m->sec.flags |= OOMPROF_MEMCG_SWAP;
	}
	for (i = 0; i < OOMPROF_MEMCG_NR_EVENTS; i++)
		m->events[i] = atomic_long_read(&memcg->memory_events[events[i]]);
}
#endif

/*
 * The domain's memory at the kill: the memcg at its limit (@memcg, NULL
 * for other OOMs) and the machine's. Atomic context (the mark_victim
 * probe): only counters, no lock. Not si_meminfo(): it also counts the
 * block devices' page cache under a spinlock of theirs, which does not
 * belong under the victim's task_lock; not si_swapinfo(): not exported.
 * The total of swap is the OOM killer's: for a global OOM its totalpages
 * is RAM + swap (constrained_alloc()).
 */
void oomprof_context_domain(struct oomprof_ext *x, struct mem_cgroup *memcg,
			    bool swap_total_known, unsigned long totalpages)
{
	struct oomprof_sec_system *s;
	unsigned long ram = totalram_pages();

#ifdef CONFIG_MEMCG
	if (memcg)
		domain_memcg(x, memcg);
#endif
	s = oomprof_ext_add(x, OOMPROF_SEC_SYSTEM, sizeof(*s));
	if (!s)
		return;
	s->ram_total_bytes = (u64)ram << PAGE_SHIFT;
	s->ram_free_bytes = (u64)global_zone_page_state(NR_FREE_PAGES) <<
			    PAGE_SHIFT;
	s->ram_available_bytes = (u64)si_mem_available() << PAGE_SHIFT;
	s->swap_free_bytes = (u64)max(get_nr_swap_pages(), 0L) << PAGE_SHIFT;
	if (swap_total_known && totalpages >= ram) {
		s->swap_total_bytes = (u64)(totalpages - ram) << PAGE_SHIFT;
		s->sec.flags |= OOMPROF_SYSTEM_SWAP_TOTAL;
	}
}

/*
 * find_lock_task_mm(), which is not exported: the first thread of @p that
 * still has its mm, returned with its task_lock held.
 */
static struct task_struct *lock_task_mm(struct task_struct *p)
{
	struct task_struct *t;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "thread walk needs RCU");
	for_each_thread(p, t) {
		task_lock(t);
		if (t->mm)
			return t;
		task_unlock(t);
	}
	return NULL;
}

/* Whether @p's memory cgroup is @oom_css or below it. Under RCU. */
static bool in_domain(struct task_struct *p,
		      struct cgroup_subsys_state *oom_css)
{
#ifdef CONFIG_MEMCG
	struct cgroup_subsys_state *css = task_css(p, memory_cgrp_id);

	return css && cgroup_is_descendant(css->cgroup, oom_css->cgroup);
#else
	return false;
#endif
}

/*
 * The ranked list: @victim (taken at the kill, NULL if it had no mm)
 * first in, then every other process of the domain (@oom_css and below
 * for a memcg OOM, NULL: the machine). Process context (publish_work).
 */
void oomprof_context_tasks(struct oomprof_ext *x,
			   const struct oomprof_task_mem *victim,
			   struct cgroup_subsys_state *oom_css,
			   unsigned long totalpages)
{
	unsigned int max = min_t(unsigned int, top_tasks, OOMPROF_MAX_TASKS);
	struct oomprof_sec_tasks *sec;
	struct oomprof_rank r;
	struct task_struct *p;
	u64 start, now;
	u32 walked = 0;

	might_sleep();
	if (!max)
		return;
	sec = oomprof_ext_add(x, OOMPROF_SEC_TASKS,
			      struct_size(sec, tasks, max));
	if (!sec)
		return;
	r.e = sec->tasks;
	r.n = 0;
	r.max = max;
	if (victim)
		oomprof_rank_insert(&r, victim);
	sec->totalpages = totalpages;
	start = ktime_get_ns();
	rcu_read_lock();
	for_each_process(p) {
		struct oomprof_task_mem e;
		struct task_struct *t;

		if (walked == OOMPROF_TASKS_WALK_MAX ||
		    (!(walked % 64) && walked &&
		     ktime_get_ns() - start > OOMPROF_TASKS_WALK_NS)) {
			sec->sec.flags |= OOMPROF_TASKS_TRUNCATED;
			break;
		}
		walked++;
		/* oom_unkillable_task(): the OOM killer's domain has neither. */
		if (is_global_init(p) || (p->flags & PF_KTHREAD))
			continue;
		if (victim && p->tgid == victim->tgid)
			continue;
		if (oom_css && !in_domain(p, oom_css))
			continue;
		t = lock_task_mm(p);
		if (!t)
			continue;	/* exited: nothing to free, as for dump_tasks */
		lockdep_assert_held(&t->alloc_lock);
		oomprof_context_task(&e, t, t->mm, totalpages);
		task_unlock(t);
		oomprof_rank_insert(&r, &e);
	}
	rcu_read_unlock();
	now = ktime_get_ns();
	sec->walked = walked;
	sec->walk_ns = now - start;
	sec->ntasks = r.n;
	oomprof_ext_trim(x, &sec->sec, struct_size(sec, tasks, r.n));
}
