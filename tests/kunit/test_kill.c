// SPDX-License-Identifier: GPL-2.0
/*
 * module/kill.c, module/compat.c and module/probes.c: one OOM kill from
 * the mark_victim probe to a record a reader gets, with no OOM: the probe
 * is called directly (as the tracepoint would, under the victim's
 * task_lock with preemption off) on the loading process (insmod) or on
 * the test's own kernel thread, and the SIGKILL arrives through the
 * signal_deliver entry point.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/sizes.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <trace/events/oom.h>

#include "compat.h"
#include "kunit_util.h"
#include "oomprof.h"

#define USER_BYTES	SZ_1M

static struct {
	bool events, capture, registry, kills, probes;
} okt_up;

static void setup(struct kunit *test, unsigned int slots,
		  unsigned int wait_ms, unsigned int capture_bufs)
{
	KUNIT_ASSERT_EQ(test, oomprof_events_init(64 << 10), 0);
	okt_up.events = true;
	KUNIT_ASSERT_EQ(test, oomprof_capture_init(capture_bufs, 1, 1000, 500),
			0);
	okt_up.capture = true;
	KUNIT_ASSERT_EQ(test, oomprof_registry_init(16), 0);
	okt_up.registry = true;
	KUNIT_ASSERT_EQ(test, oomprof_kills_init(slots, wait_ms), 0);
	okt_up.kills = true;
}

/* Unload order (main.c): probes, kills, registry, events, capture. */
static void teardown(struct kunit *test)
{
	if (okt_up.probes)
		oomprof_probes_exit();
	if (okt_up.kills)
		oomprof_kills_exit();
	if (okt_up.registry)
		oomprof_registry_exit();
	if (okt_up.events)
		oomprof_events_exit();
	if (okt_up.capture)
		oomprof_capture_exit();
	memset(&okt_up, 0, sizeof(okt_up));
}

/* What mark_victim's caller holds around the probe. */
static void mark_victim(struct task_struct *t)
{
	task_lock(t);
	preempt_disable();
	oomprof_kill_begin(t);
	preempt_enable();
	task_unlock(t);
}

/* Counters of kill.c live as long as the module: compare deltas. */
static struct oomprof_stats kstats(void)
{
	struct oomprof_stats st = {};

	oomprof_kills_stats(&st);
	return st;
}

static u64 queued(void)
{
	struct oomprof_stats st = {};

	oomprof_events_stats(&st);
	return st.records_queued;
}

/* Wait for @n records in the ring, then read one into @rec. */
static void read_record(struct kunit *test, u64 n, void *rec, size_t size)
{
	char __user *ubuf = (char __user *)okt_user.addr;
	unsigned long left = 0;
	ssize_t got;
	int i;

	for (i = 0; i < 150 && queued() < n; i++)
		msleep(20);
	KUNIT_ASSERT_GE_MSG(test, queued(), n, "no record after 3 s");
	okt_use_mm(test);
	got = oomprof_events_read(ubuf, size, true);
	if (got > 0)
		left = copy_from_user(rec, ubuf, got);
	okt_unuse_mm();
	KUNIT_ASSERT_GT(test, got, (ssize_t)0);
	KUNIT_ASSERT_EQ(test, left, 0UL);
	KUNIT_ASSERT_EQ(test, (size_t)got,
			(size_t)((struct oomprof_record_header *)rec)->size);
}

static struct oomprof_oom_kill *new_rec(struct kunit *test, size_t size)
{
	struct oomprof_oom_kill *rec = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	return rec;
}

static void check_victim(struct kunit *test, struct oomprof_oom_kill *rec,
			 struct task_struct *t)
{
	KUNIT_EXPECT_EQ(test, rec->hdr.magic, OOMPROF_RECORD_MAGIC);
	KUNIT_EXPECT_EQ(test, rec->hdr.version, (u16)OOMPROF_RECORD_VERSION);
	KUNIT_EXPECT_EQ(test, rec->victim.pid, (u32)t->pid);
	KUNIT_EXPECT_EQ(test, rec->victim.tgid, (u32)t->tgid);
	KUNIT_EXPECT_STREQ(test, rec->victim.comm, t->comm);
	KUNIT_EXPECT_EQ(test, rec->trigger.pid, (u32)current->pid);
	KUNIT_EXPECT_NE(test, rec->kill_boottime_ns, 0ULL);
	KUNIT_EXPECT_NE(test, rec->kill_realtime_ns, 0ULL);
	/* No kretprobe attached: the constraint is unknown, and said so. */
	KUNIT_EXPECT_EQ(test, rec->constraint, (u16)OOMPROF_CONSTRAINT_UNKNOWN);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_NO_CONSTRAINT);
	KUNIT_EXPECT_STREQ(test, rec->victim_cgroup, "/");
	KUNIT_EXPECT_STREQ(test, rec->oom_cgroup, "");
}

/* A user process, no SIGKILL: published at the deadline, without it. */
static void kill_record_at_deadline(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, sizeof(*rec));
	struct task_struct *t = okt_user.task;

	setup(test, 4, 20, 0);
	mark_victim(t);
	read_record(test, 1, rec, sizeof(*rec));
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_OOM_KILL);
	KUNIT_EXPECT_EQ(test, rec->hdr.size, (u32)sizeof(*rec));
	KUNIT_EXPECT_EQ(test, rec->hdr.seq, 1ULL);
	check_victim(test, rec, t);
	KUNIT_EXPECT_FALSE(test, rec->hdr.flags & OOMPROF_KILL_SIGKILL_SEEN);
	KUNIT_EXPECT_EQ(test, rec->sigkill_boottime_ns, 0ULL);
	/* It has an address space: the memory facts are there. */
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_MM_FACTS);
	KUNIT_EXPECT_GT(test, rec->total_vm_kb, 0ULL);
	/* insmod < the scenario's shell < ... < init. */
	KUNIT_ASSERT_GE(test, rec->nparents, 1U);
	KUNIT_EXPECT_EQ(test, rec->parents[rec->nparents - 1].pid, 1U);
	KUNIT_EXPECT_FALSE(test, rec->hdr.flags & OOMPROF_KILL_GO_PROCESS);
}

/* The SIGKILL reaches the victim: the record goes out at once, dated. */
static void kill_sigkill_publishes(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, sizeof(*rec));
	struct oomprof_stats st, st0 = kstats();

	setup(test, 4, 60000, 0);
	mark_victim(current);
	local_irq_disable();
	oomprof_kill_sigkill();		/* as signal_deliver, in the victim */
	oomprof_kill_sigkill();		/* every thread of it: once */
	local_irq_enable();
	read_record(test, 1, rec, sizeof(*rec));
	check_victim(test, rec, current);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_SIGKILL_SEEN);
	KUNIT_EXPECT_GE(test, rec->sigkill_boottime_ns, rec->kill_boottime_ns);
	/* A kernel thread: no address space, no memory facts. */
	KUNIT_EXPECT_FALSE(test, rec->hdr.flags & OOMPROF_KILL_MM_FACTS);
	st = kstats();
	KUNIT_EXPECT_EQ(test, st.kills_seen - st0.kills_seen, 1ULL);
	KUNIT_EXPECT_EQ(test, st.sigkills_matched - st0.sigkills_matched, 1ULL);
	KUNIT_EXPECT_EQ(test, st.kill_slots_busy, 0U);
}

/* Another process's SIGKILL does not release this kill. */
static void kill_sigkill_other_process(struct kunit *test)
{
	struct oomprof_stats st, st0 = kstats();

	setup(test, 4, 60000, 0);
	mark_victim(okt_user.task);
	local_irq_disable();
	oomprof_kill_sigkill();
	local_irq_enable();
	msleep(50);
	KUNIT_EXPECT_EQ(test, queued(), 0ULL);
	st = kstats();
	KUNIT_EXPECT_EQ(test, st.sigkills_matched, st0.sigkills_matched);
	KUNIT_EXPECT_EQ(test, st.kill_slots_busy, 1U);
	/* Unload with the kill still waiting: released (kmemleak, KASAN). */
}

/* More kills at once than slots: the extra one is lost and reported. */
static void kill_slots_exhausted(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, sizeof(*rec));
	struct oomprof_stats st, st0 = kstats();

	setup(test, 1, 60000, 0);
	mark_victim(current);
	mark_victim(current);
	st = kstats();
	KUNIT_EXPECT_EQ(test, st.kills_seen - st0.kills_seen, 2ULL);
	KUNIT_EXPECT_EQ(test, st.kill_slots_busy, 1U);
	local_irq_disable();
	oomprof_kill_sigkill();
	local_irq_enable();
	read_record(test, 1, rec, sizeof(*rec));
	/* The loss came first: it rides in this record's header. */
	KUNIT_EXPECT_EQ(test, rec->hdr.lost, 1ULL);
	KUNIT_EXPECT_EQ(test, rec->hdr.seq, 2ULL);
	oomprof_events_stats(&st);
	KUNIT_EXPECT_EQ(test, st.records_lost, 1ULL);
}

/*
 * A registered Go victim: its address space is held at mark_victim and
 * its buckets captured; here the "heap" is an empty list (mbuckets = 0)
 * in a zeroed mapping of insmod.
 */
static void kill_registered_go_victim(struct kunit *test)
{
	size_t size = sizeof(struct oomprof_oom_kill) +
		      sizeof(struct oomprof_go_capture);
	struct oomprof_oom_kill *rec = new_rec(test, size);
	struct oomprof_go_capture *cap = (void *)(rec + 1);
	struct oomprof_register req = {};
	u64 zero[2] = {}, left;

	setup(test, 4, 20, 1);
	/* The mapping's first page: mbuckets 0, MemProfileRate 0. */
	okt_use_mm(test);
	left = copy_to_user((void __user *)okt_user.addr, zero, sizeof(zero));
	okt_unuse_mm();
	KUNIT_ASSERT_EQ(test, left, 0ULL);
	req.pid = task_tgid_vnr(okt_user.task);
	req.start_time_ticks = okt_start_ticks(okt_user.task);
	req.mbuckets_addr = okt_user.addr;
	req.mem_profile_rate_addr = okt_user.addr + 8;
	req.cookie = 77;
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);

	mark_victim(okt_user.task);
	read_record(test, 1, rec, size);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_GO_PROCESS);
	check_victim(test, rec, okt_user.task);
	KUNIT_EXPECT_EQ(test, cap->registration_id, req.registration_id);
	KUNIT_EXPECT_EQ(test, cap->cookie, 77ULL);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 0ULL);
	KUNIT_EXPECT_EQ(test, cap->mem_profile_rate, 0LL);

	/* No capture buffer free: a plain record saying so. */
	teardown(test);
	setup(test, 4, 20, 0);
	KUNIT_ASSERT_EQ(test, oomprof_registry_add(&req, okt_user.mm), 0);
	mark_victim(okt_user.task);
	read_record(test, 1, rec, size);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_OOM_KILL);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_GO_PROCESS);
	KUNIT_EXPECT_EQ(test, rec->capture_stop, (u32)OOMPROF_STOP_NO_BUFFER);
}

static int kill_suite_init(struct kunit_suite *suite)
{
	return okt_user_get(USER_BYTES);
}

static void kill_suite_exit(struct kunit_suite *suite)
{
	okt_user_put();
}

static struct kunit_case kill_cases[] = {
	KUNIT_CASE(kill_record_at_deadline),
	KUNIT_CASE(kill_sigkill_publishes),
	KUNIT_CASE(kill_sigkill_other_process),
	KUNIT_CASE(kill_slots_exhausted),
	KUNIT_CASE(kill_registered_go_victim),
	{}
};

static struct kunit_suite kill_suite = {
	.name = "oomprof_kill",
	.suite_init = kill_suite_init,
	.suite_exit = kill_suite_exit,
	.exit = teardown,
	.test_cases = kill_cases,
};

/* ---- compat: the mark_victim prototypes */

typedef void (*probe_task_uid_t)(void *data, struct task_struct *t, uid_t uid);
typedef void (*probe_pid_t)(void *data, int pid);
/* The two prototypes trace_mark_victim() can have. */
typedef void (trace_task_uid_fn)(struct task_struct *t, uid_t uid);
typedef void (trace_pid_fn)(int pid);

/* conftest's answer for this kernel is the kernel's real prototype. */
static void compat_detected_prototype(struct kunit *test)
{
	bool task_uid = __builtin_types_compatible_p(typeof(trace_mark_victim),
						     trace_task_uid_fn);
	bool pid = __builtin_types_compatible_p(typeof(trace_mark_victim),
						trace_pid_fn);

	KUNIT_EXPECT_NE(test, task_uid, pid);
	KUNIT_EXPECT_EQ(test, (bool)OOMPROF_HAVE_MARK_VICTIM_TASK_UID, task_uid);
	KUNIT_EXPECT_EQ(test, (bool)OOMPROF_HAVE_MARK_VICTIM_PID, pid);
	KUNIT_EXPECT_NOT_NULL(test, oomprof_compat_mark_victim_probe());
}

static void compat_task_uid_probe(struct kunit *test)
{
	probe_task_uid_t probe = okt_compat_probe_task_uid();
	struct oomprof_oom_kill *rec = new_rec(test, sizeof(*rec));
	struct task_struct *t = okt_user.task;

	setup(test, 4, 20, 0);
	task_lock(t);
	preempt_disable();
	probe(NULL, t, 0);
	preempt_enable();
	task_unlock(t);
	read_record(test, 1, rec, sizeof(*rec));
	check_victim(test, rec, t);
}

static void compat_pid_probe(struct kunit *test)
{
	probe_pid_t probe = okt_compat_probe_pid();
	struct oomprof_oom_kill *rec = new_rec(test, sizeof(*rec));
	struct task_struct *t = okt_user.task;
	struct oomprof_stats st0 = kstats();

	setup(test, 4, 20, 0);
	/* A pid nobody has: nothing happens. */
	preempt_disable();
	probe(NULL, PID_MAX_LIMIT - 1);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, kstats().kills_seen, st0.kills_seen);

	task_lock(t);
	preempt_disable();
	probe(NULL, t->pid);	/* the initial pid namespace's number */
	preempt_enable();
	task_unlock(t);
	read_record(test, 1, rec, sizeof(*rec));
	check_victim(test, rec, t);
}

/* Every tracepoint and the kretprobe attach on this kernel, and detach. */
static void compat_probes_attach(struct kunit *test)
{
	setup(test, 4, 20, 0);
	KUNIT_ASSERT_EQ(test, oomprof_probes_init(), 0);
	okt_up.probes = true;
	KUNIT_EXPECT_EQ(test, oomprof_probes_attached(),
			OOMPROF_PROBE_MARK_VICTIM | OOMPROF_PROBE_SIGNAL_DELIVER |
			OOMPROF_PROBE_OUT_OF_MEMORY | OOMPROF_PROBE_SCHED_EXEC |
			OOMPROF_PROBE_SCHED_EXIT);
	/* Outside out_of_memory(): no OOM context for this task. */
	KUNIT_EXPECT_NULL(test, oomprof_current_oom_control());
}

static struct kunit_case compat_cases[] = {
	KUNIT_CASE(compat_detected_prototype),
	KUNIT_CASE(compat_task_uid_probe),
	KUNIT_CASE(compat_pid_probe),
	KUNIT_CASE(compat_probes_attach),
	{}
};

static struct kunit_suite compat_suite = {
	.name = "oomprof_compat",
	.suite_init = kill_suite_init,
	.suite_exit = kill_suite_exit,
	.exit = teardown,
	.test_cases = compat_cases,
};

kunit_test_suites(&kill_suite, &compat_suite);
