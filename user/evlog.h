/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DIR/events.jsonl, written one whole line at a time. A line the file
 * cannot take (ENOSPC, EIO, quota) is cut back out of the file (no half
 * line stays for the next one to be glued onto), held in memory in order
 * and retried; the reader keeps running. Past the memory bound further
 * lines are dropped and counted, and once the file takes lines again a
 * "lost" line says how many. Each change of state is said once on stderr.
 */
#ifndef OOMPROF_USER_EVLOG_H
#define OOMPROF_USER_EVLOG_H

#include <stddef.h>

#define EVLOG_NAME "events.jsonl"
#define EVLOG_MAX_HELD 4096		/* records */
#define EVLOG_MAX_HELD_BYTES (16 << 20)

struct evlog_line {
	char *p;
	size_t len;
};

struct evlog {
	int dirfd;			/* DIR, not owned */
	const char *dir;		/* for messages */
	int fd;
	struct evlog_line *held;	/* ring of lines not written yet */
	size_t head, nheld, cap, held_bytes;
	size_t max_held, max_held_bytes;
	unsigned long long dropped;	/* not written, not held: counted */
	unsigned long long written;	/* lines in the file (this run) */
	int err;			/* errno of the last failure, 0: none */
	int said_full;
};

/*
 * Open DIR/events.jsonl (@dirfd, checked by outdir_open) for appending,
 * mode 0600, never through a symlink. A last line left without its newline
 * (an older oomprof-read cut off) is removed, and said. 0, or -1 said on
 * stderr.
 */
int evlog_open(struct evlog *ev, int dirfd, const char *dir);

/* SIGHUP: open the file anew (rotated). On failure the old one stays. */
void evlog_reopen(struct evlog *ev);

/* Append one line (@len bytes, ending in '\n'): written, held or counted. */
void evlog_append(struct evlog *ev, const char *line, size_t len);

/* Retry held lines. How many are still held (dropped ones count too). */
size_t evlog_flush(struct evlog *ev);

/*
 * Last retry, then close. How many records were not written (said on
 * stderr if any).
 */
unsigned long long evlog_close(struct evlog *ev);

#endif
