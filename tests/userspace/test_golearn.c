// SPDX-License-Identifier: GPL-2.0
/*
 * Learning Go bucket lists (user/golearn.c) from process memory, and
 * merging count entries at the kill: a synthetic list in the runtime's
 * layout is read through a memfd (its offsets standing for addresses) or
 * through a real child's /proc/PID/mem; count entries come from an
 * independent encoder (synth_buckets.h, after the uapi text); the merged
 * entries must equal, field by field, the full entries of the same list,
 * and the profile built from them the one built from the full entries.
 * Hostile lists (loops, deep stacks, bad pointers, types, a list changed
 * while read, one that does not reach the learned head) end learning with
 * a reason; memory and fd bounds hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "events.h"
#include "goprofile.h"
#include "outdir.h"
#include "golearn.h"
#include "heapprof.h"
#include "pprof.h"
#include "record.h"
#include "record_fixtures.h"
#include "sbuf.h"
#include "synth_buckets.h"

#define MB_ADDR		0x1000ULL	/* runtime.mbuckets in the fake */
#define BASE		0x100000ULL

struct told {
	int n;
	struct oomprof_learned last;
	int fail_errno;
};

static int tell_cb(void *ctx, const struct oomprof_learned *l)
{
	struct told *t = ctx;

	if (t->fail_errno) {
		errno = t->fail_errno;
		return -1;
	}
	t->n++;
	t->last = *l;
	return 0;
}

static struct golearn *learner(struct told *t, size_t budget,
			       double tick_ms, int maps)
{
	struct golearn_opts o = {
		.budget = budget, .tick_ms = tick_ms, .recheck_ms = 0.001,
		.quiet = 1, .devfd = -1, .tell = tell_cb, .tell_ctx = t,
		.no_maps = !maps,
	};

	return golearn_new(&o);
}

/* For a memfd standing for memory: no /proc/PID/maps to check against. */
static struct golearn *new_learner(struct told *t, size_t budget,
				   double tick_ms)
{
	return learner(t, budget, tick_ms, 0);
}

static void synth_init(struct synth *s, size_t cap, uint64_t base)
{
	memset(s, 0, sizeof(*s));
	s->img = calloc(1, cap);
	assert_non_null(s->img);
	s->cap = cap;
	s->base = base;
	s->seed = 11;
}

static void synth_done(struct synth *s)
{
	free(s->img);
	free(s->addr);
}

/* The fake process memory: the image at BASE, the head at MB_ADDR. */
static int fake_mem(const struct synth *s)
{
	int fd = memfd_create("golearn", MFD_CLOEXEC);
	uint64_t head = synth_head(s);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, s->img, s->end, (off_t)s->base),
			 (ssize_t)s->end);
	assert_int_equal(pwrite(fd, &head, 8, MB_ADDR), 8);
	return fd;
}

static void fake_update(int fd, const struct synth *s)
{
	uint64_t head = synth_head(s);

	assert_int_equal(pwrite(fd, s->img, s->end, (off_t)s->base),
			 (ssize_t)s->end);
	assert_int_equal(pwrite(fd, &head, 8, MB_ADDR), 8);
}

/* Ticks until nothing is left; how many it took. */
static int run_ticks(struct golearn *g)
{
	int n = 1;

	while (golearn_tick(g)) {
		n++;
		assert_true(n < 1000000);
	}
	return n;
}

static void same_entry(const struct heapprof_entry *a,
		       const struct heapprof_entry *b, size_t i)
{
	if (a->addr != b->addr || a->allnext != b->allnext ||
	    a->typ != b->typ || a->hash != b->hash || a->size != b->size ||
	    a->nstk != b->nstk ||
	    memcmp(a->stk, b->stk, 8 * a->nstk) ||
	    memcmp(&a->active, &b->active, sizeof(a->active)) ||
	    memcmp(a->future, b->future, sizeof(a->future)))
		fail_msg("entry %zu differs: addr 0x%llx vs 0x%llx, nstk %llu vs %llu",
			 i, (unsigned long long)a->addr,
			 (unsigned long long)b->addr,
			 (unsigned long long)a->nstk,
			 (unsigned long long)b->nstk);
}

/*
 * A capture of @s as the module would make it with the learned prefix
 * (@known buckets, the oldest): the newer buckets whole, then @counted
 * count entries. Returns the entries buffer; *@cap filled.
 */
static uint8_t *capture(const struct synth *s, size_t known, size_t counted,
			struct oomprof_go_capture *cap)
{
	uint8_t *buf = malloc(s->end + 8 * s->n + 200 * s->n + 64);

	assert_non_null(buf);
	memset(cap, 0, sizeof(*cap));
	cap->bucket_bytes = synth_full(s, known, s->n, buf);
	cap->counts_bytes = synth_counts(s, known - counted, known,
					 buf + cap->bucket_bytes);
	cap->nbuckets = s->n - known + counted;
	cap->nbuckets_counted = counted;
	cap->known_count = known;
	cap->known_head = known ? s->addr[known - 1] : 0;
	return buf;
}

/* Merged entries of @cap equal the full entries of buckets [lo, n). */
static void check_merge(const struct golearn_state *st, const struct synth *s,
			const struct oomprof_go_capture *cap,
			const uint8_t *entries, size_t lo)
{
	uint8_t *full = malloc(s->end + 8 * s->n + 8);
	size_t flen, off = 0, i = 0;
	struct golearn_merge *m = malloc(sizeof(*m));
	struct heapprof_source src;
	struct heapprof_entry a, b;
	char err[200] = "";
	int rc;

	assert_non_null(full);
	assert_non_null(m);
	flen = synth_full(s, lo, s->n, full);
	golearn_merge_init(m, st, cap, entries, &src);
	for (int pass = 0; pass < 2; pass++) {
		src.rewind(src.ctx);
		off = 0;
		i = 0;
		while ((rc = src.next(src.ctx, &a, err, sizeof(err))) == 1) {
			assert_int_equal(heapprof_next(full, flen, &off, &b,
						       NULL, 0), 1);
			same_entry(&a, &b, i);
			i++;
		}
		if (rc)
			fail_msg("merge stopped at entry %zu: %s", i, err);
		assert_int_equal(i, s->n - lo);
	}
	free(m);
	free(full);
}

static void test_learn_and_merge(void **state)
{
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 64 << 20, 2);
	struct golearn_stats gs;
	struct oomprof_go_capture cap;
	struct golearn_state *st;
	struct synth s;
	struct timespec t0, t1;
	uint8_t *e;
	int fd, ticks;

	(void)state;
	synth_init(&s, 64 << 20, BASE);
	assert_int_equal(synth_push(&s, 100000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 7, 1234, "victim", fd, MB_ADDR, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ticks = run_ticks(g);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	golearn_get_stats(g, &gs);
	print_message("    100000 buckets learned in %d ticks of 2 ms, %.0f ms, %llu preads, %zu bytes (%.1f per bucket)\n",
		      ticks, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, gs.preads,
		      gs.bytes, (double)gs.bytes / 100000);
	assert_true(ticks > 2);	/* resumed across ticks */
	assert_string_equal(golearn_why(g, 7), "");
	assert_int_equal(t.n, 1);
	assert_int_equal(t.last.registration_id, 7);
	assert_int_equal(t.last.known_count, 100000);
	assert_int_equal(t.last.known_head, synth_head(&s));
	assert_true(gs.preads < 100000 / 50);	/* large windows */

	/* Kill: all as counts, then 10 new whole + counts of a part. */
	st = golearn_take(g, 7);
	assert_non_null(st);
	assert_int_equal(golearn_state_count(st), 100000);
	e = capture(&s, 100000, 100000, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	assert_int_equal(synth_push(&s, 10), 0);
	e = capture(&s, 100000, 100000, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	/* Capture stopped early (buffer full): the first 5000 counted. */
	e = capture(&s, 100000, 5000, &cap);
	check_merge(st, &s, &cap, e, 100000 - 5000);
	free(e);
	golearn_state_free(st);
	golearn_expire(g);	/* frees the trie nobody uses */
	golearn_get_stats(g, &gs);
	assert_int_equal(gs.bytes, 0);	/* all accounted memory returned */
	golearn_free(g);
	synth_done(&s);
}

/*
 * Replicas of one executable share a trie: a second copy of a list costs
 * its bucket array only. A state taken for a kill stays valid while the
 * shared trie grows under it (ASan: no read of a freed array).
 */
static void test_shared_trie(void **state)
{
	static const uint64_t key[4] = { 1, 2, 3, 0 };
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 256 << 20, 5);
	struct golearn_stats one, two;
	struct oomprof_go_capture cap;
	struct golearn_state *st;
	struct synth s, big;
	uint8_t *e;
	int fd;

	(void)state;
	synth_init(&s, 8 << 20, BASE);
	assert_int_equal(synth_push(&s, 20000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 1, 1, "rep1", fd, MB_ADDR, key), 0);
	run_ticks(g);
	golearn_get_stats(g, &one);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 2, 2, "rep2", fd, MB_ADDR, key), 0);
	run_ticks(g);
	golearn_get_stats(g, &two);
	print_message("    20000 buckets: one replica %zu bytes, two %zu\n",
		      one.bytes, two.bytes);
	assert_int_equal(golearn_count(g, 2), 20000);
	assert_true(two.bytes - one.bytes <= 20000 * 32 * 2 + 4096);

	/* Replica 1 killed: its state taken; replica 2's list grows a lot. */
	st = golearn_take(g, 1);
	synth_init(&big, 64 << 20, BASE);
	big.seed = 11;
	assert_int_equal(synth_push(&big, 120000), 0);
	fake_update(fd, &big);	/* same first 20000, 100000 new on top */
	usleep(2000);
	run_ticks(g);
	assert_int_equal(golearn_count(g, 2), 120000);
	e = capture(&s, 20000, 20000, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	golearn_state_free(st);
	golearn_expire(g);
	st = golearn_take(g, 2);
	e = capture(&big, 120000, 120000, &cap);
	check_merge(st, &big, &cap, e, 0);
	free(e);
	golearn_state_free(st);
	golearn_expire(g);
	golearn_get_stats(g, &one);
	assert_int_equal(one.bytes, 0);
	golearn_free(g);
	synth_done(&s);
	synth_done(&big);
}

static void test_incremental(void **state)
{
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 64 << 20, 5);
	struct oomprof_go_capture cap;
	struct golearn_state *st;
	struct golearn_stats gs;
	unsigned long long read1;
	struct synth s;
	uint8_t *e;
	int fd;

	(void)state;
	synth_init(&s, 16 << 20, BASE);
	assert_int_equal(synth_push(&s, 3000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 9, 99, "inc", fd, MB_ADDR, NULL), 0);
	run_ticks(g);
	assert_int_equal(t.last.known_count, 3000);
	golearn_get_stats(g, &gs);
	read1 = gs.buckets_read;
	/* Nothing new: nothing read, nothing told. */
	usleep(2000);
	run_ticks(g);
	assert_int_equal(t.n, 1);
	/* 500 new at the head: only they are read. */
	assert_int_equal(synth_push(&s, 500), 0);
	fake_update(fd, &s);
	usleep(2000);
	run_ticks(g);
	golearn_get_stats(g, &gs);
	assert_int_equal(gs.buckets_read - read1, 500);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.last.known_count, 3500);
	assert_int_equal(t.last.known_head, synth_head(&s));
	assert_int_equal(golearn_count(g, 9), 3500);

	/* A kill with the older prefix (told before the 500): still merges. */
	golearn_gone(g, 9);	/* exit came first: state kept */
	assert_int_equal(fcntl(fd, F_GETFD), -1);	/* fd closed */
	st = golearn_take(g, 9);
	assert_non_null(st);
	e = capture(&s, 3000, 3000, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	e = capture(&s, 3500, 3500, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	golearn_state_free(st);
	golearn_free(g);
	synth_done(&s);
}

/* A real process: the same list in a child, read via /proc/PID/mem. */
static void test_real_child(void **state)
{
	struct told t = { 0 };
	struct golearn *g = learner(&t, 64 << 20, 5, 1);
	struct oomprof_go_capture cap;
	struct golearn_state *st;
	struct synth s;
	static uint64_t mbuckets;	/* the child's runtime.mbuckets */
	size_t cap_bytes = 8 << 20;
	int go[2], ready[2], status, fd;
	char c, path[64];
	uint8_t *mem, *e;
	pid_t pid;

	(void)state;
	mem = mmap(NULL, cap_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct synth cs = { .img = mem, .base = (uint64_t)(uintptr_t)mem,
				    .cap = cap_bytes, .seed = 11 };

		/* Never outlives the test, whatever it asserts. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		synth_push(&cs, 4000);
		mbuckets = synth_head(&cs);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		synth_push(&cs, 1000);	/* new buckets at the head */
		__atomic_store_n(&mbuckets, synth_head(&cs), __ATOMIC_RELEASE);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(golearn_add(g, 3, pid, "child", fd,
				     (uint64_t)(uintptr_t)&mbuckets, NULL), 0);
	run_ticks(g);
	assert_string_equal(golearn_why(g, 3), "");
	assert_int_equal(t.last.known_count, 4000);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	usleep(2000);
	run_ticks(g);
	assert_int_equal(t.last.known_count, 5000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	/* The expected list, built here at the child's addresses. */
	synth_init(&s, cap_bytes, (uint64_t)(uintptr_t)mem);
	assert_int_equal(synth_push(&s, 5000), 0);
	assert_int_equal(t.last.known_head, synth_head(&s));
	st = golearn_take(g, 3);
	e = capture(&s, 5000, 5000, &cap);
	check_merge(st, &s, &cap, e, 0);
	free(e);
	golearn_state_free(st);
	golearn_free(g);
	synth_done(&s);
	munmap(mem, cap_bytes);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* Learn a list damaged by @damage; learning must stop naming @want. */
static void hostile(void (*damage)(struct synth *s), const char *want)
{
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 64 << 20, 5);
	struct synth s;
	int fd;

	synth_init(&s, 1 << 20, BASE);
	assert_int_equal(synth_push(&s, 1000), 0);
	damage(&s);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 1, 1, "hostile\n", fd, MB_ADDR, NULL), 0);
	run_ticks(g);
	if (!strstr(golearn_why(g, 1), want))
		fail_msg("learning stopped with \"%s\", want \"%s\"",
			 golearn_why(g, 1), want);
	assert_int_equal(t.n, 0);
	assert_int_equal(golearn_count(g, 1), 0);
	golearn_free(g);
	synth_done(&s);
}

static void set_allnext(struct synth *s, size_t i, uint64_t v)
{
	synth_put(synth_at(s, i) + 8, v);
}

static void dmg_cycle(struct synth *s)
{
	set_allnext(s, 10, s->addr[500]);	/* 500 .. 10 -> 500 */
}

static void dmg_self(struct synth *s)
{
	set_allnext(s, 999, s->addr[999]);
}

static void dmg_nstk(struct synth *s)
{
	synth_put(synth_at(s, 700) + 40, 1ULL << 40);
}

static void dmg_unaligned(struct synth *s)
{
	set_allnext(s, 600, s->addr[599] + 4);
}

static void dmg_kernel(struct synth *s)
{
	set_allnext(s, 600, 0xffff888012345678ULL);
}

static void dmg_type(struct synth *s)
{
	synth_put(synth_at(s, 300) + 16, 2);	/* a block-profile bucket */
}

static void dmg_unmapped(struct synth *s)
{
	set_allnext(s, 600, 0x7ff000000000ULL);	/* a hole in the memfd? */
}

static void test_hostile_cycle(void **st)
{
	(void)st;
	hostile(dmg_cycle, "loops");
	hostile(dmg_self, "loops");
}

static void test_hostile_nstk(void **st)
{
	(void)st;
	hostile(dmg_nstk, "frames, more than");
}

static void test_hostile_pointers(void **st)
{
	(void)st;
	hostile(dmg_unaligned, "not an aligned user address");
	hostile(dmg_kernel, "not an aligned user address");
}

static void test_hostile_type(void **st)
{
	(void)st;
	hostile(dmg_type, "not a memory bucket");
}

/*
 * A memfd reads nothing past its end, as /proc/PID/mem does once the
 * process is gone: learning ends quietly (its exit record follows).
 */
static void test_vanished(void **st)
{
	(void)st;
	hostile(dmg_unmapped, "address space is gone");
}

/*
 * A real process whose list points into a page it unmapped, or into a
 * file mapping (on FUSE, a read could wait forever): never read.
 */
static void real_damaged(int file, const char *want)
{
	struct told t = { 0 };
	struct golearn *g = learner(&t, 64 << 20, 5, 1);
	static uint64_t mbuckets;
	size_t cap_bytes = 1 << 20;
	int ready[2], status, fd;
	char c, path[64];
	uint8_t *mem;
	pid_t pid;

	mem = mmap(NULL, cap_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct synth cs = { .img = mem, .base = (uint64_t)(uintptr_t)mem,
				    .cap = cap_bytes, .seed = 11 };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(60);
		synth_push(&cs, 1000);
		mbuckets = synth_head(&cs);
		if (file) {
			char tmp[] = "/tmp/golearn-map.XXXXXX";
			int tfd = mkstemp(tmp);
			uint8_t *fm;

			unlink(tmp);
			if (tfd < 0 || ftruncate(tfd, 1 << 16))
				_exit(1);
			fm = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE, tfd, 0);
			if (fm == MAP_FAILED)
				_exit(1);
			/* A valid-looking bucket there, the list leading to it. */
			memcpy(fm + 64, synth_at(&cs, 499), 48 + 8 * synth_nstk(499));
			synth_put(synth_at(&cs, 500) + 8,
				  (uint64_t)(uintptr_t)(fm + 64));
		} else {
			munmap((void *)(uintptr_t)(cs.addr[500] & ~4095ULL),
			       4096);
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(golearn_add(g, 8, pid, "holey", fd,
				     (uint64_t)(uintptr_t)&mbuckets, NULL), 0);
	run_ticks(g);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (!strstr(golearn_why(g, 8), want))
		fail_msg("learning stopped with \"%s\", want \"%s\"",
			 golearn_why(g, 8), want);
	assert_int_equal(t.n, 0);
	golearn_free(g);
	munmap(mem, cap_bytes);
	close(ready[0]);
	close(ready[1]);
}

static void test_real_unmapped(void **state)
{
	(void)state;
	real_damaged(0, "not in the process's anonymous memory");
}

static void test_real_file_mapping(void **state)
{
	(void)state;
	real_damaged(1, "not in the process's anonymous memory");
}

/* The list is changed between two ticks of a pass: a loop into the read part. */
static void test_changed_while_read(void **state)
{
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 64 << 20, 0.05);
	struct synth s;
	int fd, ticks = 0;

	(void)state;
	synth_init(&s, 32 << 20, BASE);
	assert_int_equal(synth_push(&s, 100000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 2, 2, "changer", fd, MB_ADDR, NULL), 0);
	assert_int_equal(golearn_tick(g), 1);	/* a pass under way */
	/* The oldest buckets now link back to the newest (read already). */
	set_allnext(&s, 5, s.addr[s.n - 1]);
	fake_update(fd, &s);
	while (golearn_tick(g))
		ticks++;
	assert_non_null(strstr(golearn_why(g, 2), "loops"));
	assert_int_equal(t.n, 0);
	golearn_free(g);
	synth_done(&s);
}

/* A new head whose list never reaches the learned one: not a runtime's. */
static void test_lost_known_head(void **state)
{
	struct told t = { 0 };
	struct golearn *g = new_learner(&t, 64 << 20, 5);
	struct synth s;
	int fd;

	(void)state;
	synth_init(&s, 1 << 20, BASE);
	assert_int_equal(synth_push(&s, 1000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 4, 4, "lost", fd, MB_ADDR, NULL), 0);
	run_ticks(g);
	assert_int_equal(t.n, 1);
	assert_int_equal(synth_push(&s, 10), 0);
	set_allnext(&s, 1000, s.addr[998]);	/* skips the learned head */
	fake_update(fd, &s);
	usleep(2000);
	run_ticks(g);
	assert_non_null(strstr(golearn_why(g, 4), "without reaching"));
	/* The module is told to forget the prefix: a kill copies whole. */
	assert_int_equal(t.n, 2);
	assert_int_equal(t.last.registration_id, 4);
	assert_int_equal(t.last.known_head, 0);
	assert_int_equal(t.last.known_count, 0);
	golearn_free(g);
	synth_done(&s);
}

static void test_budget(void **state)
{
	struct told t = { 0 };
	size_t budget = 256 << 10;
	struct golearn *g = new_learner(&t, budget, 5);
	struct golearn_stats gs;
	struct synth s;
	int fd;

	(void)state;
	synth_init(&s, 32 << 20, BASE);
	assert_int_equal(synth_push(&s, 50000), 0);
	fd = fake_mem(&s);
	assert_int_equal(golearn_add(g, 5, 5, "big", fd, MB_ADDR, NULL), 0);
	run_ticks(g);
	golearn_get_stats(g, &gs);
	assert_true(gs.budget_hit);
	assert_true(gs.bytes <= budget);
	assert_non_null(strstr(golearn_why(g, 5), "memory budget"));
	assert_int_equal(t.n, 0);
	golearn_free(g);
	synth_done(&s);
}

static void test_fd_bound(void **state)
{
	struct golearn_opts o = { .budget = 1 << 20, .max_fds = 2,
				  .quiet = 1, .devfd = -1 };
	struct golearn *g = golearn_new(&o);
	struct golearn_stats gs;
	int fds[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		fds[i] = memfd_create("fd", MFD_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
	assert_int_equal(golearn_add(g, 1, 1, "a", fds[0], MB_ADDR, NULL), 0);
	assert_int_equal(golearn_add(g, 2, 2, "b", fds[1], MB_ADDR, NULL), 0);
	assert_int_equal(golearn_add(g, 3, 3, "c", fds[2], MB_ADDR, NULL), -1);
	assert_int_equal(fcntl(fds[2], F_GETFD), -1);	/* refused: closed */
	golearn_get_stats(g, &gs);
	assert_int_equal(gs.fds, 2);
	golearn_gone(g, 1);
	golearn_get_stats(g, &gs);
	assert_int_equal(gs.fds, 1);
	fds[2] = memfd_create("fd", MFD_CLOEXEC);
	assert_int_equal(golearn_add(g, 3, 3, "c", fds[2], MB_ADDR, NULL), 0);
	golearn_free(g);
	assert_int_equal(fcntl(fds[1], F_GETFD), -1);
	assert_int_equal(fcntl(fds[2], F_GETFD), -1);
}

/* Learned state for the mismatch cases: 1000 buckets. */
static struct golearn_state *learned(struct synth *s, struct golearn **gp,
				     struct told *t)
{
	int fd;

	*gp = new_learner(t, 64 << 20, 5);
	synth_init(s, 1 << 20, BASE);
	assert_int_equal(synth_push(s, 1000), 0);
	fd = fake_mem(s);
	assert_int_equal(golearn_add(*gp, 1, 1, "m", fd, MB_ADDR, NULL), 0);
	run_ticks(*gp);
	return golearn_take(*gp, 1);
}

/* The merge source ends early: after @want entries, err holding @why. */
static void merge_stops(const struct golearn_state *st,
			const struct oomprof_go_capture *cap,
			const uint8_t *e, size_t want, const char *why)
{
	struct golearn_merge *m = malloc(sizeof(*m));
	struct heapprof_source src;
	struct heapprof_entry a;
	char err[200] = "";
	size_t n = 0;
	int rc;

	assert_non_null(m);
	golearn_merge_init(m, st, cap, e, &src);
	src.rewind(src.ctx);
	while ((rc = src.next(src.ctx, &a, err, sizeof(err))) == 1)
		n++;
	assert_int_equal(rc, -1);
	assert_int_equal(n, want);
	if (!strstr(err, why))
		fail_msg("merge stopped with \"%s\", want \"%s\"", err, why);
	free(m);
}

static void test_merge_mismatch(void **state)
{
	struct told t = { 0 };
	struct oomprof_go_capture cap;
	struct golearn *g;
	struct synth s;
	struct golearn_state *st = learned(&s, &g, &t);
	uint8_t *e, *counts;
	size_t k;

	(void)state;
	assert_non_null(st);
	assert_int_equal(synth_push(&s, 20), 0);
	/* A wrong address at count entry 0: bump its delta. */
	e = capture(&s, 1000, 1000, &cap);
	counts = e + cap.bucket_bytes;
	counts[0] ^= 0x10;
	merge_stops(st, &cap, e, 20, "count entry 0 is for");
	free(e);
	/* Undecodable: the last entry cut short. */
	e = capture(&s, 1000, 1000, &cap);
	cap.counts_bytes -= 1;
	merge_stops(st, &cap, e, 20 + 999, "does not decode");
	free(e);
	/* Trailing bytes after the last count entry. */
	e = capture(&s, 1000, 999, &cap);
	cap.counts_bytes += 1;
	merge_stops(st, &cap, e, 20 + 999, "after the last count entry");
	free(e);
	/* A varint over 64 bits. */
	e = capture(&s, 1000, 1000, &cap);
	counts = e + cap.bucket_bytes;
	memset(counts, 0xff, 10);
	merge_stops(st, &cap, e, 20, "does not decode");
	free(e);
	/* The prefix the module used is not ours (head elsewhere). */
	e = capture(&s, 1000, 1000, &cap);
	cap.known_head = s.addr[998];
	merge_stops(st, &cap, e, 20, "not to the learned head");
	free(e);
	/* More learned than we hold. */
	e = capture(&s, 1000, 1000, &cap);
	cap.known_count = 1001;
	merge_stops(st, &cap, e, 20, "holds fewer");
	free(e);
	/* No learned state (restarted, expired): whole-copied ones only. */
	e = capture(&s, 1000, 1000, &cap);
	merge_stops(NULL, &cap, e, 20, "none for this registration");
	free(e);
	/* A count entry in the middle for another learned bucket. */
	e = capture(&s, 1000, 1000, &cap);
	k = synth_counts(&s, 500, 1000, e + cap.bucket_bytes);
	k += synth_counts(&s, 0, 499, e + cap.bucket_bytes + k);
	cap.counts_bytes = k;
	cap.nbuckets_counted = 999;
	merge_stops(st, &cap, e, 20 + 500, "count entry 500 is for");
	free(e);
	golearn_state_free(st);
	golearn_free(g);
	synth_done(&s);
}

/* Same profile from merged entries as from the equivalent full buffer. */
static void test_profile_oracle(void **state)
{
	struct told t = { 0 };
	struct oomprof_go_capture cap;
	struct heapprof_opts o = { .rate = 512 * 1024,
				   .cycles = HEAPPROF_ALL_CYCLES,
				   .time_nanos = 123 };
	struct heapprof_stats st1, st2;
	struct pprof *p1, *p2;
	struct golearn_merge *m = malloc(sizeof(*m));
	struct heapprof_source src;
	uint8_t *e, *full, *b1, *b2;
	size_t flen, l1, l2;
	struct golearn *g;
	struct synth s;
	struct golearn_state *st = learned(&s, &g, &t);

	(void)state;
	assert_int_equal(synth_push(&s, 30), 0);
	full = malloc(s.end + 8 * s.n);
	flen = synth_full(&s, 0, s.n, full);
	e = capture(&s, 1000, 1000, &cap);
	assert_int_equal(heapprof_build(full, flen, &o, &p1, &st1), 0);
	golearn_merge_init(m, st, &cap, e, &src);
	assert_int_equal(heapprof_build_src(&src, &o, &p2, &st2), 0);
	assert_true(st1.complete && st2.complete);
	assert_int_equal(st1.entries, 1030);
	assert_int_equal(st2.entries, 1030);
	assert_int_equal(pprof_nsamples(p1), pprof_nsamples(p2));
	assert_int_equal(pprof_encode(p1, &b1, &l1), 0);
	assert_int_equal(pprof_encode(p2, &b2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b1);
	free(b2);
	pprof_free(p1);
	pprof_free(p2);
	free(full);
	free(e);
	free(m);
	golearn_state_free(st);
	golearn_free(g);
	synth_done(&s);
}

/* The profile file of a GO_HEAP record, decompressed: malloc'd, *@len. */
static uint8_t *write_profile(const struct oomprof_go_capture *cap,
			      const uint8_t *entries,
			      const struct golearn_state *st, size_t *len)
{
	size_t elen = cap->bucket_bytes + cap->counts_bytes;
	size_t rlen = sizeof(struct oomprof_oom_kill) + sizeof(*cap) + elen;
	struct oomprof_oom_kill *k = calloc(1, rlen + 8);
	char dir[] = "/tmp/oomprof-golearn.XXXXXX", path[4096], why[512];
	char cmd[128];
	uint8_t gz[1 << 16], *out = malloc(4 << 20);
	z_stream z = { 0 };
	ssize_t n;
	int dfd, fd;

	assert_non_null(k);
	assert_non_null(out);
	fixture_kill(k);
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	k->hdr.size = (uint32_t)rlen;
	memcpy(k + 1, cap, sizeof(*cap));
	((struct oomprof_go_capture *)(k + 1))->mem_profile_rate = 512 * 1024;
	memcpy((uint8_t *)(k + 1) + sizeof(*cap), entries, elen);
	assert_non_null(mkdtemp(dir));
	dfd = outdir_open(dir, why, sizeof(why));
	assert_true(dfd >= 0);
	if (goprofile_write_learned(k, NULL, st, 0, dfd, dir, path,
				    sizeof(path), why, sizeof(why)))
		fail_msg("no profile: %s", why);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, gz, sizeof(gz));
	assert_true(n > 0 && n < (ssize_t)sizeof(gz));
	close(fd);
	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	z.next_in = gz;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = 4 << 20;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	inflateEnd(&z);
	free(k);
	return out;
}

static void has_text(const uint8_t *p, size_t len, const char *want)
{
	if (!memmem(p, len, want, strlen(want)))
		fail_msg("the profile has no comment with \"%s\"", want);
}

/* What the profile file says of a merge: counts used, or why not. */
static void test_profile_comments(void **state)
{
	struct told t = { 0 };
	struct oomprof_go_capture cap;
	struct golearn *g;
	struct synth s;
	struct golearn_state *st = learned(&s, &g, &t);
	uint8_t *e, *p;
	size_t len;

	(void)state;
	assert_int_equal(synth_push(&s, 20), 0);
	e = capture(&s, 1000, 1000, &cap);
	p = write_profile(&cap, e, st, &len);
	has_text(p, len, "oomprof: 20 buckets copied whole, 1000 as counts of the buckets learned before the kill");
	free(p);
	p = write_profile(&cap, e, NULL, &len);
	has_text(p, len, "oomprof: INCOMPLETE: 20 of 1020 buckets used (20 copied whole, 1000 as counts of learned buckets): the 1000 older buckets came as counts of a learned prefix of 1000 buckets, and this oomprof-read holds none");
	free(p);
	e[cap.bucket_bytes + 700] ^= 0x80;	/* breaks a varint mid-list */
	p = write_profile(&cap, e, st, &len);
	has_text(p, len, "oomprof: INCOMPLETE: ");
	has_text(p, len, " of 1020 buckets used (20 copied whole, 1000 as counts of learned buckets): count entry ");
	free(p);
	free(e);
	golearn_state_free(st);
	golearn_free(g);
	synth_done(&s);
}

/* Records: the new go_capture fields are checked; events carry them. */
static void test_record_fields(void **state)
{
	struct {
		struct oomprof_oom_kill k;
		struct oomprof_go_capture cap;
		uint8_t entries[64];
	} r;
	struct record_cursor c;
	const struct oomprof_record_header *h;
	const char *why;
	struct sbuf line = { 0 };

	(void)state;
#define RESET() do { \
	fixture_kill(&r.k); \
	memset(&r.cap, 0, sizeof(r.cap)); \
	memset(r.entries, 0, sizeof(r.entries)); \
	r.k.hdr.type = OOMPROF_REC_GO_HEAP; \
	r.k.hdr.flags |= OOMPROF_KILL_GO_PROCESS; \
	r.k.hdr.size = sizeof(r); \
	r.cap.bucket_bytes = 40; r.cap.counts_bytes = 24; \
	r.cap.nbuckets = 12; r.cap.nbuckets_counted = 10; \
	r.cap.known_count = 10; r.cap.known_head = 0x100000; \
	c.p = (const void *)&r; c.left = sizeof(r); \
} while (0)
	RESET();
	assert_int_equal(record_next(&c, &h, &why), RECORD_OK);
	assert_int_equal(event_json(&line, h, NULL, NULL), 0);
	assert_non_null(strstr(line.p, "\"learned_buckets\":10,\"counted\":10,\"counts_bytes\":24"));
	sbuf_free(&line);
	RESET();
	r.cap.counts_bytes = 21;	/* 3 zero bytes pad the record to 8 */
	assert_int_equal(record_next(&c, &h, &why), RECORD_OK);
	RESET();
	r.cap.counts_bytes = 16;	/* sum disagrees with the size */
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_SIZE);
	RESET();
	r.cap.bucket_bytes = 1ULL << 63;	/* overflow */
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_SIZE);
	RESET();
	r.cap.nbuckets = 9;
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_FIELD);
	RESET();
	r.cap.known_count = 9;
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_FIELD);
	RESET();
	r.cap.known_head = 0;
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_FIELD);
	RESET();
	r.cap.nbuckets_counted = 13;	/* 2 bytes each at least */
	r.cap.nbuckets = 13;
	r.cap.known_count = 13;
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_SIZE);
	RESET();
	r.cap.nbuckets_counted = 0;	/* count bytes without entries */
	assert_int_equal(record_next(&c, &h, &why), RECORD_BAD_SIZE);
#undef RESET
}

/* Decoding: zigzag both ways, masks, ten-byte words, bad masks. */
static void test_decode(void **state)
{
	uint8_t b[64];
	uint64_t w[16];
	int64_t d;
	size_t off = 0, n = 0;

	(void)state;
	n += synth_leb(b + n, 3);		/* zigzag(-2) */
	n += synth_leb(b + n, 0x8001);		/* words 0 and 15 */
	n += synth_leb(b + n, UINT64_MAX);
	n += synth_leb(b + n, 5);
	assert_int_equal(golearn_decode_count(b, n, &off, &d, w), 0);
	assert_int_equal(off, n);
	assert_int_equal(d, -2);
	assert_true(w[0] == UINT64_MAX && w[15] == 5 && !w[1] && !w[14]);
	off = 0;
	n = synth_leb(b, 4);
	n += synth_leb(b + n, 0x10000);		/* mask over 16 bits */
	assert_int_equal(golearn_decode_count(b, n, &off, &d, w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_learn_and_merge),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_shared_trie),
		cmocka_unit_test(test_real_child),
		cmocka_unit_test(test_hostile_cycle),
		cmocka_unit_test(test_hostile_nstk),
		cmocka_unit_test(test_hostile_pointers),
		cmocka_unit_test(test_hostile_type),
		cmocka_unit_test(test_vanished),
		cmocka_unit_test(test_real_unmapped),
		cmocka_unit_test(test_real_file_mapping),
		cmocka_unit_test(test_changed_while_read),
		cmocka_unit_test(test_lost_known_head),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_fd_bound),
		cmocka_unit_test(test_merge_mismatch),
		cmocka_unit_test(test_profile_oracle),
		cmocka_unit_test(test_profile_comments),
		cmocka_unit_test(test_record_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
