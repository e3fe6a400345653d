/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --metrics FILE: a Prometheus text-format file (exposition format 0.0.4)
 * for node_exporter's textfile collector. The counters live in memory; the
 * file is rewritten whole from them (a temporary file in the same
 * directory, fsync, rename over FILE), so a scrape never sees half a file
 * and a write that fails (disk full) loses no count: the next one carries
 * it. The labels come from names any local user picks (comm, cgroup): each
 * is made valid UTF-8 and escaped exactly as the format says, and the
 * number of distinct kill series is capped (METRICS_MAX_SERIES); kills past
 * it are counted in one "other" series.
 */
#ifndef OOMPROF_USER_METRICS_H
#define OOMPROF_USER_METRICS_H

#include <stddef.h>
#include <time.h>
#include <linux/oomprof.h>

#include "sbuf.h"

/* Distinct oomprof_oom_kills_total label sets kept; the rest fold. */
#define METRICS_MAX_SERIES 1000
/* The file is rewritten at least this often (module counters move). */
#define METRICS_INTERVAL_S 10
/* ...and at most once a second: a kill storm costs one fsync a second. */
#define METRICS_MIN_GAP_S 1

/*
 * The labels of oomprof_oom_kills_total, in the order they are written.
 * To add one: a name here and in metrics.c's label_names[], and fill it
 * in metrics_kill_labels().
 */
enum metrics_label {
	METRICS_L_CGROUP,	/* the OOM's cgroup: memcg OOMs; "/" others */
	METRICS_L_COMM,		/* the victim's comm */
	METRICS_L_CONSTRAINT,	/* memcg, global, cpuset, mempolicy, unknown */
	/* Of the victim's own cgroup (container.h); "" outside a pod: */
	METRICS_L_NAMESPACE,	/* the kubelet's name, "" if unknown */
	METRICS_L_POD,		/* the pod's name, else its UID */
	METRICS_L_CONTAINER,	/* the container's name, else its id */
	METRICS_NLABELS
};

/* Longest value: a 255-byte cgroup path, every byte U+FFFD (3 bytes). */
#define METRICS_LABEL_MAX (3 * OOMPROF_CGROUP_LEN + 1)

/* One kill's label values, valid UTF-8, not yet escaped. */
struct metrics_labels {
	char v[METRICS_NLABELS][METRICS_LABEL_MAX];
};

/* The one place a kill record becomes label values. */
void metrics_kill_labels(struct metrics_labels *l,
			 const struct oomprof_oom_kill *k);

/*
 * @s as a label value: valid UTF-8 copied, each byte that is not part of a
 * valid sequence replaced by U+FFFD (as events.jsonl writes it), so the
 * value equals the JSON's. At most @cap - 1 bytes, cut at a code point.
 */
void metrics_label_value(char *out, size_t cap, const char *s);

/*
 * @s as the format writes a label value between its double quotes:
 * backslash, double quote and line feed escaped as \\, \" and \n.
 */
void metrics_escape_label(struct sbuf *b, const char *s);

struct metrics_series;

/* Why a Go victim has no profile; the reason label of profiles_failed. */
enum metrics_fail {
	METRICS_FAIL_NOT_CAPTURED,	/* the module could not capture it */
	METRICS_FAIL_WRITE,		/* captured; writing the profile failed */
};

/*
 * profiles_failed's reasons: each enum oomprof_capture_stop (why the
 * module made no capture), one for a stop this reader does not know, and
 * write_failed.
 */
#define METRICS_STOP_OTHER (OOMPROF_STOP_LEARNED_MISMATCH + 1)
#define METRICS_FAIL_WRITE_IDX (METRICS_STOP_OTHER + 1)
#define METRICS_NREASONS (METRICS_FAIL_WRITE_IDX + 1)

/*
 * All zero: --metrics not given. Every function below is then a no-op,
 * so callers count without asking whether the file is wanted.
 */
struct metrics {
	int on;				/* metrics_open() succeeded */
	int dirfd;			/* FILE's directory, checked */
	char *dir, *name, *tmpname;	/* dir for messages */
	size_t max_series;
	struct metrics_series **table;	/* open addressing, 2 * max_series */
	size_t table_size;
	struct metrics_series **order;	/* as first seen: the file's order */
	size_t nseries;
	unsigned long long folded;	/* kills in the "other" series */
	unsigned long long kills;
	unsigned long long profiles_complete, profiles_partial;
	unsigned long long profiles_failed[METRICS_NREASONS];
	unsigned long long records_lost;	/* hdr.lost seen in the stream */
	/* The module's counters at the last rewrite, if it answered. */
	struct oomprof_stats st;
	int have_stats;
	/* Writing */
	int dirty;			/* a kill since the last good write */
	time_t last_write;		/* last attempt, CLOCK_MONOTONIC s */
	unsigned long long writes, write_errors;
	int err;			/* errno of the failing step, 0: none */
	const char *err_step;		/* which step failed, said once */
};

/*
 * Check FILE's directory (it must exist; it and every directory above it
 * writable by root, or this uid, only: see outdir.h) and hold it open.
 * Nothing is written yet. 0, or -1 with a sentence naming the fix in
 * @why (the path raw: escape it to log it).
 */
int metrics_open(struct metrics *m, const char *file, size_t max_series,
		 char *why, size_t whylen);

/* A kill record (OOM_KILL or GO_HEAP): counted; the file is due. */
void metrics_kill(struct metrics *m, const struct oomprof_oom_kill *k);
/* Records the module says it lost (hdr.lost of any record). */
void metrics_lost(struct metrics *m, unsigned long long n);
/* A heap profile written; @partial: from a capture cut short. */
void metrics_profile(struct metrics *m, int partial);
/* @stop: with METRICS_FAIL_NOT_CAPTURED, the record's capture_stop. */
void metrics_profile_failed(struct metrics *m, enum metrics_fail why,
			    unsigned int stop);

/*
 * Whether the file should be rewritten now (@now: CLOCK_MONOTONIC
 * seconds): a kill is not in it yet, a write failed (retried each
 * second), or METRICS_INTERVAL_S passed; never twice within
 * METRICS_MIN_GAP_S.
 */
int metrics_due(const struct metrics *m, time_t now);

/*
 * Rewrite the file from the counters, with the module's @st (NULL: the
 * module did not answer; its metrics are left out and oomprof_module_up
 * is 0). 0, or -1: the file keeps its last good contents, a failure is
 * said on stderr once per cause (and once when it works again), and the
 * next metrics_due() is 1 second later.
 */
int metrics_write(struct metrics *m, const struct oomprof_stats *st,
		  time_t now);

/* The file's text, as metrics_write() writes it (for tests). */
void metrics_format(struct metrics *m, struct sbuf *b);

/* Free everything (the file stays, with its last contents); none: no-op. */
void metrics_close(struct metrics *m);

#endif
