/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Go runtime's own memory statistics (what runtime.ReadMemStats
 * reports) of a process, computed from a few byte ranges of its memory.
 *
 * Two halves:
 * - gomemstats_layout_find reads the executable's DWARF (godwarf.h) and
 *   its symbol table once, at registration: where runtime.memstats,
 *   runtime.gcController and runtime.mheap_ live and where, inside them,
 *   the fields ReadMemStats reads are. The result names at most
 *   GOMEMSTATS_MAX_REGIONS byte ranges ({link-time address, bytes <= 4096})
 *   to copy out of the victim at the kill; add the load bias of a PIE.
 * - gomemstats_compute turns those copied ranges into the statistics with
 *   the formulas of runtime.readmemstats_m (runtime/mstats.go) and
 *   gcControllerState.heapGoal (runtime/mgcpacer.go), Go 1.19 to 1.26.
 *
 * The DWARF decides offsets and which fields exist; a field the binary's
 * runtime does not have makes the statistics that need it invalid, never
 * a guess. The copied memory is the victim's and is not trusted: sums
 * saturate at UINT64_MAX, differences clamp at 0.
 *
 * gomemstats_layout_find needs the executable's file: call it before
 * gobin_trim. gomemstats_json prints a result for events.jsonl.
 */
#ifndef OOMPROF_USER_GOMEMSTATS_H
#define OOMPROF_USER_GOMEMSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "gobin.h"

#define GOMEMSTATS_MAX_REGIONS 4
#define GOMEMSTATS_MAX_REGION_BYTES 4096

/* The statistics, named as in runtime.MemStats (gomemstats_names). */
enum gomemstats_stat {
	GOMS_ALLOC,		/* Alloc (= HeapAlloc) */
	GOMS_TOTAL_ALLOC,	/* TotalAlloc */
	GOMS_SYS,		/* Sys */
	GOMS_MALLOCS,		/* Mallocs */
	GOMS_FREES,		/* Frees */
	GOMS_HEAP_ALLOC,	/* HeapAlloc */
	GOMS_HEAP_SYS,		/* HeapSys */
	GOMS_HEAP_IDLE,		/* HeapIdle */
	GOMS_HEAP_INUSE,	/* HeapInuse */
	GOMS_HEAP_RELEASED,	/* HeapReleased */
	GOMS_HEAP_OBJECTS,	/* HeapObjects */
	GOMS_STACK_INUSE,	/* StackInuse */
	GOMS_STACK_SYS,		/* StackSys */
	GOMS_MSPAN_INUSE,	/* MSpanInuse */
	GOMS_MSPAN_SYS,		/* MSpanSys */
	GOMS_MCACHE_INUSE,	/* MCacheInuse */
	GOMS_MCACHE_SYS,	/* MCacheSys */
	GOMS_BUCKHASH_SYS,	/* BuckHashSys */
	GOMS_GC_SYS,		/* GCSys */
	GOMS_OTHER_SYS,		/* OtherSys */
	GOMS_NEXT_GC,		/* NextGC */
	GOMS_LAST_GC,		/* LastGC (ns since 1970) */
	GOMS_PAUSE_TOTAL_NS,	/* PauseTotalNs */
	GOMS_NUM_GC,		/* NumGC */
	GOMS_NUM_FORCED_GC,	/* NumForcedGC */
	GOMS_NSTATS
};

/* "HeapAlloc", ...: the runtime.MemStats field names, by enum value. */
extern const char *const gomemstats_names[GOMS_NSTATS];

struct gomemstats {
	uint64_t v[GOMS_NSTATS];
	uint32_t valid;		/* bit (1u << stat) set: v[stat] was computed */
};

/*
 * Private: where one input of the formulas is. @region indexes
 * gomemstats_layout.region, @off is the offset inside that region, @size
 * its bytes (1, 2, 4 or 8); size 0: absent (the runtime has no such field,
 * or no region covers it).
 */
struct gomemstats_loc {
	uint32_t off;
	uint8_t region;
	uint8_t size;
};

/* Private: the inputs (gomemstats.c lists where each comes from). */
enum gomemstats_input {
	/* runtime.memstats */
	GOMS_IN_STACKS_SYS, GOMS_IN_MSPAN_SYS, GOMS_IN_MCACHE_SYS,
	GOMS_IN_BUCKHASH_SYS, GOMS_IN_GCMISC_SYS, GOMS_IN_OTHER_SYS,
	GOMS_IN_LAST_GC_UNIX, GOMS_IN_PAUSE_TOTAL_NS, GOMS_IN_NUMGC,
	GOMS_IN_NUMFORCEDGC,
	/* runtime.gcController */
	GOMS_IN_HEAP_INUSE, GOMS_IN_HEAP_FREE, GOMS_IN_HEAP_RELEASED,
	GOMS_IN_TOTAL_ALLOC, GOMS_IN_TOTAL_FREE, GOMS_IN_MAPPED_READY,
	GOMS_IN_GCPERCENT_HEAP_GOAL, GOMS_IN_SWEEPDIST_MIN_TRIGGER,
	GOMS_IN_TRIGGERED, GOMS_IN_MEMORY_LIMIT, GOMS_IN_HEAP_MARKED,
	/* runtime.mheap_ */
	GOMS_IN_SPANALLOC_INUSE, GOMS_IN_CACHEALLOC_INUSE,
	GOMS_NINPUTS
};

/* Private: members of runtime.heapStatsDelta, relative to one delta. */
enum gomemstats_delta_member {
	GOMS_D_IN_STACKS, GOMS_D_IN_WORKBUFS, GOMS_D_IN_PTRSCALARBITS,
	GOMS_D_TINY_ALLOC_COUNT, GOMS_D_LARGE_ALLOC_COUNT,
	GOMS_D_LARGE_FREE_COUNT, GOMS_D_SMALL_ALLOC_COUNT,
	GOMS_D_SMALL_FREE_COUNT,
	GOMS_ND
};

struct gomemstats_layout {
	unsigned nregions;
	struct {
		uint64_t addr;	/* link-time address: add the load bias */
		uint32_t bytes;	/* 1..GOMEMSTATS_MAX_REGION_BYTES */
	} region[GOMEMSTATS_MAX_REGIONS];

	/* Private to gomemstats.c from here on. */
	int go_minor;		/* gobin_info: 19 for go1.19.x, 0 unknown */
	struct gomemstats_loc in[GOMS_NINPUTS];
	/* memstats.heapStats.stats[ndeltas], each delta_size bytes apart */
	struct gomemstats_loc deltas;	/* the first delta's first byte */
	uint32_t ndeltas, delta_size;
	uint32_t d_off[GOMS_ND];	/* UINT32_MAX: absent */
	uint32_t nclasses;		/* elements of smallAllocCount/FreeCount */
};

/*
 * Read the layout from @g's DWARF and symbol table. 0, or -1 with a
 * sentence for people in @err ("<exe>: no DWARF: built with -ldflags=-w
 * ...", "runtime.mstats has no member heapStats in this Go version", ...).
 * Success means at least one region and one statistic; which statistics
 * are computable shows in gomemstats_compute's valid mask.
 */
int gomemstats_layout_find(struct gobin *g, struct gomemstats_layout *l,
			   char *err, size_t errlen);

/*
 * The statistics from the regions' bytes: @data[i] the @len[i] bytes
 * copied from region i (NULL, or fewer than region[i].bytes, if it could
 * not be copied: what needs the missing bytes is invalid). 0 if at least
 * one statistic is valid, -1 with a sentence in @err if none is.
 */
int gomemstats_compute(const struct gomemstats_layout *l,
		       const uint8_t *const data[GOMEMSTATS_MAX_REGIONS],
		       const uint32_t len[GOMEMSTATS_MAX_REGIONS],
		       struct gomemstats *out, char *err, size_t errlen);

/*
 * @s as one JSON object, {"HeapAlloc":123,...}, valid statistics only,
 * in enum order, NUL-terminated. Returns its length, or -1 if it does not
 * fit @len (then @buf holds "{}" if @len >= 3). 1024 bytes always suffice.
 */
int gomemstats_json(const struct gomemstats *s, char *buf, size_t len);

#endif
