// SPDX-License-Identifier: GPL-2.0
/*
 * The victim's memory by mapping (OOMPROF_SEC_MAPS): which of its
 * mappings held the memory the OOM killer took back, as /proc/PID/smaps
 * would have said, read once per kill in the place and at the time of a
 * Go capture (kill.c): in the victim's own task_work before it takes its
 * SIGKILL, or by the publication worker through the mm reference the probe
 * took. Either way before the victim frees anything, without holding its
 * memory past its exit.
 *
 * The walk visits the VMAs under the mmap_lock taken for reading (trylock
 * only: the victim has SIGKILL pending, so mmap_read_lock_killable fails,
 * and waiting behind a writer that waits for memory would hold up the
 * OOM's recovery; capture.c does the same), and counts each mapping's
 * resident pages from its page tables. Bounded in VMAs, page-table
 * entries examined (in all, not per mapping) and time; a bound keeps what
 * was counted and says which one came first.
 *
 * The page tables are walked by hand: walk_page_range() is not exported
 * (6.1, 6.12), nor is __pte_offset_map() (6.12), which pte_offset_map()
 * calls. Why reading them with the inline accessors is safe, the way
 * GUP-fast reads them (mm/gup.c: gup_pgd_range() in 6.1, gup_fast_*() in
 * 6.12):
 *
 * - The upper levels (p4d, pud, pmd tables) are freed only by
 *   free_pgtables(), under the mmap_lock held for writing (munmap) or at
 *   exit_mmap(): our read lock excludes the first and the reference on
 *   mm_users (current->mm, or the probe's mmget) the second.
 * - A PTE table can go while we hold the read lock: 6.12's khugepaged
 *   retract_page_tables() takes no mmap_lock and frees it with
 *   pte_free_defer() (an RCU callback), and x86 frees page tables through
 *   MMU_GATHER_RCU_TABLE_FREE (tlb_remove_table: an IPI to every CPU that
 *   may walk them, or an RCU-sched grace period). With interrupts off on
 *   this CPU neither can complete, so each PTE table is visited with
 *   interrupts off, from reading the pmd that points at it to its last
 *   entry: at most PTRS_PER_PTE entries.
 * - The pmd is read once (pmdp_get_lockless, or on 6.1, which lacks it,
 *   READ_ONCE of the 64-bit entry: what 6.1's gup_pmd_range() does) into
 *   a local copy; it is checked present, not a leaf (a huge page, counted
 *   whole) and not bad before the PTE table it names is looked at, and
 *   pte_offset_kernel() is given the copy, never the live entry, as
 *   6.1's gup_pmd_range() does with pte_offset_map(&pmd). Each PTE is read
 *   once (ptep_get). A racing change gives a count off by the pages that
 *   changed, never a bad pointer.
 * - hugetlb mappings are not walked: their shared pmd tables
 *   (huge_pmd_unshare) are freed without the RCU or IPI delay above on
 *   6.1. Their size is recorded, their residency is not (size only, and
 *   flagged); so are device mappings (VM_IO, VM_PFNMAP), whose entries
 *   are not memory the OOM killer can take back.
 *
 * Names: a file's path through d_path() into a scratch buffer of the kill
 * slot, of which the record keeps the tail (the file name end, the part
 * that tells), flagged when cut. The victim controls these bytes; they are
 * copied as they are, and oomprof-read escapes them.
 */
#define pr_fmt(fmt) "oomprof: " fmt

#include <linux/dcache.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/swapops.h>

#include "compat.h"
#include "oomprof.h"

static unsigned int top_maps = 16;
module_param(top_maps, uint, 0444);
MODULE_PARM_DESC(top_maps,
		 "Mappings of the victim listed in each kill record, most resident memory first (default 16, at most 32, 0: totals only)");

/* max_map_count's default is 65530: a process has at most about this. */
#define MAPS_VMA_MAX	65536
/* Page-table entries examined, all levels: 64 GiB mapped by 4 KiB pages. */
#define MAPS_PTE_MAX	BIT_ULL(24)
/* The walk, once it has the lock, in the victim before its SIGKILL. */
#define MAPS_WALK_NS	(50 * NSEC_PER_MSEC)
/*
 * The wait for the lock before it. Measured in python_seed on 6.1: the
 * read trylock failed for over 50 ms right after a memcg OOM kill of a
 * process faulting in anonymous memory: a read trylock fails while any
 * task waits for the lock (RWSEM_READ_FAILED_MASK has RWSEM_FLAG_WAITERS),
 * as a writer such as khugepaged's collapse may.
 */
#define MAPS_LOCK_NS	(200 * NSEC_PER_MSEC)

#ifndef CONFIG_64BIT
#error "oomprof's page-table walk reads a pmd with one load: 64-bit kernels only"
#endif

int oomprof_maps_check(void)
{
	if (top_maps > OOMPROF_MAX_MAPS) {
		pr_err("top_maps=%u is over %u, the most a record holds: load with top_maps=%u or less\n",
		       top_maps, OOMPROF_MAX_MAPS, OOMPROF_MAX_MAPS);
		return -EINVAL;
	}
	return 0;
}

u16 oomprof_map_kind(const struct oomprof_map_facts *f)
{
	if (f->vm_flags & VM_HUGETLB)
		return OOMPROF_MAP_HUGETLB;
	if (f->vm_flags & (VM_IO | VM_PFNMAP))
		return OOMPROF_MAP_OTHER;
	if (f->file)
		return f->shmem ? OOMPROF_MAP_SHMEM : OOMPROF_MAP_FILE;
	if (f->special)
		return OOMPROF_MAP_OTHER;
	/* The rules of /proc/PID/maps (show_map_vma) for [heap], [stack]. */
	if (f->start <= f->brk && f->end >= f->start_brk)
		return OOMPROF_MAP_HEAP;
	if (f->start <= f->start_stack && f->end >= f->start_stack)
		return OOMPROF_MAP_STACK;
	return OOMPROF_MAP_ANON;
}

/* Most resident first, then largest; an equal one goes after. */
static bool map_before(const void *pa, const void *pb)
{
	const struct oomprof_map *a = pa, *b = pb;

	if (a->resident_bytes != b->resident_bytes)
		return a->resident_bytes > b->resident_bytes;
	return a->size_bytes > b->size_bytes;
}

int oomprof_maps_rank(struct oomprof_map *top, u32 *n, u32 max,
		      const struct oomprof_map *e)
{
	return oomprof_top_insert(top, n, max, sizeof(*e), e, map_before);
}

/* Keep the last @len - 1 bytes of @s (NUL-terminated) in @dst. */
static bool copy_tail(char *dst, size_t len, const char *s)
{
	size_t n = strlen(s);
	bool cut = n > len - 1;

	if (cut)
		s += n - (len - 1);
	strscpy(dst, s, len);
	return cut;
}

struct maps_walk {
	struct mm_struct *mm;
	struct oomprof_sec_maps *sec;
	char *scratch;			/* OOMPROF_MAPS_SCRATCH bytes */
	u32 max;
	u64 until;			/* ktime_get_ns() */
	u32 stop;
	u64 resident;			/* the mapping being counted */
	u64 swap;
};

/* One more entry examined, or a bound reached: @w->stop says which. */
static bool budget(struct maps_walk *w)
{
	if (w->sec->ptes >= MAPS_PTE_MAX) {
		w->stop = OOMPROF_MAPS_STOP_PTES;
		return false;
	}
	w->sec->ptes++;
	return true;
}

/*
 * What a page-table entry stands for, counted the way the kernel's own
 * smaps counts it (smaps_pte_entry), so that the record agrees with
 * /proc/PID/smaps: a present page, and a migration or device entry (a
 * page on its way somewhere), is resident; a swap entry is swapped; an
 * empty entry, and a PTE marker (userfaultfd's write-protect marker on
 * an unpopulated page, a poisoned-page marker), is neither.
 */
enum oomprof_pte_use oomprof_pte_use(pte_t pte)
{
	swp_entry_t entry;

	if (pte_present(pte))
		return OOMPROF_PTE_RESIDENT;
	if (pte_none_mostly(pte))
		return OOMPROF_PTE_NONE;
	entry = pte_to_swp_entry(pte);
	if (!non_swap_entry(entry))
		return OOMPROF_PTE_SWAP;
	return is_pfn_swap_entry(entry) ? OOMPROF_PTE_RESIDENT :
					  OOMPROF_PTE_NONE;
}

/* One PTE table, interrupts off (see the file comment). */
static bool count_pmd(struct maps_walk *w, pmd_t *pmdp, unsigned long addr,
		      unsigned long end)
{
	unsigned long flags;
	bool ok = true;
	pte_t *ptep;
	pmd_t pmd;

	if (ktime_get_ns() >= w->until) {
		w->stop = OOMPROF_MAPS_STOP_TIME;
		return false;
	}
	if (!budget(w))
		return false;
	local_irq_save(flags);
	pmd = oomprof_pmdp_get_lockless(pmdp);
	if (pmd_none(pmd))
		goto out;
	if (!pmd_present(pmd)) {
		/*
		 * A huge page being migrated (huge pages are split before
		 * they are swapped out): resident, as smaps counts it.
		 */
		w->resident += end - addr;
		goto out;
	}
	if (pmd_leaf(pmd)) {
		w->resident += end - addr;
		goto out;
	}
	if (pmd_bad(pmd))
		goto out;
	ptep = pte_offset_kernel(&pmd, addr);
	for (; addr != end; addr += PAGE_SIZE, ptep++) {
		pte_t pte;

		if (!budget(w)) {
			ok = false;
			break;
		}
		pte = ptep_get(ptep);
		switch (oomprof_pte_use(pte)) {
		case OOMPROF_PTE_RESIDENT:
			w->resident += PAGE_SIZE;
			break;
		case OOMPROF_PTE_SWAP:
			w->swap += PAGE_SIZE;
			break;
		case OOMPROF_PTE_NONE:
			break;
		}
	}
out:
	local_irq_restore(flags);
	return ok;
}

static bool count_pud(struct maps_walk *w, pud_t *pudp, pud_t pud,
		      unsigned long addr, unsigned long end)
{
	pmd_t *pmdp = pmd_offset_lockless(pudp, pud, addr);
	unsigned long next;

	do {
		next = pmd_addr_end(addr, end);
		if (!count_pmd(w, pmdp, addr, next))
			return false;
	} while (pmdp++, addr = next, addr != end);
	return true;
}

static bool count_p4d(struct maps_walk *w, p4d_t *p4dp, p4d_t p4d,
		      unsigned long addr, unsigned long end)
{
	pud_t *pudp = pud_offset_lockless(p4dp, p4d, addr);
	unsigned long next;

	do {
		pud_t pud = READ_ONCE(*pudp);

		next = pud_addr_end(addr, end);
		if (!budget(w))
			return false;
		if (pud_none(pud))
			continue;
		if (pud_leaf(pud)) {
			w->resident += next - addr;
			continue;
		}
		if (!pud_present(pud) || pud_bad(pud))
			continue;
		if (!count_pud(w, pudp, pud, addr, next))
			return false;
	} while (pudp++, addr = next, addr != end);
	return true;
}

static bool count_pgd(struct maps_walk *w, pgd_t *pgdp, pgd_t pgd,
		      unsigned long addr, unsigned long end)
{
	p4d_t *p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	unsigned long next;

	do {
		p4d_t p4d = READ_ONCE(*p4dp);

		next = p4d_addr_end(addr, end);
		if (!budget(w))
			return false;
		if (p4d_none(p4d) || p4d_bad(p4d))
			continue;
		if (!count_p4d(w, p4dp, p4d, addr, next))
			return false;
	} while (p4dp++, addr = next, addr != end);
	return true;
}

/* Resident and swapped bytes of [addr, end): false at a bound. */
static bool count_range(struct maps_walk *w, unsigned long addr,
			unsigned long end)
{
	pgd_t *pgdp = pgd_offset(w->mm, addr);
	unsigned long next;

	do {
		pgd_t pgd = READ_ONCE(*pgdp);

		next = pgd_addr_end(addr, end);
		if (!budget(w))
			return false;
		if (pgd_none(pgd) || pgd_bad(pgd))
			continue;
		if (!count_pgd(w, pgdp, pgd, addr, next))
			return false;
	} while (pgdp++, addr = next, addr != end);
	return true;
}

/* The name of a listed mapping: mmap_lock held, vm_file pinned by it. */
static void map_name(struct maps_walk *w, struct oomprof_map *m,
		     struct vm_area_struct *vma)
{
	const char *name = NULL;
	bool cut = false;

	if (vma->vm_file) {
		name = d_path(&vma->vm_file->f_path, w->scratch,
			      OOMPROF_MAPS_SCRATCH);
		if (IS_ERR(name)) {
			/*
			 * Longer than the scratch: its last component,
			 * which d_path() would have ended with.
			 */
			snprintf(w->scratch, OOMPROF_MAPS_SCRATCH, "%pD",
				 vma->vm_file);
			name = w->scratch;
			cut = true;
		}
	} else if (vma->vm_ops && vma->vm_ops->name) {
		name = vma->vm_ops->name(vma);	/* [vdso], [vvar], ... */
	}
	if (!name)
		return;
	if (copy_tail(m->name, sizeof(m->name), name) || cut) {
		m->flags |= OOMPROF_MAP_NAME_TRUNCATED;
		w->sec->sec.flags |= OOMPROF_MAPS_NAME_TRUNCATED;
	}
}

static bool shmem_backed(struct file *file)
{
	/*
	 * shmem_mapping() is not exported by 6.1: every shmem file (tmpfs,
	 * memfd, shared anonymous, SysV shm) lives on a tmpfs superblock.
	 */
	return file_inode(file)->i_sb->s_magic == TMPFS_MAGIC;
}

static void visit(struct maps_walk *w, struct vm_area_struct *vma)
{
	struct mm_struct *mm = w->mm;
	struct oomprof_map_facts f = {
		.vm_flags = vma->vm_flags,
		.start = vma->vm_start,
		.end = vma->vm_end,
		.file = !!vma->vm_file,
		.special = !!vma->vm_ops,
		.start_brk = mm->start_brk,
		.brk = mm->brk,
		.start_stack = mm->start_stack,
	};
	struct oomprof_map m = {
		.start = vma->vm_start,
		.size_bytes = vma->vm_end - vma->vm_start,
	};
	struct oomprof_map_total *t;
	int i;

	f.shmem = vma->vm_file && shmem_backed(vma->vm_file);
	m.kind = oomprof_map_kind(&f);
	if (vma->vm_flags & (VM_IO | VM_PFNMAP)) {
		/* Not memory the OOM killer can take back: no section flag. */
		m.flags |= OOMPROF_MAP_SIZE_ONLY;
	} else if (w->stop || m.kind == OOMPROF_MAP_HUGETLB) {
		m.flags |= OOMPROF_MAP_SIZE_ONLY;
		w->sec->sec.flags |= OOMPROF_MAPS_SIZE_ONLY;
	} else {
		w->resident = 0;
		w->swap = 0;
		if (!count_range(w, vma->vm_start, vma->vm_end)) {
			/* Cut inside this one: what it counted is a part. */
			m.flags |= OOMPROF_MAP_SIZE_ONLY;
			w->sec->sec.flags |= OOMPROF_MAPS_SIZE_ONLY;
		}
		m.resident_bytes = w->resident;
		m.swap_bytes = w->swap;
	}
	t = &w->sec->totals[m.kind];
	t->count++;
	t->size_bytes += m.size_bytes;
	t->resident_bytes += m.resident_bytes;
	t->swap_bytes += m.swap_bytes;
	i = oomprof_maps_rank(w->sec->maps, &w->sec->nmaps, w->max, &m);
	if (i >= 0)
		map_name(w, &w->sec->maps[i], vma);
}

/*
 * Like capture.c's: the read lock, retried without blocking until @until
 * (a sleep that overran it still gets one last try).
 */
static bool lock_mm(struct mm_struct *mm, u64 until)
{
	while (!mmap_read_trylock(mm)) {
		if (ktime_get_ns() >= until)
			return false;
		usleep_range(200, 500);
	}
	return true;
}

void oomprof_maps_walk(struct oomprof_ext *x, struct mm_struct *mm, u32 path,
		       u64 kill_boottime_ns, u64 end_ns, char *scratch)
{
	struct oomprof_sec_maps *sec;
	struct maps_walk w = {
		.mm = mm,
		.scratch = scratch,
		.max = top_maps,
	};
	struct vm_area_struct *vma;
	u64 start = ktime_get_ns();
	u64 lock_until = start + MAPS_LOCK_NS;

	might_sleep();
	/* Never past the capture's end: the victim waits for no longer. */
	if (end_ns)
		lock_until = min(lock_until, end_ns);
	sec = oomprof_ext_add(x, OOMPROF_SEC_MAPS, struct_size(sec, maps,
							       top_maps));
	if (!sec)
		return;
	w.sec = sec;
	sec->path = path;
	sec->walk_after_ns = ktime_get_boottime_ns() - kill_boottime_ns;
	if (!lock_mm(mm, lock_until)) {
		sec->stop = OOMPROF_MAPS_STOP_MM_BUSY;
		sec->lock_wait_us = div_u64(ktime_get_ns() - start,
					    NSEC_PER_USEC);
	} else {
		VMA_ITERATOR(vmi, mm, 0);

		w.until = ktime_get_ns();
		sec->lock_wait_us = div_u64(w.until - start, NSEC_PER_USEC);
		w.until += MAPS_WALK_NS;
		if (end_ns)
			w.until = min(w.until, end_ns);
		for_each_vma(vmi, vma) {
			if (sec->vmas >= MAPS_VMA_MAX) {
				w.stop = OOMPROF_MAPS_STOP_VMAS;
				break;
			}
			/*
			 * The time bound covers every step, not only the page
			 * tables: 65,000 file mappings with nothing resident
			 * cost their ranking and d_path() alone.
			 */
			if (ktime_get_ns() >= w.until) {
				w.stop = OOMPROF_MAPS_STOP_TIME;
				break;
			}
			sec->vmas++;
			visit(&w, vma);
		}
		mmap_read_unlock(mm);
		sec->stop = w.stop;
	}
	sec->walk_ns = ktime_get_ns() - start;
	oomprof_ext_trim(x, &sec->sec, struct_size(sec, maps, sec->nmaps));
}

void oomprof_maps_none(struct oomprof_ext *x, u32 stop)
{
	struct oomprof_sec_maps *sec;

	sec = oomprof_ext_add(x, OOMPROF_SEC_MAPS, sizeof(*sec));
	if (sec)
		sec->stop = stop;
}
