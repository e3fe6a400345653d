// SPDX-License-Identifier: GPL-2.0
/*
 * module/context.c: the record's section writer, the bounded ranked list
 * of processes, the OOM killer's badness arithmetic, and the domain memory
 * and process walk on the running kernel.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sort.h>

#include "oomprof.h"

static void ext_writer(struct kunit *test)
{
	u64 buf[16];
	struct oomprof_ext x;
	struct oomprof_section *a, *b, *c;
	u8 *bytes = (u8 *)buf;
	unsigned int i;

	memset(buf, 0xee, sizeof(buf));
	oomprof_ext_init(&x, buf, sizeof(buf));
	/* Rounded up to 8, header set, the rest zeroed. */
	a = oomprof_ext_add(&x, 7, 13);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, (void *)a, (void *)buf);
	KUNIT_EXPECT_EQ(test, a->type, (u16)7);
	KUNIT_EXPECT_EQ(test, a->flags, (u16)0);
	KUNIT_EXPECT_EQ(test, a->bytes, 16U);
	for (i = sizeof(*a); i < 16; i++)
		KUNIT_EXPECT_EQ(test, bytes[i], (u8)0);
	KUNIT_EXPECT_EQ(test, bytes[16], (u8)0xee);
	KUNIT_EXPECT_EQ(test, x.used, 16U);
	/* Smaller than a header: refused. */
	KUNIT_EXPECT_NULL(test, oomprof_ext_add(&x, 1, 4));
	/* Exactly the rest fits; one byte more, even before rounding, not. */
	KUNIT_EXPECT_NULL(test, oomprof_ext_add(&x, 2, sizeof(buf) - 16 + 1));
	KUNIT_EXPECT_NULL(test, oomprof_ext_add(&x, 2, U32_MAX));
	b = oomprof_ext_add(&x, 2, 64);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_EQ(test, (void *)b, (void *)(bytes + 16));
	c = oomprof_ext_add(&x, 3, sizeof(buf) - 80);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, x.used, (u32)sizeof(buf));
	KUNIT_EXPECT_NULL(test, oomprof_ext_add(&x, 4, 8));
	/* The last section shrinks (rounded up to 8), and room comes back. */
	oomprof_ext_trim(&x, c, 9);
	KUNIT_EXPECT_EQ(test, c->bytes, 16U);
	KUNIT_EXPECT_EQ(test, x.used, 96U);
	KUNIT_EXPECT_NOT_NULL(test, oomprof_ext_add(&x, 4, 32));
	KUNIT_EXPECT_EQ(test, x.used, (u32)sizeof(buf));
	/* Every section's bytes sum to used: a reader can walk them. */
	KUNIT_EXPECT_EQ(test, a->bytes + b->bytes + c->bytes + 32, x.used);
}

static struct oomprof_task_mem ent(s64 badness, u32 pid)
{
	struct oomprof_task_mem e = { .pid = pid, .tgid = pid,
				      .badness = badness };

	return e;
}

static void rank_basics(struct kunit *test)
{
	struct oomprof_task_mem e[4];
	struct oomprof_rank r = { .e = e, .n = 0, .max = 0 };
	struct oomprof_task_mem v;

	/* N = 0: nothing is ever ranked. */
	v = ent(5, 1);
	KUNIT_EXPECT_FALSE(test, oomprof_rank_insert(&r, &v));
	KUNIT_EXPECT_EQ(test, r.n, 0U);

	r.max = 3;
	v = ent(10, 1);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	v = ent(30, 2);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	v = ent(20, 3);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	KUNIT_EXPECT_EQ(test, r.n, 3U);
	KUNIT_EXPECT_EQ(test, e[0].pid, 2U);
	KUNIT_EXPECT_EQ(test, e[1].pid, 3U);
	KUNIT_EXPECT_EQ(test, e[2].pid, 1U);
	/* Full: below the last is refused, and so is a tie with it. */
	v = ent(5, 4);
	KUNIT_EXPECT_FALSE(test, oomprof_rank_insert(&r, &v));
	v = ent(10, 5);
	KUNIT_EXPECT_FALSE(test, oomprof_rank_insert(&r, &v));
	/* A tie above goes after its equal; the last one drops out. */
	v = ent(20, 6);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	KUNIT_EXPECT_EQ(test, r.n, 3U);
	KUNIT_EXPECT_EQ(test, e[0].pid, 2U);
	KUNIT_EXPECT_EQ(test, e[1].pid, 3U);
	KUNIT_EXPECT_EQ(test, e[2].pid, 6U);
	/* A new first. */
	v = ent(S64_MAX, 7);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	KUNIT_EXPECT_EQ(test, e[0].pid, 7U);
	KUNIT_EXPECT_EQ(test, e[2].pid, 3U);
	/* Unkillable (S64_MIN) ranks below everything. */
	r.n = 1;
	v = ent(S64_MIN, 8);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	v = ent(-100000, 9);
	KUNIT_EXPECT_TRUE(test, oomprof_rank_insert(&r, &v));
	KUNIT_EXPECT_EQ(test, e[1].pid, 9U);
	KUNIT_EXPECT_EQ(test, e[2].pid, 8U);
}

static int cmp_desc(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* N = max, many inserts with ties: the list is the top of a full sort. */
static void rank_against_sort(struct kunit *test)
{
	enum { N = OOMPROF_MAX_TASKS, M = 500 };
	struct oomprof_task_mem *e;
	s64 *all;
	struct oomprof_rank r;
	unsigned int i, j;
	u32 seen_at[64];

	e = kunit_kcalloc(test, N + 1, sizeof(*e), GFP_KERNEL);
	all = kunit_kcalloc(test, M, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_NOT_NULL(test, all);
	e[N].pid = 0xdead;	/* a guard: never written */
	r.e = e;
	r.n = 0;
	r.max = N;
	for (i = 0; i < M; i++) {
		struct oomprof_task_mem v;

		/* Few distinct values: many ties. */
		all[i] = (s64)(get_random_u32() % 64) - 20;
		v = ent(all[i], i + 1);
		oomprof_rank_insert(&r, &v);
	}
	KUNIT_EXPECT_EQ(test, e[N].pid, 0xdeadU);
	sort(all, M, sizeof(*all), cmp_desc, NULL);
	KUNIT_ASSERT_EQ(test, r.n, (u32)N);
	memset(seen_at, 0, sizeof(seen_at));
	for (i = 0; i < N; i++) {
		KUNIT_EXPECT_EQ(test, e[i].badness, all[i]);
		/* Among equals, first inserted first. */
		j = e[i].badness + 20;
		KUNIT_EXPECT_GT(test, e[i].pid, seen_at[j]);
		seen_at[j] = e[i].pid;
	}
}

static void badness_arithmetic(struct kunit *test)
{
	/* points + adj * (totalpages / 1000), in long, as oom_badness(). */
	KUNIT_EXPECT_EQ(test, oomprof_badness(1000, 0, 25600), 1000LL);
	KUNIT_EXPECT_EQ(test, oomprof_badness(1000, 100, 25600), 3500LL);
	KUNIT_EXPECT_EQ(test, oomprof_badness(1000, -1000, 25600), -24000LL);
	/* totalpages under 1000: adj counts for nothing. */
	KUNIT_EXPECT_EQ(test, oomprof_badness(7, 1000, 999), 7LL);
	KUNIT_EXPECT_EQ(test, oomprof_badness(0, 1000, 4000000000UL), 4000000000LL);
}

/* The machine's memory, outside an OOM, against the kernel's totals. */
static void domain_system(struct kunit *test)
{
	u64 *buf = kunit_kzalloc(test, OOMPROF_EXT_MAX, GFP_KERNEL);
	struct oomprof_sec_system *s;
	struct oomprof_ext x;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	oomprof_ext_init(&x, buf, OOMPROF_EXT_MAX);
	oomprof_context_domain(&x, NULL, true, totalram_pages() + 256);
	KUNIT_ASSERT_EQ(test, x.used, (u32)sizeof(*s));
	s = (void *)buf;
	KUNIT_EXPECT_EQ(test, s->sec.type, (u16)OOMPROF_SEC_SYSTEM);
	KUNIT_EXPECT_EQ(test, s->ram_total_bytes,
			(u64)totalram_pages() << PAGE_SHIFT);
	KUNIT_EXPECT_GT(test, s->ram_free_bytes, 0ULL);
	KUNIT_EXPECT_LE(test, s->ram_free_bytes, s->ram_total_bytes);
	KUNIT_EXPECT_LE(test, s->ram_available_bytes, s->ram_total_bytes);
	KUNIT_EXPECT_TRUE(test, s->sec.flags & OOMPROF_SYSTEM_SWAP_TOTAL);
	KUNIT_EXPECT_EQ(test, s->swap_total_bytes, 256ULL << PAGE_SHIFT);

	/* Room for nothing: no section, nothing written. */
	oomprof_ext_init(&x, buf, sizeof(*s) - 8);
	oomprof_context_domain(&x, NULL, false, 0);
	KUNIT_EXPECT_EQ(test, x.used, 0U);
}

/*
 * The walk over the machine's processes: a made-up victim with the
 * highest badness stays first and marked; the rest are real processes,
 * ranked; kernel threads are never listed.
 */
static void tasks_walk(struct kunit *test)
{
	u64 *buf = kunit_kzalloc(test, OOMPROF_EXT_MAX, GFP_KERNEL);
	struct oomprof_task_mem victim = ent(S64_MAX, 999999);
	struct oomprof_sec_tasks *t;
	struct oomprof_ext x;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	victim.flags = OOMPROF_TASK_VICTIM;
	oomprof_ext_init(&x, buf, OOMPROF_EXT_MAX);
	oomprof_context_tasks(&x, &victim, NULL, totalram_pages());
	t = (void *)buf;
	KUNIT_ASSERT_EQ(test, t->sec.type, (u16)OOMPROF_SEC_TASKS);
	KUNIT_EXPECT_EQ(test, t->sec.bytes, x.used);
	KUNIT_EXPECT_EQ(test, x.used, (u32)struct_size(t, tasks, t->ntasks));
	KUNIT_EXPECT_GE(test, t->ntasks, 2U);	/* insmod at least */
	KUNIT_EXPECT_LE(test, t->ntasks, 10U);	/* top_tasks' default */
	KUNIT_EXPECT_GT(test, t->walked, 2U);
	KUNIT_EXPECT_FALSE(test, t->sec.flags & OOMPROF_TASKS_TRUNCATED);
	KUNIT_EXPECT_EQ(test, t->totalpages, (u64)totalram_pages());
	KUNIT_EXPECT_EQ(test, t->tasks[0].pid, 999999U);
	KUNIT_EXPECT_TRUE(test, t->tasks[0].flags & OOMPROF_TASK_VICTIM);
	for (i = 1; i < t->ntasks; i++) {
		struct oomprof_task_mem *e = &t->tasks[i];
		u64 pages;

		KUNIT_EXPECT_GE(test, t->tasks[i - 1].badness, e->badness);
		KUNIT_EXPECT_FALSE(test, e->flags & OOMPROF_TASK_VICTIM);
		KUNIT_EXPECT_NE(test, e->tgid, 1U);
		KUNIT_EXPECT_NOT_NULL(test, memchr(e->comm, 0, sizeof(e->comm)));
		pages = (e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb +
			 e->swap_kb + e->pgtables_kb) >> (PAGE_SHIFT - 10);
		if (!(e->flags & OOMPROF_TASK_UNKILLABLE))
			KUNIT_EXPECT_EQ(test, e->badness,
					oomprof_badness(pages, e->oom_score_adj,
							totalram_pages()));
	}
}

static struct kunit_case context_cases[] = {
	KUNIT_CASE(ext_writer),
	KUNIT_CASE(rank_basics),
	KUNIT_CASE(rank_against_sort),
	KUNIT_CASE(badness_arithmetic),
	KUNIT_CASE(domain_system),
	KUNIT_CASE(tasks_walk),
	{}
};

static struct kunit_suite context_suite = {
	.name = "oomprof_context",
	.test_cases = context_cases,
};

kunit_test_suites(&context_suite);
