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
		if (h->type == OOMPROF_REC_GO_HEAP) {
			/* Every region and the entries lie inside the record. */
			const struct oomprof_go_capture *cap =
				(const void *)((const struct oomprof_oom_kill *)h + 1);
			const unsigned char *end = (const unsigned char *)h +
						   h->size;
			volatile unsigned char sink = 0;
			unsigned int i;
			uint32_t len;

			for (i = 0; i <= OOMPROF_GO_MAX_REGIONS; i++) {
				const unsigned char *r =
					record_go_region(cap, i, &len);

				if (r && len)
					sink ^= r[0] ^ r[len - 1];
				if (r && r + len > end)
					abort();
			}
			if (record_go_entries(cap) > end)
				abort();
			(void)sink;
		}
	}
	sbuf_free(&b);
	free(buf);
	return 0;
}
