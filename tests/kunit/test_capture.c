// SPDX-License-Identifier: GPL-2.0
/*
 * module/capture.c: a capture through a held address space, as at an OOM
 * kill's fallback, with the loading process (insmod) standing in for the
 * victim: Go buckets are written into an anonymous mapping of its address
 * space and oomprof_capture_run() adopts that mm and reads them, under its
 * mmap_lock: resident pages in place (references it drops after the walk),
 * others with copy_from_user_nofault().
 */
#include <kunit/test.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/uaccess.h>

#include "kunit_util.h"
#include "oomprof.h"

#define MAP_BYTES	(4 * PAGE_SIZE)
#define NSTK		4
#define BUCKET_WORDS	(OOMPROF_GO_BUCKET_HEADER_WORDS + NSTK + \
			 OOMPROF_GO_MEMRECORD_WORDS)

static bool cap_up;
/* The regions run_until() registers: none unless a case sets them. */
static struct oomprof_go_region cap_regions[OOMPROF_GO_MAX_REGIONS];

static void cap_exit(struct kunit *test)
{
	if (cap_up)
		oomprof_capture_exit();
	cap_up = false;
	memset(cap_regions, 0, sizeof(cap_regions));
}

/*
 * In the first page: mbuckets at +0, MemProfileRate at +8, @n buckets
 * from +64 linked in order; the last one's allnext is @last_next.
 */
static void write_heap(struct kunit *test, int n, u64 last_next)
{
	u64 base = okt_user.addr;
	u64 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long left;
	int i, j;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_LE(test, 64 + n * BUCKET_WORDS * 8, (int)PAGE_SIZE);
	page[0] = n ? base + 64 : 0;
	page[1] = 4096;
	for (i = 0; i < n; i++) {
		u64 *b = page + 8 + i * BUCKET_WORDS;

		b[1] = i + 1 < n ? base + 64 + (i + 1) * BUCKET_WORDS * 8 :
				   last_next;
		b[2] = 1;
		b[3] = i;
		b[4] = 32;
		b[5] = NSTK;
		for (j = 0; j < NSTK + OOMPROF_GO_MEMRECORD_WORDS; j++)
			b[6 + j] = 0x400000 + i * 0x100 + j;
	}
	okt_use_mm(test);
	left = copy_to_user((void __user *)base, page, PAGE_SIZE);
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	kunit_kfree(test, page);
}

static struct oomprof_go_capture *run_until(struct kunit *test, int *idx,
					    u64 end_ns)
{
	struct oomprof_go_capture *cap = kunit_kzalloc(test, sizeof(*cap),
						       GFP_KERNEL);
	struct oomprof_reg_info *reg = kunit_kzalloc(test, sizeof(*reg),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cap);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	reg->id = 7;
	reg->cookie = 99;
	reg->mbuckets_addr = okt_user.addr;
	reg->rate_addr = okt_user.addr + 8;
	reg->load_bias = 0x1000;
	strscpy(reg->exe_path, "/bin/victim", sizeof(reg->exe_path));
	memcpy(reg->regions, cap_regions, sizeof(reg->regions));
	if (!cap_up) {
		KUNIT_ASSERT_EQ(test, oomprof_capture_init(1, 1, 1000, 500), 0);
		cap_up = true;
	}
	*idx = oomprof_capture_claim();
	KUNIT_ASSERT_GE(test, *idx, 0);
	oomprof_capture_run(*idx, okt_user.mm, reg, end_ns, cap);
	KUNIT_EXPECT_EQ(test, cap->registration_id, 7ULL);
	KUNIT_EXPECT_EQ(test, cap->cookie, 99ULL);
	KUNIT_EXPECT_EQ(test, cap->mbuckets_addr, (u64)okt_user.addr);
	KUNIT_EXPECT_EQ(test, cap->load_bias, 0x1000ULL);
	KUNIT_EXPECT_STREQ(test, cap->exe_path, "/bin/victim");
	return cap;
}

static struct oomprof_go_capture *run(struct kunit *test, int *idx)
{
	return run_until(test, idx, ktime_get_ns() + NSEC_PER_SEC);
}

static void capture_through_held_mm(struct kunit *test)
{
	struct oomprof_oom_kill kill = {};
	struct oomprof_go_capture *cap;
	struct oomprof_oom_kill *rec;
	u64 *entry;
	int idx;

	write_heap(test, 5, 0);
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 5ULL);
	KUNIT_EXPECT_EQ(test, cap->bucket_bytes, 5ULL * (8 + BUCKET_WORDS * 8));
	KUNIT_EXPECT_EQ(test, cap->mem_profile_rate, 4096LL);
	KUNIT_EXPECT_EQ(test, cap->flags, 0U);

	oomprof_events_init_header(&kill.hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(kill));
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_EQ(test, (u64)rec->hdr.size,
			sizeof(kill) + sizeof(*cap) + cap->bucket_bytes);
	KUNIT_EXPECT_EQ(test, 0, memcmp(rec + 1, cap, sizeof(*cap)));
	entry = (u64 *)((u8 *)(rec + 1) + sizeof(*cap));
	KUNIT_EXPECT_EQ(test, entry[0], (u64)okt_user.addr + 64);
	KUNIT_EXPECT_EQ(test, entry[1 + 2], 1ULL);		/* typ */
	KUNIT_EXPECT_EQ(test, entry[1 + 5], (u64)NSTK);
	KUNIT_EXPECT_EQ(test, entry[1 + 6], 0x400000ULL);	/* first PC */
	oomprof_capture_release(idx);
}

/* A page never touched is not resident: a fault, not a fault-in. */
static void capture_not_resident(struct kunit *test)
{
	struct oomprof_go_capture *cap;
	int idx;

	write_heap(test, 3, okt_user.addr + 2 * PAGE_SIZE);
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, cap->stop_addr, (u64)okt_user.addr + 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 3ULL);
	oomprof_capture_release(idx);
}

/*
 * Regions are copied before the buckets, each to its 8-aligned place
 * between the capture and the entries: one crossing a page boundary
 * whole, one on a page never touched failing alone (zeros, -EFAULT), and
 * all of them there although the walk stopped on a read fault. (Before
 * capture_learned_through_window, which makes the third page resident.)
 */
static void capture_regions(struct kunit *test)
{
	static const char want0[20] = "HeapInuse=812MiB....";
	u64 base = okt_user.addr;
	struct oomprof_oom_kill kill = {};
	struct oomprof_go_capture *cap;
	struct oomprof_oom_kill *rec;
	u8 want3[32], *data;
	unsigned long left;
	u64 *entry;
	int idx, i;

	for (i = 0; i < (int)sizeof(want3); i++)
		want3[i] = 0xa0 + i;
	write_heap(test, 3, base + 2 * PAGE_SIZE);
	okt_use_mm(test);
	left = copy_to_user((void __user *)(base + PAGE_SIZE + 64), want0,
			    sizeof(want0));
	left += copy_to_user((void __user *)(base + PAGE_SIZE - 16), want3,
			     sizeof(want3));
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	cap_regions[0] = (struct oomprof_go_region){ base + PAGE_SIZE + 64, 20 };
	cap_regions[2] = (struct oomprof_go_region){ base + 2 * PAGE_SIZE, 16 };
	cap_regions[3] = (struct oomprof_go_region){ base + PAGE_SIZE - 16, 32 };

	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 3ULL);
	KUNIT_EXPECT_EQ(test, cap->regions_copied, (u32)(BIT(0) | BIT(3)));
	KUNIT_EXPECT_EQ(test, cap->regions_bytes, 24U + 16 + 32);
	KUNIT_EXPECT_EQ(test, cap->region_error[0], 0);
	KUNIT_EXPECT_EQ(test, cap->region_error[1], 0);
	KUNIT_EXPECT_EQ(test, cap->region_error[2], -EFAULT);
	KUNIT_EXPECT_EQ(test, cap->region_error[3], 0);
	KUNIT_EXPECT_EQ(test, cap->regions[0].addr, base + PAGE_SIZE + 64);
	KUNIT_EXPECT_EQ(test, cap->regions[1].bytes, 0U);
	KUNIT_EXPECT_EQ(test, cap->regions[3].bytes, 32U);

	oomprof_events_init_header(&kill.hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(kill));
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	KUNIT_EXPECT_EQ(test, (u64)rec->hdr.size,
			sizeof(kill) + sizeof(*cap) + 72 + cap->bucket_bytes);
	data = (u8 *)(rec + 1) + sizeof(*cap);
	KUNIT_EXPECT_EQ(test, 0, memcmp(data, want0, sizeof(want0)));
	for (i = 20; i < 24 + 16; i++)
		KUNIT_EXPECT_EQ(test, data[i], 0);
	KUNIT_EXPECT_EQ(test, 0, memcmp(data + 40, want3, sizeof(want3)));
	entry = (u64 *)(data + 72);
	KUNIT_EXPECT_EQ(test, entry[0], base + 64);
	KUNIT_EXPECT_EQ(test, entry[1 + 5], (u64)NSTK);
	oomprof_capture_release(idx);

	/* No capture at all (mm locked): every region says why. */
	mmap_write_lock(okt_user.mm);
	cap = run_until(test, &idx, ktime_get_ns() + 20 * NSEC_PER_MSEC);
	mmap_write_unlock(okt_user.mm);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_MM_BUSY);
	KUNIT_EXPECT_EQ(test, cap->regions_copied, 0U);
	KUNIT_EXPECT_EQ(test, cap->regions_bytes, 72U);
	KUNIT_EXPECT_EQ(test, cap->region_error[0], -EBUSY);
	KUNIT_EXPECT_EQ(test, cap->region_error[1], 0);
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	KUNIT_EXPECT_EQ(test, (u64)rec->hdr.size,
			sizeof(kill) + sizeof(*cap) + 72);
	data = (u8 *)(rec + 1) + sizeof(*cap);
	for (i = 0; i < 72; i++)
		KUNIT_EXPECT_EQ(test, data[i], 0);
	oomprof_capture_release(idx);
}

/* Pointers into unmapped memory and into the kernel. */
static void capture_unmapped_and_kernel(struct kunit *test)
{
	struct oomprof_go_capture *cap;
	int idx;

	/* TASK_SIZE_MAX - PAGE_SIZE: a user address nobody maps. */
	write_heap(test, 2, TASK_SIZE_MAX - PAGE_SIZE);
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_READ_FAULT);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 2ULL);
	oomprof_capture_release(idx);

	write_heap(test, 2, (u64)(uintptr_t)okt_user.mm);	/* kernel */
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_BAD_POINTER);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 2ULL);
	oomprof_capture_release(idx);
}

/*
 * The walk never waits for the mmap_lock: held for writing (here by the
 * case itself) until the capture's end, it gives up, and says why. A
 * capture whose end has passed does not start.
 */
static void capture_never_blocks_on_mmap_lock(struct kunit *test)
{
	struct oomprof_go_capture *cap;
	u64 t0;
	int idx;

	write_heap(test, 2, 0);
	mmap_write_lock(okt_user.mm);
	t0 = ktime_get_ns();
	cap = run_until(test, &idx, t0 + 50 * NSEC_PER_MSEC);
	mmap_write_unlock(okt_user.mm);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_MM_BUSY);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 0ULL);
	KUNIT_EXPECT_LT(test, ktime_get_ns() - t0, 500 * NSEC_PER_MSEC);
	oomprof_capture_release(idx);

	cap = run_until(test, &idx, ktime_get_ns() - 1);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_TIMEOUT);
	oomprof_capture_release(idx);

	/* Unlocked, the same heap is read whole. */
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 2ULL);
	oomprof_capture_release(idx);
}

static u64 get_varint(const u8 **p, const u8 *end, bool *bad)
{
	u64 v = 0;
	int shift;

	for (shift = 0; shift < 70 && *p < end; shift += 7) {
		u8 b = *(*p)++;

		v |= (u64)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	*bad = true;
	return 0;
}

/*
 * A capture of the learned list at @base (its head pointer, the rate word
 * after it) whose first @count buckets from @head the reader learned,
 * with one 1 MiB buffer: the claimed buffer's index, for the case to
 * finish and release.
 */
static int run_learned_capture(struct kunit *test,
			       struct oomprof_reg_info *reg, u64 base,
			       u64 head, u64 count,
			       struct oomprof_go_capture *cap)
{
	int idx;

	reg->mbuckets_addr = base;
	reg->rate_addr = base + 8;
	reg->known_head = head;
	reg->known_count = count;
	KUNIT_ASSERT_EQ(test, oomprof_capture_init(1, 1, 1000, 500), 0);
	cap_up = true;
	idx = oomprof_capture_claim();
	KUNIT_ASSERT_GE(test, idx, 0);
	oomprof_capture_run(idx, okt_user.mm, reg, ktime_get_ns() + NSEC_PER_SEC,
			    cap);
	return idx;
}

/*
 * A learned prefix through the held mm and the read window: buckets laid
 * out as the runtime's persistentalloc leaves them (the newest highest,
 * the list going down in memory) over three pages, the window's reach
 * below them unmapped. The buckets above known_head whole, the rest as
 * count entries with the counts in memory; the record padded to 8. (It
 * makes the third page resident: after capture_not_resident.)
 */
static void capture_learned_through_window(struct kunit *test)
{
	const size_t bsize = BUCKET_WORDS * 8, span = 3 * PAGE_SIZE;
	int n = (span - 64) / bsize, i, j, idx, full = 5;
	struct oomprof_oom_kill kill = {};
	struct oomprof_go_capture *cap;
	struct oomprof_reg_info *reg;
	struct oomprof_oom_kill *rec;
	u64 base = okt_user.addr, prev = 0, *heap;
	const u8 *p, *end;
	unsigned long left;
	bool bad = false;

	heap = kunit_kzalloc(test, span, GFP_KERNEL);
	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	cap = kunit_kzalloc(test, sizeof(*cap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, heap);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, cap);
	/* Bucket i at base + span - (i + 1) * bsize: 0 is the newest. */
	heap[0] = base + span - bsize;
	heap[1] = 4096;
	for (i = 0; i < n; i++) {
		u64 *b = heap + (span - (i + 1) * bsize) / 8;

		b[1] = i + 1 < n ? base + span - (i + 2) * bsize : 0;
		b[2] = 1;
		b[5] = NSTK;
		for (j = 0; j < NSTK; j++)
			b[6 + j] = 0x400000 + j;
		/* Some counts 0, some needing several varint bytes. */
		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++)
			b[6 + NSTK + j] = (i + j) % 3 ? (u64)(i + 1) << (4 * j) : 0;
	}
	okt_use_mm(test);
	left = copy_to_user((void __user *)base, heap, span);
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);

	idx = run_learned_capture(test, reg, base,
				  base + span - (full + 1) * bsize, n - full,
				  cap);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, (u64)n);
	KUNIT_EXPECT_EQ(test, cap->nbuckets_counted, (u64)(n - full));
	KUNIT_EXPECT_EQ(test, cap->known_head, reg->known_head);
	KUNIT_EXPECT_EQ(test, cap->known_count, reg->known_count);
	KUNIT_EXPECT_EQ(test, cap->bucket_bytes, (u64)full * (8 + bsize));
	KUNIT_EXPECT_EQ(test, cap->flags, 0U);

	oomprof_events_init_header(&kill.hdr, OOMPROF_REC_OOM_KILL,
				   sizeof(kill));
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	KUNIT_EXPECT_EQ(test, (u64)rec->hdr.size,
			round_up(sizeof(kill) + sizeof(*cap) + cap->bucket_bytes +
				 cap->counts_bytes, 8));
	p = (u8 *)(rec + 1) + sizeof(*cap);
	for (i = 0; i < full; i++) {
		const u64 *e = (const u64 *)p;

		KUNIT_EXPECT_EQ(test, e[0], base + span - (i + 1) * bsize);
		KUNIT_EXPECT_EQ(test, 0, memcmp(e + 1, heap + (span - (i + 1) * bsize) / 8,
						bsize));
		p += 8 + bsize;
	}
	end = p + cap->counts_bytes;
	for (i = full; i < n && !bad; i++) {
		const u64 *b = heap + (span - (i + 1) * bsize) / 8;
		u64 zz = get_varint(&p, end, &bad);
		u64 mask = get_varint(&p, end, &bad);

		prev += (u64)((s64)(zz >> 1) ^ -(s64)(zz & 1));
		KUNIT_EXPECT_EQ_MSG(test, prev, base + span - (i + 1) * bsize,
				    "count entry of bucket %d", i);
		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++) {
			u64 got = mask & BIT(j) ? get_varint(&p, end, &bad) : 0;

			KUNIT_EXPECT_EQ_MSG(test, got, b[6 + NSTK + j],
					    "bucket %d word %d", i, j);
		}
	}
	KUNIT_EXPECT_FALSE(test, bad);
	KUNIT_EXPECT_PTR_EQ(test, p, end);
	oomprof_capture_release(idx);
}

/*
 * A counted bucket whose memRecord runs into a page never touched (the
 * mapping's last; no case writes it): its counts there are zeros, flagged,
 * not a fault-in and not the end of the walk.
 */
static void capture_learned_zero_filled(struct kunit *test)
{
	const u64 hdr = (OOMPROF_GO_BUCKET_HEADER_WORDS + NSTK) * 8;
	u64 base = okt_user.addr, b = base + 3 * PAGE_SIZE - hdr - 5 * 8;
	u64 words[OOMPROF_GO_MEMRECORD_WORDS], mask, zz, *page;
	struct oomprof_oom_kill kill = {};
	struct oomprof_go_capture *cap;
	struct oomprof_reg_info *reg;
	struct oomprof_oom_kill *rec;
	unsigned long left;
	const u8 *p, *end;
	bool bad = false;
	int idx, j;

	page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	cap = kunit_kzalloc(test, sizeof(*cap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, cap);
	okt_use_mm(test);
	left = copy_to_user((void __user *)base, &b, 8);
	/* The bucket: header and stack, then 5 of its 16 count words. */
	page[2] = 1;
	page[5] = NSTK;
	for (j = 0; j < 5; j++)
		page[6 + NSTK + j] = 100 + j;
	left += copy_to_user((void __user *)b, page, hdr + 5 * 8);
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);

	idx = run_learned_capture(test, reg, base, b, 1, cap);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets_counted, 1ULL);
	KUNIT_EXPECT_TRUE(test, cap->flags & OOMPROF_CAPTURE_ZERO_FILLED);
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	p = (u8 *)(rec + 1) + sizeof(*cap) + cap->bucket_bytes;
	end = p + cap->counts_bytes;
	zz = get_varint(&p, end, &bad);
	mask = get_varint(&p, end, &bad);
	KUNIT_EXPECT_EQ(test, zz, b << 1);
	KUNIT_EXPECT_EQ(test, mask, 0x1fULL);
	for (j = 0; j < 5; j++)
		words[j] = get_varint(&p, end, &bad);
	KUNIT_EXPECT_FALSE(test, bad);
	KUNIT_EXPECT_PTR_EQ(test, p, end);
	for (j = 0; j < 5; j++)
		KUNIT_EXPECT_EQ(test, words[j], 100ULL + j);
	oomprof_capture_release(idx);
}

/*
 * The pages of the mapping's first three pages (resident by now) with a
 * reference of the case's own, and each one's reference count then.
 */
static void hold_pages(struct kunit *test, struct page **pg, int *refs)
{
	int i;

	okt_use_mm(test);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, get_user_pages_fast_only(okt_user.addr +
				i * PAGE_SIZE, 1, 0, &pg[i]), 1);
		refs[i] = page_ref_count(pg[i]);
	}
	okt_unuse_mm();
}

static void unhold_pages(struct page **pg)
{
	int i;

	for (i = 0; i < 3; i++)
		put_page(pg[i]);
}

/*
 * Learned buckets whose header, then whose memRecord, cross a page's end:
 * into a page that need not be adjacent in the kernel's mapping (the case
 * says if they are, which would hide a read past the first one's end).
 * Their count entries hold what is there, and the walk holds no page
 * reference after it.
 */
static void capture_straddling_buckets(struct kunit *test)
{
	const u64 hdr = (OOMPROF_GO_BUCKET_HEADER_WORDS + NSTK) * 8;
	u64 base = okt_user.addr;
	/* b0's header crosses into the third page; b1's memRecord, the second. */
	u64 b0 = base + 2 * PAGE_SIZE - 24, b1 = base + PAGE_SIZE - hdr - 40;
	u64 *bkt = kunit_kzalloc(test, BUCKET_WORDS * 8, GFP_KERNEL);
	struct oomprof_go_capture *cap;
	struct oomprof_reg_info *reg;
	struct oomprof_oom_kill *rec, kill = {};
	struct page *pg[3];
	int refs[3], idx, i, j;
	unsigned long left;
	const u8 *p, *end;
	u64 prev = 0;
	bool bad = false;

	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	cap = kunit_kzalloc(test, sizeof(*cap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bkt);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_NOT_NULL(test, cap);
	okt_use_mm(test);
	left = copy_to_user((void __user *)base, &b0, 8);
	for (i = 0; i < 2; i++) {
		bkt[1] = i ? 0 : b1;
		bkt[2] = 1;
		bkt[5] = NSTK;
		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j++)
			bkt[6 + NSTK + j] = j % 5 ? 0 : 1000 * (i + 1) + j;
		left += copy_to_user((void __user *)(i ? b1 : b0), bkt,
				     BUCKET_WORDS * 8);
	}
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	hold_pages(test, pg, refs);
	for (i = 0; i < 2; i++)
		kunit_info(test, "pages %d and %d %sadjacent in the direct map\n",
			   i + 1, i + 2, page_address(pg[i]) + PAGE_SIZE ==
			   page_address(pg[i + 1]) ? "" : "not ");

	idx = run_learned_capture(test, reg, base, b0, 2, cap);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets_counted, 2ULL);
	KUNIT_EXPECT_EQ(test, cap->flags, 0U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pg[i]), refs[i],
				    "page %d's references after the walk", i);
	rec = (void *)oomprof_capture_finish(idx, &kill, cap, NULL, 0);
	p = (u8 *)(rec + 1) + sizeof(*cap) + cap->bucket_bytes;
	end = p + cap->counts_bytes;
	for (i = 0; i < 2 && !bad; i++) {
		u64 zz = get_varint(&p, end, &bad);
		u64 mask = get_varint(&p, end, &bad);

		prev += (u64)((s64)(zz >> 1) ^ -(s64)(zz & 1));
		KUNIT_EXPECT_EQ(test, prev, i ? b1 : b0);
		KUNIT_EXPECT_EQ(test, mask, 0x8421ULL);
		for (j = 0; j < OOMPROF_GO_MEMRECORD_WORDS; j += 5)
			KUNIT_EXPECT_EQ_MSG(test, get_varint(&p, end, &bad),
					    1000ULL * (i + 1) + j,
					    "bucket %d word %d", i, j);
	}
	KUNIT_EXPECT_FALSE(test, bad);
	KUNIT_EXPECT_PTR_EQ(test, p, end);
	oomprof_capture_release(idx);
	unhold_pages(pg);
}

/*
 * The walk holds references on the pages it reads in place: each one is
 * dropped again whatever ends the walk (the list's end, a read fault on
 * the page never touched, a cycle, the bucket limit), so the pages'
 * reference counts are what they were before.
 */
static void capture_drops_page_refs(struct kunit *test)
{
	const u64 next[] = { 0, okt_user.addr + 3 * PAGE_SIZE,
			     okt_user.addr + 64 };
	const u32 stop[] = { OOMPROF_STOP_NONE, OOMPROF_STOP_READ_FAULT,
			     OOMPROF_STOP_CYCLE };
	struct oomprof_go_capture *cap;
	struct page *pg[3];
	int refs[3], idx, i, k;

	for (k = 0; k < ARRAY_SIZE(next); k++) {
		write_heap(test, 6, next[k]);
		hold_pages(test, pg, refs);
		cap = run(test, &idx);
		KUNIT_EXPECT_EQ_MSG(test, cap->stop, stop[k], "walk %d", k);
		for (i = 0; i < 3; i++)
			KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pg[i]), refs[i],
					    "walk %d: page %d's references", k, i);
		oomprof_capture_release(idx);
		unhold_pages(pg);
	}
	/* Cut by the bucket limit part way (a fresh init: limit 2). */
	oomprof_capture_exit();
	KUNIT_ASSERT_EQ(test, oomprof_capture_init(1, 1, 2, 500), 0);
	write_heap(test, 6, 0);
	hold_pages(test, pg, refs);
	cap = run(test, &idx);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_MAX_BUCKETS);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 2ULL);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pg[i]), refs[i],
				    "limit: page %d's references", i);
	oomprof_capture_release(idx);
	unhold_pages(pg);
}

static int cap_suite_init(struct kunit_suite *suite)
{
	return okt_user_get(MAP_BYTES);
}

static void cap_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case capture_cases[] = {
	KUNIT_CASE(capture_through_held_mm),
	KUNIT_CASE(capture_not_resident),
	KUNIT_CASE(capture_regions),
	KUNIT_CASE(capture_unmapped_and_kernel),
	KUNIT_CASE(capture_never_blocks_on_mmap_lock),
	KUNIT_CASE(capture_learned_through_window),
	KUNIT_CASE(capture_learned_zero_filled),
	KUNIT_CASE(capture_straddling_buckets),
	KUNIT_CASE(capture_drops_page_refs),
	{}
};

static struct kunit_suite capture_suite = {
	.name = "oomprof_capture",
	.suite_init = cap_suite_init,
	.suite_exit = cap_suite_exit,
	.exit = cap_exit,
	.test_cases = capture_cases,
};

kunit_test_suites(&capture_suite);
