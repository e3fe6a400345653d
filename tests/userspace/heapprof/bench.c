// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (not a test): heapprof_build + pprof_write over synthetic
 * bucket dumps of N entries, symbolized with the .gopclntab symbolizer of
 * a real Go binary, and zlib alone over the same encoded profile.
 *
 * Stacks are shaped like a real Go program's: 20-32 frames, PCs from a
 * few thousand distinct functions (a few call sites each), and each new
 * stack shares a root-side run of frames (main, the server loop, the
 * handler...) with an earlier stack, differing toward the leaf.
 *
 * Printed per N, all measured in this one run: build (symbolize + dedup),
 * write (encode + gzip + file), buckets/s over both, the encoded size, the
 * time zlib alone takes to gzip that encoding at the level pprof_write
 * uses (Z_BEST_SPEED, as runtime/pprof), and (build + write) / zlib.
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
#include <zlib.h>

#include "gobin_frames.h"

#define MIN_DEPTH 20
#define MAX_DEPTH 32
#define NFUNC 3000	/* distinct functions */
#define PCS_PER_FUNC 6	/* call sites per function, at most */
#define HT 8192		/* function-entry set, > NFUNC, power of 2 */

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

/*
 * CPU time of this (single-threaded) process: the figure that holds on a
 * machine shared with other work, where wall time also counts waiting.
 */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put(uint8_t **p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*(*p)++ = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* zlib alone: gzip @len bytes at Z_BEST_SPEED into memory; seconds. */
static double zlib_alone(const uint8_t *in, size_t len, size_t *outlen,
			 double *cpu_s)
{
	double c0;
	z_stream z = { 0 };
	uLong bound;
	uint8_t *out;
	double t0, t1;

	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&z, len);
	out = malloc(bound);
	if (!out)
		return -1;
	memset(out, 0, bound);	/* fault the pages in before timing */
	t0 = now();
	c0 = cpu();
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		t0 = -1;
	t1 = now();
	*cpu_s = cpu() - c0;
	*outlen = z.total_out;
	deflateEnd(&z);
	free(out);
	return t0 < 0 ? -1 : t1 - t0;
}

/* A field of /proc/self/status in KiB, -1 if absent. */
static long status_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return v;
}

/* Reset VmHWM to the present RSS (clear_refs 5) and return that RSS. */
static long peak_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int bad;

	if (!f)
		return -1;
	bad = fputs("5", f) < 0;
	if (fclose(f) || bad)
		return -1;
	return status_kb("VmRSS:");
}

int main(int argc, char **argv)
{
	struct gobin_frames_ctx sc = { 0 };
	struct heapprof_frame fr[HEAPPROF_MAX_FRAMES];
	const struct gobin_info *gi;
	static uint64_t pool[NFUNC * PCS_PER_FUNC], ent[HT];
	static int cnt[HT];
	char err[256];
	int npool = 0, nfn = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench GO-BINARY OUTDIR N...\n");
		return 2;
	}
	if (gobin_open(argv[1], &sc.g, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	gobin_trim(sc.g);	/* as the daemon's cache keeps it */
	gi = gobin_info(sc.g);
	/* Return PCs inside Go functions, at most NFUNC functions. */
	for (int tries = 0; npool < NFUNC * PCS_PER_FUNC && tries < 5000000; tries++) {
		uint64_t pc = gi->min_pc + 1 + next() % (gi->max_pc - gi->min_pc - 1);
		int n = gobin_frames_cb(&sc, pc, fr, HEAPPROF_MAX_FRAMES);
		uint64_t e;
		size_t h;

		if (n <= 0)
			continue;
		e = fr[n - 1].entry;
		for (h = (e * 0x9e3779b97f4a7c15ULL) >> 51; ent[h] && ent[h] != e;
		     h = (h + 1) & (HT - 1))
			;
		if (!ent[h]) {
			if (nfn == NFUNC)
				continue;
			ent[h] = e;
			nfn++;
		}
		if (cnt[h] == PCS_PER_FUNC)
			continue;
		cnt[h]++;
		pool[npool++] = pc;
	}
	printf("%s: %s, %u functions; stacks of %d-%d PCs from %d PCs in %d functions, root-side runs shared\n",
	       argv[1], gi->go_version, gi->nfunc, MIN_DEPTH, MAX_DEPTH, npool, nfn);
	for (int a = 3; a < argc; a++) {
		size_t n = strtoul(argv[a], NULL, 10);
		size_t cap = n * (HEAPPROF_HDR_SIZE + 8 * MAX_DEPTH + HEAPPROF_REC_SIZE);
		uint8_t *buf = malloc(cap), *p = buf, **stk = malloc(n * sizeof(*stk));
		int *depth = malloc(n * sizeof(*depth));
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
		uint8_t *enc;
		size_t enclen, zlen;
		double t0, t1, t2, tz, c0, c1, c2, cz = 0;
		long rss0, peak;

		if (!buf || !stk || !depth)
			return 1;
		for (size_t i = 0; i < n; i++) {
			int d = MIN_DEPTH + (int)(next() % (MAX_DEPTH - MIN_DEPTH + 1));
			/* Root-side frames shared with an earlier stack. */
			int share = 0;
			size_t par = 0;

			if (i) {
				par = next() % i;
				share = d / 2 + (int)(next() % (d / 2 - 1));
				if (share > depth[par])
					share = depth[par];
			}
			put(&p, 0xc000000000 + i * 512);
			put(&p, 0);
			put(&p, 0);
			put(&p, HEAPPROF_BUCKET_MEMORY);
			put(&p, next());
			put(&p, 16 << (next() % 8));
			put(&p, (uint64_t)d);
			stk[i] = p;
			depth[i] = d;
			/* stk[0] is the leaf, stk[d - 1] the root. */
			for (int k = 0; k < d - share; k++)
				put(&p, pool[next() % npool]);
			for (int k = share; k > 0; k--)
				put(&p, get(stk[par] + 8 * (depth[par] - k)));
			for (int c = 0; c < 4; c++) {
				uint64_t al = 1 + next() % 100;

				put(&p, al);
				put(&p, al / 2);
				put(&p, al * 1024);
				put(&p, al / 2 * 1024);
			}
		}
		free(stk);
		free(depth);
		snprintf(path, sizeof(path), "%s/bench-%zu.pb.gz", argv[2], n);
		rss0 = peak_reset();
		t0 = now();
		c0 = cpu();
		if (heapprof_build(buf, (size_t)(p - buf), &o, &prof, &st)) {
			fprintf(stderr, "bench: build failed\n");
			return 1;
		}
		t1 = now();
		c1 = cpu();
		if (pprof_write(prof, path, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		t2 = now();
		c2 = cpu();
		peak = status_kb("VmHWM:");
		if (stat(path, &sb))
			sb.st_size = 0;
		if (pprof_encode(prof, &enc, &enclen)) {
			fprintf(stderr, "bench: encode failed\n");
			return 1;
		}
		tz = zlib_alone(enc, enclen, &zlen, &cz);
		if (tz <= 0 || cz <= 0) {
			fprintf(stderr, "bench: zlib failed\n");
			return 1;
		}
		free(enc);
		getrusage(RUSAGE_SELF, &ru);
		printf("%8zu buckets: build+symbolize %7.1f ms, write %7.1f ms, total %7.1f ms = %.0f buckets/s\n",
		       n, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t2 - t0) * 1e3,
		       n / (t2 - t0));
		printf("%8s  %zu samples, %zu PCs, %zu locations; encoded %.1f MiB, .pb.gz %.1f MiB; max RSS %ld MiB\n",
		       "", pprof_nsamples(prof), st.pcs, pprof_nlocations(prof),
		       enclen / 1048576.0, sb.st_size / 1048576.0,
		       ru.ru_maxrss / 1024);
		if (rss0 >= 0 && peak >= rss0)
			printf("%8s  memory of build+write: peak %.1f MiB above the input, %.0f bytes a bucket\n",
			       "", (peak - rss0) / 1024.0,
			       (peak - rss0) * 1024.0 / (double)n);
		printf("%8s  zlib alone (level 1, as runtime/pprof) on the same encoding %.1f ms: (build+write)/zlib %.2f, write/zlib %.2f\n",
		       "", tz * 1e3, (t2 - t0) / tz, (t2 - t1) / tz);
		printf("%8s  CPU time: build %.1f ms, write %.1f ms, zlib alone %.1f ms: (build+write)/zlib %.2f; %.0f buckets per CPU second\n",
		       "", (c1 - c0) * 1e3, (c2 - c1) * 1e3, cz * 1e3,
		       (c2 - c0) / cz, n / (c2 - c0));
		fflush(stdout);
		pprof_free(prof);
		free(buf);
	}
	gobin_close(sc.g);
	return 0;
}
