// SPDX-License-Identifier: GPL-2.0
/*
 * Heap profile from runtime.mbuckets: see heapprof.h.
 *
 * The builder mirrors runtime/pprof in Go 1.19 and current Go:
 *   protomem.go  writeHeapProto, scaleHeapSample
 *   proto.go     appendLocsForStack, pcDeck.tryAdd, emitLocation, allFrames
 *   symtab.go    runtime_expandFinalInlineFrame
 *   mprof.go     MemProfile / memProfileInternal, mProf_FlushLocked
 * Where the two releases differ the comment says so.
 */
#include "heapprof.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
#define MAX_ITEMS (HEAPPROF_MAX_STACK + HEAPPROF_MAX_FRAMES)

/* A symbolized frame, strings interned in the profile. */
struct cframe {
	int64_t name, file, line, start_line;
	uint64_t entry;
	uint8_t inlined, runtime, goexit;
};

/*
 * Frames of one PC: cf[off .. off + n), with what the hot loop asks of
 * its first frame copied here, and the location it starts once one was
 * emitted (runtime/pprof's locInfo, b.locs[addr]): one record read per
 * PC of a stack, not three tables.
 */
struct pcinfo {
	uint64_t pc;
	uint64_t locid;		/* 0: no location cached for this PC yet */
	size_t off;
	uint32_t n;
	uint32_t npcs;		/* PCs the cached location covers */
	uint8_t inlined, runtime, goexit;	/* of cf[off], if n */
};

/*
 * A direct-mapped cache in front of the PC table: most lookups of a large
 * profile are PCs seen many times, and one multiply finds them. Its index
 * is keyed (a random odd multiplier) but not collision-proof; a miss only
 * costs the keyed-hash table lookup behind it, so chosen PCs cannot make
 * it worse than that table alone.
 */
#define PCCACHE_MIN_BITS 12	/* grows to 4 slots a PC, up to: */
#define PCCACHE_MAX_BITS 20
#define MAX_PREFETCH 64		/* PCs of a stack fetched ahead */
struct pccache_slot {
	uint32_t idx;		/* pci index + 1; 0 = empty; pci[].pc checks it */
};

/* One PC of the stack being turned into locations. */
struct item {
	uint64_t key;		/* the PC; 0 for a frame added by expansion */
	size_t pci;		/* the PC's pcinfo */
	uint64_t addr;		/* Location.address if it starts a location */
	size_t frame;		/* cframe index, NONE if unsymbolized */
	int goexit;
};

struct builder {
	struct pprof *p;
	const struct heapprof_opts *o;
	struct heapprof_stats *st;
	uint64_t mapping;
	int map_tried, map_failed;
	struct pprof_map sym;
	struct pccache_slot *pcc;
	uint64_t pcc_mul;
	unsigned int pcc_bits;
	int64_t bytes_str;	/* "bytes", the label key */
	struct pcinfo *pci;
	size_t npci, cappci;
	struct cframe *cf;
	size_t ncf, capcf;
	/* pcDeck: items [deck, deck + ndeck) of the current stack. */
	const struct item *deck;
	size_t ndeck;
	int deck_failed;
	struct item items[MAX_ITEMS];
	uint64_t locs[MAX_ITEMS];
	size_t nlocs;
	struct pprof_line lines[MAX_ITEMS];
	int failed;
};

/* A little-endian u64 at any alignment: one load on this hot path. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

uint64_t heapprof_pc(const struct heapprof_entry *e, size_t i)
{
	return i < e->nstk ? le64(e->stk + 8 * i) : 0;
}

static void read_cycle(const uint8_t *p, struct heapprof_cycle *c)
{
	c->allocs = le64(p);
	c->frees = le64(p + 8);
	c->alloc_bytes = le64(p + 16);
	c->free_bytes = le64(p + 24);
}

int heapprof_next(const void *buf, size_t len, size_t *off,
		  struct heapprof_entry *e, char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)buf + *off;
	size_t left = len - *off, need;

	if (*off >= len)
		return 0;
	if (left < HEAPPROF_HDR_SIZE + HEAPPROF_REC_SIZE) {
		snprintf(err, errlen, "truncated bucket at offset %zu: %zu bytes left",
			 *off, left);
		return -1;
	}
	e->addr = le64(p);
	e->next = le64(p + 8);
	e->allnext = le64(p + 16);
	e->typ = le64(p + 24);
	e->hash = le64(p + 32);
	e->size = le64(p + 40);
	e->nstk = le64(p + 48);
	if (e->typ != HEAPPROF_BUCKET_MEMORY) {
		snprintf(err, errlen, "bucket %#llx at offset %zu: type %llu is not a memory bucket",
			 (unsigned long long)e->addr, *off,
			 (unsigned long long)e->typ);
		return -1;
	}
	if (e->nstk > HEAPPROF_MAX_STACK) {
		snprintf(err, errlen, "bucket %#llx at offset %zu: %llu PCs (at most %d)",
			 (unsigned long long)e->addr, *off,
			 (unsigned long long)e->nstk, HEAPPROF_MAX_STACK);
		return -1;
	}
	need = HEAPPROF_HDR_SIZE + 8 * (size_t)e->nstk + HEAPPROF_REC_SIZE;
	if (left < need) {
		snprintf(err, errlen, "truncated bucket %#llx at offset %zu: needs %zu bytes, %zu left",
			 (unsigned long long)e->addr, *off, need, left);
		return -1;
	}
	e->stk = p + HEAPPROF_HDR_SIZE;
	p = e->stk + 8 * e->nstk;
	read_cycle(p, &e->active);
	for (int i = 0; i < 3; i++)
		read_cycle(p + 32 * (i + 1), &e->future[i]);
	*off += need;
	return 1;
}

/*
 * Go converts an out-of-range float64 to int64 with CVTTSD2SQ on amd64,
 * which yields INT64_MIN; in C that conversion is undefined, so do it here.
 */
static int64_t f64_to_i64(double x)
{
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

void heapprof_scale(int64_t count, int64_t size, int64_t rate,
		    int64_t *ocount, int64_t *osize)
{
	double avg, scale;

	if (count == 0 || size == 0) {
		*ocount = *osize = 0;
		return;
	}
	if (rate <= 1) {	/* all sampled, or unknown: no adjustment */
		*ocount = count;
		*osize = size;
		return;
	}
	/* The chance that a sample of S bytes was taken is 1 - exp(-S/R). */
	avg = (double)size / (double)count;
	scale = 1 / (1 - exp(-avg / (double)rate));
	*ocount = f64_to_i64((double)count * scale);
	*osize = f64_to_i64((double)size * scale);
}

/* ---- symbolization, cached per PC ---- */

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

#define GROW(b, arr, n, cap) grow_(b, (void **)&(arr), n, &(cap), sizeof(*(arr)))

static int grow_(struct builder *b, void **v, size_t n, size_t *cap, size_t sz)
{
	size_t ncap;
	void *nv;

	if (b->failed)
		return -1;
	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	nv = ncap < SIZE_MAX / sz ? realloc(*v, ncap * sz) : NULL;
	if (!nv) {
		b->failed = 1;
		return -1;
	}
	*v = nv;
	*cap = ncap;
	return 0;
}

static struct pccache_slot *pcc_slot(const struct builder *b, uint64_t pc)
{
	return &b->pcc[(pc * b->pcc_mul) >> (64 - b->pcc_bits)];
}

/* The frames of @pc, symbolizing it on first use. NULL on failure. */
static struct pcinfo *symbolize(struct builder *b, uint64_t pc)
{
	struct heapprof_frame fr[HEAPPROF_MAX_FRAMES];
	struct pccache_slot *slot = pcc_slot(b, pc);
	uint64_t idx;
	int n = 0;

	if (slot->idx && b->pci[slot->idx - 1].pc == pc)
		return &b->pci[slot->idx - 1];
	if (pprof_map_get(&b->sym, pc, &idx)) {
		/* Past UINT32_MAX PCs the cache stays empty: table only. */
		slot->idx = idx < UINT32_MAX ? (uint32_t)idx + 1 : 0;
		return &b->pci[idx];
	}
	/*
	 * A negative answer: the symbolizer's work budget for this profile
	 * is spent (a forged function table). Every PC not yet seen is then
	 * left as an address, and the profile says so.
	 */
	if (b->o->frames && !b->st->sym_budget_spent)
		n = b->o->frames(b->o->frames_ctx, pc, fr, HEAPPROF_MAX_FRAMES);
	if (n < 0)
		b->st->sym_budget_spent = 1;
	if (b->st->sym_budget_spent)
		b->st->unsymbolized_budget++;
	if (n < 0 || n > HEAPPROF_MAX_FRAMES)
		n = 0;
	if (GROW(b, b->pci, b->npci, b->cappci))
		return NULL;
	b->pci[b->npci] = (struct pcinfo){ .pc = pc, .off = b->ncf,
					   .n = (uint32_t)n };
	for (int i = 0; i < n; i++) {
		const char *fn = fr[i].function ? fr[i].function : "";
		struct cframe *c;

		if (GROW(b, b->cf, b->ncf, b->capcf))
			return NULL;
		c = &b->cf[b->ncf++];
		/*
		 * Current Go names functions by runtime_FrameSymbolName (the
		 * symbol, shape types and all); Go 1.19 by Frame.Function.
		 */
		c->name = pprof_string(b->p, fr[i].symbol ? fr[i].symbol : fn);
		c->file = pprof_string(b->p, fr[i].file);
		c->line = fr[i].line;
		c->start_line = fr[i].start_line;
		c->entry = fr[i].entry;
		c->inlined = fr[i].inlined != 0;
		/* protomem.go hides these; current Go adds internal/runtime/. */
		c->runtime = has_prefix(fn, "runtime.") ||
			     has_prefix(fn, "internal/runtime/");
		c->goexit = !strcmp(fn, "runtime.goexit");
	}
	if (n) {
		const struct cframe *c = &b->cf[b->pci[b->npci].off];

		b->pci[b->npci].inlined = c->inlined;
		b->pci[b->npci].runtime = c->runtime;
		b->pci[b->npci].goexit = c->goexit;
	}
	b->st->pcs++;
	b->st->symbolized += n > 0;
	if (pprof_map_put(&b->sym, pc, b->npci)) {
		b->failed = 1;
		return NULL;
	}
	slot->idx = b->npci < UINT32_MAX ? (uint32_t)b->npci + 1 : 0;
	b->npci++;
	if (b->npci * 4 > (size_t)1 << b->pcc_bits &&
	    b->pcc_bits < PCCACHE_MAX_BITS) {
		/* A larger cache, empty: it refills from the table. */
		struct pccache_slot *n =
			calloc((size_t)1 << (b->pcc_bits + 1), sizeof(*n));

		if (n) {
			free(b->pcc);
			b->pcc = n;
			b->pcc_bits++;
		} else {
			memset(b->pcc, 0, sizeof(*b->pcc) << b->pcc_bits);
		}
	}
	return &b->pci[b->npci - 1];
}

/* ---- locations: proto.go appendLocsForStack and pcDeck ---- */

static const struct cframe *frame_of(const struct builder *b, size_t i)
{
	return i == NONE ? NULL : &b->cf[i];
}

/*
 * pcDeck.tryAdd: PCs whose frames were inlined into the same physical
 * function make one Location. An unsymbolized frame acts like a Frame
 * with Func == nil and Entry == 0: it starts a deck but never joins one.
 */
static int deck_try_add(struct builder *b, const struct item *it)
{
	if (b->ndeck) {
		const struct cframe *last = frame_of(b, b->deck[b->ndeck - 1].frame);
		const struct cframe *f = frame_of(b, it->frame);

		if (last && !last->inlined)	/* last.Func != nil */
			return 0;
		if (!last || !f || !last->entry || !f->entry)	/* not Go */
			return 0;
		if (last->entry != f->entry)	/* another function */
			return 0;
		if (last->name == f->name)	/* maybe recursion */
			return 0;
	} else {
		b->deck = it;
	}
	b->ndeck++;
	b->deck_failed |= it->frame == NONE;
	return 1;
}

/* emitLocation: the deck becomes a Location; its id, 0 if the deck is empty. */
static uint64_t emit_location(struct builder *b)
{
	const struct item *first = b->deck;
	uint64_t mid = b->mapping, id, pc;
	size_t nlines = 0;

	if (!b->ndeck)
		return 0;
	pc = first->key;
	for (size_t i = 0; i < b->ndeck; i++) {
		const struct cframe *c = frame_of(b, b->deck[i].frame);

		/*
		 * runtime/pprof writes a Line naming "" for a frame it could
		 * not symbolize; no Line at all lets pprof symbolize the
		 * address later from the binary.
		 */
		if (!c)
			continue;
		b->lines[nlines].function_id =
			pprof_function(b->p, c->name, c->file, c->start_line);
		b->lines[nlines++].line = c->line;
	}
	/* The mapping holding the (return) PC, or the only one if unsized. */
	if (b->o->map_limit > b->o->map_start &&
	    !(first->key >= b->o->map_start && first->key < b->o->map_limit))
		mid = 0;
	if (mid) {
		b->map_tried = 1;
		b->map_failed |= b->deck_failed;
	}
	id = pprof_location(b->p, mid, first->addr, b->lines, nlines);
	/* Cache by first PC, as b.locs[addr] (expansion frames have none). */
	if (id && pc) {
		b->pci[first->pci].locid = id;
		b->pci[first->pci].npcs = (uint32_t)b->ndeck;
	}
	b->ndeck = 0;
	b->deck_failed = 0;
	return id;
}

static void push_loc(struct builder *b, uint64_t id)
{
	if (id && b->nlocs < MAX_ITEMS)
		b->locs[b->nlocs++] = id;
}

/*
 * Fill b->items from @n PCs. Each PC stands for its innermost frame only:
 * runtime.CallersFrames([]uintptr{pc}) yields one frame for a Go PC (in Go
 * 1.21+ too: the virtual-PC insertion in Frames.Next needs more callers),
 * because the runtime's tracebacks record a (virtual) PC per inlined
 * frame. runtime_expandFinalInlineFrame: a stack truncated at the depth
 * limit may end inside inlined code; its last PC gets all its frames.
 */
static int make_items(struct builder *b, const struct heapprof_entry *e,
		      size_t start, size_t n)
{
	size_t ni = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t pc = heapprof_pc(e, start + i);
		const struct pcinfo *pi = symbolize(b, pc);
		size_t nf = 1;

		if (!pi)
			return -1;
		if (i == n - 1 && pi->n > 1 && pi->inlined)
			nf = pi->n;	/* wrappers were elided by the symbolizer */
		for (size_t k = 0; k < nf; k++) {
			struct item *it = &b->items[ni++];

			it->key = k ? 0 : pc;
			it->pci = (size_t)(pi - b->pci);
			/* Frame.PC: back from the return PC into the call. */
			it->addr = pc ? pc - 1 : 0;
			it->frame = pi->n ? pi->off + k : NONE;
			it->goexit = pi->n && (k ? b->cf[pi->off + k].goexit
						 : pi->goexit);
		}
	}
	return (int)ni;
}

/* appendLocsForStack: b->locs for PCs [start, start + n) of @e. */
static int append_locs(struct builder *b, const struct heapprof_entry *e,
		       size_t start, size_t n)
{
	int ni = make_items(b, e, start, n);
	const struct pcinfo *pi;

	b->nlocs = 0;
	b->ndeck = 0;
	b->deck_failed = 0;
	if (ni < 0)
		return -1;
	for (int i = 0; i < ni && !b->failed;) {
		const struct item *it = &b->items[i];

		if (it->key && (pi = &b->pci[it->pci])->locid) {
			/* By value: emit_location may write *pi. */
			const uint64_t id = pi->locid;
			const size_t npcs = pi->npcs;

			/*
			 * A cached PC may still extend the deck (inline NOPs);
			 * as its location's first PC its frame is its first.
			 */
			if (b->ndeck && b->deck + b->ndeck == it &&
			    deck_try_add(b, it)) {
				i++;
				continue;
			}
			push_loc(b, emit_location(b));
			push_loc(b, id);
			/* Skip the PCs it covers, trusting the cache as Go does. */
			i += npcs < (size_t)(ni - i) ? (int)npcs : ni - i;
			continue;
		}
		if (it->goexit) {	/* allFrames returns no frames */
			push_loc(b, emit_location(b));
			i++;
			continue;
		}
		if (deck_try_add(b, it)) {
			i++;
			continue;
		}
		push_loc(b, emit_location(b));
		if (it->key && (pi = &b->pci[it->pci])->locid) {
			push_loc(b, pi->locid);
			i += pi->npcs < (size_t)(ni - i) ? (int)pi->npcs : ni - i;
		} else {
			deck_try_add(b, it);	/* must succeed: deck is empty */
			i++;
		}
	}
	push_loc(b, emit_location(b));
	return b->failed ? -1 : 0;
}

/* ---- samples: protomem.go writeHeapProto ---- */

static void add_cycle(struct heapprof_cycle *a, const struct heapprof_cycle *c)
{
	/* Unsigned: wraps like the runtime's uintptr counters, never UB. */
	a->allocs += c->allocs;
	a->frees += c->frees;
	a->alloc_bytes += c->alloc_bytes;
	a->free_bytes += c->free_bytes;
}

static int add_entry(struct builder *b, const struct heapprof_entry *e,
		     int all_cycles)
{
	struct heapprof_cycle c = e->active;
	int64_t values[4], alloc_objs, alloc_bytes;
	struct pprof_label label = { 0 };
	size_t start = 0;

	/*
	 * The PCs' cache slots, then their records, fetched ahead: a large
	 * profile's PCs miss the CPU caches, and 20-30 misses in flight
	 * together cost about one.
	 */
	for (size_t i = 0; i < e->nstk && i < MAX_PREFETCH; i++)
		__builtin_prefetch(pcc_slot(b, heapprof_pc(e, i)));
	for (size_t i = 0; i < e->nstk && i < MAX_PREFETCH; i++) {
		uint64_t pc = heapprof_pc(e, i);
		const struct pccache_slot *s = pcc_slot(b, pc);

		if (s->idx)
			__builtin_prefetch(&b->pci[s->idx - 1]);
	}

	/*
	 * Summing the four cycles never counts an event twice:
	 * mProf_FlushLocked (mprof.go, same in 1.19 and current Go) adds
	 * future[c] into active and zeroes future[c] under the same locks,
	 * and mProf_Malloc/mProf_Free only ever add to a future cycle.
	 */
	if (all_cycles)
		for (int i = 0; i < 3; i++)
			add_cycle(&c, &e->future[i]);

	/* Hide leading runtime.* frames; if that leaves nothing, retry. */
	for (int hide = b->o->frames != NULL; hide >= 0; hide--) {
		start = 0;
		if (hide) {
			for (size_t i = 0; i < e->nstk; i++) {
				const struct pcinfo *pi =
					symbolize(b, heapprof_pc(e, i));

				if (!pi)
					return -1;
				/*
				 * Go asks FuncForPC(pc); the frame at pc - 1
				 * (the call) differs from it only if the
				 * return address begins another inlined body.
				 */
				if (pi->n && pi->runtime)
					continue;
				start = i;	/* show runtime uses above it */
				break;
			}
		}
		if (append_locs(b, e, start, e->nstk - start))
			return -1;
		if (b->nlocs)
			break;
	}

	/* MemProfileRecord fields are int64 conversions of the counters. */
	alloc_objs = (int64_t)c.allocs;
	alloc_bytes = (int64_t)c.alloc_bytes;
	heapprof_scale(alloc_objs, alloc_bytes, b->o->rate, &values[0], &values[1]);
	heapprof_scale((int64_t)(c.allocs - c.frees),
		       (int64_t)(c.alloc_bytes - c.free_bytes), b->o->rate,
		       &values[2], &values[3]);
	if (alloc_objs > 0) {
		/* Interned at first use: the string table's order as before. */
		if (b->bytes_str < 0)
			b->bytes_str = pprof_string(b->p, "bytes");
		label.key = b->bytes_str;
		label.num = alloc_bytes / alloc_objs;
	}
	return pprof_sample(b->p, b->locs, b->nlocs, values, 4, &label,
			    label.num != 0);
}

struct raw_source {
	const void *buf;
	size_t len, off;
};

static int raw_next(void *ctx, struct heapprof_entry *e, char *err,
		    size_t errlen)
{
	struct raw_source *r = ctx;

	return heapprof_next(r->buf, r->len, &r->off, e, err, errlen);
}

static void raw_rewind(void *ctx)
{
	((struct raw_source *)ctx)->off = 0;
}

int heapprof_build(const void *buf, size_t len, const struct heapprof_opts *o,
		   struct pprof **out, struct heapprof_stats *st)
{
	struct raw_source r = { .buf = buf, .len = len };
	struct heapprof_source src = {
		.next = raw_next, .rewind = raw_rewind, .ctx = &r,
	};
	int rc = heapprof_build_src(&src, o, out, st);

	st->bytes = 0;
	if (rc == 0) {
		/* The build read exactly the valid entries. */
		st->bytes = r.off;
	} else if (o->rate > 0) {
		/* The bytes the valid entries span. */
		size_t off = 0, i;
		struct heapprof_entry e;

		for (i = 0; i < st->entries; i++)
			if (heapprof_next(buf, len, &off, &e, NULL, 0) != 1)
				break;
		st->bytes = off;
	}
	return rc;
}

int heapprof_build_src(const struct heapprof_source *src,
		       const struct heapprof_opts *o, struct pprof **out,
		       struct heapprof_stats *st)
{
	struct heapprof_entry e;
	struct builder *b;
	size_t n;
	int rc, clear = 1, all, counted, next = 0;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	/* MemProfileRate <= 0: mallocgc never samples; nothing to show. */
	if (o->rate <= 0)
		return HEAPPROF_DISABLED;

	all = o->cycles == HEAPPROF_ALL_CYCLES;
	counted = !all;
	if (counted) {
		/*
		 * Validate first, and see whether any bucket has published
		 * data: MemProfile (mprof.go), when no bucket has any active
		 * data yet (no GC has completed), reports all cycles instead.
		 * With all cycles asked for (the OOM path), one pass does.
		 */
		src->rewind(src->ctx);
		while ((rc = src->next(src->ctx, &e, st->err,
				       sizeof(st->err))) > 0) {
			st->entries++;
			if (e.active.allocs || e.active.frees)
				clear = 0;
		}
		st->complete = rc == 0;
		all = clear;
	}

	b = calloc(1, sizeof(*b));
	if (!b)
		return -1;
	b->o = o;
	b->st = st;
	b->p = pprof_new();
	b->pcc_bits = PCCACHE_MIN_BITS;
	b->pcc = calloc((size_t)1 << PCCACHE_MIN_BITS, sizeof(*b->pcc));
	if (!b->p || !b->pcc) {
		pprof_free(b->p);
		free(b->pcc);
		free(b);
		return -1;
	}
	b->pcc_mul = pprof_siphash("pccache", 7) | 1;
	b->bytes_str = -1;
	/* protomem.go: sample types in this order, period in space/bytes. */
	pprof_period(b->p, "space", "bytes", o->rate);
	pprof_sample_type(b->p, "alloc_objects", "count");
	pprof_sample_type(b->p, "alloc_space", "bytes");
	pprof_sample_type(b->p, "inuse_objects", "count");
	pprof_sample_type(b->p, "inuse_space", "bytes");
	pprof_time(b->p, o->time_nanos, 0);
	b->mapping = pprof_mapping(b->p, o->map_start, o->map_limit,
				   o->map_offset, o->exe_path, o->build_id);

	/* Buckets in list order, as MemProfile walks allnext. */
	src->rewind(src->ctx);
	rc = 0;
	if (counted) {
		for (n = 0; n < st->entries && !rc; n++) {
			if (src->next(src->ctx, &e, NULL, 0) != 1)
				break;
			rc = add_entry(b, &e, all);
		}
	} else {
		while (!rc && (next = src->next(src->ctx, &e, st->err,
						sizeof(st->err))) > 0) {
			st->entries++;
			rc = add_entry(b, &e, all);
		}
		st->complete = next == 0;
	}
	/* proto.go: HasFunctions if every lookup in the mapping succeeded. */
	pprof_mapping_has_functions(b->p, b->mapping,
				    b->map_tried && !b->map_failed);
	if (st->sym_budget_spent) {
		char c[200];

		snprintf(c, sizeof(c),
			 "oomprof: symbolization stopped: its work budget was spent (a malformed or forged function table); %zu of %zu PCs are addresses only",
			 st->unsymbolized_budget, st->pcs);
		pprof_comment(b->p, c);
	}
	if (rc || b->failed || pprof_failed(b->p)) {
		pprof_free(b->p);
		rc = -1;
	} else {
		*out = b->p;
	}
	pprof_map_free(&b->sym);
	free(b->pcc);
	free(b->pci);
	free(b->cf);
	free(b);
	return rc;
}
