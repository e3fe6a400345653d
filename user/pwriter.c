// SPDX-License-Identifier: GPL-2.0
/* Heap profiles written by worker threads: see pwriter.h. */
#include "pwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "golearn.h"
#include "gobin.h"
#include "goprofile.h"
#include "outdir.h"

struct pwriter_job {
	struct pwriter_job *next;
	struct oomprof_oom_kill *rec;	/* copy, hdr.size bytes */
	struct gobin *bin;		/* private copy, or NULL */
	struct golearn_state *learned;	/* its learned buckets, or NULL */
	uint64_t bias;
	size_t charge;			/* pwriter_estimate's, while in flight */
	int rc;
	double ms;
	char note[160];
	char comment[512];		/* for the profile, "" if none */
	char exe_path[4096];
	char planned[4096], path[4096], why[512];
};

static void job_free(struct pwriter_job *j)
{
	if (!j)
		return;
	gobin_close(j->bin);
	golearn_state_free(j->learned);
	free(j->rec);
	free(j);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void run_job(struct pwriter *w, struct pwriter_job *j)
{
	struct goprofile_exe exe = {
		.bin = j->bin, .bias = j->bias,
		.path = j->bin ? j->exe_path : NULL,
		.comment = j->comment[0] ? j->comment : NULL,
	};
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	j->rc = goprofile_write_learned(j->rec, &exe, j->learned, 0, w->dirfd,
					w->dir, j->path, sizeof(j->path),
					j->why, sizeof(j->why));
	j->ms = ms_since(&t0);
	/* The function table and stacks are done with: free them now. */
	gobin_close(j->bin);
	j->bin = NULL;
	golearn_state_free(j->learned);
	j->learned = NULL;
}

static void *worker(void *arg)
{
	struct pwriter *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct pwriter_job *j, **d;
		ssize_t n;

		while (!w->queue && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		j = w->queue;
		if (!j)
			break;	/* stopping, and nothing left to write */
		w->queue = j->next;
		if (!w->queue)
			w->queue_tail = &w->queue;
		w->running++;
		if (w->running > w->running_peak)
			w->running_peak = w->running;
		pthread_mutex_unlock(&w->lock);

		run_job(w, j);
		{
			/* Keep the headers the loop reports; free the rest now. */
			void *small = realloc(j->rec, sizeof(*j->rec) +
					      sizeof(struct oomprof_go_capture));

			if (small)
				j->rec = small;
		}

		pthread_mutex_lock(&w->lock);
		j->next = NULL;
		for (d = &w->done; *d; d = &(*d)->next)
			;
		*d = j;
		w->inflight--;
		w->running--;
		w->charged -= j->charge;
		j->charge = 0;
		pthread_cond_broadcast(&w->room);
		/* Non-blocking: a full pipe already says "collect". */
		do {
			n = write(w->pipe[1], "", 1);
		} while (n < 0 && errno == EINTR);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int pwriter_init(struct pwriter *w, int dirfd, const char *dir)
{
	sigset_t all, old;

	memset(w, 0, sizeof(*w));
	w->pipe[0] = w->pipe[1] = -1;
	w->dirfd = dirfd;
	w->dir = dir;
	w->queue_tail = &w->queue;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK)) {
		fprintf(stderr, "oomprof-read: no profile writer threads (pipe: %s): large profiles are written inline, holding up the records after them\n",
			strerror(errno));
		w->pipe[0] = w->pipe[1] = -1;
		return -1;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->room, NULL);
	/*
	 * Workers take no signals (they inherit this mask): SIGTERM and
	 * SIGHUP must interrupt the reading loop's poll.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; w->nthreads < PWRITER_THREADS; w->nthreads++) {
		int err = pthread_create(&w->threads[w->nthreads], NULL,
					 worker, w);

		if (err) {
			fprintf(stderr, "oomprof-read: profile writer thread %u: %s%s\n",
				w->nthreads, strerror(err),
				w->nthreads ? "" : ": large profiles are written inline, holding up the records after them");
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return w->nthreads ? 0 : -1;
}

void pwriter_set_budget(struct pwriter *w, size_t bytes)
{
	if (w->nthreads)
		pthread_mutex_lock(&w->lock);
	w->budget = bytes;
	if (w->nthreads)
		pthread_mutex_unlock(&w->lock);
}

static size_t min_size(uint64_t a, size_t b)
{
	return a < b ? (size_t)a : b;
}

size_t pwriter_estimate(const struct oomprof_oom_kill *rec,
			const struct gobin *bin,
			const struct golearn_state *learned, int copy_rec)
{
	const struct oomprof_go_capture *cap = (const void *)(rec + 1);
	size_t n = PWRITER_JOB_FIXED + gobin_bytes(bin);
	/* Full entries are mostly PCs: bucket_bytes / 8 bounds theirs. */
	size_t pcs = cap->bucket_bytes / 8;
	size_t nlearned = golearn_state_count(learned);

	/*
	 * Count entries' stacks are learned ones: the learned PCs, in the
	 * proportion of the learned buckets the record counted (a state
	 * may hold more than the kill's prefix).
	 */
	if (nlearned)
		pcs += (size_t)((double)golearn_state_pcs(learned) *
				((double)min_size(cap->nbuckets_counted,
						  nlearned) /
				 (double)nlearned)) + 1;
	/*
	 * As many buckets as the record's bytes can hold (a full entry is at
	 * least its address, header and memRecord): bounded by the record
	 * (record_next checked its sizes), whatever nbuckets says.
	 */
	size_t most = cap->bucket_bytes /
		      (8 * (1 + OOMPROF_GO_BUCKET_HEADER_WORDS +
			    OOMPROF_GO_MEMRECORD_WORDS)) +
		      cap->nbuckets_counted;
	size_t nb = cap->nbuckets < most ? cap->nbuckets : most;

	if (copy_rec)
		n += rec->hdr.size;
	return n + nb * PWRITER_BYTES_PER_BUCKET + pcs * PWRITER_BYTES_PER_PC;
}

/* Whether @bytes may be charged now. */
static int fits(const struct pwriter *w, size_t bytes)
{
	return !w->budget || !w->charged || w->charged + bytes <= w->budget;
}

static void charge(struct pwriter *w, size_t bytes)
{
	w->charged += bytes;
	if (w->charged > w->charged_peak)
		w->charged_peak = w->charged;
}

void pwriter_reserve(struct pwriter *w, size_t bytes)
{
	if (!w->nthreads) {
		charge(w, bytes);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->waits += !fits(w, bytes);
	while (!fits(w, bytes))
		pthread_cond_wait(&w->room, &w->lock);
	charge(w, bytes);
	pthread_mutex_unlock(&w->lock);
}

void pwriter_release(struct pwriter *w, size_t bytes)
{
	if (w->nthreads)
		pthread_mutex_lock(&w->lock);
	w->charged -= bytes;
	if (w->nthreads) {
		pthread_cond_broadcast(&w->room);
		pthread_mutex_unlock(&w->lock);
	}
}

int pwriter_fd(const struct pwriter *w)
{
	return w->nthreads ? w->pipe[0] : -1;
}

int pwriter_plan_path(const struct oomprof_oom_kill *rec, const char *dir,
		      char *path, size_t len)
{
	/* As goprofile_write names it: comm, pid, kill time (UTC). */
	time_t secs = (time_t)(rec->kill_realtime_ns / 1000000000ULL);
	char stamp[32], name[128];
	struct tm tm;

	if (!gmtime_r(&secs, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	if (profile_name(name, sizeof(name), rec->victim.comm,
			 rec->victim.tgid, stamp) ||
	    (size_t)snprintf(path, len, "%s/%s", dir, name) >= len)
		return -1;
	return 0;
}

int pwriter_submit(struct pwriter *w, const struct oomprof_oom_kill *rec,
		   const struct gobin *bin, uint64_t bias,
		   const char *exe_path, const char *note,
		   const char *comment, struct golearn_state *learned,
		   char *planned, size_t plannedlen, double *waited_ms)
{
	size_t est = pwriter_estimate(rec, bin, learned, 1);
	struct pwriter_job *j;
	struct timespec t0;
	int waited = 0;

	*waited_ms = 0;
	if (!w->nthreads)
		return -1;
	/*
	 * Charged before anything is copied: the copies are part of what
	 * the budget bounds. Workers only ever free room, so the wait ends.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&w->lock);
	while (!fits(w, est) || w->inflight >= PWRITER_MAX_JOBS) {
		waited = 1;
		pthread_cond_wait(&w->room, &w->lock);
	}
	w->waits += waited;
	charge(w, est);
	pthread_mutex_unlock(&w->lock);
	if (waited)
		*waited_ms = ms_since(&t0);
	j = calloc(1, sizeof(*j));
	if (!j) {
		pwriter_release(w, est);
		return -1;
	}
	j->charge = est;
	j->rec = malloc(rec->hdr.size);
	if (bin)
		j->bin = gobin_dup(bin);
	if (!j->rec || (bin && !j->bin) ||
	    pwriter_plan_path(rec, w->dir, j->planned, sizeof(j->planned)) ||
	    (size_t)snprintf(planned, plannedlen, "%s", j->planned) >=
		    plannedlen) {
		job_free(j);
		pwriter_release(w, est);
		return -1;
	}
	memcpy(j->rec, rec, rec->hdr.size);
	j->bias = bias;
	j->learned = learned;	/* ours from here on: queued below */
	snprintf(j->exe_path, sizeof(j->exe_path), "%s",
		 exe_path ? exe_path : "");
	snprintf(j->note, sizeof(j->note), "%s", note ? note : "");
	snprintf(j->comment, sizeof(j->comment), "%s", comment ? comment : "");
	pthread_mutex_lock(&w->lock);
	*w->queue_tail = j;
	w->queue_tail = &j->next;
	w->inflight++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t pwriter_collect(struct pwriter *w, pwriter_done_fn fn, void *ctx)
{
	struct pwriter_job *list, *j;
	char drain[64];
	size_t n = 0;

	if (!w->nthreads)
		return 0;
	/* Drain the wake-ups first: a job finishing after is seen next time. */
	while (read(w->pipe[0], drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	while ((j = list)) {
		struct pwriter_done d = {
			.rec = j->rec, .planned = j->planned, .rc = j->rc,
			.path = j->path, .why = j->why, .note = j->note,
			.ms = j->ms,
		};

		list = j->next;
		if (fn)
			fn(ctx, &d);
		job_free(j);
		n++;
	}
	return n;
}

void pwriter_finish(struct pwriter *w, pwriter_done_fn fn, void *ctx)
{
	if (w->nthreads) {
		pthread_mutex_lock(&w->lock);
		w->stopping = 1;
		pthread_cond_broadcast(&w->work);
		pthread_mutex_unlock(&w->lock);
		for (unsigned int i = 0; i < w->nthreads; i++)
			pthread_join(w->threads[i], NULL);
		pwriter_collect(w, fn, ctx);
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->room);
		pthread_mutex_destroy(&w->lock);
	}
	if (w->pipe[0] >= 0)
		close(w->pipe[0]);
	if (w->pipe[1] >= 0)
		close(w->pipe[1]);
	memset(w, 0, sizeof(*w));
	w->pipe[0] = w->pipe[1] = -1;
}

void pwriter_done_json(struct sbuf *out, const struct pwriter_done *d)
{
	const struct oomprof_oom_kill *k = d->rec;

	sbuf_printf(out, "{\"type\":\"profile\",\"seq\":%llu,\"time\":",
		    (unsigned long long)k->hdr.seq);
	format_rfc3339_ns(out, k->kill_realtime_ns);
	sbuf_printf(out, ",\"pid\":%u,\"tgid\":%u,\"comm\":", k->victim.pid,
		    k->victim.tgid);
	sbuf_json_string(out, k->victim.comm);
	sbuf_printf(out, ",\"profile\":");
	if (d->rc) {
		sbuf_printf(out, "null,\"profile_error\":");
		sbuf_json_string(out, d->why);
	} else {
		sbuf_json_string(out, d->path);
	}
	sbuf_printf(out, ",\"write_ms\":%.1f}", d->ms);
}

void pwriter_mark_pending(struct sbuf *line)
{
	if (line->failed || !line->len || line->p[line->len - 1] != '}')
		return;
	line->len--;
	sbuf_printf(line, ",\"profile_pending\":true}");
}
