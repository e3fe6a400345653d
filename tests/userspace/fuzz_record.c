// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes as read() from /dev/oomprof, through validation
 * and every formatter that reads a validated record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reader reads into an 8-byte-aligned buffer; so do we. */
	unsigned long long *buf = malloc(size + 8);
	struct record_cursor c;
	const struct oomprof_record_header *h;
	struct sbuf b = { 0 };
	const char *why;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	c.p = (const unsigned char *)buf;
	c.left = size;
	while (record_next(&c, &h, &why) == RECORD_OK) {
		sbuf_reset(&b);
		event_json(&b, h, NULL, NULL);
		sbuf_reset(&b);
		event_summary(&b, h);
	}
	sbuf_free(&b);
	free(buf);
	return 0;
}
