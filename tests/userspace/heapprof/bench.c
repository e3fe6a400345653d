// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (not a test): heapprof_build + pprof_write over synthetic
 * bucket dumps of N entries, each a 32-deep stack of PCs inside real
 * functions of a Go binary, symbolized with the .gopclntab symbolizer.
 * Stacks share callers the way real programs do: each entry picks its
 * frames from a pool of 20000 PCs, with the outer frames drawn from a
 * much smaller set.
 *
 * Usage: bench GO-BINARY OUTDIR N...
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "gobin_frames.h"

#define DEPTH 32
#define POOL 20000

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put(uint8_t **p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	struct gobin_frames_ctx sc = { 0 };
	struct heapprof_frame fr[HEAPPROF_MAX_FRAMES];
	const struct gobin_info *gi;
	static uint64_t pool[POOL];
	char err[256];
	int npool = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench GO-BINARY OUTDIR N...\n");
		return 2;
	}
	if (gobin_open(argv[1], &sc.g, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	gi = gobin_info(sc.g);
	/* PCs inside Go functions: random text addresses that symbolize. */
	for (int tries = 0; npool < POOL && tries < 50 * POOL; tries++) {
		uint64_t pc = gi->min_pc + 1 + next() % (gi->max_pc - gi->min_pc - 1);

		if (gobin_frames_cb(&sc, pc, fr, HEAPPROF_MAX_FRAMES) > 0)
			pool[npool++] = pc;
	}
	printf("%s: %s, %u functions, %d sample PCs\n", argv[1],
	       gi->go_version, gi->nfunc, npool);
	for (int a = 3; a < argc; a++) {
		size_t n = strtoul(argv[a], NULL, 10);
		size_t len = n * (HEAPPROF_HDR_SIZE + 8 * DEPTH + HEAPPROF_REC_SIZE);
		uint8_t *buf = malloc(len), *p = buf;
		struct heapprof_opts o = {
			.rate = 512 * 1024, .cycles = HEAPPROF_ALL_CYCLES,
			.frames = gobin_frames_cb, .frames_ctx = &sc,
			.exe_path = argv[1], .build_id = gi->go_build_id,
		};
		struct heapprof_stats st;
		struct pprof *prof;
		char path[4096];
		struct stat sb;
		struct rusage ru;
		double t0, t1, t2;

		if (!buf)
			return 1;
		for (size_t i = 0; i < n; i++) {
			put(&p, 0xc000000000 + i * 512);
			put(&p, 0);
			put(&p, 0);
			put(&p, HEAPPROF_BUCKET_MEMORY);
			put(&p, next());
			put(&p, 16 << (next() % 8));
			put(&p, DEPTH);
			/* Leaves vary most; the outer frames repeat (main, ...). */
			for (int d = 0; d < DEPTH; d++)
				put(&p, pool[next() % (d < 8 ? npool : 50 + d * 20)]);
			for (int c = 0; c < 4; c++) {
				uint64_t al = 1 + next() % 100;

				put(&p, al);
				put(&p, al / 2);
				put(&p, al * 1024);
				put(&p, al / 2 * 1024);
			}
		}
		snprintf(path, sizeof(path), "%s/bench-%zu.pb.gz", argv[2], n);
		t0 = now();
		if (heapprof_build(buf, len, &o, &prof, &st)) {
			fprintf(stderr, "bench: build failed\n");
			return 1;
		}
		t1 = now();
		if (pprof_write(prof, path, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		t2 = now();
		stat(path, &sb);
		getrusage(RUSAGE_SELF, &ru);
		printf("%7zu entries: build+symbolize %8.1f ms, write %7.1f ms, total %8.1f ms; "
		       "%zu PCs, %zu locations, %lld KiB .pb.gz, max RSS %ld MiB\n",
		       n, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t2 - t0) * 1e3,
		       st.pcs, pprof_nlocations(prof), (long long)sb.st_size / 1024,
		       ru.ru_maxrss / 1024);
		pprof_free(prof);
		free(buf);
	}
	gobin_close(sc.g);
	return 0;
}
