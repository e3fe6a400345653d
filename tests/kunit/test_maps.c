// SPDX-License-Identifier: GPL-2.0
/*
 * module/maps.c: a mapping's kind, the ranked list of the largest
 * mappings, and the walk itself over a real user address space (insmod's,
 * see kunit_util.h): its resident counts against pages this case writes.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/uaccess.h>

#include "kunit_util.h"
#include "oomprof.h"

#define MAP_PAGES	256

static void kinds(struct kunit *test)
{
	struct oomprof_map_facts f = {
		.start = 0x1000000, .end = 0x1100000,
		.start_brk = 0x2000000, .brk = 0x2400000,
		.start_stack = 0x7ff000100000,
	};

	/* Private anonymous memory away from brk and the stack. */
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_ANON);
	/* The brk area, and a mapping that only touches either end of it. */
	f.start = 0x2000000;
	f.end = 0x2400000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_HEAP);
	f.start = 0x2400000;
	f.end = 0x2500000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_HEAP);
	f.start = 0x2401000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_ANON);
	f.start = 0x1f00000;
	f.end = 0x1fff000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_ANON);
	/* The one holding start_stack. */
	f.start = 0x7ff000000000;
	f.end = 0x7ff000200000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_STACK);
	f.end = 0x7ff000100000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_STACK);
	f.end = 0x7ff0000ff000;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_ANON);
	/* Special mappings with no file ([vdso]) before the heap rules. */
	f.start = 0x2000000;
	f.end = 0x2400000;
	f.special = true;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_OTHER);
	/* A file: tmpfs's is shmem, whatever its address. */
	f.file = true;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_FILE);
	f.shmem = true;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_SHMEM);
	/* Device memory, then hugetlb, before everything else. */
	f.vm_flags = VM_PFNMAP;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_OTHER);
	f.vm_flags = VM_IO;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_OTHER);
	f.vm_flags = VM_HUGETLB | VM_IO;
	KUNIT_EXPECT_EQ(test, oomprof_map_kind(&f), (u16)OOMPROF_MAP_HUGETLB);
}

static struct oomprof_map m(u64 resident, u64 size, u64 start)
{
	struct oomprof_map e = {
		.resident_bytes = resident,
		.size_bytes = size,
		.start = start,
	};

	return e;
}

static int rank(struct oomprof_map *top, u32 *n, u32 max, u64 resident,
		u64 size, u64 start)
{
	struct oomprof_map e = m(resident, size, start);

	return oomprof_maps_rank(top, n, max, &e);
}

static void rank_basics(struct kunit *test)
{
	struct oomprof_map top[4];
	u32 n = 0;

	/* Most resident first; equal resident: the larger; equal both: after. */
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 10, 100, 1), 0);
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 20, 20, 2), 0);
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 10, 200, 3), 1);
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 10, 100, 4), 3);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_EXPECT_EQ(test, top[0].start, 2ULL);
	KUNIT_EXPECT_EQ(test, top[1].start, 3ULL);
	KUNIT_EXPECT_EQ(test, top[2].start, 1ULL);
	KUNIT_EXPECT_EQ(test, top[3].start, 4ULL);
	/* Full: one below all, or equal to the last, is not taken. */
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 5, 999, 5), -1);
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 10, 100, 6), -1);
	/* One above pushes the last out. */
	KUNIT_EXPECT_EQ(test, rank(top, &n, 4, 15, 1, 7), 1);
	KUNIT_EXPECT_EQ(test, n, 4U);
	KUNIT_EXPECT_EQ(test, top[1].start, 7ULL);
	KUNIT_EXPECT_EQ(test, top[3].start, 1ULL);
	/* max 0 (top_maps=0): totals only. */
	n = 0;
	KUNIT_EXPECT_EQ(test, rank(top, &n, 0, 1, 1, 8), -1);
	KUNIT_EXPECT_EQ(test, n, 0U);
}

static int cmp_map(const void *a, const void *b)
{
	const struct oomprof_map *x = a, *y = b;

	if (x->resident_bytes != y->resident_bytes)
		return x->resident_bytes > y->resident_bytes ? -1 : 1;
	if (x->size_bytes != y->size_bytes)
		return x->size_bytes > y->size_bytes ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The list is the sorted input's first max entries, ties in input order. */
static void rank_against_sort(struct kunit *test)
{
	const u32 total = 500, max = OOMPROF_MAX_MAPS;
	struct oomprof_map *all, *top, e;
	u32 i, n = 0;

	all = kunit_kcalloc(test, total, sizeof(*all), GFP_KERNEL);
	top = kunit_kcalloc(test, max, sizeof(*top), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	KUNIT_ASSERT_NOT_NULL(test, top);
	for (i = 0; i < total; i++) {
		/* Few distinct values: many ties to keep in order. */
		all[i] = m(get_random_u32() % 8, get_random_u32() % 4, i);
		e = all[i];
		oomprof_maps_rank(top, &n, max, &e);
	}
	sort(all, total, sizeof(*all), cmp_map, NULL);
	KUNIT_ASSERT_EQ(test, n, max);
	for (i = 0; i < max; i++)
		KUNIT_EXPECT_EQ(test, top[i].start, all[i].start);
}

struct walk_out {
	u64 anon_resident;
	u64 vmas;
	u32 stop;
	u32 path;
	u32 files_named;
	u32 kinds_bad;
};

/* Walk insmod's address space; what the section says. */
static void walk(struct kunit *test, struct walk_out *o)
{
	struct oomprof_sec_maps *sec;
	struct oomprof_ext x;
	char *scratch;
	void *buf;
	u32 i;

	buf = kunit_kzalloc(test, OOMPROF_EXT_MAX, GFP_KERNEL);
	scratch = kunit_kzalloc(test, OOMPROF_MAPS_SCRATCH, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	oomprof_ext_init(&x, buf, OOMPROF_EXT_MAX);
	oomprof_maps_walk(&x, okt_user.mm, OOMPROF_CAPTURE_PATH_FALLBACK,
			  ktime_get_boottime_ns(), 0, scratch);
	sec = buf;
	KUNIT_ASSERT_EQ(test, sec->sec.type, (u16)OOMPROF_SEC_MAPS);
	/* Trimmed to its entries: the next section starts right after. */
	KUNIT_EXPECT_EQ(test, x.used, (u32)struct_size(sec, maps, sec->nmaps));
	KUNIT_EXPECT_EQ(test, sec->sec.bytes, x.used);
	memset(o, 0, sizeof(*o));
	o->anon_resident = sec->totals[OOMPROF_MAP_ANON].resident_bytes;
	o->vmas = sec->vmas;
	o->stop = sec->stop;
	o->path = sec->path;
	for (i = 0; i < sec->nmaps; i++) {
		struct oomprof_map *e = &sec->maps[i];

		/* Known kinds, ranked, resident within the size. */
		if (e->kind >= OOMPROF_MAP_NR_KINDS ||
		    e->resident_bytes > e->size_bytes ||
		    (i && e->resident_bytes > sec->maps[i - 1].resident_bytes))
			o->kinds_bad++;
		/* The guest's root is a tmpfs: its files are shmem. */
		if ((e->kind == OOMPROF_MAP_FILE ||
		     e->kind == OOMPROF_MAP_SHMEM) && e->name[0] == '/')
			o->files_named++;
	}
}

/*
 * The resident count is the pages mapped: writing 37 fresh pages of our
 * anonymous mapping adds exactly 37 pages to the anonymous total (insmod
 * waits in init_module meanwhile: nothing else changes its memory).
 */
static void walk_counts_written_pages(struct kunit *test)
{
	struct walk_out before, after;
	u8 one = 1;
	u32 i, written = 0;

	walk(test, &before);
	KUNIT_EXPECT_EQ(test, before.stop, (u32)OOMPROF_MAPS_COMPLETE);
	KUNIT_EXPECT_EQ(test, before.path, (u32)OOMPROF_CAPTURE_PATH_FALLBACK);
	KUNIT_EXPECT_GT(test, before.vmas, 3ULL);
	/* insmod's executable and libraries, by their paths. */
	KUNIT_EXPECT_GT(test, before.files_named, 0U);
	KUNIT_EXPECT_EQ(test, before.kinds_bad, 0U);

	okt_use_mm(test);
	for (i = 0; i < MAP_PAGES; i += 7) {
		if (copy_to_user((void __user *)(okt_user.addr + i * PAGE_SIZE),
				 &one, 1) == 0)
			written++;
	}
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, written, (MAP_PAGES + 6) / 7);

	walk(test, &after);
	KUNIT_EXPECT_EQ(test, after.stop, (u32)OOMPROF_MAPS_COMPLETE);
	KUNIT_EXPECT_EQ(test, after.anon_resident - before.anon_resident,
			(u64)written * PAGE_SIZE);
}

/*
 * Each kind of page-table entry counts where smaps_pte_entry() counts it:
 * the entries are the kernel's own encodings, made by its own helpers.
 */
static void pte_uses(struct kunit *test)
{
	unsigned long pfn = page_to_pfn(ZERO_PAGE(0));
	pte_t migrating = swp_entry_to_pte(make_readable_migration_entry(pfn));

	KUNIT_EXPECT_EQ(test, oomprof_pte_use(__pte(0)), OOMPROF_PTE_NONE);
	KUNIT_EXPECT_EQ(test, oomprof_pte_use(pfn_pte(pfn, PAGE_READONLY)),
			OOMPROF_PTE_RESIDENT);
	KUNIT_EXPECT_EQ(test,
			oomprof_pte_use(swp_entry_to_pte(swp_entry(0, 1234))),
			OOMPROF_PTE_SWAP);
	if (IS_ENABLED(CONFIG_MIGRATION))
		KUNIT_EXPECT_EQ(test,
				oomprof_pte_use(migrating), OOMPROF_PTE_RESIDENT);
#ifdef CONFIG_PTE_MARKER
	KUNIT_EXPECT_EQ(test, oomprof_pte_use(make_pte_marker(PTE_MARKER_UFFD_WP)),
			OOMPROF_PTE_NONE);
#else
	kunit_info(test, "no CONFIG_PTE_MARKER in this kernel: markers not made");
#endif
}

/* A held mmap_lock: the walk gives up by its bound, reads nothing. */
static void walk_never_blocks_on_mmap_lock(struct kunit *test)
{
	struct oomprof_sec_maps *sec;
	struct oomprof_ext x;
	char *scratch;
	void *buf;
	u64 t0;

	buf = kunit_kzalloc(test, OOMPROF_EXT_MAX, GFP_KERNEL);
	scratch = kunit_kzalloc(test, OOMPROF_MAPS_SCRATCH, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	oomprof_ext_init(&x, buf, OOMPROF_EXT_MAX);
	mmap_write_lock(okt_user.mm);
	t0 = ktime_get_ns();
	oomprof_maps_walk(&x, okt_user.mm, OOMPROF_CAPTURE_PATH_VICTIM, 0,
			  0, scratch);
	t0 = ktime_get_ns() - t0;
	mmap_write_unlock(okt_user.mm);
	sec = buf;
	KUNIT_EXPECT_EQ(test, sec->stop, (u32)OOMPROF_MAPS_STOP_MM_BUSY);
	KUNIT_EXPECT_EQ(test, sec->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, sec->vmas, 0ULL);
	/* Its 50 ms, with a margin for a slow debug guest. */
	KUNIT_EXPECT_LT(test, t0, 500 * NSEC_PER_MSEC);
}

static int maps_suite_init(struct kunit_suite *suite)
{
	return okt_user_get(MAP_PAGES * PAGE_SIZE);
}

static void maps_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case maps_cases[] = {
	KUNIT_CASE(kinds),
	KUNIT_CASE(rank_basics),
	KUNIT_CASE(rank_against_sort),
	KUNIT_CASE(pte_uses),
	KUNIT_CASE(walk_counts_written_pages),
	KUNIT_CASE(walk_never_blocks_on_mmap_lock),
	{}
};

static struct kunit_suite maps_suite = {
	.name = "oomprof_maps",
	.suite_init = maps_suite_init,
	.suite_exit = maps_suite_exit,
	.test_cases = maps_cases,
};

kunit_test_suites(&maps_suite);
