/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding Go programs and registering them with the module.
 *
 * For now a scan of /proc, at start and then every second (exec-time
 * discovery replaces the polling later). Each executable is read once
 * (gobin), shared by all its processes, and kept open after they exit:
 * a capture arrives after its process is gone and is symbolized from it.
 */
#ifndef OOMPROF_USER_DISCOVER_H
#define OOMPROF_USER_DISCOVER_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct gobin;

struct goexe {
	dev_t dev;
	ino_t ino;
	char path[4096];	/* as /proc/PID/exe named it */
	struct gobin *bin;	/* NULL: not a Go program we can profile */
	uint64_t mbuckets;	/* link-time addresses */
	uint64_t rate;
	const char *how;	/* where they were found (govars_find) */
	uint64_t min_vaddr;	/* lowest PT_LOAD address */
	char why[4800];		/* why not, for the log (once) */
};

struct goproc {
	pid_t pid;
	unsigned long long start_ticks;
	char comm[16];
	struct goexe *exe;
	uint64_t bias;		/* runtime address - link-time address */
	uint64_t reg_id;
	int seen;		/* in the latest scan */
	time_t gone_since;	/* 0 while alive */
};

struct discover {
	int devfd;
	int quiet;
	struct goexe **exes;
	size_t nexes;
	struct goproc *procs;
	size_t nprocs, cap;
	unsigned long long registered;	/* registrations made so far */
};

void discover_init(struct discover *d, int devfd, int quiet);
void discover_free(struct discover *d);
/* Scan /proc: register new Go processes, forget long-gone ones. */
void discover_scan(struct discover *d);
const struct goproc *discover_find(const struct discover *d, uint64_t reg_id);
/*
 * Inspect one process without registering it (on-demand dumps): its start
 * time, name, Go executable and load bias. 0, or -1 with a sentence for
 * people in @why.
 */
int discover_inspect(struct discover *d, pid_t pid, struct goproc *out,
		     char *why, size_t whylen);

/* Parse /proc/PID/stat text: comm and field 22 (start time). 0 or -1. */
int parse_proc_stat(const char *text, char *comm, size_t commlen,
		    unsigned long long *start_ticks);

#endif
