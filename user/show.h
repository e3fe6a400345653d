/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomprof-read --show: events.jsonl read back as an incident report per
 * kill, for a person on a host with no other tool. The file is root's,
 * but its strings are names local users pick: lines are parsed by the
 * bounded reader (json.h), every string is printed escaped (esc.h), a line
 * that does not parse is skipped with a note, and a profile is opened only
 * by its file name inside DIR (O_NOFOLLOW, a regular file, size-capped).
 */
#ifndef OOMPROF_USER_SHOW_H
#define OOMPROF_USER_SHOW_H

#include <stdio.h>

#define SHOW_DEFAULT_DIR "/var/lib/oomprof"
#define SHOW_TOP_N 10			/* allocation sites shown */
#define SHOW_TASK_ROWS 10		/* rows of a kill's task table */
#define SHOW_MAX_GZ (256u << 20)	/* a profile file, compressed */
#define SHOW_MAX_RAW (512u << 20)	/* and decompressed */
#define SHOW_MAX_NOTES 20		/* notes on bad lines said one by one */

struct show_opts {
	const char *path;	/* DIR or a events.jsonl file; NULL: default */
	unsigned long long last;	/* the last N kills; 0: all */
	long long pid;		/* only kills of this pid/tgid; -1: any */
};

/* The caps above, as variables: tests lower them. */
extern size_t show_max_gz, show_max_raw;

/*
 * The report on @out, notes (skipped lines, missing profiles) on @err.
 * 0, or 1 when the file cannot be read (said on @err).
 */
int show_main(const struct show_opts *o, FILE *out, FILE *err);

/* One allocation site: what `go tool pprof -top` prints a line for. */
struct show_site {
	char *name;
	long long flat, cum;
	const char *inline_label;	/* "", "(inline)", "(partial-inline)" */
};

struct show_top {
	char *sample_type;	/* e.g. "inuse_space" */
	char *unit;		/* e.g. "bytes" */
	long long total;
	size_t nsites;		/* at most SHOW_TOP_N */
	struct show_site site[SHOW_TOP_N];
	size_t nodes;		/* functions (and bare addresses) in all */
	size_t dropped;		/* below pprof's node fraction (0.5%) */
	int unit_pow;		/* bytes: the table's unit, 1024^unit_pow */
};

/*
 * The top sites of a gzip'd pprof profile named @name in @dirfd, chosen
 * and summed as `go tool pprof -top -nodecount=10` does with its default
 * sample index. 0, or -1 with the cause in @why.
 */
int show_profile_top(int dirfd, const char *name, struct show_top *t,
		     char *why, size_t whylen);
/* The same for @len bytes of an uncompressed profile. */
int show_top_decode(const unsigned char *raw, size_t len, struct show_top *t,
		    char *why, size_t whylen);
void show_top_free(struct show_top *t);

/*
 * pprof's own label for @v in @unit: scaled to 1024^@pow bytes for a
 * "bytes" unit, -1: its own best unit ("512.01kB", "1.50MB"); else "12".
 */
void show_pprof_label(char *buf, size_t len, long long v, const char *unit,
		      int pow);

#endif
