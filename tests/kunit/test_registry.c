// SPDX-License-Identifier: GPL-2.0
/*
 * module/registry.c: registering Go processes, bound to one process
 * instance. The live user processes at hand are the one loading the test
 * module (insmod) and init; a short-lived one comes from the usermode
 * helper (/bin/sleep of the test guest's busybox).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/umh.h>

#include "kunit_util.h"
#include "oomprof.h"
#include "walker.h"

static bool reg_up;

static void reg_setup(struct kunit *test, unsigned int max)
{
	KUNIT_ASSERT_EQ(test, oomprof_registry_init(max, 1000), 0);
	reg_up = true;
}

static void reg_exit(struct kunit *test)
{
	if (reg_up)
		oomprof_registry_exit();
	reg_up = false;
}

static void req_for(struct oomprof_register *req, struct task_struct *t,
		    u64 base)
{
	memset(req, 0, sizeof(*req));
	req->pid = task_tgid_vnr(t);
	req->start_time_ticks = okt_start_ticks(t);
	req->mbuckets_addr = base;
	req->mem_profile_rate_addr = base + 8;
	req->cookie = base ^ 0x5a5a5a5a;
	req->load_bias = 0x1000;
	strscpy(req->exe_path, "/bin/victim", sizeof(req->exe_path));
	strscpy(req->build_id, "abc/def", sizeof(req->build_id));
}

static void registry_add_lookup_remove(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	struct oomprof_register req;
	struct oomprof_reg_info info;
	bool exec = true;

	reg_setup(test, 16);
	req_for(&req, me, 0x500000);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_NE(test, req.registration_id, 0ULL);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);

	KUNIT_ASSERT_TRUE(test, oomprof_registry_lookup(me, &info, &exec));
	KUNIT_EXPECT_FALSE(test, exec);
	KUNIT_EXPECT_EQ(test, info.id, req.registration_id);
	KUNIT_EXPECT_EQ(test, info.mbuckets_addr, 0x500000ULL);
	KUNIT_EXPECT_EQ(test, info.rate_addr, 0x500008ULL);
	KUNIT_EXPECT_EQ(test, info.cookie, 0x500000ULL ^ 0x5a5a5a5a);
	KUNIT_EXPECT_EQ(test, info.load_bias, 0x1000ULL);
	KUNIT_EXPECT_STREQ(test, info.exe_path, "/bin/victim");
	KUNIT_EXPECT_STREQ(test, info.build_id, "abc/def");

	/* Not registered: this kernel thread. */
	KUNIT_EXPECT_FALSE(test, oomprof_registry_lookup(current, &info, &exec));

	KUNIT_EXPECT_EQ(test, oomprof_registry_remove(req.registration_id), 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
	KUNIT_EXPECT_FALSE(test, oomprof_registry_lookup(me, &info, &exec));
	KUNIT_EXPECT_EQ(test, oomprof_registry_remove(req.registration_id),
			-ENOENT);
}

/* Registering a process again replaces its entry (new id, new facts). */
static void registry_reregister_replaces(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	/* Not both on the stack: the frame would pass 2 KiB under KASAN. */
	struct oomprof_register a, *b = kunit_kzalloc(test, sizeof(*b),
						     GFP_KERNEL);
	struct oomprof_reg_info info;
	bool exec;

	KUNIT_ASSERT_NOT_NULL(test, b);
	reg_setup(test, 16);
	req_for(&a, me, 0x500000);
	req_for(b, me, 0x600000);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&a, okt_user.mm), 0);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(b, okt_user.mm), 0);
	KUNIT_EXPECT_NE(test, a.registration_id, b->registration_id);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
	KUNIT_ASSERT_TRUE(test, oomprof_registry_lookup(me, &info, &exec));
	KUNIT_EXPECT_EQ(test, info.id, b->registration_id);
	KUNIT_EXPECT_EQ(test, info.mbuckets_addr, 0x600000ULL);
	KUNIT_EXPECT_EQ(test, oomprof_registry_remove(a.registration_id),
			-ENOENT);
}

/* A start time that is not the process's: the pid was reused. */
static void registry_pid_reuse(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	struct oomprof_register req;

	reg_setup(test, 16);
	req_for(&req, me, 0x500000);
	req.start_time_ticks += 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -ESRCH);
	req.start_time_ticks -= 2;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -ESRCH);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
}

static void registry_bad_requests(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	struct oomprof_register req;

	reg_setup(test, 16);
	req_for(&req, me, 0x500000);
	req.flags = 1U << 31;				/* unknown flag */
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	/* SET_RATE with a rate a Go int cannot hold, or none. */
	req_for(&req, me, 0x500000);
	req.flags = OOMPROF_REGISTER_SET_RATE;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	req.set_rate = -1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	req.set_rate = (s64)OOMPROF_SET_RATE_MAX + 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	req_for(&req, me, 0x500004);			/* misaligned */
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	req_for(&req, me, 0x500000);
	req.mem_profile_rate_addr = 0;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	req_for(&req, me, 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -EINVAL);
	/* No such process. */
	req_for(&req, me, 0x500000);
	req.pid = PID_MAX_LIMIT - 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -ESRCH);
	/* A kernel thread has no address space to profile. */
	req_for(&req, current, 0x500000);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), -ESRCH);
	/* Unterminated strings come back terminated. */
	req_for(&req, me, 0x500000);
	memset(req.exe_path, 'x', sizeof(req.exe_path));
	memset(req.build_id, 'y', sizeof(req.build_id));
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	{
		struct oomprof_reg_info info;
		bool exec;

		KUNIT_ASSERT_TRUE(test, oomprof_registry_lookup(me, &info, &exec));
		KUNIT_EXPECT_EQ(test, strlen(info.exe_path),
				sizeof(info.exe_path) - 1);
		KUNIT_EXPECT_EQ(test, strlen(info.build_id),
				sizeof(info.build_id) - 1);
	}
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
}

/* Regions: validated at registration, stored, handed to the capture. */
static void registry_regions(struct kunit *test)
{
	/* Not static: TASK_SIZE_MAX is not a constant on x86_64. */
	const struct {
		u64 addr;
		u32 bytes, reserved;
		bool ok;
	} tab[] = {
		{ 0, 0, 0, true },			/* unused */
		{ 0x500000, 1, 0, true },
		{ 0x500000, OOMPROF_GO_REGION_MAX, 0, true },
		{ 0x500000, OOMPROF_GO_REGION_MAX + 1, 0, false },
		{ 0x500000, 0, 0, false },		/* empty */
		{ 0, 8, 0, false },			/* no address */
		{ 0x500000, 8, 1, false },		/* reserved */
		{ 0, 0, 1, false },
		{ U64_MAX - 3, 8, 0, false },		/* wraps */
		{ TASK_SIZE_MAX - 8, 8, 0, true },	/* last user bytes */
		{ TASK_SIZE_MAX - 8, 9, 0, false },
		{ TASK_SIZE_MAX, 1, 0, false },		/* kernel */
	};
	struct task_struct *me = okt_user.task;
	struct oomprof_register req;
	struct oomprof_reg_info info = {};
	unsigned int i, slot;
	bool exec;
	int want;

	reg_setup(test, 16);
	for (i = 0; i < ARRAY_SIZE(tab); i++) {
		for (slot = 0; slot < OOMPROF_GO_MAX_REGIONS; slot += 3) {
			struct oomprof_go_region *r;
			int err;

			req_for(&req, me, 0x500000);
			req.regions[1] = (struct oomprof_go_region){ 0x700000, 64 };
			r = &req.regions[slot];
			r->addr = tab[i].addr;
			r->bytes = tab[i].bytes;
			r->reserved = tab[i].reserved;
			err = oomprof_registry_add(&req, okt_user.mm);
			want = tab[i].ok ? 0 : -EINVAL;
			KUNIT_EXPECT_EQ_MSG(test, err, want, "case %u slot %u",
					    i, slot);
			if (err)
				continue;
			KUNIT_ASSERT_TRUE(test, oomprof_registry_lookup(me, &info,
									&exec));
			KUNIT_EXPECT_EQ(test, 0, memcmp(info.regions, req.regions,
							sizeof(info.regions)));
		}
	}
	KUNIT_EXPECT_EQ(test, oomprof_regions_room(info.regions), 64U + 8);
}

static void rate_word_set(struct kunit *test, unsigned long addr, s64 v)
{
	okt_use_mm(test);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)addr, &v, sizeof(v)),
			0UL);
	okt_unuse_mm();
}

static s64 rate_word_get(struct kunit *test, unsigned long addr)
{
	s64 v = -1;

	okt_use_mm(test);
	KUNIT_EXPECT_EQ(test, copy_from_user(&v, (void __user *)addr,
					     sizeof(v)), 0UL);
	okt_unuse_mm();
	return v;
}

/*
 * OOMPROF_REGISTER_SET_RATE writes the rate into a zero MemProfileRate
 * (the registrant's own mapping stands in for a Go program's data), leaves
 * a non-zero one alone, and reports a word it cannot reach without
 * failing the registration.
 */
static void registry_set_rate(struct kunit *test)
{
	struct task_struct *me = okt_user.task;
	unsigned long rate_addr = okt_user.addr + 72;
	struct oomprof_register req;

	reg_setup(test, 16);
	rate_word_set(test, rate_addr, 0);
	req_for(&req, me, okt_user.addr + 64);
	req.flags = OOMPROF_REGISTER_SET_RATE;
	req.set_rate = 524288;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_WRITTEN);
	KUNIT_EXPECT_EQ(test, req.old_rate, 0LL);
	KUNIT_EXPECT_EQ(test, rate_word_get(test, rate_addr), 524288LL);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);

	/* Now non-zero: left as it is, and said so. */
	req.set_rate = 1;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_ALREADY);
	KUNIT_EXPECT_EQ(test, req.old_rate, 524288LL);
	KUNIT_EXPECT_EQ(test, rate_word_get(test, rate_addr), 524288LL);

	rate_word_set(test, rate_addr, 777);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_ALREADY);
	KUNIT_EXPECT_EQ(test, req.old_rate, 777LL);
	KUNIT_EXPECT_EQ(test, rate_word_get(test, rate_addr), 777LL);

	/* Without the flag nothing is read or written. */
	rate_word_set(test, rate_addr, 0);
	req.flags = 0;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_NONE);
	KUNIT_EXPECT_EQ(test, rate_word_get(test, rate_addr), 0LL);

	/* Nothing mapped there: registered all the same, failure told. */
	req_for(&req, me, PAGE_SIZE);	/* page 1: never mapped */
	req.flags = OOMPROF_REGISTER_SET_RATE;
	req.set_rate = 524288;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_FAILED);
	KUNIT_EXPECT_EQ(test, req.set_rate_errno, EFAULT);
	KUNIT_EXPECT_NE(test, req.registration_id, 0ULL);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
}

static struct task_struct *get_init(struct kunit *test)
{
	struct task_struct *t;
	struct pid *pid = find_get_pid(1);

	KUNIT_ASSERT_NOT_NULL(test, pid);
	t = get_pid_task(pid, PIDTYPE_TGID);
	put_pid(pid);
	KUNIT_ASSERT_NOT_NULL(test, t);
	return t;
}

static void registry_full(struct kunit *test)
{
	struct task_struct *init = get_init(test);
	struct mm_struct *init_proc_mm = get_task_mm(init);
	struct oomprof_register a, b;

	KUNIT_ASSERT_NOT_NULL(test, init_proc_mm);
	reg_setup(test, 1);
	req_for(&a, okt_user.task, 0x500000);
	req_for(&b, init, 0x500000);
	put_task_struct(init);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&a, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&b, init_proc_mm), -ENOSPC);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
	KUNIT_EXPECT_EQ(test, oomprof_registry_remove(a.registration_id), 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&b, init_proc_mm), 0);
	mmput(init_proc_mm);
}

/*
 * The binding: a request whose address space is not the process's own
 * now (another process's file, or one opened before an exec) is refused
 * with ESTALE, and with SET_RATE nothing is written.
 */
static void registry_other_mm_is_stale(struct kunit *test)
{
	struct task_struct *init = get_init(test);
	struct mm_struct *init_proc_mm = get_task_mm(init);
	unsigned long rate_addr = okt_user.addr + 72;
	struct oomprof_register req;

	put_task_struct(init);
	KUNIT_ASSERT_NOT_NULL(test, init_proc_mm);
	reg_setup(test, 16);
	rate_word_set(test, rate_addr, 0);
	req_for(&req, okt_user.task, okt_user.addr + 64);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, init_proc_mm), -ESTALE);
	req.flags = OOMPROF_REGISTER_SET_RATE;
	req.set_rate = 524288;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, init_proc_mm), -ESTALE);
	KUNIT_EXPECT_EQ(test, req.set_rate_result, OOMPROF_SET_RATE_NONE);
	KUNIT_EXPECT_EQ(test, rate_word_get(test, rate_addr), 0LL);
	/* No address space at all (the file was opened on an exiting one). */
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, NULL), -ESRCH);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
	/* Start time 0: not checked, the address space alone binds. */
	req_for(&req, okt_user.task, okt_user.addr + 64);
	req.start_time_ticks = 0;
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	mmput(init_proc_mm);
}

static struct file *open_proc(struct kunit *test, struct task_struct *t,
			      const char *what, int flags)
{
	char path[64];
	struct file *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", task_tgid_nr(t), what);
	f = filp_open(path, flags, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "open %s: %ld", path,
			       PTR_ERR(f));
	return f;
}

/*
 * Only procfs's /proc/PID/mem is taken as the permission, and a write
 * only through one opened for writing.
 */
static void registry_mem_file_check(struct kunit *test)
{
	struct mm_struct *mm = NULL;
	struct file *f;

	f = open_proc(test, okt_user.task, "mem", O_RDONLY);
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, false, &mm), 0);
	KUNIT_EXPECT_PTR_EQ(test, mm, okt_user.mm);
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, true, &mm), -EBADF);
	fput(f);

	f = open_proc(test, okt_user.task, "mem", O_RDWR);
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, true, &mm), 0);
	KUNIT_EXPECT_PTR_EQ(test, mm, okt_user.mm);
	fput(f);

	/* Same procfs, same kind of private_data, weaker permission. */
	f = open_proc(test, okt_user.task, "environ", O_RDONLY);
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, false, &mm), -EINVAL);
	fput(f);
	f = open_proc(test, okt_user.task, "stat", O_RDONLY);
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, false, &mm), -EINVAL);
	fput(f);
	f = filp_open("/proc/self/mem", O_RDONLY, 0);	/* this kthread */
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, oomprof_mem_file_check(f, false, &mm), 0);
	KUNIT_EXPECT_NULL(test, mm);	/* no address space: ESRCH later */
	fput(f);
}

/* Many registrations, each found and removed by its id alone. */
static void registry_remove_by_id(struct kunit *test)
{
	struct oomprof_register req;
	u64 ids[40];
	int i;

	reg_setup(test, 8);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		req_for(&req, okt_user.task, 0x100000 + 0x1000 * i);
		KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
		ids[i] = req.registration_id;
	}
	/* One process: each registration replaced the one before. */
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
	for (i = 0; i + 1 < ARRAY_SIZE(ids); i++)
		KUNIT_EXPECT_EQ(test, oomprof_registry_remove(ids[i]), -ENOENT);
	KUNIT_EXPECT_EQ(test, oomprof_registry_remove(ids[i]), 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 0U);
}

/* The usermode helper's child: remember which process it is. */
static int umh_init(struct subprocess_info *info, struct cred *new)
{
	struct pid **pid = info->data;

	*pid = get_pid(task_tgid(current));
	return 0;
}

/* An entry whose process has exited makes room when the table is full. */
static void registry_dead_process_pruned(struct kunit *test)
{
	/* call_usermodehelper_setup() takes them writable. */
	char *argv[3], *envp[2];
	struct subprocess_info *sub;
	struct oomprof_register a, b;
	struct task_struct *t;
	struct mm_struct *mm;
	struct pid *pid = NULL;
	int i, err;

	argv[0] = "/bin/sleep";
	argv[1] = "1";
	argv[2] = NULL;
	envp[0] = "PATH=/bin:/sbin";
	envp[1] = NULL;
	reg_setup(test, 1);
	sub = call_usermodehelper_setup(argv[0], argv, envp, GFP_KERNEL,
					umh_init, NULL, &pid);
	KUNIT_ASSERT_NOT_NULL(test, sub);
	err = call_usermodehelper_exec(sub, UMH_WAIT_EXEC);
	if (err || !pid) {
		if (pid)
			put_pid(pid);
		kunit_skip(test, "cannot run /bin/sleep (%d)", err);
	}
	t = get_pid_task(pid, PIDTYPE_TGID);
	if (!t) {
		put_pid(pid);
		kunit_skip(test, "/bin/sleep exited too soon");
	}
	memset(&a, 0, sizeof(a));
	a.pid = pid_vnr(pid);
	a.start_time_ticks = okt_start_ticks(t);
	a.mbuckets_addr = 0x500000;
	a.mem_profile_rate_addr = 0x500008;
	mm = get_task_mm(t);
	put_task_struct(t);
	err = mm ? oomprof_registry_add(&a, mm) : -ESRCH;
	if (mm)
		mmput(mm);
	if (err) {
		put_pid(pid);
		KUNIT_FAIL(test, "registering /bin/sleep: %d", err);
		return;
	}
	for (i = 0; i < 500 && pid_has_task(pid, PIDTYPE_TGID); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, pid_has_task(pid, PIDTYPE_TGID));
	put_pid(pid);

	req_for(&b, okt_user.task, 0x600000);
	KUNIT_EXPECT_EQ(test, oomprof_registry_add(&b, okt_user.mm), 0);
	KUNIT_EXPECT_EQ(test, oomprof_registry_count(), 1U);
}

struct lookup_ctx {
	struct task_struct *task;
	atomic_t found, missed, bad;
};

/* As mark_victim does: in atomic context, again and again. */
static int lookup_thread(void *data)
{
	struct lookup_ctx *c = data;

	while (!kthread_should_stop()) {
		struct oomprof_reg_info info;
		bool exec = false, found;

		preempt_disable();
		found = oomprof_registry_lookup(c->task, &info, &exec);
		preempt_enable();
		if (!found) {
			atomic_inc(&c->missed);
		} else {
			atomic_inc(&c->found);
			/* An entry is read whole: all facts of one add. */
			if (info.rate_addr != info.mbuckets_addr + 8 ||
			    info.cookie != (info.mbuckets_addr ^ 0x5a5a5a5a) ||
			    exec)
				atomic_inc(&c->bad);
		}
		cond_resched();
	}
	return 0;
}

/* Lookups racing re-registrations and removals see whole entries. */
static void registry_concurrent_lookups(struct kunit *test)
{
	struct lookup_ctx c = { .task = okt_user.task };
	struct task_struct *th[3];
	struct oomprof_register req;
	unsigned long end;
	int i, rounds = 0;

	reg_setup(test, 16);
	for (i = 0; i < ARRAY_SIZE(th); i++) {
		th[i] = kthread_run(lookup_thread, &c, "okt_lookup/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(th[i]));
	}
	end = jiffies + msecs_to_jiffies(1000);
	while (time_before(jiffies, end)) {
		req_for(&req, okt_user.task, 0x100000 + 0x1000 * (rounds % 512));
		KUNIT_EXPECT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
		if (rounds % 3 == 0)
			KUNIT_EXPECT_EQ(test,
					oomprof_registry_remove(req.registration_id),
					0);
		rounds++;
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(th); i++)
		kthread_stop(th[i]);
	kunit_info(test, "%d registrations, %d found, %d missed", rounds,
		   atomic_read(&c.found), atomic_read(&c.missed));
	KUNIT_EXPECT_EQ(test, atomic_read(&c.bad), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&c.found), 0);
	KUNIT_EXPECT_LE(test, oomprof_registry_count(), 1U);
}

/* The registration's reg_info as mark_victim would copy it. */
static const struct oomprof_reg_info *learned_info(struct kunit *test)
{
	struct oomprof_reg_info *info;
	bool exec;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_EXPECT_TRUE(test, oomprof_registry_lookup(okt_user.task, info,
							&exec));
	return info;
}

/*
 * OOMPROF_IOC_LEARNED: set, replaced, forgotten with known_head 0, at the
 * release of the file that set it (not another's), and when the process
 * is registered again; bad requests refused and nothing changed.
 */
static void registry_learned(struct kunit *test)
{
	/* Files are only compared: two distinct addresses stand for them. */
	static const int owner_a, owner_b;
	const struct file *a = (const void *)&owner_a;
	const struct file *b = (const void *)&owner_b;
	struct oomprof_register req;
	struct oomprof_learned l;
	const struct oomprof_reg_info *info;

	reg_setup(test, 16);
	req_for(&req, okt_user.task, 0x500000);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 0ULL);

	l = (struct oomprof_learned){ .registration_id = req.registration_id,
				      .known_head = 0xc000010000ULL,
				      .known_count = 1000 };
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, a), 0);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0xc000010000ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 1000ULL);
	KUNIT_EXPECT_EQ(test, info->mbuckets_addr, 0x500000ULL);

	/* Replaced, by another file: it owns the prefix now. */
	l.known_head = 0xc000020000ULL;
	l.known_count = 7;
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, b), 0);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0xc000020000ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 7ULL);
	oomprof_registry_forget_owner(a);
	KUNIT_EXPECT_EQ(test, learned_info(test)->known_head, 0xc000020000ULL);
	oomprof_registry_forget_owner(b);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 0ULL);

	/* known_head 0 forgets, whatever known_count says. */
	l.known_head = 0xc000030000ULL;
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, a), 0);
	l.known_head = 0;
	l.known_count = 0;
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, a), 0);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 0ULL);

	/* Refused, and the prefix in place stays. */
	l.known_head = 0xc000040000ULL;
	l.known_count = 1000;
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, a), 0);
	l.known_count = 1001;		/* over capture_max_buckets */
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.known_count = 0;
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.known_count = 5;
	l.known_head = 0xc000040004ULL;	/* misaligned */
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.known_head = 8;		/* the zero page */
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.known_head = TASK_SIZE_MAX;	/* not a user address */
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.known_head = 0xc000050000ULL;
	l.reserved = 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -EINVAL);
	l.reserved = 0;
	l.registration_id = req.registration_id + 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -ENOENT);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->known_head, 0xc000040000ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 1000ULL);

	/* Registered again: a new registration knows nothing yet. */
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	info = learned_info(test);
	KUNIT_EXPECT_EQ(test, info->id, req.registration_id);
	KUNIT_EXPECT_EQ(test, info->known_head, 0ULL);
	KUNIT_EXPECT_EQ(test, info->known_count, 0ULL);
	/* The old id is gone with its prefix. */
	l.registration_id = req.registration_id - 1;
	KUNIT_EXPECT_EQ(test, oomprof_registry_learned(&l, a), -ENOENT);
	/* The file's release after that touches nothing it does not own. */
	l.registration_id = req.registration_id;
	KUNIT_ASSERT_EQ(test, oomprof_registry_learned(&l, b), 0);
	oomprof_registry_forget_owner(a);
	KUNIT_EXPECT_EQ(test, learned_info(test)->known_head, 0xc000050000ULL);
}

static int reg_suite_init(struct kunit_suite *suite)
{
	int err = okt_user_get(PAGE_SIZE);

	/* A user process's context, as the module's load is. */
	return err ? err : oomprof_proc_mem_learn();
}

static void reg_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case registry_cases[] = {
	KUNIT_CASE(registry_add_lookup_remove),
	KUNIT_CASE(registry_reregister_replaces),
	KUNIT_CASE(registry_pid_reuse),
	KUNIT_CASE(registry_bad_requests),
	KUNIT_CASE(registry_regions),
	KUNIT_CASE(registry_set_rate),
	KUNIT_CASE(registry_full),
	KUNIT_CASE(registry_other_mm_is_stale),
	KUNIT_CASE(registry_mem_file_check),
	KUNIT_CASE(registry_remove_by_id),
	KUNIT_CASE(registry_dead_process_pruned),
	KUNIT_CASE(registry_concurrent_lookups),
	KUNIT_CASE(registry_learned),
	{}
};

static struct kunit_suite registry_suite = {
	.name = "oomprof_registry",
	.suite_init = reg_suite_init,
	.suite_exit = reg_suite_exit,
	.exit = reg_exit,
	.test_cases = registry_cases,
};

kunit_test_suites(&registry_suite);
