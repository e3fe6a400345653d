// SPDX-License-Identifier: GPL-2.0
/*
 * .gopclntab lookups, written after the Go runtime's own (Go 1.26:
 * runtime/symtab.go findfunc, pcvalue, step, funcline1, Frames.Next;
 * runtime/symtabinl.go the inline unwinder; runtime/traceback.go
 * tracebackPCs; Go 1.19: runtime/symtab.go and gentraceback). Every offset
 * and index read from the table is checked; a bad one gives "?" or no
 * frame where the runtime would have crashed.
 */
#include "symbolize.h"

#include <stdlib.h>
#include <string.h>

#define PCDATA_INLTREEINDEX 2	/* internal/abi/symtab.go */
#define FUNCDATA_INLTREE 3
#define MAX_INLINE_DEPTH 1024	/* bound for corrupt parentPc chains */

/* A _func record (runtime/runtime2.go), checked to lie in pclntable. */
struct gfunc {
	const uint8_t *p;
	uint64_t entry;
	uint32_t npcdata, nfuncdata, fixed;
	uint8_t funcid;
};

/* One step of runtime/symtabinl.go's inlineUnwinder. */
struct inlframe {
	uint64_t pc;		/* a "call PC"; 0 when exhausted */
	int32_t index;		/* into the inline tree; -1: the physical func */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * The work budget (gobin_set_budget): every step of a table walk costs a
 * unit, and so does every 16 bytes a string search passes. Returns 0 once
 * it is spent, and from then on until it is set again.
 */
static int spend(struct gobin *g, uint64_t units)
{
	if (g->work_left < units) {
		g->work_left = 0;
		g->work_spent = 1;
		return 0;
	}
	g->work_left -= units;
	return 1;
}

/* The NUL-terminated string at @off of @t; the search is paid for first. */
static const char *cstr(struct gobin *g, struct gobin_span t, uint64_t off)
{
	uint64_t room, paid;
	const uint8_t *nul;

	if (off >= t.len)
		return NULL;
	room = t.len - off;
	paid = g->work_left > UINT64_MAX / 16 ? UINT64_MAX : g->work_left * 16;
	nul = memchr(t.p + off, 0, room < paid ? room : paid);
	if (!spend(g, (uint64_t)((nul ? nul - (t.p + off) :
				  (ptrdiff_t)(room < paid ? room : paid)) >> 4) + 1))
		return NULL;
	return nul ? (const char *)t.p + off : NULL;
}

/*
 * _func layout: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln,
 * npcdata, cuOffset (4 bytes each), [startLine int32 since 1.20], funcID,
 * flag, pad, nfuncdata (1 byte each); then npcdata uint32 pctab offsets
 * and nfuncdata uint32 go:func.* offsets.
 */
static int func_at(struct gobin *g, uint32_t funcoff, struct gfunc *f)
{
	struct gobin_span t = g->pclntable;

	f->fixed = g->go120 ? 44 : 40;
	if (funcoff > t.len || t.len - funcoff < f->fixed)
		return 0;
	f->p = t.p + funcoff;
	f->npcdata = rd32(f->p + 28);
	f->nfuncdata = f->p[f->fixed - 1];
	f->funcid = f->p[f->fixed - 4];
	if (((uint64_t)f->npcdata + f->nfuncdata) * 4 > t.len - funcoff - f->fixed)
		return 0;
	f->entry = g->info.text_start + rd32(f->p);
	return 1;
}

/*
 * findfunc: the last function whose entry is <= pc, for pc in
 * [minpc, maxpc). The runtime narrows the search with findfunctab's
 * buckets then scans; a binary search over ftab finds the same entry.
 */
static int findfunc(struct gobin *g, uint64_t pc, struct gfunc *f)
{
	const struct gobin_info *in = &g->info;
	const uint8_t *ft = g->pclntable.p;
	uint32_t lo = 0, hi = in->nfunc, pcoff;

	if (pc < in->min_pc || pc >= in->max_pc || pc - in->text_start > UINT32_MAX)
		return 0;
	pcoff = (uint32_t)(pc - in->text_start);
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (rd32(ft + 8 * (uint64_t)mid) <= pcoff)
			lo = mid;
		else
			hi = mid;
	}
	return func_at(g, rd32(ft + 8 * (uint64_t)lo + 4), f);
}

static int readvarint(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint32_t shift = 0;

	*v = 0;
	while (*p < end) {
		uint8_t b = *(*p)++;

		*v |= (uint32_t)(b & 0x7f) << (shift & 31);
		if (!(b & 0x80))
			return 1;
		shift += 7;
	}
	return 0;
}

/*
 * pcvalue with strict=false: the value of the pc-value table at @off for
 * @target, or -1. Each step consumes at least two bytes of pctab, so a
 * corrupt table ends when pctab does.
 */
static int32_t pcvalue(struct gobin *g, const struct gfunc *f, uint32_t off,
		       uint64_t target)
{
	const uint8_t *p, *end = g->pctab.p + g->pctab.len;
	uint64_t pc = f->entry;
	uint32_t val = (uint32_t)-1, uv, pcd;

	if (off == 0 || off >= g->pctab.len)
		return -1;
	p = g->pctab.p + off;
	for (;;) {
		if (!spend(g, 1))
			return -1;
		/* step(): a zero value delta ends the table, except first. */
		if (p >= end || (*p == 0 && pc != f->entry))
			return -1;
		if (!readvarint(&p, end, &uv) || !readvarint(&p, end, &pcd))
			return -1;
		val += (0u - (uv & 1)) ^ (uv >> 1);	/* zig-zag delta */
		pc += (uint32_t)(pcd * g->minlc);
		if (target < pc)
			return (int32_t)val;
	}
}

static int32_t pcdatavalue(struct gobin *g, const struct gfunc *f,
			   uint32_t table, uint64_t target)
{
	if (table >= f->npcdata)
		return -1;
	return pcvalue(g, f, rd32(f->p + f->fixed + 4 * table), target);
}

/* funcdata(): a go:func.* address, or 0. */
static uint64_t funcdata(struct gobin *g, const struct gfunc *f, uint32_t i)
{
	uint32_t off;

	if (i >= f->nfuncdata || !g->info.gofunc_addr)
		return 0;
	off = rd32(f->p + f->fixed + 4 * (f->npcdata + i));
	return off == UINT32_MAX ? 0 : g->info.gofunc_addr + off;
}

/* funcline1 with strict=false. */
static void funcline(struct gobin *g, const struct gfunc *f, uint64_t pc,
		     struct go_frame *fr)
{
	int32_t fileno = pcvalue(g, f, rd32(f->p + 20), pc);
	int32_t line = pcvalue(g, f, rd32(f->p + 24), pc);
	uint64_t idx = (uint32_t)(rd32(f->p + 32) + (uint32_t)fileno);
	const char *file = NULL;

	fr->file = "?";
	fr->line = 0;
	if (fileno == -1 || line == -1 || (int64_t)fileno >= (int64_t)g->filetab.len)
		return;
	if (idx < g->cutab.len / 4) {
		uint32_t fileoff = rd32(g->cutab.p + 4 * idx);

		if (fileoff != UINT32_MAX)
			file = cstr(g, g->filetab, fileoff);
	}
	fr->file = file ? file : "?";
	fr->line = (uint32_t)line;
}

/*
 * inlinedCall (runtime/symtabinl.go since 1.20; runtime/symtab.go before):
 * 1.20+: funcID u8, pad[3], nameOff i32, parentPc i32, startLine i32;
 * 1.12-1.19: parent i16, funcID u8, pad, file i32, line i32, func_ i32,
 * parentPc i32.
 */
static const uint8_t *inl_record(struct gobin *g, uint64_t tree, int32_t index)
{
	uint64_t size = g->go120 ? 16 : 20;

	if (!tree || index < 0)
		return NULL;
	return gobin_at(g, tree + (uint64_t)index * size, size);
}

static struct inlframe inl_resolve(struct gobin *g, const struct gfunc *f,
				   uint64_t tree, uint64_t pc)
{
	return (struct inlframe){ pc, tree ? pcdatavalue(g, f, PCDATA_INLTREEINDEX, pc) : -1 };
}

static struct inlframe inl_next(struct gobin *g, const struct gfunc *f,
				uint64_t tree, struct inlframe uf)
{
	const uint8_t *r = inl_record(g, tree, uf.index);

	if (uf.index < 0 || !r)
		return (struct inlframe){ 0, -1 };
	return inl_resolve(g, f, tree, f->entry +
			   (uint64_t)(int64_t)(int32_t)rd32(r + (g->go120 ? 8 : 16)));
}

/*
 * funcNameForPrint (runtime/traceback.go, used by Frames.Next since
 * 1.21): "pkg.F[shape...]" prints as "pkg.F[...]". Rewritten names live in
 * a list owned by @g.
 */
static const char *name_for_print(struct gobin *g, int32_t nameoff, const char *raw)
{
	const char *i = strchr(raw, '['), *j = strrchr(raw, ']');
	struct gobin_name *n;
	size_t a, c;

	if (!g->new_frames || !i || !j || j <= i || !strcmp(i, "[...]"))
		return raw;
	for (n = g->names; n; n = n->next)
		if (n->nameoff == nameoff)
			return n->s;
	a = (size_t)(i - raw);
	c = strlen(j + 1);
	n = malloc(sizeof(*n) + a + 5 + c + 1);
	if (!n)
		return raw;
	n->nameoff = nameoff;
	memcpy(n->s, raw, a);
	memcpy(n->s + a, "[...]", 5);
	memcpy(n->s + a + 5, j + 1, c + 1);
	n->next = g->names;
	g->names = n;
	return n->s;
}

/*
 * srcFunc: funcID, symbol name, start line (1.20+) of the (possibly
 * inlined) function at uf; returns the name as Frame.Function prints it.
 */
static const char *src_func(struct gobin *g, const struct gfunc *f, uint64_t tree,
			    struct inlframe uf, uint8_t *funcid, struct go_frame *fr)
{
	int32_t nameoff, start = 0;
	const char *s;

	if (uf.index < 0) {
		*funcid = f->funcid;
		nameoff = (int32_t)rd32(f->p + 4);
		if (g->go120)
			start = (int32_t)rd32(f->p + 36);
	} else {
		const uint8_t *r = inl_record(g, tree, uf.index);

		*funcid = 0;
		nameoff = -1;	/* "?" */
		if (r && g->go120) {
			*funcid = r[0];
			nameoff = (int32_t)rd32(r + 4);
			start = (int32_t)rd32(r + 12);
		} else if (r) {
			*funcid = r[2];
			nameoff = (int32_t)rd32(r + 12);
		}
	}
	if (nameoff == 0 && (g->go120 || uf.index < 0))
		s = "";	/* funcName: offset 0 is "" */
	else
		s = cstr(g, g->funcnametab, (uint32_t)nameoff);
	if (!s)
		s = "?";
	if (fr) {
		fr->symbol = s;
		fr->start_line = (uint32_t)start;
	}
	return name_for_print(g, nameoff, s);
}

/* runtime/traceback.go: wrappers are hidden unless they called a panic. */
static int elide_wrapper_calling(const struct gobin *g, uint8_t callee)
{
	return !(callee == g->fid_gopanic || callee == g->fid_sigpanic ||
		 callee == g->fid_panicwrap);
}

static void frame(struct gobin *g, const struct gfunc *f, uint64_t tree,
		  struct inlframe uf, struct go_frame *out)
{
	uint8_t id;

	out->function = src_func(g, f, tree, uf, &id, out);
	out->entry = f->entry;
	out->inlined = uf.index >= 0;
	funcline(g, f, uf.pc, out);
}

/*
 * tracebackPCs for one physical frame, then symbolized: *callee is the
 * funcID of the frame below (the callee), updated as frames are emitted.
 */
static int expand(struct gobin *g, uint64_t pc, uint8_t *callee,
		  struct go_frame *out, int max)
{
	struct gfunc f;
	struct inlframe uf;
	uint64_t tree;
	int n = 0;

	if (max <= 0 || !spend(g, 1) || !findfunc(g, pc, &f))
		return 0;
	if (pc > f.entry)
		pc--;	/* a return PC: look up the call instruction */
	tree = funcdata(g, &f, FUNCDATA_INLTREE);
	uf = inl_resolve(g, &f, tree, pc);
	for (int depth = 0; uf.pc && n < max && depth < MAX_INLINE_DEPTH &&
	     spend(g, 1); depth++) {
		uint8_t id;

		src_func(g, &f, tree, uf, &id, NULL);
		if (!(id == g->fid_wrapper && elide_wrapper_calling(g, *callee)))
			frame(g, &f, tree, uf, &out[n++]);
		*callee = id;
		uf = inl_next(g, &f, tree, uf);
	}
	return n;
}

void gobin_set_budget(struct gobin *g, uint64_t units)
{
	g->work_left = units;
	g->work_spent = 0;
}

int gobin_budget_spent(const struct gobin *g)
{
	return g->work_spent;
}

int gobin_frames(struct gobin *g, uint64_t pc, struct go_frame *out, int max)
{
	uint8_t callee = 0;	/* FuncIDNormal */
	int n;

	if (g->work_spent)
		return -1;
	n = expand(g, pc, &callee, out, max);
	/* Frames found with the budget spent midway may be wrong: none. */
	return g->work_spent ? -1 : n;
}

int gobin_expand_stack(struct gobin *g, const uint64_t *pcs, size_t n,
		       struct go_frame *out, int max)
{
	uint8_t callee = 0;
	int nout = 0;

	for (size_t i = 0; i < n && nout < max; i++)
		nout += expand(g, pcs[i], &callee, out + nout, max - nout);
	return nout;
}

/* runtime.(*Frames).Next, in a loop. */
int gobin_stack_frames(struct gobin *g, const uint64_t *pcs, size_t n,
		       struct go_frame *out, int max)
{
	uint64_t next_pc = 0;
	size_t i = 0;
	int nout = 0;

	while (nout < max) {
		struct inlframe uf;
		struct gfunc f;
		uint64_t pc, tree;
		uint8_t id;

		if (next_pc) {
			pc = next_pc;
			next_pc = 0;
		} else if (i < n) {
			pc = pcs[i++];
		} else {
			break;
		}
		if (!spend(g, 1))
			break;
		if (!findfunc(g, pc, &f))
			continue;	/* not Go; no cgo symbolizer here */
		if (pc > f.entry)
			pc--;
		tree = funcdata(g, &f, FUNCDATA_INLTREE);
		uf = inl_resolve(g, &f, tree, pc);
		/*
		 * Go 1.21+: if the next PC is not the virtual PC of this inlined
		 * frame's caller (a stack of physical PCs), insert that caller,
		 * skipping wrappers as tracebackPCs would.
		 */
		if (g->new_frames && uf.index >= 0) {
			struct inlframe u = inl_next(g, &f, tree, uf);

			src_func(g, &f, tree, uf, &id, NULL);
			for (int d = 0; u.pc && i < n && pcs[i] != u.pc + 1 &&
			     d < MAX_INLINE_DEPTH && spend(g, 1);
			     d++, u = inl_next(g, &f, tree, u)) {
				uint8_t nid;

				src_func(g, &f, tree, u, &nid, NULL);
				if (nid == g->fid_wrapper && elide_wrapper_calling(g, id))
					continue;
				next_pc = u.pc + 1;
				break;
			}
		}
		frame(g, &f, tree, uf, &out[nout++]);
	}
	return nout;
}
