/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Heap profiles written off the record-reading loop: a large capture
 * (PWRITER_ASYNC_BUCKETS buckets or more) takes seconds to symbolize and
 * write, and the reader must meanwhile keep recording the kills that come
 * after it, with their own (small) profiles.
 *
 * A job owns everything it reads: a copy of its record and a private copy
 * of its executable's function table (gobin_dup), so the reading loop may
 * forget the process or evict the executable meanwhile. Workers call
 * goprofile_write and nothing else; what is shared with the loop (the
 * events log, counters, retention) stays in the loop, which collects
 * finished jobs (pwriter_collect) when pwriter_fd is readable.
 *
 * Bounded: PWRITER_THREADS workers, at most PWRITER_MAX_JOBS jobs queued
 * or running (each holds its record: at most one capture buffer). A job
 * that does not fit is refused, and the caller writes that profile inline
 * as before: nothing is lost, the loop only waits as it did.
 */
#ifndef OOMPROF_USER_PWRITER_H
#define OOMPROF_USER_PWRITER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/oomprof.h>

#include "sbuf.h"

struct gobin;
struct golearn_state;

#define PWRITER_THREADS 2
#define PWRITER_MAX_JOBS 4
/* Smaller captures are written inline: milliseconds, and in order. */
#define PWRITER_ASYNC_BUCKETS 10000

/* A finished job, as pwriter_collect hands it to the loop. */
struct pwriter_done {
	const struct oomprof_oom_kill *rec;	/* its record (the copy) */
	const char *planned;	/* the path the events line announced */
	int rc;			/* goprofile_write's: 0 written */
	const char *path;	/* where it was written, if rc == 0 */
	const char *why;	/* why not, if rc != 0 */
	const char *note;	/* about its symbols (find_exe), or "" */
	double ms;		/* build and write, on the worker */
};

struct pwriter_job;

struct pwriter {
	pthread_mutex_t lock;
	pthread_cond_t work;
	pthread_t threads[PWRITER_THREADS];
	unsigned int nthreads;
	int pipe[2];		/* a byte per finished job: wakes the loop */
	int dirfd;
	const char *dir;
	int stopping;
	unsigned int inflight;	/* queued or running */
	struct pwriter_job *queue, **queue_tail, *done;
};

/*
 * Start the workers, writing into DIR (@dirfd, @dir as goprofile_write
 * takes them; both must outlive the writer). 0, or -1 (said on stderr):
 * then every profile is written inline, as with pwriter_submit refusing.
 */
int pwriter_init(struct pwriter *w, int dirfd, const char *dir);

/* Readable when finished jobs wait for pwriter_collect; -1 if none run. */
int pwriter_fd(const struct pwriter *w);

/*
 * Queue the profile of @rec (a validated GO_HEAP record, copied here),
 * symbolized from a private copy of @bin (NULL: addresses only) at load
 * bias @bias, @exe_path naming it; @note is find_exe's remark; its count
 * entries resolve through @learned (golearn_take's, or NULL), which the
 * job owns and frees once queued. Writes the path the profile will have
 * into @planned. 0 queued; -1 refused (queue full, no workers, out of
 * memory): the caller writes it inline, and still owns @learned.
 */
int pwriter_submit(struct pwriter *w, const struct oomprof_oom_kill *rec,
		   const struct gobin *bin, uint64_t bias,
		   const char *exe_path, const char *note,
		   struct golearn_state *learned, char *planned,
		   size_t plannedlen);

/*
 * Hand each finished job to @fn (in the order they finished), then free
 * it. Returns how many. Only the thread that submits calls this.
 */
typedef void (*pwriter_done_fn)(void *ctx, const struct pwriter_done *d);
size_t pwriter_collect(struct pwriter *w, pwriter_done_fn fn, void *ctx);

/*
 * Finish every queued job, stop the workers, collect (as above) and free
 * everything. The writer may be initialised again after.
 */
void pwriter_finish(struct pwriter *w, pwriter_done_fn fn, void *ctx);

/*
 * The path goprofile_write gives @rec's profile in @dir (outdir.h
 * profile_name of its comm, pid and kill time). 0, or -1 if it does not
 * fit @len.
 */
int pwriter_plan_path(const struct oomprof_oom_kill *rec, const char *dir,
		      char *path, size_t len);

/*
 * Mark the kill's events line (a JSON object, no newline) of a queued
 * profile: "profile" is the path it will have, and a "profile" line says
 * later whether it was written: ..."profile":PATH,"profile_pending":true}.
 */
void pwriter_mark_pending(struct sbuf *line);

/*
 * events.jsonl's line for a finished job (no newline): {"type":"profile",
 * "seq":N,"time":...,"pid":P,"comm":C,"profile":PATH|null[,
 * "profile_error":WHY],"write_ms":MS}. seq is the kill's own record.
 */
void pwriter_done_json(struct sbuf *out, const struct pwriter_done *d);

#endif
