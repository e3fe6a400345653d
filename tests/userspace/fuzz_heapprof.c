// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the bucket-entry parser and the heap profile builder
 * (user/heapprof.c) over arbitrary bytes, with a fake symbolizer that
 * yields inlined frames, runtime.* and runtime.goexit frames, unknown PCs
 * and out-of-contract counts, then the protobuf encoder (user/pprof.c).
 *
 * Input: byte 0 flags (1: all cycles, 2: symbols, 4: sized mapping,
 * 8: the symbolizer runs out of budget at PCs divisible by 97),
 * bytes 1-2 the rate's log2 and sign, then the bucket dump.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "heapprof.h"

static int fuzz_frames(void *ctx, uint64_t pc, struct heapprof_frame *out,
		       int max)
{
	static const char *const names[] = {
		"runtime.mallocgc", "runtime.goexit", "main.a", "main.b",
		"internal/runtime/maps.x", "main.a", "", "p.(*T).M[...]",
	};
	int n = (int)(pc % 6);

	/* -1: the symbolizer's budget is spent (flag 8), else "not Go". */
	if (pc % 97 == 0)
		return *(const int *)ctx ? -1 : 0;
	if (n == 5)
		return max + 1;	/* out of contract: ignored */
	for (int i = 0; i < n && i < max; i++)
		out[i] = (struct heapprof_frame){
			.function = names[(pc >> (4 + i)) % 8],
			.symbol = (pc & 0x100) ? "sym" : NULL,
			.file = (pc & 0x200) ? NULL : "f.go",
			.line = (uint32_t)(pc >> 8),
			.entry = (pc & 0x400) ? 0 : pc >> 12,
			.inlined = i < n - 1,
		};
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int spend;
	struct heapprof_opts o = { 0 };
	struct heapprof_stats st;
	struct pprof *p;
	uint8_t *buf;
	size_t len;

	if (size < 3)
		return 0;
	o.cycles = data[0] & 1 ? HEAPPROF_ALL_CYCLES : HEAPPROF_ACTIVE;
	o.frames = data[0] & 2 ? fuzz_frames : NULL;
	o.frames_ctx = &spend;
	spend = (data[0] & 8) != 0;
	if (data[0] & 4) {
		o.map_start = 0x1000;
		o.map_limit = 0x800000;
	}
	o.rate = (int64_t)1 << (data[1] % 63);
	if (data[2] & 1)
		o.rate = data[2] & 2 ? 0 : -o.rate;
	if (heapprof_build(data + 3, size - 3, &o, &p, &st) != 0)
		return 0;
	if (st.bytes > size - 3 || (st.complete && st.bytes != size - 3))
		abort();
	pprof_comment(p, st.err);
	if (pprof_encode(p, &buf, &len) == 0)
		free(buf);
	pprof_free(p);
	return 0;
}
