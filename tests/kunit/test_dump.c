// SPDX-License-Identifier: GPL-2.0
/*
 * module/dump.c: an on-demand dump of a live process, with the loading
 * process (insmod) as the "Go process": buckets are written into an
 * anonymous mapping of its address space (private anonymous memory: the
 * dump may fault it in), oomprof_dump() reads them a page at a time and
 * copies the entries to a user buffer (a second page of the same mapping,
 * the test case having adopted that mm).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include "kunit_util.h"
#include "oomprof.h"

#define MAP_BYTES	(4 * PAGE_SIZE)
#define NSTK		3
#define BUCKET_WORDS	(OOMPROF_GO_BUCKET_HEADER_WORDS + NSTK + \
			 OOMPROF_GO_MEMRECORD_WORDS)
#define ENTRY_BYTES	(8 + BUCKET_WORDS * 8)
#define OUT_OFFSET	(2 * PAGE_SIZE)	/* where entries are copied to */

/* mbuckets at +0, MemProfileRate at +8, @n buckets from +64. */
static void write_heap(struct kunit *test, int n)
{
	u64 base = okt_user.addr;
	u64 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long left;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	page[0] = n ? base + 64 : 0;
	page[1] = 524288;
	for (i = 0; i < n; i++) {
		u64 *b = page + 8 + i * BUCKET_WORDS;

		b[1] = i + 1 < n ? base + 64 + (i + 1) * BUCKET_WORDS * 8 : 0;
		b[2] = 1;			/* typ: memory */
		b[5] = NSTK;
		b[6] = 0x401000 + i;		/* first PC */
	}
	okt_use_mm(test);
	left = copy_to_user((void __user *)base, page, PAGE_SIZE);
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
}

static void dump_setup(struct oomprof_dump *req, size_t size)
{
	memset(req, 0, sizeof(*req));
	req->pid = okt_user.task->tgid;	/* a kthread sees the initial pid ns */
	req->start_time_ticks = okt_start_ticks(okt_user.task);
	req->mbuckets_addr = okt_user.addr;
	req->mem_profile_rate_addr = okt_user.addr + 8;
	req->buf = okt_user.addr + OUT_OFFSET;
	req->buf_size = size;
}

static int dump(struct kunit *test, struct oomprof_dump *req)
{
	int err;

	okt_use_mm(test);	/* the caller's address space, for buf */
	err = oomprof_dump_mm(req, okt_user.mm);
	okt_unuse_mm();
	return err;
}

static void dump_live_process(struct kunit *test)
{
	struct oomprof_dump req;
	u64 entry[2];
	unsigned long left;

	oomprof_dump_init(1, 1000);
	write_heap(test, 4);
	dump_setup(&req, PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, dump(test, &req), 0);
	KUNIT_EXPECT_EQ(test, req.cap.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, req.cap.nbuckets, 4ULL);
	KUNIT_EXPECT_EQ(test, req.cap.bucket_bytes, 4ULL * ENTRY_BYTES);
	KUNIT_EXPECT_EQ(test, req.cap.mem_profile_rate, 524288LL);
	KUNIT_EXPECT_EQ(test, req.cap.mbuckets_addr, (u64)okt_user.addr);
	/* The entries arrived in the caller's buffer: address, then bucket. */
	okt_use_mm(test);
	left = copy_from_user(entry, (void __user *)(okt_user.addr + OUT_OFFSET +
						     ENTRY_BYTES),
			      sizeof(entry));
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, entry[0], (u64)okt_user.addr + 64 + BUCKET_WORDS * 8);
	KUNIT_EXPECT_EQ(test, entry[1], 0ULL);	/* next */
}

/*
 * Regions: copied into the caller's buffer before the entries, a failed
 * one zeros with its error; refused when invalid or when the buffer does
 * not hold more than their data.
 */
static void dump_regions(struct kunit *test)
{
	struct oomprof_dump req;
	unsigned long left;
	u64 out[3];

	oomprof_dump_init(1, 1000);
	write_heap(test, 2);
	dump_setup(&req, PAGE_SIZE);
	req.regions[0] = (struct oomprof_go_region){ okt_user.addr + 8, 8 };
	req.regions[2] = (struct oomprof_go_region){ TASK_SIZE_MAX - PAGE_SIZE,
						     3 };
	KUNIT_ASSERT_EQ(test, dump(test, &req), 0);
	KUNIT_EXPECT_EQ(test, req.cap.stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, req.cap.nbuckets, 2ULL);
	KUNIT_EXPECT_EQ(test, req.cap.regions_copied, 1U);
	KUNIT_EXPECT_EQ(test, req.cap.regions_bytes, 16U);
	KUNIT_EXPECT_EQ(test, req.cap.region_error[2], -EFAULT);
	KUNIT_EXPECT_EQ(test, req.cap.regions[2].bytes, 3U);
	okt_use_mm(test);
	left = copy_from_user(out, (void __user *)(okt_user.addr + OUT_OFFSET),
			      sizeof(out));
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, out[0], 524288ULL);	/* the rate word */
	KUNIT_EXPECT_EQ(test, out[1], 0ULL);		/* the failed one */
	KUNIT_EXPECT_EQ(test, out[2], (u64)okt_user.addr + 64);	/* entry */

	req.buf_size = 16;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EINVAL);
	req.buf_size = PAGE_SIZE;
	req.regions[1].bytes = OOMPROF_GO_REGION_MAX + 1;
	req.regions[1].addr = okt_user.addr;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EINVAL);
}

/* Too small a buffer: a partial walk that says so, not an error. */
static void dump_buffer_too_small(struct kunit *test)
{
	struct oomprof_dump req;

	oomprof_dump_init(1, 1000);
	write_heap(test, 4);
	dump_setup(&req, 2 * ENTRY_BYTES + 8);
	KUNIT_ASSERT_EQ(test, dump(test, &req), 0);
	KUNIT_EXPECT_EQ(test, req.cap.stop, (u32)OOMPROF_STOP_BUFFER_FULL);
	KUNIT_EXPECT_EQ(test, req.cap.nbuckets, 2ULL);
}

/* Bound to a process instance: a start time that differs is ESRCH. */
static void dump_wrong_instance_and_pid(struct kunit *test)
{
	struct oomprof_dump req;

	oomprof_dump_init(1, 1000);
	write_heap(test, 1);
	dump_setup(&req, PAGE_SIZE);
	req.start_time_ticks++;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -ESRCH);
	dump_setup(&req, PAGE_SIZE);
	req.pid = PID_MAX_LIMIT + 1;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -ESRCH);
}

/*
 * Bound to an address space: a dump asked with another process's (or
 * none: opened on an exiting process) reads nothing.
 */
static void dump_other_mm_is_stale(struct kunit *test)
{
	struct oomprof_dump req;
	struct task_struct *init;
	struct mm_struct *mm;
	struct pid *pid;
	int err;

	oomprof_dump_init(1, 1000);
	write_heap(test, 1);
	pid = find_get_pid(1);
	KUNIT_ASSERT_NOT_NULL(test, pid);
	init = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	KUNIT_ASSERT_NOT_NULL(test, init);
	mm = get_task_mm(init);
	put_task_struct(init);
	KUNIT_ASSERT_NOT_NULL(test, mm);
	dump_setup(&req, PAGE_SIZE);
	okt_use_mm(test);
	err = oomprof_dump_mm(&req, mm);
	okt_unuse_mm();
	mmput(mm);
	KUNIT_EXPECT_EQ(test, err, -ESTALE);
	KUNIT_EXPECT_EQ(test, req.cap.nbuckets, 0ULL);
	okt_use_mm(test);
	err = oomprof_dump_mm(&req, NULL);
	okt_unuse_mm();
	KUNIT_EXPECT_EQ(test, err, -ESRCH);
}

static void dump_bad_arguments(struct kunit *test)
{
	struct oomprof_dump req;

	oomprof_dump_init(1, 1000);
	dump_setup(&req, PAGE_SIZE);
	req.flags = 1;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EINVAL);
	dump_setup(&req, PAGE_SIZE);
	req.mbuckets_addr += 4;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EINVAL);
	dump_setup(&req, 4);
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EINVAL);
	/* A buffer the caller cannot write: EFAULT, nothing else broken. */
	write_heap(test, 1);
	dump_setup(&req, PAGE_SIZE);
	req.buf = TASK_SIZE_MAX - PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, dump(test, &req), -EFAULT);
}

static int dump_suite_init(struct kunit_suite *suite)
{
	return okt_user_get(MAP_BYTES);
}

static void dump_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case dump_cases[] = {
	KUNIT_CASE(dump_live_process),
	KUNIT_CASE(dump_buffer_too_small),
	KUNIT_CASE(dump_regions),
	KUNIT_CASE(dump_wrong_instance_and_pid),
	KUNIT_CASE(dump_other_mm_is_stale),
	KUNIT_CASE(dump_bad_arguments),
	{}
};

static struct kunit_suite dump_suite = {
	.name = "oomprof_dump",
	.suite_init = dump_suite_init,
	.suite_exit = dump_suite_exit,
	.test_cases = dump_cases,
};

kunit_test_suites(&dump_suite);
