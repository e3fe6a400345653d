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
 * or running (each holds its record: at most one capture buffer), and
 * the memory of all jobs together within the writer's budget
 * (pwriter_set_budget; oomprof-read's --write-memory): each job is
 * charged its estimate (pwriter_estimate) from submission to its end. A
 * job that does not fit waits in pwriter_submit until the jobs in flight
 * leave room (a profile written inline, after pwriter_reserve, the same):
 * nothing is lost, the loop only waits. One job always fits when
 * nothing else is charged, so a profile larger than the budget is still
 * written, alone.
 *
 * The daemon runs with oom_score_adj -1000: memory it takes is memory the
 * OOM killer takes from someone else, in the middle of an OOM. Hence the
 * budget.
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
/*
 * What building and writing a profile takes beyond its inputs: its
 * samples are held, then encoded, then compressed, each about as large as
 * the stacks' PCs make it. Measured: 69 bytes a bucket of 20-32 PCs at 1M
 * buckets (make bench, "memory of build+write"), 161 a bucket of 32 PCs
 * with fewer shared frames at 200k (test_pwriter, which checks that the
 * estimate stays above the job's real high-water mark). So 48 bytes a
 * bucket, 5 a PC, and 8 MiB besides (string, function and PC tables,
 * zlib): 178 bytes a bucket of 26 PCs, 208 of 32.
 */
#define PWRITER_BYTES_PER_BUCKET 48
#define PWRITER_BYTES_PER_PC 5
#define PWRITER_JOB_FIXED (8u << 20)

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
	pthread_cond_t room;	/* charged memory went down */
	pthread_t threads[PWRITER_THREADS];
	unsigned int nthreads;
	int pipe[2];		/* a byte per finished job: wakes the loop */
	int dirfd;
	const char *dir;
	int stopping;
	unsigned int inflight;	/* queued or running */
	size_t budget;		/* bytes; 0: no bound */
	size_t charged;		/* estimates of the jobs in flight, inline too */
	size_t charged_peak;	/* the most charged at once */
	unsigned int running, running_peak;	/* jobs being built */
	unsigned long long waits;	/* pwriter_reserve calls that waited */
	struct pwriter_job *queue, **queue_tail, *done;
};

/*
 * Start the workers, writing into DIR (@dirfd, @dir as goprofile_write
 * takes them; both must outlive the writer). 0, or -1 (said on stderr):
 * then every profile is written inline, as with pwriter_submit refusing.
 */
int pwriter_init(struct pwriter *w, int dirfd, const char *dir);

/* Bound the memory of the jobs in flight to @bytes (0: no bound). */
void pwriter_set_budget(struct pwriter *w, size_t bytes);
/*
 * The memory writing @rec's profile takes: its record (@copy_rec: a job's
 * copy of it), the copy of @bin a job makes (NULL: none), and the build,
 * from its buckets and their PCs (those of its full entries, and those
 * of @learned's stacks, where its count entries' stacks are).
 */
size_t pwriter_estimate(const struct oomprof_oom_kill *rec,
			const struct gobin *bin,
			const struct golearn_state *learned, int copy_rec);
/*
 * For a profile written inline: wait until @bytes fit the budget beside
 * the jobs in flight (or nothing is charged), charge them; release with
 * pwriter_release once written. Only the submitting thread calls these.
 */
void pwriter_reserve(struct pwriter *w, size_t bytes);
void pwriter_release(struct pwriter *w, size_t bytes);

/* Readable when finished jobs wait for pwriter_collect; -1 if none run. */
int pwriter_fd(const struct pwriter *w);

/*
 * Queue the profile of @rec (a validated GO_HEAP record, copied here),
 * symbolized from a private copy of @bin (NULL: addresses only) at load
 * bias @bias, @exe_path naming it; @note is find_exe's remark; @comment
 * (NULL: none) goes into the profile (goprofile_exe.comment); its count
 * entries resolve through @learned (golearn_take's, or NULL), which the
 * job owns and frees once queued. Writes the path the profile will have
 * into @planned. First waits until the job fits the budget beside the jobs
 * in flight and fewer than PWRITER_MAX_JOBS are queued; the milliseconds
 * waited go to *@waited_ms. 0 queued; -1 refused (no workers, out of
 * memory): the caller writes it inline (pwriter_reserve first), and still
 * owns @learned.
 */
int pwriter_submit(struct pwriter *w, const struct oomprof_oom_kill *rec,
		   const struct gobin *bin, uint64_t bias,
		   const char *exe_path, const char *note,
		   const char *comment, struct golearn_state *learned,
		   char *planned, size_t plannedlen, double *waited_ms);

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
