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
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>
#include <linux/umh.h>
#include <trace/events/oom.h>

#include "compat.h"
#include "kunit_util.h"
#include "oomprof.h"

#define USER_BYTES	SZ_1M
/* A kill record with its sections at their largest fits a read this size. */
#define KILL_REC_MAX	OOMPROF_READ_MIN

static struct {
	bool events, capture, registry, kills, probes;
} okt_up;

/* The capture cases' victim, if one runs (see start_sleeper). */
static struct task_struct *sleeper;
static void stop_sleeper(struct kunit *test, struct task_struct *t);

static void setup(struct kunit *test, unsigned int slots,
		  unsigned int wait_ms, unsigned int capture_bufs)
{
	KUNIT_ASSERT_EQ(test, oomprof_events_init(64 << 10), 0);
	okt_up.events = true;
	KUNIT_ASSERT_EQ(test, oomprof_capture_init(capture_bufs, 1, 1000, 500),
			0);
	okt_up.capture = true;
	KUNIT_ASSERT_EQ(test, oomprof_registry_init(16, 1000), 0);
	okt_up.registry = true;
	KUNIT_ASSERT_EQ(test, oomprof_kills_init(slots, wait_ms), 0);
	okt_up.kills = true;
}

/* Unload order (main.c): probes, kills, registry, events, capture. */
static void teardown(struct kunit *test)
{
	/* A case that failed half-way leaves its victim running. */
	if (sleeper)
		stop_sleeper(test, sleeper);
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

/* As get_signal() calls the signal_deliver probe: siglock, irqs off. */
static void sigkill_as_signal_deliver(void)
{
	spin_lock_irq(&current->sighand->siglock);
	oomprof_kill_sigkill();
	spin_unlock_irq(&current->sighand->siglock);
}

/* Counters of kill.c live as long as the module: compare deltas. */
static struct oomprof_stats kstats(void)
{
	struct oomprof_stats st = {};

	oomprof_kills_stats(&st);
	return st;
}

/*
 * Kill slots in use once every publication has ended: publish_work queues
 * the record before it lets go of the slot, so a reader can see the record
 * a moment before the count drops. Waits up to 1 s for it.
 */
static u32 slots_busy_settled(void)
{
	int i;

	for (i = 0; i < 50 && kstats().kill_slots_busy; i++)
		msleep(20);
	return kstats().kill_slots_busy;
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

/*
 * The sections of a kill outside an OOM (no oom_control: constraint
 * unknown): the machine's memory, and the victim among the ranked tasks
 * of the whole machine, taken at the kill.
 */
static void check_sections(struct kunit *test, struct oomprof_oom_kill *rec)
{
	u8 *p = (u8 *)rec + rec->ext_offset;
	struct oomprof_sec_system *sys = NULL;
	struct oomprof_sec_tasks *tasks = NULL;
	struct oomprof_sec_maps *maps = NULL;
	u32 left = rec->ext_bytes, i, victims = 0;

	KUNIT_ASSERT_EQ(test, rec->ext_offset, (u32)sizeof(*rec));
	while (left >= sizeof(struct oomprof_section)) {
		struct oomprof_section *sec = (void *)p;

		KUNIT_ASSERT_GE(test, sec->bytes, (u32)sizeof(*sec));
		KUNIT_ASSERT_LE(test, sec->bytes, left);
		KUNIT_ASSERT_EQ(test, sec->bytes % 8, 0U);
		KUNIT_EXPECT_NE(test, sec->type, (u16)OOMPROF_SEC_MEMCG);
		if (sec->type == OOMPROF_SEC_SYSTEM)
			sys = (void *)sec;
		if (sec->type == OOMPROF_SEC_TASKS)
			tasks = (void *)sec;
		if (sec->type == OOMPROF_SEC_MAPS)
			maps = (void *)sec;
		p += sec->bytes;
		left -= sec->bytes;
	}
	KUNIT_EXPECT_EQ(test, left, 0U);
	KUNIT_ASSERT_NOT_NULL(test, sys);
	KUNIT_EXPECT_EQ(test, sys->ram_total_bytes,
			(u64)totalram_pages() << PAGE_SHIFT);
	KUNIT_EXPECT_LE(test, sys->ram_free_bytes, sys->ram_total_bytes);
	KUNIT_EXPECT_FALSE(test, sys->sec.flags & OOMPROF_SYSTEM_SWAP_TOTAL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	KUNIT_EXPECT_GT(test, tasks->ntasks, 0U);
	KUNIT_EXPECT_LE(test, tasks->ntasks, 10U);
	KUNIT_EXPECT_EQ(test, tasks->sec.bytes,
			(u32)struct_size(tasks, tasks, tasks->ntasks));
	KUNIT_EXPECT_GT(test, tasks->walked, 1U);
	for (i = 0; i < tasks->ntasks; i++) {
		if (i)
			KUNIT_EXPECT_GE(test, tasks->tasks[i - 1].badness,
					tasks->tasks[i].badness);
		if (tasks->tasks[i].flags & OOMPROF_TASK_VICTIM) {
			victims++;
			KUNIT_EXPECT_EQ(test, tasks->tasks[i].tgid,
					rec->victim.tgid);
		}
	}
	KUNIT_EXPECT_LE(test, victims, 1U);
	/*
	 * A victim with an address space: its mappings, walked before the
	 * ranked tasks were added. Without a fatal signal (these cases send
	 * none) by the fallback worker, at capture_wait_ms.
	 */
	if (!(rec->hdr.flags & OOMPROF_KILL_MM_FACTS)) {
		KUNIT_EXPECT_NULL(test, maps);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, maps);
	KUNIT_EXPECT_LT(test, (unsigned long)maps, (unsigned long)tasks);
	KUNIT_EXPECT_EQ(test, maps->stop, (u32)OOMPROF_MAPS_COMPLETE);
	KUNIT_EXPECT_EQ(test, maps->path, (u32)OOMPROF_CAPTURE_PATH_FALLBACK);
	KUNIT_EXPECT_GE(test, maps->walk_after_ns, 300ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_GT(test, maps->vmas, 0ULL);
	KUNIT_EXPECT_GT(test, maps->nmaps, 0U);
	KUNIT_EXPECT_EQ(test, maps->sec.bytes,
			(u32)struct_size(maps, maps, maps->nmaps));
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
	struct oomprof_oom_kill *rec = new_rec(test, KILL_REC_MAX);
	struct task_struct *t = okt_user.task;

	setup(test, 4, 20, 0);
	mark_victim(t);
	read_record(test, 1, rec, KILL_REC_MAX);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_OOM_KILL);
	KUNIT_EXPECT_EQ(test, rec->hdr.size,
			(u32)sizeof(*rec) + rec->ext_bytes);
	KUNIT_EXPECT_EQ(test, rec->hdr.seq, 1ULL);
	check_victim(test, rec, t);
	check_sections(test, rec);
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
	struct oomprof_oom_kill *rec = new_rec(test, KILL_REC_MAX);
	struct oomprof_stats st, st0 = kstats();

	setup(test, 4, 60000, 0);
	mark_victim(current);
	sigkill_as_signal_deliver();	/* in the victim */
	sigkill_as_signal_deliver();	/* every thread of it: once */
	read_record(test, 1, rec, KILL_REC_MAX);
	check_victim(test, rec, current);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_SIGKILL_SEEN);
	KUNIT_EXPECT_GE(test, rec->sigkill_boottime_ns, rec->kill_boottime_ns);
	/* A kernel thread: no address space, no memory facts. */
	KUNIT_EXPECT_FALSE(test, rec->hdr.flags & OOMPROF_KILL_MM_FACTS);
	st = kstats();
	KUNIT_EXPECT_EQ(test, st.kills_seen - st0.kills_seen, 1ULL);
	KUNIT_EXPECT_EQ(test, st.sigkills_matched - st0.sigkills_matched, 1ULL);
	KUNIT_EXPECT_EQ(test, slots_busy_settled(), 0U);
}

/* Another process's SIGKILL does not release this kill. */
static void kill_sigkill_other_process(struct kunit *test)
{
	struct oomprof_stats st, st0 = kstats();

	setup(test, 4, 60000, 0);
	mark_victim(okt_user.task);
	sigkill_as_signal_deliver();
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
	struct oomprof_oom_kill *rec = new_rec(test, KILL_REC_MAX);
	struct oomprof_stats st, st0 = kstats();

	setup(test, 1, 60000, 0);
	mark_victim(current);
	mark_victim(current);
	st = kstats();
	KUNIT_EXPECT_EQ(test, st.kills_seen - st0.kills_seen, 2ULL);
	KUNIT_EXPECT_EQ(test, st.kill_slots_busy, 1U);
	sigkill_as_signal_deliver();
	read_record(test, 1, rec, KILL_REC_MAX);
	/* The loss came first: it rides in this record's header. */
	KUNIT_EXPECT_EQ(test, rec->hdr.lost, 1ULL);
	KUNIT_EXPECT_EQ(test, rec->hdr.seq, 2ULL);
	oomprof_events_stats(&st);
	KUNIT_EXPECT_EQ(test, st.records_lost, 1ULL);
}

/*
 * A user process of the case's own, /bin/sleep: the victim of the capture
 * cases. It must be able to run the capture's task_work (the loading
 * process cannot: it waits in the kernel until every case is over).
 */
static int sleeper_init(struct subprocess_info *info, struct cred *new)
{
	struct task_struct **t = info->data;

	get_task_struct(current);
	*t = current;
	return 0;
}

static struct task_struct *start_sleeper(struct kunit *test)
{
	/* On the stack: UMH_WAIT_EXEC returns once they have been used. */
	char *argv[3], *envp[2];
	struct subprocess_info *info;
	struct task_struct *t = NULL;

	argv[0] = "/bin/sleep";
	argv[1] = "60";
	argv[2] = NULL;
	envp[0] = "PATH=/bin";
	envp[1] = NULL;
	info = call_usermodehelper_setup(argv[0], argv, envp, GFP_KERNEL,
					 sleeper_init, NULL, &t);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_EQ(test, call_usermodehelper_exec(info, UMH_WAIT_EXEC), 0);
	KUNIT_ASSERT_NOT_NULL(test, t);
	sleeper = t;
	return t;
}

/* SIGKILL it and wait (3 s at most) until it has exited. */
static void stop_sleeper(struct kunit *test, struct task_struct *t)
{
	int i;

	send_sig(SIGKILL, t, 1);
	for (i = 0; i < 150 && !READ_ONCE(t->exit_state); i++)
		msleep(20);
	KUNIT_EXPECT_NE_MSG(test, READ_ONCE(t->exit_state), 0,
			    "the sleeper did not exit within 3 s of SIGKILL");
	put_task_struct(t);
	if (sleeper == t)
		sleeper = NULL;
}

/*
 * A zero word the sleeper has resident: its argv[] terminator. The ELF
 * loader leaves the stack pointer (mm->start_stack) at argc, then argv[0],
 * argv[1], NULL.
 */
static u64 zero_word_of(struct kunit *test, struct task_struct *t)
{
	struct mm_struct *mm = get_task_mm(t);
	u64 at;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	at = mm->start_stack + 3 * sizeof(u64);
	mmput(mm);
	return at;
}

/* The start of a VM_IO | VM_PFNMAP mapping of @t (x86: the vvar page). */
static u64 device_mapping_of(struct kunit *test, struct task_struct *t)
{
	struct mm_struct *mm = get_task_mm(t);
	struct vm_area_struct *vma;
	u64 addr = 0;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	mmap_read_lock(mm);
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) &&
			    (vma->vm_flags & VM_READ)) {
				addr = vma->vm_start;
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	mmput(mm);
	KUNIT_ASSERT_NE_MSG(test, addr, 0ULL, "no device mapping (vvar) found");
	return addr;
}

static void register_at(struct kunit *test, struct task_struct *t,
			struct oomprof_register *req, u64 mbuckets, u64 rate)
{
	struct mm_struct *mm = get_task_mm(t);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, mm);
	memset(req, 0, sizeof(*req));
	req->pid = task_tgid_vnr(t);
	req->start_time_ticks = okt_start_ticks(t);
	req->mbuckets_addr = mbuckets;
	req->mem_profile_rate_addr = rate;
	req->cookie = 77;
	/* The address space a /proc/PID/mem of @t would name. */
	err = oomprof_registry_add(req, mm);
	mmput(mm);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* Records here have no buckets: the heads and the sections. */
#define CAPTURE_REC_SIZE \
	(sizeof(struct oomprof_oom_kill) + sizeof(struct oomprof_go_capture) + \
	 OOMPROF_EXT_MAX)

/*
 * A registered Go victim: captured in its own context (the task_work the
 * probe queues wakes it from its sleep), before the record goes out. Its
 * "heap" is an empty list: a zero word on its stack.
 */
static void kill_registered_go_victim(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, CAPTURE_REC_SIZE);
	struct oomprof_go_capture *cap = (void *)(rec + 1);
	struct task_struct *t = start_sleeper(test);
	struct oomprof_register req;
	u64 zero = zero_word_of(test, t);

	setup(test, 4, 20, 1);
	register_at(test, t, &req, zero, zero);
	mark_victim(t);
	read_record(test, 1, rec, CAPTURE_REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_GO_PROCESS);
	KUNIT_EXPECT_EQ(test, rec->victim.tgid, (u32)t->tgid);
	KUNIT_EXPECT_EQ(test, rec->capture_path,
			(u32)OOMPROF_CAPTURE_PATH_VICTIM);
	KUNIT_EXPECT_EQ(test, cap->registration_id, req.registration_id);
	KUNIT_EXPECT_EQ(test, cap->cookie, 77ULL);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 0ULL);
	KUNIT_EXPECT_EQ(test, cap->mem_profile_rate, 0LL);
	/* In the victim, well before the fallback's turn (300 ms). */
	KUNIT_EXPECT_LT(test, cap->start_boottime_ns - rec->kill_boottime_ns,
			200ULL * NSEC_PER_MSEC);
	stop_sleeper(test, t);

	/* No capture buffer free: a plain record saying so. */
	teardown(test);
	t = start_sleeper(test);
	setup(test, 4, 20, 0);
	register_at(test, t, &req, zero_word_of(test, t), zero_word_of(test, t));
	mark_victim(t);
	read_record(test, 1, rec, CAPTURE_REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_OOM_KILL);
	KUNIT_EXPECT_TRUE(test, rec->hdr.flags & OOMPROF_KILL_GO_PROCESS);
	KUNIT_EXPECT_EQ(test, rec->capture_stop, (u32)OOMPROF_STOP_NO_BUFFER);
	KUNIT_EXPECT_EQ(test, rec->capture_path, (u32)OOMPROF_CAPTURE_PATH_NONE);
	stop_sleeper(test, t);
}

/*
 * A victim that cannot run its task_work (stopped: TWA_SIGNAL wakes only
 * an interruptible sleep) is captured by the fallback at capture_wait_ms;
 * its callback, run when it is killed later, finds the capture taken and
 * only lets go of the slot, which a later kill then reuses.
 */
static void kill_capture_fallback(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, CAPTURE_REC_SIZE);
	struct oomprof_go_capture *cap = (void *)(rec + 1);
	struct task_struct *t = start_sleeper(test);
	struct oomprof_register req;
	u64 zero = zero_word_of(test, t), after;
	int i;

	setup(test, 1, 20, 1);
	register_at(test, t, &req, zero, zero);
	send_sig(SIGSTOP, t, 1);
	for (i = 0; i < 150 && !task_is_stopped(t); i++)
		msleep(20);
	KUNIT_ASSERT_TRUE_MSG(test, task_is_stopped(t), "SIGSTOP did not stop it");
	mark_victim(t);
	read_record(test, 1, rec, CAPTURE_REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_GO_HEAP);
	KUNIT_EXPECT_EQ(test, rec->capture_path,
			(u32)OOMPROF_CAPTURE_PATH_FALLBACK);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_NONE);
	after = cap->start_boottime_ns - rec->kill_boottime_ns;
	KUNIT_EXPECT_GE(test, after, 300ULL * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, after, (u64)OOMPROF_CAPTURE_END_MS * NSEC_PER_MSEC);
	/* The one slot is held by the queued callback until it runs. */
	KUNIT_EXPECT_EQ(test, slots_busy_settled(), 0U);
	mark_victim(okt_user.task);
	msleep(50);
	KUNIT_EXPECT_EQ(test, queued(), 1ULL);	/* lost: no free slot */
	stop_sleeper(test, t);		/* runs the callback */
	mark_victim(okt_user.task);
	read_record(test, 2, rec, KILL_REC_MAX);
	KUNIT_EXPECT_EQ(test, rec->hdr.type, (u16)OOMPROF_REC_OOM_KILL);
	KUNIT_EXPECT_EQ(test, rec->hdr.lost, 1ULL);
}

/* A bucket pointer into device memory (VM_IO | VM_PFNMAP) is not read. */
static void kill_capture_skips_device_memory(struct kunit *test)
{
	struct oomprof_oom_kill *rec = new_rec(test, CAPTURE_REC_SIZE);
	struct oomprof_go_capture *cap = (void *)(rec + 1);
	struct task_struct *t = start_sleeper(test);
	struct oomprof_register req;
	u64 dev = device_mapping_of(test, t);

	setup(test, 4, 20, 1);
	register_at(test, t, &req, dev, zero_word_of(test, t));
	mark_victim(t);
	read_record(test, 1, rec, CAPTURE_REC_SIZE);
	KUNIT_EXPECT_EQ(test, rec->capture_path,
			(u32)OOMPROF_CAPTURE_PATH_VICTIM);
	KUNIT_EXPECT_EQ(test, cap->stop, (u32)OOMPROF_STOP_IO_MAPPING);
	KUNIT_EXPECT_EQ(test, cap->stop_addr, dev);
	KUNIT_EXPECT_EQ(test, cap->nbuckets, 0ULL);
	stop_sleeper(test, t);
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
	KUNIT_CASE(kill_capture_fallback),
	KUNIT_CASE(kill_capture_skips_device_memory),
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
	struct oomprof_oom_kill *rec = new_rec(test, KILL_REC_MAX);
	struct task_struct *t = okt_user.task;

	setup(test, 4, 20, 0);
	task_lock(t);
	preempt_disable();
	probe(NULL, t, 0);
	preempt_enable();
	task_unlock(t);
	read_record(test, 1, rec, KILL_REC_MAX);
	check_victim(test, rec, t);
}

static void compat_pid_probe(struct kunit *test)
{
	probe_pid_t probe = okt_compat_probe_pid();
	struct oomprof_oom_kill *rec = new_rec(test, KILL_REC_MAX);
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
	read_record(test, 1, rec, KILL_REC_MAX);
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
