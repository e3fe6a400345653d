/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCs to Go frames, from the binary's .gopclntab alone, with the answers
 * runtime.CallersFrames would give inside the process. All addresses are
 * link-time addresses: subtract a PIE load bias first.
 */
#ifndef OOMPROF_USER_SYMBOLIZE_H
#define OOMPROF_USER_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "gobin.h"

struct go_frame {
	const char *function;	/* Frame.Function: "pkg.F[...]"; never NULL */
	const char *file;	/* "?" when the table has none */
	uint32_t line;		/* 0 when the table has none */
	uint64_t entry;		/* entry of the physical function */
	int inlined;		/* 1: inlined into the function at entry */
	const char *symbol;	/* the name as stored: "pkg.F[go.shape.int]" */
	uint32_t start_line;	/* line of the func keyword; 0 before Go 1.20 */
};

/*
 * Work budget, shared by every lookup until set again: a forged table
 * (long runs of zero-advance steps, cyclic inline trees, names without
 * NUL) makes single lookups costly, so the total is bounded. Each table
 * step or 16 bytes of string search costs a unit; a gobin starts with
 * GOBIN_PROFILE_BUDGET: at 2.5-5 ns a unit (measured, idle to loaded),
 * 0.35-0.7 s of lookups at worst, and enough for ~250k distinct PCs in a
 * 25 MB binary (the Go compiler: ~535 units a PC; ~110 in small
 * programs). Set it before each profile. Once it is spent, gobin_frames returns -1 and
 * gobin_budget_spent 1.
 */
#define GOBIN_PROFILE_BUDGET (1ull << 27)
void gobin_set_budget(struct gobin *g, uint64_t units);
int gobin_budget_spent(const struct gobin *g);

/*
 * Expand ONE return PC (as a stack records it: the address after a call)
 * into its frames: innermost inlined function first, then its inline
 * callers, then the physical function, with the file and line of each.
 * This is what runtime.Callers followed by CallersFrames yields for one
 * physical frame, including the elision of compiler-generated wrappers
 * (runtime/traceback.go: tracebackPCs), taking the callee to be an
 * ordinary function. Returns the number of frames written (at most @max);
 * 0 if @pc is in no Go function; -1 if the work budget is spent.
 */
int gobin_frames(struct gobin *g, uint64_t pc, struct go_frame *out, int max);

/*
 * runtime.CallersFrames over a stack exactly as runtime.Callers (and the
 * heap profiler's buckets, runtime/mprof.go) recorded it: there each
 * inlined frame already has its own (virtual) PC, so every PC is one
 * frame. Mirrors the Go release the binary was built with: since Go 1.21
 * (runtime/symtab.go, Frames.Next) a stack missing the virtual PCs of an
 * inlined frame's callers gets them back; before, it does not. PCs in no
 * Go function are skipped. Returns the number of frames written.
 */
int gobin_stack_frames(struct gobin *g, const uint64_t *pcs, size_t n,
		       struct go_frame *out, int max);

/*
 * A stack of physical return PCs only (e.g. from a frame-pointer unwind):
 * what runtime.Callers would have recorded for it, then symbolized, i.e.
 * gobin_frames over each PC with wrapper elision carried across frames as
 * tracebackPCs does. Returns the number of frames written.
 */
int gobin_expand_stack(struct gobin *g, const uint64_t *pcs, size_t n,
		       struct go_frame *out, int max);

#endif
