/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Learning registered Go processes' heap-profile bucket lists outside the
 * OOM path, and merging them into the count entries of a capture.
 *
 * A Go runtime only ever pushes new buckets at the head of runtime.mbuckets
 * (allnext chain) and never changes a bucket's header or stack once made.
 * So the daemon reads each registered process's list through the
 * /proc/PID/mem it registered with (large preads, resumable, a bounded
 * amount of work per tick), from the current head down to the head it
 * learned last time, keeps each bucket's address, size, hash and stack
 * (stacks in a trie of (parent, PC)), and tells the module
 * (OOMPROF_IOC_LEARNED) which prefix it holds. At the kill the module
 * copies only the counts of those buckets (count entries, see
 * include/uapi/linux/oomprof.h), and golearn_merge_source() gives the
 * profile builder one entry per bucket again.
 *
 * Everything read from a process is untrusted: a list that loops, a bucket
 * that is not a memory bucket, a stack deeper than the runtime's limit, a
 * pointer that is misaligned or not a user address, a list that is not the
 * one learned last time: learning of that process ends with a reason (said
 * once), the daemon goes on. Memory for all learned state is bounded
 * (golearn_new), and so are the /proc/PID/mem files held open.
 */
#ifndef OOMPROF_USER_GOLEARN_H
#define OOMPROF_USER_GOLEARN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/oomprof.h>

#include "heapprof.h"

struct golearn;
/* The learned list of one registration (see golearn_take). */
struct golearn_state;

/* Default bound on all learned state: --learn-memory. */
#define GOLEARN_DEFAULT_BUDGET	(256ULL << 20)
/* A pass that learns at least this many buckets is logged, and the next. */
#define GOLEARN_LOG_MIN		10000
/* A gone process's state is kept this long for its kill record. */
#define GOLEARN_GRACE_SECONDS	30

/*
 * How the learned prefix reaches the module: OOMPROF_IOC_LEARNED on @fd by
 * default. Returns 0 or -1 with errno. Tests replace it.
 */
typedef int (*golearn_tell_fn)(void *ctx, const struct oomprof_learned *l);

struct golearn_opts {
	size_t budget;		/* bytes of learned state, all processes */
	size_t max_fds;		/* /proc/PID/mem files held; 0: from RLIMIT */
	size_t max_buckets;	/* per process; 0: 4,000,000 (the module's) */
	double tick_ms;		/* work per golearn_tick; 0: 40 ms */
	double recheck_ms;	/* between looks at a head; 0: 1000 ms */
	int quiet;		/* no "learned N buckets" lines */
	/*
	 * Tests with a memfd for memory: no /proc/PID/maps to check reads
	 * against (see golearn.c, anonymous memory only).
	 */
	int no_maps;
	int devfd;		/* /dev/oomprof for the default tell */
	golearn_tell_fn tell;	/* NULL: OOMPROF_IOC_LEARNED on devfd */
	void *tell_ctx;
};

struct golearn *golearn_new(const struct golearn_opts *o);
/* Frees everything, closes every mem fd. Taken states must be freed first. */
void golearn_free(struct golearn *g);

/*
 * A registration made: learn @pid's list whose head pointer is at
 * @mbuckets_addr (runtime address), through @mem_fd (its /proc/PID/mem,
 * from now on owned by golearn: closed at golearn_gone or on refusal).
 * @exe_key (4 words, or NULL) names its executable file and load bias:
 * processes with the same key share one stack trie. Returns 0, or -1 if
 * not learned (fd bound, memory): @mem_fd is closed and a line said once.
 */
int golearn_add(struct golearn *g, uint64_t reg_id, pid_t pid,
		const char *comm, int mem_fd, uint64_t mbuckets_addr,
		const uint64_t *exe_key);
/*
 * The registration ended (exit, exec, unregister, replaced): its mem fd is
 * closed and learning stops; what was learned is kept for its kill record
 * (golearn_take) for GOLEARN_GRACE_SECONDS.
 */
void golearn_gone(struct golearn *g, uint64_t reg_id);
/* Read @len bytes at @addr through the registration's mem fd: 0 or -1. */
int golearn_read(struct golearn *g, uint64_t reg_id, uint64_t addr,
		 void *buf, size_t len);
/*
 * Learn for at most the tick's work budget. Returns 1 if a pass is under
 * way (call again soon), 0 if nothing is left for now. Heads are checked
 * at most once a second per process.
 */
int golearn_tick(struct golearn *g);
/* Drop gone registrations past their grace period, unused tries. */
void golearn_expire(struct golearn *g);

/*
 * The state of @reg_id, taken out of the table (NULL if none): the kill
 * record of that registration is being processed. It stays valid while
 * learning goes on (a profile may be built from it on another thread);
 * free it with golearn_state_free (from any one thread) once the profile
 * is built.
 */
struct golearn_state *golearn_take(struct golearn *g, uint64_t reg_id);
void golearn_state_free(struct golearn_state *s);
/* Buckets held (known_count of the prefix learned last). */
size_t golearn_state_count(const struct golearn_state *s);
/* The PCs of all its stacks together (a walk over its buckets). */
size_t golearn_state_pcs(const struct golearn_state *s);

/* Counters, for tests and logs. */
struct golearn_stats {
	size_t regs, fds, bytes;
	unsigned long long buckets_read, preads, passes, tells;
	int budget_hit;
};
void golearn_get_stats(const struct golearn *g, struct golearn_stats *st);
/* The reason learning of @reg_id stopped, "" if it did not; NULL: unknown. */
const char *golearn_why(const struct golearn *g, uint64_t reg_id);
/* Buckets learned and committed for @reg_id; 0 if unknown. */
size_t golearn_count(const struct golearn *g, uint64_t reg_id);

/*
 * The entries of a GO_HEAP record @cap (validated by record_next), full
 * entries then count entries, each count entry resolved through @s (may be
 * NULL: counts then end the source with a reason). Fills @src for
 * heapprof_build_src; @m must outlive it. A count entry that does not
 * decode, or whose address is not the learned bucket's at its position,
 * ends the source (next() returns -1 with the reason).
 */
struct golearn_merge {
	const struct golearn_state *s;
	const uint8_t *full, *counts;
	size_t full_len, counts_len, off;
	uint64_t known_head, known_count, ncounted;
	uint64_t j, prev;	/* count entries decoded, last address */
	uint64_t last_allnext;	/* of the last full entry */
	size_t nfull;
	int phase;		/* 0 full, 1 counts, 2 end */
	uint8_t stk[OOMPROF_GO_MAX_STACK * 8];
};
void golearn_merge_init(struct golearn_merge *m, const struct golearn_state *s,
			const struct oomprof_go_capture *cap,
			const void *entries, struct heapprof_source *src);

/* Count-entry decoding, exposed for tests: one entry at *@off. */
int golearn_decode_count(const uint8_t *p, size_t len, size_t *off,
			 int64_t *delta, uint64_t words[16]);

#endif
