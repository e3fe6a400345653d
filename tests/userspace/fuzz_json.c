// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bytes as events.jsonl, through the bounded JSON reader
 * (json.c) and the whole --show report (show.c), whose every byte of
 * output must be safe for a terminal. Cost must be linear: the input
 * parsed as one document and the input repeated to 1 MiB (deep nesting,
 * long strings, many keys grow with it) each taking more than a bound of
 * CPU time that a linear reader meets a hundred times over is a failure.
 * CPU time, not wall time: a loaded machine must not fail it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "show.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Every value visited, and some keys looked up: what show does. */
static size_t walk(const struct json_val *v, unsigned int depth)
{
	const struct json_val *m;
	unsigned long long u;
	long long s;
	size_t n = 1;

	if (depth > JSON_MAX_DEPTH + 1)
		abort();	/* the reader let deeper nesting through */
	json_u64(v, &u);
	json_i64(v, &s);
	if (json_str(v) && strlen(json_str(v)) != v->len)
		abort();	/* a NUL inside a decoded string */
	json_get(v, "type");
	json_get(v, "profile");
	for (m = json_first(v); m; m = json_next(m))
		n += walk(m, depth + 1);
	return n;
}

static void parse(const char *p, size_t len)
{
	struct json_doc d;
	char why[128];

	if (!json_parse(&d, p, len, why, sizeof(why)))
		walk(json_root(&d), 0);
	json_free(&d);
}

static char dir[] = "/tmp/oomprof-fuzzjson.XXXXXX";

static void show(const uint8_t *data, size_t size)
{
	struct show_opts o = { .path = dir, .last = 0, .pid = -1 };
	static char path[64];
	char *text = NULL;
	size_t len = 0, i;
	FILE *f, *out, *err;

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	out = open_memstream(&text, &len);
	err = fopen("/dev/null", "w");
	if (!out || !err)
		abort();
	show_main(&o, out, err);
	fclose(out);
	fclose(err);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len &&
		     (unsigned char)text[i + 1] >= 0x80 &&
		     (unsigned char)text[i + 1] < 0xa0)) {
			fprintf(stderr, "fuzz_json: byte 0x%02x reached the report at %zu\n",
				c, i);
			abort();
		}
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *big;
	double t0;
	size_t off;

	if (!big) {
		if (!mkdtemp(dir))
			abort();
		big = malloc(JSON_MAX_INPUT);
		if (!big)
			abort();
	}
	t0 = now();
	parse((const char *)data, size);
	if (now() - t0 > 0.05 + (double)size * 1e-6) {
		fprintf(stderr, "fuzz_json: %zu bytes took %.1f ms of CPU\n", size,
			(now() - t0) * 1e3);
		abort();
	}
	if (size) {
		for (off = 0; off < JSON_MAX_INPUT; off += size)
			memcpy(big + off, data,
			       JSON_MAX_INPUT - off < size ? JSON_MAX_INPUT - off : size);
		t0 = now();
		parse(big, JSON_MAX_INPUT);
		if (now() - t0 > 1.0) {
			fprintf(stderr, "fuzz_json: the input repeated to 1 MiB took %.1f ms of CPU\n",
				(now() - t0) * 1e3);
			abort();
		}
	}
	t0 = now();
	show(data, size);
	if (now() - t0 > 0.5 + (double)size * 4e-6) {
		fprintf(stderr, "fuzz_json: --show of %zu bytes took %.1f ms of CPU\n",
			size, (now() - t0) * 1e3);
		abort();
	}
	return 0;
}
