// SPDX-License-Identifier: GPL-2.0
/*
 * runtime.ReadMemStats from outside the process: see gomemstats.h.
 *
 * Where each figure comes from (runtime/mstats.go readmemstats_m and
 * runtime/mgcpacer.go heapGoalInternal/memoryLimitHeapGoal, identical in
 * these respects from Go 1.19 to 1.26 but for what is noted):
 *
 *   deltas  = memstats.heapStats.stats[0..2] summed (consistentHeapStats.
 *             unsafeRead): the runtime's sharded allocation counters
 *   Mallocs = sum(largeAllocCount + smallAllocCount[*] + tinyAllocCount)
 *   Frees   = sum(largeFreeCount + smallFreeCount[*] + tinyAllocCount)
 *   HeapObjects = Mallocs - Frees
 *   TotalAlloc  = gcController.totalAlloc (readmemstats_m sums it from the
 *                 deltas with the size-class table; the runtime's own
 *                 doubleCheckReadMemStats asserts the two are equal)
 *   Alloc = HeapAlloc = gcController.totalAlloc - gcController.totalFree
 *   HeapSys  = gcController.heapInUse + heapFree + heapReleased
 *   HeapIdle = heapFree + heapReleased; HeapInuse = heapInUse;
 *   HeapReleased = heapReleased
 *   StackInuse = sum(inStacks); StackSys = StackInuse + memstats.stacks_sys
 *   MSpanInuse = mheap_.spanalloc.inuse; MSpanSys = memstats.mspan_sys
 *   MCacheInuse = mheap_.cachealloc.inuse; MCacheSys = memstats.mcache_sys
 *   BuckHashSys = memstats.buckhash_sys; OtherSys = memstats.other_sys
 *   GCSys = memstats.gcMiscSys + sum(inWorkBufs) [+ sum(inPtrScalarBits):
 *           Go 1.19 has that member, 1.26 does not; the DWARF decides]
 *   Sys = HeapSys + stacks_sys + mspan_sys + mcache_sys + buckhash_sys +
 *         gcMiscSys + other_sys + StackInuse + sum(inWorkBufs)
 *         [+ sum(inPtrScalarBits)]
 *   NextGC = gcControllerState.heapGoal(): gcPercentHeapGoal, lowered to
 *            memoryLimitHeapGoal() (whose headroom is 1 MiB in Go 1.19 and
 *            3% but at least 1 MiB in Go 1.26), else raised to
 *            sweepDistMinTrigger and to triggered + 64 KiB
 *   LastGC, PauseTotalNs, NumGC, NumForcedGC: memstats.last_gc_unix,
 *            pause_total_ns, numgc, numforcedgc
 *
 * At a kill the world is not stopped and the mcaches are not flushed as
 * ReadMemStats does first: objects allocated from spans still cached by
 * a P are not yet in Mallocs/TotalAlloc (at most a span per size class
 * per P).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwarf.h"
#include "gomemstats.h"

const char *const gomemstats_names[GOMS_NSTATS] = {
	[GOMS_ALLOC] = "Alloc", [GOMS_TOTAL_ALLOC] = "TotalAlloc",
	[GOMS_SYS] = "Sys", [GOMS_MALLOCS] = "Mallocs", [GOMS_FREES] = "Frees",
	[GOMS_HEAP_ALLOC] = "HeapAlloc", [GOMS_HEAP_SYS] = "HeapSys",
	[GOMS_HEAP_IDLE] = "HeapIdle", [GOMS_HEAP_INUSE] = "HeapInuse",
	[GOMS_HEAP_RELEASED] = "HeapReleased",
	[GOMS_HEAP_OBJECTS] = "HeapObjects",
	[GOMS_STACK_INUSE] = "StackInuse", [GOMS_STACK_SYS] = "StackSys",
	[GOMS_MSPAN_INUSE] = "MSpanInuse", [GOMS_MSPAN_SYS] = "MSpanSys",
	[GOMS_MCACHE_INUSE] = "MCacheInuse", [GOMS_MCACHE_SYS] = "MCacheSys",
	[GOMS_BUCKHASH_SYS] = "BuckHashSys", [GOMS_GC_SYS] = "GCSys",
	[GOMS_OTHER_SYS] = "OtherSys", [GOMS_NEXT_GC] = "NextGC",
	[GOMS_LAST_GC] = "LastGC", [GOMS_PAUSE_TOTAL_NS] = "PauseTotalNs",
	[GOMS_NUM_GC] = "NumGC", [GOMS_NUM_FORCED_GC] = "NumForcedGC",
};

enum { V_MEMSTATS, V_GCCONTROLLER, V_MHEAP, NVARS };

static const char *const var_names[NVARS] = {
	"runtime.memstats", "runtime.gcController", "runtime.mheap_",
};
static const char *const var_types[NVARS] = {
	"runtime.mstats", "runtime.gcControllerState", "runtime.mheap",
};
/* Structs the member paths go through, after var_types. */
static const char *const struct_names[] = {
	"runtime.mstats", "runtime.gcControllerState", "runtime.mheap",
	"runtime.consistentHeapStats", "runtime.heapStatsDelta",
	"runtime.fixalloc",
};
#define NSTRUCTS (sizeof(struct_names) / sizeof(struct_names[0]))

/* Lower numbers get a region first when more than four would be needed. */
static const struct {
	uint8_t var, prio;
	const char *path;
} inputs[GOMS_NINPUTS] = {
	[GOMS_IN_STACKS_SYS] = { V_MEMSTATS, 1, "stacks_sys" },
	[GOMS_IN_MSPAN_SYS] = { V_MEMSTATS, 1, "mspan_sys" },
	[GOMS_IN_MCACHE_SYS] = { V_MEMSTATS, 1, "mcache_sys" },
	[GOMS_IN_BUCKHASH_SYS] = { V_MEMSTATS, 1, "buckhash_sys" },
	[GOMS_IN_GCMISC_SYS] = { V_MEMSTATS, 1, "gcMiscSys" },
	[GOMS_IN_OTHER_SYS] = { V_MEMSTATS, 1, "other_sys" },
	[GOMS_IN_LAST_GC_UNIX] = { V_MEMSTATS, 3, "last_gc_unix" },
	[GOMS_IN_PAUSE_TOTAL_NS] = { V_MEMSTATS, 3, "pause_total_ns" },
	[GOMS_IN_NUMGC] = { V_MEMSTATS, 3, "numgc" },
	[GOMS_IN_NUMFORCEDGC] = { V_MEMSTATS, 3, "numforcedgc" },
	[GOMS_IN_HEAP_INUSE] = { V_GCCONTROLLER, 0, "heapInUse" },
	[GOMS_IN_HEAP_FREE] = { V_GCCONTROLLER, 0, "heapFree" },
	[GOMS_IN_HEAP_RELEASED] = { V_GCCONTROLLER, 0, "heapReleased" },
	[GOMS_IN_TOTAL_ALLOC] = { V_GCCONTROLLER, 0, "totalAlloc" },
	[GOMS_IN_TOTAL_FREE] = { V_GCCONTROLLER, 0, "totalFree" },
	[GOMS_IN_MAPPED_READY] = { V_GCCONTROLLER, 2, "mappedReady" },
	[GOMS_IN_GCPERCENT_HEAP_GOAL] = { V_GCCONTROLLER, 2, "gcPercentHeapGoal" },
	[GOMS_IN_SWEEPDIST_MIN_TRIGGER] = { V_GCCONTROLLER, 2, "sweepDistMinTrigger" },
	[GOMS_IN_TRIGGERED] = { V_GCCONTROLLER, 2, "triggered" },
	[GOMS_IN_MEMORY_LIMIT] = { V_GCCONTROLLER, 2, "memoryLimit" },
	[GOMS_IN_HEAP_MARKED] = { V_GCCONTROLLER, 2, "heapMarked" },
	[GOMS_IN_SPANALLOC_INUSE] = { V_MHEAP, 4, "spanalloc.inuse" },
	[GOMS_IN_CACHEALLOC_INUSE] = { V_MHEAP, 4, "cachealloc.inuse" },
};

static const char *const delta_members[GOMS_ND] = {
	[GOMS_D_IN_STACKS] = "inStacks", [GOMS_D_IN_WORKBUFS] = "inWorkBufs",
	[GOMS_D_IN_PTRSCALARBITS] = "inPtrScalarBits",
	[GOMS_D_TINY_ALLOC_COUNT] = "tinyAllocCount",
	[GOMS_D_LARGE_ALLOC_COUNT] = "largeAllocCount",
	[GOMS_D_LARGE_FREE_COUNT] = "largeFreeCount",
	[GOMS_D_SMALL_ALLOC_COUNT] = "smallAllocCount",
	[GOMS_D_SMALL_FREE_COUNT] = "smallFreeCount",
};

/* Byte ranges to copy, before they are merged into regions. */
struct want {
	uint8_t var, prio;
	int input;		/* GOMS_IN_*, or -1 for the deltas */
	uint64_t off, size;	/* within the variable */
	int cluster;
};

static int want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	if (x->var != y->var)
		return x->var < y->var ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int size_ok(uint64_t n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

/* The deltas: where they are, and which of their members exist. */
static int find_deltas(const struct godwarf *d, struct gomemstats_layout *l,
		       struct want *w, char *err, size_t errlen)
{
	const struct godwarf_struct *hsd;
	const struct godwarf_type *arr, *t;
	uint64_t off, size, lo = UINT64_MAX, hi = 0;

	if (godwarf_member(d, "runtime.mstats", "heapStats.stats", &off, &size,
			   &arr, err, errlen))
		return -1;
	hsd = godwarf_struct(d, "runtime.heapStatsDelta");
	if (arr->tag != GODWARF_ARRAY || arr->count == UINT64_MAX ||
	    !arr->count || arr->count > 16 || !hsd || !hsd->found ||
	    hsd->byte_size == UINT64_MAX || arr->byte_size / arr->count !=
	    hsd->byte_size || arr->byte_size % arr->count) {
		snprintf(err, errlen, "runtime.mstats.heapStats.stats is not an array of runtime.heapStatsDelta in this Go version");
		return -1;
	}
	l->ndeltas = (uint32_t)arr->count;
	l->delta_size = (uint32_t)hsd->byte_size;
	l->nclasses = UINT32_MAX;
	for (int m = 0; m < GOMS_ND; m++) {
		uint64_t moff, msize;
		char e2[160];

		l->d_off[m] = UINT32_MAX;
		if (godwarf_member(d, "runtime.heapStatsDelta", delta_members[m],
				   &moff, &msize, &t, e2, sizeof(e2)))
			continue;	/* absent: what needs it is invalid */
		if (m == GOMS_D_SMALL_ALLOC_COUNT || m == GOMS_D_SMALL_FREE_COUNT) {
			if (t->tag != GODWARF_ARRAY || t->count == UINT64_MAX ||
			    !t->count || t->count > 512 || msize != t->count * 8)
				continue;
			if (t->count < l->nclasses)
				l->nclasses = (uint32_t)t->count;
		} else if (msize != 8) {
			continue;
		}
		l->d_off[m] = (uint32_t)moff;
		if (moff < lo)
			lo = moff;
		if (moff + msize > hi)
			hi = moff + msize;
	}
	if (l->nclasses == UINT32_MAX)
		l->nclasses = 0;
	if (lo == UINT64_MAX) {
		snprintf(err, errlen, "runtime.heapStatsDelta has none of the members ReadMemStats reads in this Go version");
		return -1;
	}
	w->var = V_MEMSTATS;
	w->prio = 0;
	w->input = -1;
	w->off = off + lo;
	w->size = (l->ndeltas - 1) * (uint64_t)l->delta_size + hi - lo;
	for (int m = 0; m < GOMS_ND; m++)
		if (l->d_off[m] != UINT32_MAX)
			l->d_off[m] -= (uint32_t)lo;
	return 0;
}

int gomemstats_layout_find(struct gobin *g, struct gomemstats_layout *l,
			   char *err, size_t errlen)
{
	struct godwarf *d = NULL;
	struct want w[GOMS_NINPUTS + 1];
	uint64_t base[NVARS], vsize[NVARS];
	int have_var[NVARS] = { 0 };
	unsigned nw = 0, ncl = 0, nvalid = 0;
	struct { uint64_t lo, hi; uint8_t var, prio; int region; } cl[GOMS_NINPUTS + 1];
	char why[256] = "";
	int rc = -1;

	memset(l, 0, sizeof(*l));
	l->go_minor = gobin_info(g)->go_minor;
	if (godwarf_load(g, struct_names, NSTRUCTS, var_names, NVARS, &d, err,
			 errlen))
		return -1;
	for (int v = 0; v < NVARS; v++) {
		const struct godwarf_struct *s = godwarf_struct(d, var_types[v]);
		const struct godwarf_var *dv = godwarf_var(d, var_names[v]);
		uint64_t a, sz;

		if (!s->found)
			continue;
		if (!gobin_symbol(g, var_names[v], &a, &sz) && sz >= s->byte_size) {
			base[v] = a;
		} else if (dv->found) {
			base[v] = dv->addr;
		} else {
			continue;
		}
		vsize[v] = s->byte_size;
		have_var[v] = 1;
	}
	if (!have_var[V_MEMSTATS] && !have_var[V_GCCONTROLLER]) {
		snprintf(err, errlen, "%s: neither runtime.memstats nor runtime.gcController (with their types) is in the symbol table or DWARF",
			 g->name);
		goto out;
	}
	if (have_var[V_MEMSTATS] && !find_deltas(d, l, &w[nw], why, sizeof(why)))
		nw++;
	for (int i = 0; i < GOMS_NINPUTS; i++) {
		uint64_t off, size;
		char e2[160];

		l->in[i].size = 0;
		if (!have_var[inputs[i].var])
			continue;
		if (godwarf_member(d, var_types[inputs[i].var], inputs[i].path,
				   &off, &size, NULL, e2, sizeof(e2))) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s", e2);
			continue;
		}
		if (!size_ok(size))
			continue;
		w[nw].var = inputs[i].var;
		w[nw].prio = inputs[i].prio;
		w[nw].input = i;
		w[nw].off = off;
		w[nw].size = size;
		nw++;
	}
	/* Merge neighbours of one variable into ranges of at most 4 KiB. */
	qsort(w, nw, sizeof(w[0]), want_cmp);
	for (unsigned i = 0; i < nw; i++) {
		uint64_t end = w[i].off + w[i].size;

		/* off and size are the file's: a sum that wraps is no range. */
		if (w[i].off > vsize[w[i].var] ||
		    w[i].size > vsize[w[i].var] - w[i].off ||
		    w[i].size > GOMEMSTATS_MAX_REGION_BYTES) {
			w[i].cluster = -1;
			continue;
		}
		if (ncl && cl[ncl - 1].var == w[i].var &&
		    end - cl[ncl - 1].lo <= GOMEMSTATS_MAX_REGION_BYTES) {
			if (end > cl[ncl - 1].hi)
				cl[ncl - 1].hi = end;
			if (w[i].prio < cl[ncl - 1].prio)
				cl[ncl - 1].prio = w[i].prio;
		} else {
			cl[ncl].lo = w[i].off;
			cl[ncl].hi = end;
			cl[ncl].var = w[i].var;
			cl[ncl].prio = w[i].prio;
			cl[ncl].region = -1;
			ncl++;
		}
		w[i].cluster = (int)ncl - 1;
	}
	/* The most needed ranges become the regions. */
	for (unsigned p = 0; p <= 4 && l->nregions < GOMEMSTATS_MAX_REGIONS; p++)
		for (unsigned c = 0; c < ncl && l->nregions < GOMEMSTATS_MAX_REGIONS; c++) {
			if (cl[c].prio != p || cl[c].region >= 0)
				continue;
			cl[c].region = (int)l->nregions;
			l->region[l->nregions].addr = base[cl[c].var] + cl[c].lo;
			l->region[l->nregions].bytes = (uint32_t)(cl[c].hi - cl[c].lo);
			l->nregions++;
		}
	for (unsigned i = 0; i < nw; i++) {
		struct gomemstats_loc loc = { 0 };

		if (w[i].cluster < 0 || cl[w[i].cluster].region < 0)
			continue;
		loc.region = (uint8_t)cl[w[i].cluster].region;
		loc.off = (uint32_t)(w[i].off - cl[w[i].cluster].lo);
		loc.size = (uint8_t)(w[i].input < 0 ? 8 : w[i].size);
		if (w[i].input < 0)
			l->deltas = loc;
		else
			l->in[w[i].input] = loc;
		nvalid++;
	}
	if (!nvalid) {
		snprintf(err, errlen, "%s: none of the runtime's memory statistics can be located: %s",
			 g->name, why[0] ? why : "their variables are too large");
		goto out;
	}
	rc = 0;
out:
	godwarf_free(d);
	return rc;
}

/* --- computing ---------------------------------------------------------- */

struct rd {
	const struct gomemstats_layout *l;
	const uint8_t *const *data;
	const uint32_t *len;
};

/* The @size-byte little-endian value at @off of region @region. */
static int rdv(const struct rd *r, unsigned region, uint64_t off,
	       unsigned size, uint64_t *v)
{
	const uint8_t *p;
	uint64_t n;

	if (!size || region >= r->l->nregions || !r->data[region])
		return 0;
	n = r->len[region] < r->l->region[region].bytes ? r->len[region] :
	    r->l->region[region].bytes;
	if (off > n || size > n - off)
		return 0;
	p = r->data[region] + off;
	*v = 0;
	for (unsigned i = size; i > 0; i--)
		*v = *v << 8 | p[i - 1];
	return 1;
}

static int in(const struct rd *r, int input, uint64_t *v)
{
	const struct gomemstats_loc *loc = &r->l->in[input];

	return rdv(r, loc->region, loc->off, loc->size, v);
}

/* Member @m of delta @i: the @k-th word of it. */
static int delta(const struct rd *r, unsigned i, int m, unsigned k,
		 uint64_t *v)
{
	const struct gomemstats_layout *l = r->l;

	if (!l->deltas.size || l->d_off[m] == UINT32_MAX)
		return 0;
	return rdv(r, l->deltas.region,
		   l->deltas.off + (uint64_t)i * l->delta_size + l->d_off[m] +
		   8ull * k, 8, v);
}

static uint64_t add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Sum of a signed member over the deltas, clamped to [0, UINT64_MAX]. */
static int sum_signed(const struct rd *r, int m, uint64_t *out)
{
	__int128 s = 0;

	for (unsigned i = 0; i < r->l->ndeltas; i++) {
		uint64_t v;

		if (!delta(r, i, m, 0, &v))
			return 0;
		s += (int64_t)v;
	}
	*out = s < 0 ? 0 : s > (__int128)UINT64_MAX ? UINT64_MAX : (uint64_t)s;
	return 1;
}

/* Sum over the deltas of members @ms (arrays: every class). */
static int sum_counts(const struct rd *r, const int *ms, int nms,
		      uint64_t *out)
{
	uint64_t s = 0;

	if (!r->l->ndeltas)
		return 0;
	for (unsigned i = 0; i < r->l->ndeltas; i++)
		for (int j = 0; j < nms; j++) {
			int arr = ms[j] == GOMS_D_SMALL_ALLOC_COUNT ||
				  ms[j] == GOMS_D_SMALL_FREE_COUNT;
			unsigned n = arr ? r->l->nclasses : 1;
			uint64_t v;

			if (arr && !n)
				return 0;
			for (unsigned k = 0; k < n; k++) {
				if (!delta(r, i, ms[j], k, &v))
					return 0;
				s = add(s, v);
			}
		}
	*out = s;
	return 1;
}

/*
 * gcControllerState.memoryLimitHeapGoal; @percent: Go 1.26's headroom
 * (3%, at least 1 MiB), else Go 1.19's (1 MiB). 0 if the snapshot is
 * inconsistent (the runtime would read again).
 */
static int limit_goal(uint64_t heap_free, uint64_t heap_alloc,
		      uint64_t mapped_ready, uint64_t limit, uint64_t marked,
		      int percent, uint64_t *goal)
{
	uint64_t non_heap, overage = 0, g, headroom = 1 << 20;

	if (heap_free > UINT64_MAX - heap_alloc ||
	    heap_free + heap_alloc > mapped_ready)
		return 0;
	non_heap = mapped_ready - heap_free - heap_alloc;
	if (mapped_ready > limit)
		overage = mapped_ready - limit;
	if (add(non_heap, overage) >= limit) {
		*goal = marked;
		return 1;
	}
	g = limit - (non_heap + overage);
	if (percent && g / 100 * 3 > headroom)
		headroom = g / 100 * 3;
	if (g < headroom || g - headroom < headroom)
		g = headroom;
	else
		g -= headroom;
	*goal = g < marked ? marked : g;
	return 1;
}

static int next_gc(const struct rd *r, uint64_t heap_alloc, int have_alloc,
		   uint64_t *out)
{
	uint64_t goal, free_, ready, limit, marked, sweep, trig, g19, g26, lg;
	int minor = r->l->go_minor;

	if (!have_alloc || !in(r, GOMS_IN_GCPERCENT_HEAP_GOAL, &goal) ||
	    !in(r, GOMS_IN_HEAP_FREE, &free_) ||
	    !in(r, GOMS_IN_MAPPED_READY, &ready) ||
	    !in(r, GOMS_IN_MEMORY_LIMIT, &limit) ||
	    !in(r, GOMS_IN_HEAP_MARKED, &marked) ||
	    !in(r, GOMS_IN_SWEEPDIST_MIN_TRIGGER, &sweep) ||
	    !in(r, GOMS_IN_TRIGGERED, &trig))
		return 0;
	if (!limit_goal(free_, heap_alloc, ready, limit, marked, 0, &g19) ||
	    !limit_goal(free_, heap_alloc, ready, limit, marked, 1, &g26))
		return 0;
	/*
	 * The headroom's formula is known for 1.19 and 1.26 only; for any
	 * other version the figure counts only where both agree.
	 */
	if (minor == 19)
		lg = g19;
	else if (minor >= 26)
		lg = g26;
	else if (g19 == g26 || (g19 >= goal && g26 >= goal))
		lg = g19 < g26 ? g19 : g26;
	else
		return 0;
	if (lg < goal) {
		goal = lg;
	} else {
		if (sweep > goal)
			goal = sweep;
		if (trig != UINT64_MAX && goal < add(trig, 64 << 10))
			goal = add(trig, 64 << 10);
	}
	*out = goal;
	return 1;
}

static void set(struct gomemstats *o, int stat, uint64_t v)
{
	o->v[stat] = v;
	o->valid |= 1u << stat;
}

int gomemstats_compute(const struct gomemstats_layout *l,
		       const uint8_t *const data[GOMEMSTATS_MAX_REGIONS],
		       const uint32_t len[GOMEMSTATS_MAX_REGIONS],
		       struct gomemstats *out, char *err, size_t errlen)
{
	static const int mallocs_m[] = { GOMS_D_LARGE_ALLOC_COUNT,
		GOMS_D_SMALL_ALLOC_COUNT, GOMS_D_TINY_ALLOC_COUNT };
	static const int frees_m[] = { GOMS_D_LARGE_FREE_COUNT,
		GOMS_D_SMALL_FREE_COUNT, GOMS_D_TINY_ALLOC_COUNT };
	struct rd r = { l, data, len };
	uint64_t mallocs, frees, talloc, tfree, hin, hfree, hrel, stacks = 0;
	uint64_t wbufs = 0, ptrbits = 0, ssys, mspan, mcache, buck, gcmisc, other;
	uint64_t v, alloc = 0;
	int has_m, has_f, has_ta, has_tf, has_hin, has_hfree, has_hrel, has_stk;
	int has_wb, has_pb, has_ssys, has_mspan, has_mcache, has_buck, has_gcm;
	int has_other;

	memset(out, 0, sizeof(*out));
	if (l->nregions > GOMEMSTATS_MAX_REGIONS) {
		snprintf(err, errlen, "invalid layout");
		return -1;
	}
	has_m = sum_counts(&r, mallocs_m, 3, &mallocs);
	has_f = sum_counts(&r, frees_m, 3, &frees);
	has_ta = in(&r, GOMS_IN_TOTAL_ALLOC, &talloc);
	has_tf = in(&r, GOMS_IN_TOTAL_FREE, &tfree);
	has_hin = in(&r, GOMS_IN_HEAP_INUSE, &hin);
	has_hfree = in(&r, GOMS_IN_HEAP_FREE, &hfree);
	has_hrel = in(&r, GOMS_IN_HEAP_RELEASED, &hrel);
	has_stk = sum_signed(&r, GOMS_D_IN_STACKS, &stacks);
	has_wb = sum_signed(&r, GOMS_D_IN_WORKBUFS, &wbufs);
	/* Absent from the runtime (Go 1.26): nothing to add. */
	has_pb = l->d_off[GOMS_D_IN_PTRSCALARBITS] == UINT32_MAX ? 1 :
		 sum_signed(&r, GOMS_D_IN_PTRSCALARBITS, &ptrbits);
	has_ssys = in(&r, GOMS_IN_STACKS_SYS, &ssys);
	has_mspan = in(&r, GOMS_IN_MSPAN_SYS, &mspan);
	has_mcache = in(&r, GOMS_IN_MCACHE_SYS, &mcache);
	has_buck = in(&r, GOMS_IN_BUCKHASH_SYS, &buck);
	has_gcm = in(&r, GOMS_IN_GCMISC_SYS, &gcmisc);
	has_other = in(&r, GOMS_IN_OTHER_SYS, &other);

	if (has_m)
		set(out, GOMS_MALLOCS, mallocs);
	if (has_f)
		set(out, GOMS_FREES, frees);
	if (has_m && has_f)
		set(out, GOMS_HEAP_OBJECTS, sub(mallocs, frees));
	if (has_ta)
		set(out, GOMS_TOTAL_ALLOC, talloc);
	if (has_ta && has_tf) {
		alloc = sub(talloc, tfree);
		set(out, GOMS_ALLOC, alloc);
		set(out, GOMS_HEAP_ALLOC, alloc);
	}
	if (has_hin && has_hfree && has_hrel)
		set(out, GOMS_HEAP_SYS, add(add(hin, hfree), hrel));
	if (has_hfree && has_hrel)
		set(out, GOMS_HEAP_IDLE, add(hfree, hrel));
	if (has_hin)
		set(out, GOMS_HEAP_INUSE, hin);
	if (has_hrel)
		set(out, GOMS_HEAP_RELEASED, hrel);
	if (has_stk)
		set(out, GOMS_STACK_INUSE, stacks);
	if (has_stk && has_ssys)
		set(out, GOMS_STACK_SYS, add(stacks, ssys));
	if (in(&r, GOMS_IN_SPANALLOC_INUSE, &v))
		set(out, GOMS_MSPAN_INUSE, v);
	if (has_mspan)
		set(out, GOMS_MSPAN_SYS, mspan);
	if (in(&r, GOMS_IN_CACHEALLOC_INUSE, &v))
		set(out, GOMS_MCACHE_INUSE, v);
	if (has_mcache)
		set(out, GOMS_MCACHE_SYS, mcache);
	if (has_buck)
		set(out, GOMS_BUCKHASH_SYS, buck);
	if (has_gcm && has_wb && has_pb)
		set(out, GOMS_GC_SYS, add(add(gcmisc, wbufs), ptrbits));
	if (has_other)
		set(out, GOMS_OTHER_SYS, other);
	if (has_hin && has_hfree && has_hrel && has_ssys && has_mspan &&
	    has_mcache && has_buck && has_gcm && has_other && has_stk &&
	    has_wb && has_pb) {
		uint64_t s = add(add(hin, hfree), hrel);

		s = add(add(add(s, ssys), add(mspan, mcache)),
			add(add(buck, gcmisc), other));
		s = add(add(s, stacks), add(wbufs, ptrbits));
		set(out, GOMS_SYS, s);
	}
	if (next_gc(&r, alloc, has_ta && has_tf, &v))
		set(out, GOMS_NEXT_GC, v);
	if (in(&r, GOMS_IN_LAST_GC_UNIX, &v))
		set(out, GOMS_LAST_GC, v);
	if (in(&r, GOMS_IN_PAUSE_TOTAL_NS, &v))
		set(out, GOMS_PAUSE_TOTAL_NS, v);
	if (in(&r, GOMS_IN_NUMGC, &v))
		set(out, GOMS_NUM_GC, v);
	if (in(&r, GOMS_IN_NUMFORCEDGC, &v))
		set(out, GOMS_NUM_FORCED_GC, v);
	if (!out->valid) {
		snprintf(err, errlen, "none of the runtime's memory statistics could be read (regions not copied)");
		return -1;
	}
	return 0;
}

int gomemstats_json(const struct gomemstats *s, char *buf, size_t len)
{
	size_t at = 0;
	int n;

	if (!len)
		return -1;
	buf[0] = 0;
	n = snprintf(buf, len, "{");
	at = (size_t)n;
	for (int i = 0; i < GOMS_NSTATS; i++) {
		if (!(s->valid & (1u << i)))
			continue;
		n = snprintf(buf + at, len - at, "%s\"%s\":%llu",
			     at > 1 ? "," : "", gomemstats_names[i],
			     (unsigned long long)s->v[i]);
		if (n < 0 || (size_t)n >= len - at)
			goto full;
		at += (size_t)n;
	}
	if (at + 2 > len)
		goto full;
	buf[at++] = '}';
	buf[at] = 0;
	return (int)at;
full:
	if (len >= 3)
		memcpy(buf, "{}", 3);
	else
		buf[0] = 0;
	return -1;
}
