// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for user/govars.c. Byte 0 picks the shape of the rest:
 *   even: x86-64 machine code for the decoder: govars_scan over all of
 *         it (as if loaded at an address taken from the input), and
 *         govars_decode at every offset, with the decoder's promises
 *         checked (a length of 1 to 15 bytes, never past the buffer; a
 *         rip-relative operand only with a ModRM);
 *   odd:  an ELF image for gobin_open_mem, then govars_find and
 *         govars_from_code.
 * The buffer handed to the decoder is an exact-size copy, so ASan sees any
 * read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gobin.h"
#include "govars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void code(const uint8_t *data, size_t size)
{
	struct govars_ref refs[16];
	uint64_t addr = 0x401000;
	uint8_t *buf;
	size_t bad = SIZE_MAX;
	long n;

	if (size >= 8) {
		memcpy(&addr, data, 8);	/* wrap-around must be harmless */
		data += 8;
		size -= 8;
	}
	buf = malloc(size ? size : 1);
	if (!buf)
		return;
	memcpy(buf, data, size);
	n = govars_scan(buf, size, addr, refs, 16, &bad);
	if (n < 0 && bad >= size && size)
		abort();
	for (size_t off = 0; off < size; off++) {
		struct govars_insn in;
		int l = govars_decode(buf + off, size - off, &in);

		if (l == 0 || l > 15 || (l > 0 && (size_t)l > size - off) ||
		    (l > 0 && l != in.len))
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gobin *g = NULL;
	const char *how;
	uint64_t mb, rate;
	char err[256];

	if (!size)
		return 0;
	if (!(data[0] & 1)) {
		code(data + 1, size - 1);
		return 0;
	}
	if (gobin_open_mem(data + 1, size - 1, "fuzz", &g, err, sizeof(err)))
		return 0;
	govars_find(g, &mb, &rate, &how, err, sizeof(err));
	govars_from_code(g, &mb, &rate, &how, err, sizeof(err));
	gobin_close(g);
	return 0;
}
