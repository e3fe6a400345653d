// SPDX-License-Identifier: GPL-2.0
/*
 * Test driver: a bucket dump and its meta.txt (from oracle/main.go) to a
 * .pb.gz with heapprof_build + pprof_write, symbolized from the executable
 * with the .gopclntab symbolizer unless built with -DNO_GOBIN or given
 * --no-symbols.
 *
 * Usage: driver [--all-cycles] [--no-symbols] BUCKETS META OUT.pb.gz
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heapprof.h"
#ifndef NO_GOBIN
#include "gobin_frames.h"
#endif

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	struct heapprof_opts o = { .cycles = HEAPPROF_ACTIVE };
	struct heapprof_stats st;
	char exe[4096] = "", gover[64] = "", line[4200], err[256];
	uint64_t bias = 0;
	int nosym = 0, a = 1, rc;
	struct pprof *p;
	size_t len;
	void *buf;
	FILE *meta;
	struct timespec ts;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--all-cycles"))
			o.cycles = HEAPPROF_ALL_CYCLES;
		else if (!strcmp(argv[a], "--no-symbols"))
			nosym = 1;
	}
	if (argc - a != 3) {
		fprintf(stderr, "usage: driver [--all-cycles] [--no-symbols] BUCKETS META OUT\n");
		return 2;
	}
	buf = slurp(argv[a], &len);
	meta = fopen(argv[a + 1], "r");
	if (!buf || !meta) {
		fprintf(stderr, "driver: cannot read %s or %s\n", argv[a], argv[a + 1]);
		return 1;
	}
	while (fgets(line, sizeof(line), meta)) {
		line[strcspn(line, "\n")] = 0;
		sscanf(line, "rate %" SCNd64, &o.rate);
		sscanf(line, "bias %" SCNx64, &bias);
		sscanf(line, "map_start %" SCNx64, &o.map_start);
		sscanf(line, "map_limit %" SCNx64, &o.map_limit);
		sscanf(line, "map_offset %" SCNx64, &o.map_offset);
		if (!strncmp(line, "exe ", 4))
			snprintf(exe, sizeof(exe), "%.4000s", line + 4);
		if (!strncmp(line, "goversion ", 10))
			snprintf(gover, sizeof(gover), "%.60s", line + 10);
	}
	fclose(meta);
	o.exe_path = exe;
	clock_gettime(CLOCK_REALTIME, &ts);
	o.time_nanos = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
#ifndef NO_GOBIN
	struct gobin_frames_ctx sc = { .bias = bias };

	if (!nosym) {
		if (gobin_open(exe, &sc.g, err, sizeof(err))) {
			fprintf(stderr, "driver: %s\n", err);
			return 1;
		}
		gobin_trim(sc.g);	/* as the daemon's cache keeps it */
		o.build_id = gobin_info(sc.g)->go_build_id;
		o.frames = gobin_frames_cb;
		o.frames_ctx = &sc;
	}
#else
	(void)nosym;
	(void)bias;
#endif
	rc = heapprof_build(buf, len, &o, &p, &st);
	if (rc == HEAPPROF_DISABLED) {
		fprintf(stderr, "driver: memory profiling disabled in this binary\n");
		return 3;
	}
	if (rc) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	snprintf(line, sizeof(line), "Go %s", gover);
	pprof_comment(p, line);
	pprof_comment(p, st.complete ? "capture complete" : st.err);
	if (pprof_write(p, argv[a + 2], err, sizeof(err))) {
		fprintf(stderr, "driver: %s\n", err);
		return 1;
	}
	printf("entries %zu samples %zu locations %zu pcs %zu symbolized %zu complete %d\n",
	       st.entries, pprof_nsamples(p), pprof_nlocations(p), st.pcs,
	       st.symbolized, st.complete);
	pprof_free(p);
	free(buf);
#ifndef NO_GOBIN
	if (sc.g)
		gobin_close(sc.g);
#endif
	return 0;
}
