// SPDX-License-Identifier: GPL-2.0
/*
 * Profiles written off the reading loop (user/pwriter.c), in the order
 * the loop in user/main.c takes its steps: a large capture is queued and
 * its kill's events line written at once; a small one killed meanwhile
 * gets its line and its profile before the large profile exists; the
 * large one's "profile" line follows when its file is there, whole. Also:
 * finishing drains every queued job (SIGTERM, --drain), a failed job says
 * why in its line, and a job's private copy of a function table
 * (gobin_dup) symbolizes exactly like the original after that is closed.
 *
 * OOMPROF_TEST_GOBIN names a Go executable for the gobin_dup case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "events.h"
#include "evlog.h"
#include "gobin.h"
#include "goprofile.h"
#include "heapprof.h"
#include "outdir.h"
#include "profile.pb-c.h"
#include "pwriter.h"
#include "tmpdir.h"
#include "record_fixtures.h"
#include "symbolize.h"

#define ENTRY_PCS 32
#define ENTRY_SIZE (HEAPPROF_HDR_SIZE + 8 * ENTRY_PCS + HEAPPROF_REC_SIZE)

static char dir[64];
static int dfd = -1;

static int setup(void **state)
{
	char why[512];

	(void)state;
	if (tmpdir_make(dir, sizeof(dir), "pwriter"))
		return -1;
	dfd = outdir_open(dir, why, sizeof(why));
	return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dfd);
	return tmpdir_remove(dir);
}

static uint8_t *put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

/*
 * A GO_HEAP record of @n buckets, each a distinct 32-PC stack (PCs from a
 * pool, as real stacks share frames), pid @pid, comm @comm.
 */
static struct oomprof_oom_kill *go_record(size_t n, unsigned int pid,
					  const char *comm, uint64_t seq)
{
	size_t size = sizeof(struct oomprof_oom_kill) +
		      sizeof(struct oomprof_go_capture) + n * ENTRY_SIZE;
	struct oomprof_oom_kill *k = calloc(1, size);
	struct oomprof_go_capture *cap = (void *)(k + 1);
	uint8_t *p = (uint8_t *)(cap + 1);
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ pid;

	assert_non_null(k);
	fixture_kill(k);
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.size = (unsigned int)size;
	k->hdr.seq = seq;
	k->hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	k->victim.pid = k->victim.tgid = pid;
	memset(k->victim.comm, 0, sizeof(k->victim.comm));
	memcpy(k->victim.comm, comm, strlen(comm));
	cap->mem_profile_rate = 512 * 1024;
	cap->nbuckets = n;
	cap->bucket_bytes = n * ENTRY_SIZE;
	for (size_t i = 0; i < n; i++) {
		p = put(p, 0xc000000000 + i * 512);
		p = put(p, 0);
		p = put(p, 0);
		p = put(p, HEAPPROF_BUCKET_MEMORY);
		p = put(p, i);
		p = put(p, 64);
		p = put(p, ENTRY_PCS);
		/* The bucket's index in its first two PCs: all distinct. */
		p = put(p, 0x401000 + (i & 0xfff) * 16);
		p = put(p, 0x501000 + (i >> 12) * 16);
		for (int d = 2; d < ENTRY_PCS; d++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			p = put(p, 0x601000 + (x % 4096) * 16);
		}
		for (int c = 0; c < 4; c++) {
			p = put(p, 3);
			p = put(p, 1);
			p = put(p, 192);
			p = put(p, 64);
		}
	}
	return k;
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The samples in the gzip'd profile at @path, -1 if it does not parse. */
static long samples_in(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0, got;
	uint8_t *gz = malloc(cap), *raw = NULL;
	z_stream z = { 0 };
	Perftools__Profiles__Profile *pr;
	long samples = -1;
	int rc;

	assert_non_null(f);
	assert_non_null(gz);
	while ((got = fread(gz + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			gz = realloc(gz, cap *= 2);
			assert_non_null(gz);
		}
	}
	fclose(f);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	cap = 64 << 20;
	raw = malloc(cap);
	assert_non_null(raw);
	z.next_in = gz;
	z.avail_in = (uInt)n;
	z.next_out = raw;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_FINISH);
	if (rc == Z_STREAM_END) {
		pr = perftools__profiles__profile__unpack(NULL, z.total_out, raw);
		if (pr) {
			samples = (long)pr->n_sample;
			perftools__profiles__profile__free_unpacked(pr, NULL);
		}
	}
	inflateEnd(&z);
	free(raw);
	free(gz);
	return samples;
}

/* What main.c's profile_done does with the events log, minus the log. */
struct done_log {
	struct evlog *ev;
	int n, failed;
	char last_path[4096];
	double when[8];
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void on_done(void *ctx, const struct pwriter_done *d)
{
	struct done_log *l = ctx;
	struct sbuf line = { 0 };

	pwriter_done_json(&line, d);
	sbuf_printf(&line, "\n");
	assert_false(line.failed);
	evlog_append(l->ev, line.p, line.len);
	sbuf_free(&line);
	if (l->n < 8)
		l->when[l->n] = now_ms();
	l->n++;
	l->failed += d->rc != 0;
	if (!d->rc) {
		assert_string_equal(d->path, d->planned);
		snprintf(l->last_path, sizeof(l->last_path), "%s", d->path);
	}
}

/* The kill's line as the loop writes it: event_json (+ pending mark). */
static void kill_line(struct evlog *ev, const struct oomprof_oom_kill *k,
		      const char *path, int pending)
{
	struct sbuf line = { 0 };

	assert_int_equal(event_json(&line, &k->hdr, path, NULL), 0);
	if (pending)
		pwriter_mark_pending(&line);
	sbuf_printf(&line, "\n");
	assert_false(line.failed);
	evlog_append(ev, line.p, line.len);
	sbuf_free(&line);
}

static char *slurp_events(void)
{
	char path[128];
	FILE *f;
	char *s = calloc(1, 1 << 20);

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(s);
	(void)!fread(s, 1, (1 << 20) - 1, f);
	fclose(f);
	return s;
}

static void small_profile_not_held_up_by_large(void **state)
{
	double waited;
	enum { LARGE = 200000, SMALL = 3 };
	struct oomprof_oom_kill *big = go_record(LARGE, 1001, "bighog", 10);
	struct oomprof_oom_kill *small = go_record(SMALL, 1002, "small", 11);
	struct goprofile_exe noexe = { 0 };
	char planned[4096], spath[4096], why[512];
	struct evlog ev;
	struct pwriter w;
	struct done_log dl = { .ev = &ev };
	char *events, *l1, *l2, *l3;
	double t_small;

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	assert_int_equal(pwriter_init(&w, dfd, dir), 0);
	assert_true(pwriter_fd(&w) >= 0);

	/* main.c go_profile: large -> queued, line written at once. */
	assert_int_equal(pwriter_submit(&w, big, NULL, 0, NULL, "", NULL, NULL, planned,
					sizeof(planned), &waited), 0);
	kill_line(&ev, big, planned, 1);
	/* The next record, small: written inline, then its line. */
	assert_int_equal(goprofile_write(small, &noexe, 0, dfd, dir, spath,
					 sizeof(spath), why, sizeof(why)), 0);
	kill_line(&ev, small, spath, 0);
	t_small = now_ms();
	/* Its profile is whole (3 samples) while the large one is not there. */
	assert_int_equal(samples_in(spath), SMALL);
	assert_false(exists(planned));
	assert_int_equal(pwriter_collect(&w, on_done, &dl), 0);

	/* The loop polls the writer's fd; the large job's line comes then. */
	while (!dl.n) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		pwriter_collect(&w, on_done, &dl);
	}
	pwriter_finish(&w, on_done, &dl);
	print_message("    small profile written %.0f ms before the large one's (%d buckets) line\n",
		      dl.when[0] - t_small, LARGE);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.failed, 0);
	assert_true(dl.when[0] > t_small);
	assert_string_equal(dl.last_path, planned);
	assert_int_equal(samples_in(planned), LARGE);
	assert_int_equal(evlog_close(&ev), 0);

	/* events.jsonl: the large kill, the small kill, the large profile. */
	events = slurp_events();
	l1 = events;
	l2 = strchr(l1, '\n');
	assert_non_null(l2);
	*l2++ = '\0';
	l3 = strchr(l2, '\n');
	assert_non_null(l3);
	*l3++ = '\0';
	assert_non_null(strstr(l1, "\"type\":\"oom_kill\",\"seq\":10,"));
	assert_non_null(strstr(l1, planned));
	assert_non_null(strstr(l1, ",\"profile_pending\":true}"));
	assert_non_null(strstr(l2, "\"type\":\"oom_kill\",\"seq\":11,"));
	assert_non_null(strstr(l2, spath));
	assert_null(strstr(l2, "profile_pending"));
	assert_non_null(strstr(l3, "{\"type\":\"profile\",\"seq\":10,"));
	assert_non_null(strstr(l3, planned));
	assert_null(strstr(l3, "profile_error"));
	assert_int_equal(l3[strlen(l3) - 1], '\n');
	free(events);
	free(big);
	free(small);
}

static void finish_drains_every_job(void **state)
{
	double waited;
	struct oomprof_oom_kill *k[3];
	struct oomprof_go_capture *cap;
	char planned[3][4096], why[64];
	struct evlog ev;
	struct pwriter w;
	struct done_log dl = { .ev = &ev };
	char *events;

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	assert_int_equal(pwriter_init(&w, dfd, dir), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(why, sizeof(why), "drain%d", i);
		k[i] = go_record(20000, 2000 + (unsigned int)i, why,
				 20 + (uint64_t)i);
	}
	/* The third cannot be written: profiling off in that binary. */
	cap = (void *)(k[2] + 1);
	cap->mem_profile_rate = 0;
	for (int i = 0; i < 3; i++)
		assert_int_equal(pwriter_submit(&w, k[i], NULL, 0, NULL, "", NULL, NULL,
						planned[i], sizeof(planned[i]), &waited), 0);
	/* SIGTERM right away: the loop ends, pwriter_finish waits. */
	pwriter_finish(&w, on_done, &dl);
	assert_int_equal(dl.n, 3);
	assert_int_equal(dl.failed, 1);
	assert_int_equal(samples_in(planned[0]), 20000);
	assert_int_equal(samples_in(planned[1]), 20000);
	assert_false(exists(planned[2]));
	/* Finished: nothing runs, nothing is accepted. */
	assert_int_equal(pwriter_fd(&w), -1);
	assert_int_equal(pwriter_submit(&w, k[0], NULL, 0, NULL, "", NULL, NULL,
					planned[0], sizeof(planned[0]), &waited), -1);
	assert_int_equal(evlog_close(&ev), 0);
	events = slurp_events();
	assert_non_null(strstr(events, "{\"type\":\"profile\",\"seq\":22,"));
	assert_non_null(strstr(events, "\"profile\":null,\"profile_error\":\"memory profiling disabled"));
	for (int i = 0; i < 3; i++)
		free(k[i]);
	free(events);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
/* A field of /proc/self/status in KiB, -1 if absent. */
static long status_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return v;
}
#endif

/*
 * --write-memory: with a budget below one job, jobs run one at a time
 * (each still runs: one always fits when nothing else is charged), the
 * submission is what waits, every profile is whole, and
 * every charge is given back. Without a budget nothing waits.
 */
static void budget_writes_one_at_a_time(void **state)
{
	struct oomprof_oom_kill *k[3];
	char planned[4096], comm[32];
	struct pwriter w;
	size_t est[3], most = 0;
	double waited;
	struct evlog ev;
	struct done_log dl = { .ev = &ev };

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(comm, sizeof(comm), "budget%d", i);
		k[i] = go_record(20000 + 5000 * (size_t)i,
				 3000 + (unsigned int)i, comm, 30 + (uint64_t)i);
		est[i] = pwriter_estimate(k[i], NULL, NULL, 1);
		most = est[i] > most ? est[i] : most;
	}
	for (int bounded = 1; bounded >= 0; bounded--) {
		assert_int_equal(pwriter_init(&w, dfd, dir), 0);
		pwriter_set_budget(&w, bounded ? 1 : 0);
		for (int i = 0; i < 3; i++)
			assert_int_equal(pwriter_submit(&w, k[i], NULL, 0, NULL, "", NULL,
							NULL, planned,
							sizeof(planned),
							&waited), 0);
		/* Read before pwriter_finish clears the writer. */
		while (dl.n < 3 * (2 - bounded)) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			pwriter_collect(&w, on_done, &dl);
		}
		print_message("    budget %s: %u job(s) at most at once, %zu bytes charged at most (largest job %zu), %llu wait(s)\n",
			      bounded ? "1 byte" : "none", w.running_peak,
			      w.charged_peak, most, w.waits);
		assert_int_equal(w.charged, 0);
		if (bounded) {
			assert_int_equal(w.running_peak, 1);
			assert_true(w.charged_peak <= most);
		} else {
			assert_int_equal(w.waits, 0);
		}
		pwriter_finish(&w, on_done, &dl);
	}
	assert_int_equal(dl.failed, 0);
	assert_int_equal(evlog_close(&ev), 0);
	for (int i = 0; i < 3; i++)
		free(k[i]);
}

/*
 * pwriter_estimate is an upper bound of what a job takes: the process's
 * own high-water mark (VmHWM, reset through clear_refs) across one 200k
 * job, against the estimate. Not under ASan or TSan, whose shadow memory
 * and quarantine are not the job's.
 */
static void estimate_bounds_job_memory(void **state)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)state;
	print_message("    (not measured under a sanitizer)\n");
#else
	struct oomprof_oom_kill *k = go_record(200000, 4000, "hwm", 40);
	char planned[4096];
	struct pwriter w;
	size_t est = pwriter_estimate(k, NULL, NULL, 1);
	double waited;
	long rss0, peak;
	FILE *f;

	(void)state;
	assert_int_equal(pwriter_init(&w, dfd, dir), 0);
	f = fopen("/proc/self/clear_refs", "w");
	assert_non_null(f);
	assert_true(fputs("5", f) >= 0);
	assert_int_equal(fclose(f), 0);
	rss0 = status_kb("VmRSS:");
	assert_int_equal(pwriter_submit(&w, k, NULL, 0, NULL, "", NULL, NULL, planned,
					sizeof(planned), &waited), 0);
	pwriter_finish(&w, NULL, NULL);
	peak = status_kb("VmHWM:");
	assert_true(rss0 > 0 && peak >= rss0);
	print_message("    200000 buckets: %.1f MiB above the start at most (%.0f bytes a bucket beside the record's copy), estimate %.1f MiB\n",
		      (double)(peak - rss0) / 1024,
		      ((double)(peak - rss0) * 1024 - k->hdr.size) / 200000,
		      (double)est / 1048576);
	assert_true((size_t)(peak - rss0) * 1024 <= est);
	assert_int_equal(samples_in(planned), 200000);
	free(k);
#endif
}

/*
 * A job symbolizes with a copy of the cached function table; the reading
 * loop may close the original meanwhile (cache eviction, a reconnect).
 */
static void gobin_dup_symbolizes_alone(void **state)
{
	const char *path = getenv("OOMPROF_TEST_GOBIN");
	struct gobin *g, *d, *ref;
	struct go_frame a[HEAPPROF_MAX_FRAMES], b[HEAPPROF_MAX_FRAMES];
	char err[512];
	uint64_t x = 12345, lo, hi;
	int compared = 0, framed = 0;

	(void)state;
	if (!path) {
		fail_msg("OOMPROF_TEST_GOBIN is not set: name a Go executable (run.sh uses the Go toolchain's compile)");
		return;
	}
	if (gobin_open(path, &g, err, sizeof(err))) {
		fail_msg("OOMPROF_TEST_GOBIN: %s (name a Go executable)", err);
		return;
	}
	assert_null(gobin_dup(g));	/* still holds its file: refused */
	gobin_trim(g);
	d = gobin_dup(g);
	assert_non_null(d);
	gobin_close(g);	/* the copy owns all it reads */
	assert_int_equal(gobin_open(path, &ref, err, sizeof(err)), 0);
	gobin_trim(ref);
	lo = gobin_info(ref)->min_pc;
	hi = gobin_info(ref)->max_pc;
	assert_string_equal(gobin_info(d)->go_build_id,
			    gobin_info(ref)->go_build_id);
	for (int i = 0; i < 5000; i++) {
		uint64_t pc;
		int na, nb;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		pc = lo + x % (hi - lo);
		na = gobin_frames(d, pc, a, HEAPPROF_MAX_FRAMES);
		nb = gobin_frames(ref, pc, b, HEAPPROF_MAX_FRAMES);
		assert_int_equal(na, nb);
		for (int k = 0; k < na; k++) {
			assert_string_equal(a[k].function, b[k].function);
			assert_string_equal(a[k].file, b[k].file);
			assert_int_equal(a[k].line, b[k].line);
			assert_true(a[k].entry == b[k].entry);
			assert_int_equal(a[k].inlined, b[k].inlined);
		}
		compared++;
		framed += na > 0;
	}
	print_message("    %d PCs of %s: %d with frames, the same from the copy\n",
		      compared, path, framed);
	assert_true(framed > compared / 2);
	gobin_close(d);
	gobin_close(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(small_profile_not_held_up_by_large,
						setup, teardown),
		cmocka_unit_test_setup_teardown(finish_drains_every_job, setup,
						teardown),
		cmocka_unit_test_setup_teardown(budget_writes_one_at_a_time,
						setup, teardown),
		cmocka_unit_test_setup_teardown(estimate_bounds_job_memory,
						setup, teardown),
		cmocka_unit_test(gobin_dup_symbolizes_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
