/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Go heap profile from a copy of the runtime's heap-profile buckets
 * (runtime.mbuckets), with the samples, values, labels and locations that
 * runtime/pprof.WriteHeapProfile (src/runtime/pprof/protomem.go, proto.go)
 * would have written in that process, for Go 1.19 through current Go.
 *
 * Input: bucket entries back to back, little-endian, each
 *   u64 address of the bucket in the process (diagnostics only)
 *   u64 next, allnext, typ, hash, size, nstk   (runtime/mprof.go: bucket)
 *   u64 stk[nstk]                               return PCs, runtime addresses
 *   u64 active{allocs, frees, alloc_bytes, free_bytes}, future[3]{same}
 * i.e. 8 + 48 + 8 * nstk + 128 bytes. The input is untrusted: sizes are
 * checked and a malformed entry ends the parse (the entries before it are
 * kept, and the profile is marked incomplete).
 */
#ifndef OOMPROF_USER_HEAPPROF_H
#define OOMPROF_USER_HEAPPROF_H

#include <stddef.h>
#include <stdint.h>

#include "pprof.h"

#define HEAPPROF_HDR_SIZE	(8 + 6 * 8)	/* address + bucket header */
#define HEAPPROF_REC_SIZE	(16 * 8)	/* memRecord */
/*
 * Go 1.19 records at most 32 PCs; Go 1.23+ up to debug.profstackdepth
 * (at most 1024) plus 2 spare slots (mprof.go: mProf_Malloc). Larger is
 * corruption.
 */
#define HEAPPROF_MAX_STACK	2048
#define HEAPPROF_MAX_FRAMES	64	/* frames from one PC (inlining depth) */
#define HEAPPROF_BUCKET_MEMORY	1	/* runtime.memProfile */

struct heapprof_cycle {	/* runtime.memRecordCycle */
	uint64_t allocs, frees, alloc_bytes, free_bytes;
};

struct heapprof_entry {
	uint64_t addr;
	uint64_t next, allnext, typ, hash, size, nstk;
	const uint8_t *stk;	/* nstk little-endian u64, unaligned */
	struct heapprof_cycle active, future[3];
};

/*
 * Parse the entry at *@off of @buf and advance *@off past it. Returns 1,
 * 0 at the end of the buffer, or -1 for a malformed entry with a sentence
 * in @err (*@off is then left at that entry).
 */
int heapprof_next(const void *buf, size_t len, size_t *off,
		  struct heapprof_entry *e, char *err, size_t errlen);

uint64_t heapprof_pc(const struct heapprof_entry *e, size_t i);

/*
 * One frame as runtime.Frame would show it. @entry is the entry of the
 * physical function, in any address space (it is only compared).
 */
struct heapprof_frame {
	const char *function;	/* Frame.Function; never NULL */
	const char *symbol;	/* symbol name if it differs (generics), or NULL */
	const char *file;
	uint32_t line;
	int64_t start_line;	/* 0 if unknown */
	uint64_t entry;
	int inlined;		/* inlined into the next frame (Frame.Func == nil) */
};

/*
 * Symbolizer: the frames of ONE return PC @pc (a runtime address: the
 * callback subtracts any load bias), as runtime.CallersFrames yields them
 * for a physical stack frame: innermost inlined function first, physical
 * function last; PC - 1 is the call being described. Returns how many were
 * written (<= @max), 0 if @pc is in no known function. Strings must stay
 * valid until the call returns (they are copied).
 * A negative return: the symbolizer's work budget is spent; this and every
 * later new PC of the profile stay addresses, and a comment says so.
 * gobin_frames (user/symbolize.h) has exactly these semantics.
 */
typedef int (*heapprof_frames_fn)(void *ctx, uint64_t pc,
				  struct heapprof_frame *out, int max);

enum heapprof_cycles {
	/*
	 * memRecord.active only: what runtime.MemProfile reports (after its
	 * flush of the current cycle, e.g. once a GC has completed).
	 */
	HEAPPROF_ACTIVE,
	/*
	 * active + future[0..2]: everything recorded, including the cycles
	 * no GC has published yet: at an OOM kill those hold exactly the
	 * allocations that blew the heap.
	 */
	HEAPPROF_ALL_CYCLES,
};

struct heapprof_opts {
	int64_t rate;		/* the process's runtime.MemProfileRate */
	enum heapprof_cycles cycles;
	heapprof_frames_fn frames;	/* NULL: addresses only */
	void *frames_ctx;
	/* The executable's mapping, runtime addresses; 0/NULL if unknown. */
	const char *exe_path, *build_id;
	uint64_t map_start, map_limit, map_offset;
	int64_t time_nanos;
};

struct heapprof_stats {
	size_t entries;		/* bucket entries parsed */
	size_t bytes;		/* input bytes consumed by them */
	int complete;		/* 1: the whole input parsed */
	char err[160];		/* why not, if not */
	size_t pcs, symbolized;	/* distinct PCs, how many had frames */
	/*
	 * The symbolizer gave up (its work budget for the profile is spent):
	 * how many distinct PCs were left as addresses for that reason.
	 */
	int sym_budget_spent;
	size_t unsymbolized_budget;
};

#define HEAPPROF_DISABLED 1

/*
 * Build the profile. Returns 0 with *@out set (free with pprof_free),
 * HEAPPROF_DISABLED if @o->rate <= 0 (MemProfileRate 0: the binary never
 * sampled; *@out is NULL), or -1 on allocation failure. Callers add
 * comments (Go version, completeness, OOM facts) with pprof_comment and
 * write with pprof_write.
 */
int heapprof_build(const void *buf, size_t len, const struct heapprof_opts *o,
		   struct pprof **out, struct heapprof_stats *st);

/*
 * Where heapprof_build_src takes its entries from, when they are not one
 * buffer of raw entries (a capture whose older buckets the daemon learned
 * before the kill, see golearn.h). next() fills @e (e->stk may point into
 * the source's own storage, valid until the next call) and returns 1, 0 at
 * the end, or -1 for a malformed entry with a sentence in @err. rewind()
 * starts over: the builder passes over the entries once with
 * HEAPPROF_ALL_CYCLES (the OOM path), twice with HEAPPROF_ACTIVE (a first
 * pass decides whether any cycle was published); each pass begins with a
 * rewind().
 */
struct heapprof_source {
	int (*next)(void *ctx, struct heapprof_entry *e, char *err,
		    size_t errlen);
	void (*rewind)(void *ctx);
	void *ctx;
};

/* heapprof_build over any source; st->bytes is 0. */
int heapprof_build_src(const struct heapprof_source *src,
		       const struct heapprof_opts *o, struct pprof **out,
		       struct heapprof_stats *st);

/*
 * runtime/pprof's scaleHeapSample (protomem.go): the unsampled estimate
 * of @count objects of @size total bytes sampled at @rate.
 */
void heapprof_scale(int64_t count, int64_t size, int64_t rate,
		    int64_t *ocount, int64_t *osize);

#endif
