// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes as a victim's cgroup path (what a user names the
 * cgroups of a delegated subtree), and as the names of entries in the
 * kubelet's log directories, through container attribution and the
 * events.jsonl object. A path of up to 4 KiB (the record's is 256 bytes)
 * whose four parses take more than 20 ms of CPU time (a linear parse takes
 * microseconds; a quadratic one of 4 KiB, tens of milliseconds) is a
 * failure, and so is the input repeated to 64 KiB taking more than 50 ms.
 * CPU time, not wall time: a loaded machine must not fail it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);
	char ns[64], pod[254], uid[37], ctr[64], id[65];
	struct container_info ci;
	struct sbuf b = { 0 };
	double t0;
	int i;

	if (!p)
		return 0;
	memcpy(p, data, size);
	p[size] = '\0';
	t0 = now();
	for (i = 0; i < 4; i++)
		container_attribute(p, i & 1 ? size + 1 : 256, i & 2, &ci);
	if (size <= 4096 && now() - t0 > 0.02) {
		fprintf(stderr, "fuzz_container: %zu-byte path took %.1f ms of CPU\n",
			size, (now() - t0) * 1e3);
		abort();
	}
	/*
	 * The input repeated to 64 KiB: what costs more than linear there
	 * costs seconds, a linear parse well under a millisecond.
	 */
	if (size) {
		static char big[65536];
		size_t off;

		for (off = 0; off < sizeof(big); off += size)
			memcpy(big + off, data, off + size <= sizeof(big) ?
			       size : sizeof(big) - off);
		big[sizeof(big) - 1] = '\0';
		t0 = now();
		container_attribute(big, sizeof(big), false, &ci);
		if (now() - t0 > 0.05) {
			fprintf(stderr, "fuzz_container: the input repeated to 64 KiB took %.1f ms of CPU\n",
				(now() - t0) * 1e3);
			abort();
		}
	}
	/* Attribution from the full buffer, unterminated: never read past. */
	container_attribute((const char *)data, size, false, &ci);
	container_json(&b, p, size + 1, false);
	sbuf_free(&b);
	container_parse_pod_dir(p, ns, pod, uid);
	container_parse_log_link(p, pod, ns, ctr, id);
	free(p);
	return 0;
}
