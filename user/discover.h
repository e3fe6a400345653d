/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding Go programs and registering them with the module.
 *
 * A scan of /proc at start; after that the module tells of every exec
 * (OOMPROF_REC_PROC_EXEC) and of the exit of every registered process
 * (OOMPROF_REC_PROC_EXIT), so a Go program is registered within
 * milliseconds of its exec. /proc is scanned again only when the module
 * dropped such records, or every second on a kernel without the sched
 * tracepoints. Each executable is read once (gobin), shared by all its
 * processes, and its function table kept after they exit (a capture
 * arrives after its process is gone and is symbolized from it), in a
 * bounded cache that holds no file open.
 */
#ifndef OOMPROF_USER_DISCOVER_H
#define OOMPROF_USER_DISCOVER_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <linux/oomprof.h>

#include "gomemstats.h"

struct gobin;
struct golearn;

/*
 * An executable as the kernel named it in a PROC_EXEC record (struct
 * oomprof_proc_event's exe_ fields): no padding, hashed whole.
 */
struct exe_kid {
	uint64_t dev, ino, size;
	int64_t mtime_sec, ctime_sec;
	uint32_t mtime_nsec, ctime_nsec;
};

struct goexe {
	/* The cache key: a reused inode is another file. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	/*
	 * The same file as exec records name it, once an inspection has
	 * confirmed that they name this file (kid_set): an exec of it is
	 * then known without a look at /proc.
	 */
	struct exe_kid kid;
	int kid_set;
	unsigned long long used;	/* LRU tick */
	int pinned;		/* a tracked process runs it (eviction) */
	size_t bytes;		/* memory this entry holds */
	char path[4096];	/* as /proc/PID/exe named it */
	struct gobin *bin;	/* NULL: not a Go program we can profile */
	uint64_t mbuckets;	/* link-time addresses */
	uint64_t rate;
	const char *how;	/* where they were found (govars_find) */
	uint64_t min_vaddr;	/* lowest PT_LOAD address */
	char why[4800];		/* why not, for the log (once) */
	/*
	 * Where the runtime's memory statistics are (gomemstats.h): its
	 * regions go into every registration, load bias added. ms_ok 0: the
	 * layout could not be read, ms_why says why (logged once, ms_said).
	 */
	struct gomemstats_layout ms;
	int ms_ok, ms_said;
	char ms_why[512];
};

struct goproc {
	pid_t pid;
	unsigned long long start_ticks;
	char comm[16];
	struct goexe *exe;
	uint64_t bias;		/* runtime address - link-time address */
	uint64_t reg_id;
	int seen;		/* in the latest scan */
	int unregistered;	/* the module dropped it (exit, exec) */
	time_t gone_since;	/* 0 while alive */
	int rate_pending;	/* --enable-go-memprofile: not asked yet */
	int rate_rechecks;	/* once a second: still non-zero? */
};

struct discover {
	int devfd;
	int quiet;
	/*
	 * --enable-go-memprofile: the MemProfileRate written into registered
	 * Go processes whose rate is 0 (OOMPROF_REGISTER_SET_RATE); 0: off.
	 * Set after discover_init.
	 */
	long long set_rate;
	/*
	 * Learning of registered processes' bucket lists (golearn.h): each
	 * registration's /proc/PID/mem is handed to it and closed when the
	 * registration ends. NULL: not learned, the file closed at once.
	 * Set after discover_init.
	 */
	struct golearn *learn;
	struct goexe **exes;
	size_t nexes;
	struct goproc *procs;
	size_t nprocs, cap;
	unsigned long long registered;	/* registrations made so far */
	/*
	 * Executables by exec records' identity (exe_kid): an open-addressed
	 * table of kids_cap slots (a power of two), kids_used of them full;
	 * rebuilt whenever the cache evicts.
	 */
	struct goexe **kids;
	size_t kids_cap, kids_used;
	unsigned long long execs;	/* PROC_EXEC records handled */
	/* of which known without a look at /proc (not Go, seen before) */
	unsigned long long execs_known;
	unsigned long long exits;	/* PROC_EXIT records matched */
};

void discover_init(struct discover *d, int devfd, int quiet);
void discover_free(struct discover *d);
/* Scan /proc: register new Go processes, forget long-gone ones. */
void discover_scan(struct discover *d);
/*
 * Forget processes gone for a while; call about once a second. With
 * set_rate, it also enables heap profiling in the processes that were too
 * young for it when they were registered (their runtime had not yet
 * initialized MemProfileRate).
 */
void discover_expire(struct discover *d);
/* PROC_EXEC / PROC_EXIT records from the module. */
void discover_exec(struct discover *d, const struct oomprof_proc_event *e);
void discover_exit(struct discover *d, const struct oomprof_proc_event *e);
const struct goproc *discover_find(const struct discover *d, uint64_t reg_id);
/*
 * Inspect one process without registering it (on-demand dumps): its start
 * time, name, Go executable and load bias, and *@mem_fd, its /proc/PID/mem
 * opened before the executable was inspected (for OOMPROF_IOC_DUMP; the
 * caller closes it). 0, or -1 with a sentence for people in @why.
 */
int discover_inspect(struct discover *d, pid_t pid, struct goproc *out,
		     int *mem_fd, char *why, size_t whylen);
/* kernel.yama.ptrace_scope, or -1 without Yama. */
int discover_ptrace_scope(void);
/*
 * Why /proc/@pid/mem could not be opened (@err: its errno), as a sentence
 * for people: the ptrace rules that refused it, or that it exited.
 */
void discover_explain_mem_open(char *buf, size_t len, pid_t pid, int err);

/*
 * The executable cache (bounded, LRU): the entry for the file @st
 * describes, reading it from @path (opened without blocking, parsed and
 * closed) on a miss; @name is for messages. NULL on a failure not worth
 * remembering (gone, out of fds or memory, changed under us).
 */
struct goexe *discover_exe(struct discover *d, const char *path,
			   const char *name, const struct stat *st);
/* The cache's bounds: 1024 entries and 512 MiB unless a test says. */
void discover_cache_limits(size_t entries, size_t bytes);

/* Parse /proc/PID/stat text: comm and field 22 (start time). 0 or -1. */
int parse_proc_stat(const char *text, char *comm, size_t commlen,
		    unsigned long long *start_ticks);

#endif
