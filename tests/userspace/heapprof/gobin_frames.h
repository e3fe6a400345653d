/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heapprof_frames_fn over the .gopclntab symbolizer (user/symbolize.h):
 * what a daemon would write to hand gobin_frames to heapprof_build.
 */
#ifndef OOMPROF_TESTS_HEAPPROF_GOBIN_FRAMES_H
#define OOMPROF_TESTS_HEAPPROF_GOBIN_FRAMES_H

#include "heapprof.h"
#include "symbolize.h"

struct gobin_frames_ctx {
	struct gobin *g;
	uint64_t bias;		/* PIE load bias: runtime - link-time address */
};

static inline int gobin_frames_cb(void *ctx, uint64_t pc,
				  struct heapprof_frame *out, int max)
{
	struct gobin_frames_ctx *c = ctx;
	struct go_frame gf[HEAPPROF_MAX_FRAMES];
	int n = gobin_frames(c->g, pc - c->bias, gf,
			     max < HEAPPROF_MAX_FRAMES ? max : HEAPPROF_MAX_FRAMES);

	for (int i = 0; i < n; i++)
		out[i] = (struct heapprof_frame){
			.function = gf[i].function, .file = gf[i].file,
			.line = gf[i].line, .entry = gf[i].entry,
			.inlined = gf[i].inlined,
		};
	return n;
}

#endif
