// SPDX-License-Identifier: GPL-2.0
/*
 * module/walker.c: oomprof_walk_buckets() over a fake memory source that
 * serves a made-up address space of Go buckets (runtime/mprof.go layout).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "walker.h"

#define FAKE_BASE	0x10000000ULL	/* where the fake "heap" starts */
#define FAKE_SIZE	(256 << 10)
#define USER_LIMIT	0x00007ffffffff000ULL
#define MAX_FAKE	64

/* One mapped range of the fake process, plus the buckets laid out in it. */
struct fake_mem {
	struct oomprof_mem_source src;
	u8 *mem;
	u64 base;
	size_t mapped;		/* bytes readable from base */
	size_t used;		/* bytes laid out so far */
	u64 mbuckets;		/* address of runtime.mbuckets */
	u64 rate;		/* address of runtime.MemProfileRate */
	u64 bucket[MAX_FAKE];
	u64 nstk[MAX_FAKE];
	int n;
	/* Stall reads at this address until the deadline has passed. */
	u64 stall_addr;
	u64 stall_until;
	unsigned int reads;
};

static int fake_read(struct oomprof_mem_source *src, u64 addr, void *dst,
		     size_t len)
{
	struct fake_mem *f = container_of(src, struct fake_mem, src);

	f->reads++;
	if (f->stall_addr && addr == f->stall_addr) {
		while (ktime_get_ns() <= f->stall_until)
			usleep_range(100, 200);
	}
	if (addr < f->base || addr + len < addr ||
	    addr + len > f->base + f->mapped)
		return -EFAULT;
	memcpy(dst, f->mem + (addr - f->base), len);
	return 0;
}

static u64 *word(struct fake_mem *f, u64 addr)
{
	return (u64 *)(f->mem + (addr - f->base));
}

static struct fake_mem *fake_new(struct kunit *test)
{
	struct fake_mem *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->mem = kunit_kzalloc(test, FAKE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->mem);
	f->src.read = fake_read;
	f->base = FAKE_BASE;
	f->mapped = FAKE_SIZE;
	f->mbuckets = FAKE_BASE;
	f->rate = FAKE_BASE + 8;
	*word(f, f->rate) = 512 * 1024;
	f->used = 64;
	return f;
}

/* kunit frees what a case allocated; loops free as they go. */
static void fake_free(struct fake_mem *f)
{
}

static size_t bucket_size(u64 nstk)
{
	return (OOMPROF_GO_BUCKET_HEADER_WORDS + nstk +
		OOMPROF_GO_MEMRECORD_WORDS) * 8;
}

static size_t entry_bytes(u64 nstk)
{
	return 8 + bucket_size(nstk);
}

/* Lay out a bucket (not yet linked); returns its address. */
static u64 fake_bucket(struct fake_mem *f, u64 typ, u64 nstk)
{
	u64 addr = f->base + f->used;
	u64 *w = word(f, addr);
	u64 i;

	f->used += bucket_size(nstk);
	WARN_ON(f->used > FAKE_SIZE || f->n >= MAX_FAKE);
	w[0] = 0;			/* next (hash chain): not followed */
	w[1] = 0;			/* allnext */
	w[2] = typ;
	w[3] = 0x1234 + f->n;		/* hash */
	w[4] = 16 << f->n % 8;		/* size */
	w[5] = nstk;
	for (i = 0; i < nstk; i++)
		w[6 + i] = 0x401000 + 16 * i + f->n;
	for (i = 0; i < OOMPROF_GO_MEMRECORD_WORDS; i++)
		w[6 + nstk + i] = (u64)f->n << 32 | i;
	f->bucket[f->n] = addr;
	f->nstk[f->n] = nstk;
	f->n++;
	return addr;
}

static void set_allnext(struct fake_mem *f, u64 bucket, u64 next)
{
	word(f, bucket)[1] = next;
}

/* n memory buckets linked in order from mbuckets; nstk of bucket i. */
static void fake_list(struct fake_mem *f, int n, u64 (*nstk)(int i))
{
	int i;

	for (i = 0; i < n; i++)
		fake_bucket(f, 1, nstk ? nstk(i) : 3);
	*word(f, f->mbuckets) = n ? f->bucket[0] : 0;
	for (i = 0; i + 1 < n; i++)
		set_allnext(f, f->bucket[i], f->bucket[i + 1]);
}

struct walk_ctx {
	struct oomprof_walk_limits lim;
	struct oomprof_walk w;
	u8 *out;
};

static void walk(struct kunit *test, struct fake_mem *f, struct walk_ctx *c,
		 size_t out_size)
{
	if (!c->lim.max_buckets)
		c->lim.max_buckets = 1000000;
	if (!c->lim.user_limit)
		c->lim.user_limit = USER_LIMIT;
	c->out = kunit_kzalloc(test, out_size ?: 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->out);
	c->w.mbuckets_addr = f->mbuckets;
	c->w.rate_addr = f->rate;
	c->w.out = c->out;
	c->w.out_size = out_size;
	oomprof_walk_buckets(&f->src, &c->lim, &c->w);
}

/*
 * The output is nbuckets entries: the bucket's address, then the bucket
 * exactly as in the fake memory. Checks that and returns how many of the
 * expected buckets @want[] (in order) it holds; no address twice.
 */
static void check_entries(struct kunit *test, struct fake_mem *f,
			  struct walk_ctx *c, const int *want, int nwant)
{
	size_t off = 0;
	u64 i, j;

	KUNIT_ASSERT_EQ(test, c->w.nbuckets, (u64)nwant);
	for (i = 0; i < c->w.nbuckets; i++) {
		u64 addr = *(u64 *)(c->out + off);
		u64 nstk = *(u64 *)(c->out + off + 8 + 5 * 8);
		int b = want[i];

		KUNIT_EXPECT_EQ_MSG(test, addr, f->bucket[b], "entry %llu", i);
		KUNIT_EXPECT_EQ(test, nstk, f->nstk[b]);
		KUNIT_EXPECT_EQ_MSG(test, 0,
				    memcmp(c->out + off + 8, word(f, addr),
					   bucket_size(nstk)),
				    "entry %llu differs from memory", i);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, f->bucket[want[j]], addr);
		off += entry_bytes(nstk);
		KUNIT_ASSERT_LE(test, off, (size_t)c->w.bytes);
	}
	KUNIT_EXPECT_EQ(test, (u64)off, c->w.bytes);
}

static void check_first(struct kunit *test, struct fake_mem *f,
			struct walk_ctx *c, int n)
{
	int want[MAX_FAKE], i;

	for (i = 0; i < n; i++)
		want[i] = i;
	check_entries(test, f, c, want, n);
}

static void walker_empty_list(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 0, NULL);
	walk(test, f, &c, 4096);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 0ULL);
	KUNIT_EXPECT_EQ(test, c.w.bytes, 0ULL);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, 0ULL);
	KUNIT_EXPECT_EQ(test, c.w.rate, 512LL * 1024);
	KUNIT_EXPECT_EQ(test, c.w.flags, 0U);
	fake_free(f);
}

static u64 mixed_nstk(int i)
{
	static const u64 n[] = { 0, 1, 3, 32, 128, 1024, 7 };

	return n[i % ARRAY_SIZE(n)];
}

static void walker_normal_list(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 7, mixed_nstk);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, 0ULL);
	check_first(test, f, &c, 7);
	fake_free(f);
}

static void walker_rate_unreadable(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 2, NULL);
	f->rate = 0x20000000;	/* unmapped */
	walk(test, f, &c, 4096);
	KUNIT_EXPECT_EQ(test, c.w.rate, -1LL);
	KUNIT_EXPECT_TRUE(test, c.w.flags & OOMPROF_CAPTURE_NO_RATE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	check_first(test, f, &c, 2);
	fake_free(f);
}

static void walker_head_unreadable(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 2, NULL);
	f->mbuckets = 0x20000000;
	walk(test, f, &c, 4096);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, 0x20000000ULL);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 0ULL);
	fake_free(f);
}

static void walker_self_loop(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 1, NULL);
	set_allnext(f, f->bucket[0], f->bucket[0]);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_CYCLE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[0]);
	check_first(test, f, &c, 1);
	fake_free(f);
}

static void walker_loop_to_head(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 5, NULL);
	set_allnext(f, f->bucket[4], f->bucket[0]);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_CYCLE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[0]);
	check_first(test, f, &c, 5);
	fake_free(f);
}

static void walker_loop_to_middle(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 6, mixed_nstk);
	set_allnext(f, f->bucket[5], f->bucket[2]);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_CYCLE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
	check_first(test, f, &c, 6);
	fake_free(f);
}

/* Every list length 1..40 looping back to every position: n buckets. */
static void walker_every_cycle_shape(struct kunit *test)
{
	int n, m;

	for (n = 1; n <= 40; n++) {
		for (m = 0; m < n; m++) {
			struct fake_mem *f = fake_new(test);
			struct walk_ctx c = {};

			fake_list(f, n, NULL);
			set_allnext(f, f->bucket[n - 1], f->bucket[m]);
			walk(test, f, &c, FAKE_SIZE);
			KUNIT_EXPECT_EQ_MSG(test, c.w.stop,
					    (u32)OOMPROF_STOP_CYCLE,
					    "n=%d loop to %d", n, m);
			KUNIT_EXPECT_EQ_MSG(test, c.w.nbuckets, (u64)n,
					    "n=%d loop to %d", n, m);
			KUNIT_EXPECT_EQ_MSG(test, c.w.stop_addr, f->bucket[m],
					    "n=%d loop to %d", n, m);
			if (c.w.nbuckets == n)
				check_first(test, f, &c, n);
			kunit_kfree(test, c.out);
			kunit_kfree(test, f->mem);
			kunit_kfree(test, f);
			if (test->status == KUNIT_FAILURE)
				return;
		}
	}
}

/* A cycle longer than max_buckets: the bound wins, nothing repeated. */
static void walker_cycle_and_max_buckets(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = { .lim.max_buckets = 3 };

	fake_list(f, 8, NULL);
	set_allnext(f, f->bucket[7], f->bucket[1]);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_MAX_BUCKETS);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[3]);
	check_first(test, f, &c, 3);
	fake_free(f);
}

/*
 * A loop, and a bound (count, bytes) that falls after the list has come
 * round again but before the cycle check has noticed: still no bucket
 * twice, and the walk says it found a cycle.
 */
static void walker_cycle_then_bound(struct kunit *test)
{
	int n, m, extra, kind;

	for (kind = 0; kind < 24 * 12 * 24; kind++) {
		struct fake_mem *f;
		struct walk_ctx c = {};
		size_t out = FAKE_SIZE;

		/* kind: bound type, list length, loop target, bound. */
		n = kind / 2 / 24 % 12 + 1;
		m = kind / 2 / 24 / 12;
		extra = kind / 2 % 24 + 1;
		if (m >= n || extra > 2 * n)
			continue;
		f = fake_new(test);
		fake_list(f, n, NULL);
		set_allnext(f, f->bucket[n - 1], f->bucket[m]);
		if (kind % 2 == 0)
			c.lim.max_buckets = n + extra;
		else
			out = (n + extra) * entry_bytes(3);
		walk(test, f, &c, out);
		KUNIT_EXPECT_EQ_MSG(test, c.w.stop, (u32)OOMPROF_STOP_CYCLE,
				    "%s bound %d, n=%d loop to %d",
				    kind % 2 ? "bytes" : "count", n + extra, n, m);
		KUNIT_EXPECT_EQ_MSG(test, c.w.nbuckets, (u64)n,
				    "%s bound %d, n=%d loop to %d",
				    kind % 2 ? "bytes" : "count", n + extra, n, m);
		if (c.w.nbuckets == n)
			check_first(test, f, &c, n);
		kunit_kfree(test, c.out);
		kunit_kfree(test, f->mem);
		kunit_kfree(test, f);
		if (test->status == KUNIT_FAILURE)
			return;
	}
}

/* A bucket whose header is mapped but whose PCs run off the mapping. */
static void walker_truncated_bucket(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 3, NULL);
	/* Bucket 2's header and 2 of its 3 PCs are readable. */
	f->mapped = f->bucket[2] - f->base + 8 * 8;
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
	check_first(test, f, &c, 2);

	/* Only half the header is readable. */
	f->mapped = f->bucket[2] - f->base + 3 * 8;
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
	check_first(test, f, &c, 2);
	fake_free(f);
}

/*
 * The last bucket's counts reach into a page that cannot be read (in a Go
 * process: one persistentalloc never wrote). The counts on the readable
 * page arrive, the rest are zeros, the walk is complete and says so.
 */
static void walker_counts_on_unwritten_page(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};
	u64 head_stk = (OOMPROF_GO_BUCKET_HEADER_WORDS + 3) * 8;
	u64 b, page, *e;
	int i;

	fake_bucket(f, 1, 3);
	fake_bucket(f, 1, 3);
	/* Bucket 2's memRecord: 5 words before a page boundary, 11 after. */
	page = round_up(f->base + f->used + head_stk + 5 * 8, PAGE_SIZE);
	f->used = page - 5 * 8 - head_stk - f->base;
	b = fake_bucket(f, 1, 3);
	*word(f, f->mbuckets) = f->bucket[0];
	set_allnext(f, f->bucket[0], f->bucket[1]);
	set_allnext(f, f->bucket[1], b);
	f->mapped = page - f->base;

	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 3ULL);
	KUNIT_EXPECT_TRUE(test, c.w.flags & OOMPROF_CAPTURE_ZERO_FILLED);
	e = (u64 *)(c.out + 2 * entry_bytes(3));
	KUNIT_EXPECT_EQ(test, e[0], b);
	KUNIT_EXPECT_EQ(test, 0, memcmp(e + 1, word(f, b), head_stk));
	for (i = 0; i < OOMPROF_GO_MEMRECORD_WORDS; i++)
		KUNIT_EXPECT_EQ(test, e[1 + head_stk / 8 + i],
				i < 5 ? *word(f, b + head_stk + i * 8) : 0ULL);

	/* Everything readable: no zeros, no flag. */
	f->mapped = FAKE_SIZE;
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, FAKE_SIZE);
	check_first(test, f, &c, 3);
	KUNIT_EXPECT_FALSE(test, c.w.flags & OOMPROF_CAPTURE_ZERO_FILLED);
	fake_free(f);
}

static void walker_unmapped_bucket(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 3, NULL);
	set_allnext(f, f->bucket[1], 0x30000000);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, 0x30000000ULL);
	check_first(test, f, &c, 2);
	fake_free(f);
}

static u64 deep_stack(int i)
{
	return i == 1 ? OOMPROF_GO_MAX_STACK + 1 : 2;
}

static void walker_nstk_over_limit(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 3, deep_stack);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BAD_NSTK);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[1]);
	check_first(test, f, &c, 1);
	fake_free(f);
}

static u64 max_stack(int i)
{
	return OOMPROF_GO_MAX_STACK;
}

static void walker_nstk_at_limit(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 2, max_stack);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	check_first(test, f, &c, 2);
	fake_free(f);
}

static void walker_wrong_type(struct kunit *test)
{
	static const u64 types[] = { 0, 2, 3, ~0ULL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		struct fake_mem *f = fake_new(test);
		struct walk_ctx c = {};

		fake_list(f, 3, NULL);
		word(f, f->bucket[2])[2] = types[i];
		walk(test, f, &c, FAKE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, c.w.stop, (u32)OOMPROF_STOP_BAD_TYPE,
				    "typ %llu", types[i]);
		KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
		check_first(test, f, &c, 2);
		fake_free(f);
	}
}

static void walker_bad_pointers(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	u64 bad[] = {
		0,			/* replaced: misaligned, below */
		8,			/* the zero page */
		PAGE_SIZE - 8,
		USER_LIMIT,		/* first non-user address */
		0xffff888000000000ULL,	/* the kernel's direct map */
		~7ULL,
	};
	unsigned int i;

	fake_list(f, 3, NULL);
	bad[0] = f->bucket[2] + 4;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct walk_ctx c = {};

		set_allnext(f, f->bucket[1], bad[i]);
		walk(test, f, &c, FAKE_SIZE);
		KUNIT_EXPECT_EQ_MSG(test, c.w.stop,
				    (u32)OOMPROF_STOP_BAD_POINTER,
				    "allnext %llx", bad[i]);
		KUNIT_EXPECT_EQ(test, c.w.stop_addr, bad[i]);
		check_first(test, f, &c, 2);
	}
	/* A bad head pointer: nothing at all. */
	{
		struct walk_ctx c = {};

		*word(f, f->mbuckets) = f->bucket[0] + 1;
		walk(test, f, &c, FAKE_SIZE);
		KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BAD_POINTER);
		KUNIT_EXPECT_EQ(test, c.w.nbuckets, 0ULL);
	}
	fake_free(f);
}

static void walker_max_buckets(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = { .lim.max_buckets = 4 };

	fake_list(f, 10, NULL);
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_MAX_BUCKETS);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[4]);
	check_first(test, f, &c, 4);

	/* Exactly max_buckets buckets: complete. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	c.lim.max_buckets = 10;
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	check_first(test, f, &c, 10);
	fake_free(f);
}

static void walker_buffer_full(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	size_t three = 3 * entry_bytes(3);
	struct walk_ctx c = {};

	fake_list(f, 5, NULL);
	/* Room for exactly three entries. */
	walk(test, f, &c, three);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[3]);
	check_first(test, f, &c, 3);

	/* Room for a fourth header but not its PCs and memRecord. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, three + entry_bytes(0));
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[3]);
	check_first(test, f, &c, 3);

	/* Room for nothing. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, 8);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 0ULL);

	/* Exactly five: complete. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, 5 * entry_bytes(3));
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	check_first(test, f, &c, 5);
	fake_free(f);
}

static void walker_deadline(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};
	u64 now = ktime_get_ns();

	fake_list(f, 8, NULL);
	/* Reading bucket 3's header takes until past the deadline. */
	c.lim.deadline_ns = now + 20 * NSEC_PER_MSEC;
	f->stall_addr = f->bucket[3];
	f->stall_until = c.lim.deadline_ns;
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_TIMEOUT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[4]);
	check_first(test, f, &c, 4);

	/* A deadline already past: nothing read beyond the head. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	f->stall_addr = 0;
	c.lim.deadline_ns = 1;
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_TIMEOUT);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 0ULL);

	/* deadline_ns 0: no deadline. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk(test, f, &c, FAKE_SIZE);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	check_first(test, f, &c, 8);
	fake_free(f);
}

/* The walk reads the list once and never past a bucket it stops at. */
static void walker_reads_bounded(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 10, NULL);
	set_allnext(f, f->bucket[9], f->bucket[0]);
	walk(test, f, &c, FAKE_SIZE);
	/*
	 * rate + head + 2 per bucket (header, rest); Brent's check may go
	 * round the loop up to twice more before it notices.
	 */
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_CYCLE);
	KUNIT_EXPECT_LE(test, f->reads, 2U + 2 * 3 * 10);
	fake_free(f);
}

/*
 * Count entries (the uapi's OOMPROF_REC_GO_HEAP), decoded here on their
 * own terms: unsigned LEB128, zigzag address deltas, a mask of nonzero
 * memRecord words.
 */
struct count_dec {
	const u8 *p, *end;
	bool bad;
};

static u64 dec_varint(struct count_dec *d)
{
	u64 v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		u8 b;

		if (d->p >= d->end) {
			d->bad = true;
			return 0;
		}
		b = *d->p++;
		v |= (u64)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	d->bad = true;
	return 0;
}

/*
 * The walk's count entries must be exactly the buckets @want[] (indexes
 * into f->bucket, in order), each with the memRecord in the fake memory
 * (or zeros from @zero_from on, if not 0), and nothing after them.
 */
static void check_counts(struct kunit *test, struct fake_mem *f,
			 struct walk_ctx *c, const int *want, int nwant,
			 u64 zero_from)
{
	struct count_dec d = {
		.p = c->out + c->w.bytes,
		.end = c->out + c->w.bytes + c->w.counts_bytes,
	};
	u64 prev = 0;
	int i, j;

	KUNIT_ASSERT_EQ(test, c->w.nbuckets_counted, (u64)nwant);
	for (i = 0; i < nwant; i++) {
		u64 b = f->bucket[want[i]];
		u64 at = b + (OOMPROF_GO_BUCKET_HEADER_WORDS + f->nstk[want[i]]) * 8;
		u64 zz = dec_varint(&d);
		s64 delta = (s64)(zz >> 1) ^ -(s64)(zz & 1);
		u64 mask = dec_varint(&d);

		prev += delta;
		KUNIT_EXPECT_EQ_MSG(test, prev, b, "count entry %d", i);
		KUNIT_EXPECT_EQ(test, mask >> OOMPROF_GO_MEMRECORD_WORDS, 0ULL);
		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++) {
			u64 addr = at + j * 8;
			u64 want_word = zero_from && addr >= zero_from ?
					0 : *word(f, addr);
			u64 got = mask & (1ULL << j) ? dec_varint(&d) : 0;

			KUNIT_EXPECT_EQ_MSG(test, got, want_word,
					    "entry %d word %d", i, j);
			/* A set bit is a nonzero word, and only that. */
			KUNIT_EXPECT_EQ(test, !!(mask & (1ULL << j)),
					!!want_word);
		}
		KUNIT_ASSERT_FALSE_MSG(test, d.bad, "entry %d truncated", i);
	}
	KUNIT_EXPECT_PTR_EQ(test, d.p, d.end);
}

/* Word values that take every varint length, and zeros. */
static void vary_counts(struct fake_mem *f)
{
	static const u64 v[] = { 0, 1, 127, 128, 16383, 16384, 0,
				 1ULL << 35, 1ULL << 63, U64_MAX, 0 };
	int i, j, k = 0;

	for (i = 0; i < f->n; i++) {
		u64 at = f->bucket[i] +
			 (OOMPROF_GO_BUCKET_HEADER_WORDS + f->nstk[i]) * 8;

		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++)
			*word(f, at + j * 8) = v[k++ % ARRAY_SIZE(v)];
	}
	/* One bucket with no counts at all, one with all of them. */
	for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++) {
		*word(f, f->bucket[1] + (OOMPROF_GO_BUCKET_HEADER_WORDS +
					 f->nstk[1] + j) * 8) = 0;
		*word(f, f->bucket[f->n - 1] +
			 (OOMPROF_GO_BUCKET_HEADER_WORDS + f->nstk[f->n - 1] +
			  j) * 8) = U64_MAX - j;
	}
}

static void walk_learned(struct kunit *test, struct fake_mem *f,
			 struct walk_ctx *c, size_t out_size, u64 head,
			 u64 count)
{
	c->w.known_head = head;
	c->w.known_count = count;
	walk(test, f, c, out_size);
}

/* Full entries down to known_head, then its counts to the end. */
static void walker_count_encoding(struct kunit *test)
{
	static const int full[] = { 0, 1, 2 }, counted[] = { 3, 4, 5, 6 };
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 7, mixed_nstk);
	vary_counts(f);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[3], 4);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 7ULL);
	KUNIT_EXPECT_EQ(test, c.w.flags, 0U);
	/* check_entries() checks nbuckets: the full part on its own. */
	c.w.nbuckets -= c.w.nbuckets_counted;
	check_entries(test, f, &c, full, 3);
	check_counts(test, f, &c, counted, 4, 0);
	kunit_info(test, "4 count entries in %llu bytes", c.w.counts_bytes);
	fake_free(f);
}

/*
 * A list linked downwards in memory: negative deltas. And known_head at
 * the head: no full entry at all.
 */
static void walker_count_negative_deltas(struct kunit *test)
{
	static const int counted[] = { 5, 4, 3, 2, 1, 0 };
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};
	int i;

	for (i = 0; i < 6; i++)
		fake_bucket(f, 1, mixed_nstk(i));
	*word(f, f->mbuckets) = f->bucket[5];
	for (i = 5; i > 0; i--)
		set_allnext(f, f->bucket[i], f->bucket[i - 1]);
	vary_counts(f);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[5], 6);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 6ULL);
	KUNIT_EXPECT_EQ(test, c.w.bytes, 0ULL);
	check_counts(test, f, &c, counted, 6, 0);
	fake_free(f);
}

/* The list ends before known_count buckets from known_head. */
static void walker_count_list_shorter(struct kunit *test)
{
	static const int counted[] = { 2, 3, 4 };
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 5, NULL);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[2], 4);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_LEARNED_MISMATCH);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, 0ULL);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 5ULL);
	check_counts(test, f, &c, counted, 3, 0);
	fake_free(f);
}

/* The list goes on after known_count buckets: stopped there. */
static void walker_count_list_longer(struct kunit *test)
{
	static const int counted[] = { 2, 3 };
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 5, NULL);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[2], 2);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_LEARNED_MISMATCH);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[4]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 4ULL);
	check_counts(test, f, &c, counted, 2, 0);

	/*
	 * A loop below known_head: known_count ends it, no bucket is read
	 * more than known_count times.
	 */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	set_allnext(f, f->bucket[4], f->bucket[2]);
	f->reads = 0;
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[2], 3);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_LEARNED_MISMATCH);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 3ULL);
	KUNIT_EXPECT_LE(test, f->reads, 2U + 2 * 2 + 2 * 3);
	fake_free(f);
}

/* A known_head the list does not hold: every bucket whole, complete. */
static void walker_count_head_absent(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 5, mixed_nstk);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[2] + 8, 3);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 0ULL);
	KUNIT_EXPECT_EQ(test, c.w.counts_bytes, 0ULL);
	check_first(test, f, &c, 5);
	fake_free(f);
}

/* The buffer fills up with count entries: whole entries only. */
static void walker_count_buffer_full(struct kunit *test)
{
	static const int counted[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};
	u64 all, one;
	int k;

	fake_list(f, 9, NULL);
	vary_counts(f);
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 8);
	KUNIT_ASSERT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	all = c.w.counts_bytes;
	check_counts(test, f, &c, counted, 8, 0);

	/* One byte short of all of them: the last does not fit. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk_learned(test, f, &c, entry_bytes(3) + all - 1, f->bucket[1], 8);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[8]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 8ULL);
	check_counts(test, f, &c, counted, 7, 0);
	one = all - c.w.counts_bytes;
	KUNIT_EXPECT_GT(test, one, 1ULL);

	/* Room for the full entry only. */
	for (k = 0; k < 2; k++) {
		kunit_kfree(test, c.out);
		memset(&c, 0, sizeof(c));
		walk_learned(test, f, &c, entry_bytes(3) + k, f->bucket[1], 8);
		KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
		KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[1]);
		KUNIT_EXPECT_EQ(test, c.w.nbuckets, 1ULL);
		KUNIT_EXPECT_EQ(test, c.w.bytes, (u64)entry_bytes(3));
		KUNIT_EXPECT_EQ(test, c.w.counts_bytes, 0ULL);
	}
	fake_free(f);
}

/*
 * A counted bucket's memRecord on a page nothing is mapped at: zeros,
 * flagged, and the mask says so. Its header unreadable: the walk stops.
 */
static void walker_count_zero_filled(struct kunit *test)
{
	static const int counted[] = { 0, 1, 2 };
	struct fake_mem *f = fake_new(test);
	u64 head_stk = (OOMPROF_GO_BUCKET_HEADER_WORDS + 3) * 8;
	struct walk_ctx c = {};
	u64 page;

	fake_bucket(f, 1, 3);
	fake_bucket(f, 1, 3);
	/* Bucket 2's memRecord: 5 words before a page boundary, 11 after. */
	page = round_up(f->base + f->used + head_stk + 5 * 8, PAGE_SIZE);
	f->used = page - 5 * 8 - head_stk - f->base;
	fake_bucket(f, 1, 3);
	*word(f, f->mbuckets) = f->bucket[0];
	set_allnext(f, f->bucket[0], f->bucket[1]);
	set_allnext(f, f->bucket[1], f->bucket[2]);
	vary_counts(f);
	f->mapped = page - f->base;

	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[0], 3);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_TRUE(test, c.w.flags & OOMPROF_CAPTURE_ZERO_FILLED);
	check_counts(test, f, &c, counted, 3, page);

	/* The header itself unreadable: never zeros, a read fault. */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	f->mapped = f->bucket[2] + 16 - f->base;
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[0], 3);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[2]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 2ULL);
	fake_free(f);
}

/* Counted buckets are validated as whole ones; max_buckets counts them. */
static void walker_count_validates(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 6, NULL);
	word(f, f->bucket[4])[2] = 2;	/* typ: blockProfile */
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 5);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BAD_TYPE);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[4]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 3ULL);

	word(f, f->bucket[4])[2] = 1;
	word(f, f->bucket[3])[5] = OOMPROF_GO_MAX_STACK + 1;
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 5);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BAD_NSTK);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 2ULL);

	word(f, f->bucket[3])[5] = 3;
	set_allnext(f, f->bucket[3], 0x10000004);	/* misaligned */
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 5);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_BAD_POINTER);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 3ULL);

	set_allnext(f, f->bucket[3], f->bucket[4]);
	kunit_kfree(test, c.out);
	memset(&c, 0, sizeof(c));
	c.lim.max_buckets = 4;
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 5);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_MAX_BUCKETS);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets, 4ULL);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 3ULL);
	fake_free(f);
}

/* A deadline ends a count walk too. */
static void walker_count_deadline(struct kunit *test)
{
	struct fake_mem *f = fake_new(test);
	struct walk_ctx c = {};

	fake_list(f, 6, NULL);
	c.lim.deadline_ns = ktime_get_ns() + 20 * NSEC_PER_MSEC;
	f->stall_addr = f->bucket[3];
	f->stall_until = c.lim.deadline_ns;
	walk_learned(test, f, &c, FAKE_SIZE, f->bucket[1], 5);
	KUNIT_EXPECT_EQ(test, c.w.stop, (u32)OOMPROF_STOP_TIMEOUT);
	KUNIT_EXPECT_EQ(test, c.w.stop_addr, f->bucket[4]);
	KUNIT_EXPECT_EQ(test, c.w.nbuckets_counted, 3ULL);
	fake_free(f);
}

static struct kunit_case walker_cases[] = {
	KUNIT_CASE(walker_empty_list),
	KUNIT_CASE(walker_normal_list),
	KUNIT_CASE(walker_rate_unreadable),
	KUNIT_CASE(walker_head_unreadable),
	KUNIT_CASE(walker_self_loop),
	KUNIT_CASE(walker_loop_to_head),
	KUNIT_CASE(walker_loop_to_middle),
	KUNIT_CASE(walker_every_cycle_shape),
	KUNIT_CASE(walker_cycle_and_max_buckets),
	KUNIT_CASE(walker_cycle_then_bound),
	KUNIT_CASE(walker_truncated_bucket),
	KUNIT_CASE(walker_counts_on_unwritten_page),
	KUNIT_CASE(walker_unmapped_bucket),
	KUNIT_CASE(walker_nstk_over_limit),
	KUNIT_CASE(walker_nstk_at_limit),
	KUNIT_CASE(walker_wrong_type),
	KUNIT_CASE(walker_bad_pointers),
	KUNIT_CASE(walker_max_buckets),
	KUNIT_CASE(walker_buffer_full),
	KUNIT_CASE(walker_deadline),
	KUNIT_CASE(walker_reads_bounded),
	KUNIT_CASE(walker_count_encoding),
	KUNIT_CASE(walker_count_negative_deltas),
	KUNIT_CASE(walker_count_list_shorter),
	KUNIT_CASE(walker_count_list_longer),
	KUNIT_CASE(walker_count_head_absent),
	KUNIT_CASE(walker_count_buffer_full),
	KUNIT_CASE(walker_count_zero_filled),
	KUNIT_CASE(walker_count_validates),
	KUNIT_CASE(walker_count_deadline),
	{}
};

static struct kunit_suite walker_suite = {
	.name = "oomprof_walker",
	.test_cases = walker_cases,
};

kunit_test_suites(&walker_suite);
