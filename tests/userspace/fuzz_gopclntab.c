// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes through user/gobin.c and
 * user/symbolize.c. Byte 0 picks the shape of the rest:
 *   even: an ELF image for gobin_open_mem;
 *   odd:  a bare pclntab for gobin_open_pclntab, after a little-endian
 *         uint32 offset of go:func.* inside it (0xffffffff: none).
 * Whatever opens is then asked about PCs across its text (and PCs taken
 * from the input's last bytes), one at a time and as stacks, and for
 * functions by name; then trimmed as the daemon's cache keeps it and asked
 * again. Each round has one symbolization budget, as a profile does: run
 * with -timeout so that an input whose cost is not bounded fails (seeds
 * of such shapes: test_hostile_exe --seeds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gobin.h"
#include "symbolize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct gobin *g, const uint8_t *data, size_t size)
{
	const struct gobin_info *in = gobin_info(g);
	uint64_t span = in->max_pc - in->min_pc + 1, pcs[24];
	struct go_frame fr[64];
	uint64_t addr, sz;
	size_t n = 0;

	/*
	 * A sixteenth of a profile's budget: coverage instrumentation makes
	 * each unit ~10x dearer than in the daemon, and -timeout must still
	 * leave room to catch a cost the budget does not see.
	 */
	gobin_set_budget(g, GOBIN_PROFILE_BUDGET / 16);
	gobin_symbol(g, "runtime.text", &addr, &sz);
	gobin_func_by_name(g, "runtime.mbuckets", &addr, &sz);
	gobin_func_by_name(g, "main.main", &addr, &sz);

	pcs[n++] = in->min_pc;
	pcs[n++] = in->min_pc + 1;
	pcs[n++] = in->min_pc + span / 3;
	pcs[n++] = in->min_pc + span / 2;
	pcs[n++] = in->max_pc - 1;
	pcs[n++] = in->max_pc;
	pcs[n++] = 0;
	pcs[n++] = UINT64_MAX;
	for (size_t i = 0; n < sizeof(pcs) / sizeof(pcs[0]) && i + 4 <= size && i < 64;
	     i += 4) {
		uint32_t v;

		memcpy(&v, data + size - 4 - i, 4);
		pcs[n++] = in->min_pc + (span ? v % span : 0);
	}
	for (size_t i = 0; i < n; i++) {
		int k = gobin_frames(g, pcs[i], fr, 64);

		/* Touch every string so ASan checks it is inside the table. */
		for (int j = 0; j < k; j++)
			if (strlen(fr[j].function) + strlen(fr[j].file) == SIZE_MAX)
				abort();
	}
	gobin_stack_frames(g, pcs, n, fr, 64);
	gobin_expand_stack(g, pcs, n, fr, 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gobin *g = NULL;
	char err[256];

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		if (gobin_open_mem(data + 1, size - 1, "fuzz", &g, err, sizeof(err)))
			return 0;
	} else {
		uint32_t off;

		if (size < 5)
			return 0;
		memcpy(&off, data + 1, 4);
		if (gobin_open_pclntab(data + 5, size - 5, 0x401000,
				       off == UINT32_MAX ? UINT64_MAX : off, &g, err,
				       sizeof(err)))
			return 0;
	}
	exercise(g, data, size);
	gobin_trim(g);
	exercise(g, data, size);
	gobin_close(g);
	return 0;
}
