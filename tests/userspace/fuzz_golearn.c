// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: golearn (user/golearn.c) on arbitrary bytes.
 *
 * Byte 0, bit 0 clear: MERGE. A learned state of FUZZ_LEARNED synthetic
 * buckets (synth_buckets.h, learned once through a memfd) and a capture
 * made of the input: bytes 1-2 known_count, 3-4 nbuckets_counted, 5-6 the
 * full entries' length, byte 7 bit 0: known_head is the learned bucket at
 * known_count (else bytes 8-15); then full entries and count entries. The
 * merged source goes through heapprof_build_src, which reads it twice.
 *
 * Bit 0 set: LEARN. Bytes 1-8 are runtime.mbuckets' value, the rest is the
 * process's memory at FUZZ_BASE (a memfd): the learner must end (commit
 * or stop with a reason) within its bounds, whatever the list.
 *
 * run.sh runs it with -timeout: an input whose cost is super-linear in its
 * size fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "golearn.h"
#include "heapprof.h"
#include "pprof.h"
#include "synth_buckets.h"

#define FUZZ_LEARNED	2000
#define FUZZ_BASE	0x100000ULL
#define FUZZ_MB		0x1000ULL

static int tell_ok(void *ctx, const struct oomprof_learned *l)
{
	(void)ctx;
	(void)l;
	return 0;
}

static struct golearn *new_learner(void)
{
	struct golearn_opts o = {
		.budget = 64 << 20, .tick_ms = 5, .recheck_ms = 0.001,
		.max_buckets = 200000, .quiet = 1, .devfd = -1, .no_maps = 1,
		.tell = tell_ok,
	};

	return golearn_new(&o);
}

static int learn_all(struct golearn *g)
{
	for (int n = 0; golearn_tick(g); n++)
		if (n > 100000)
			return -1;
	return 0;
}

static struct golearn_state *learned(void)
{
	static struct golearn_state *st;
	static struct synth s;
	static struct golearn *g;
	uint64_t head;
	int fd;

	if (st)
		return st;
	s.cap = 4 << 20;
	s.img = calloc(1, s.cap);
	s.base = FUZZ_BASE;
	s.seed = 1;
	if (!s.img || synth_push(&s, FUZZ_LEARNED))
		abort();
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	head = synth_head(&s);
	if (fd < 0 || pwrite(fd, s.img, s.end, FUZZ_BASE) != (ssize_t)s.end ||
	    pwrite(fd, &head, 8, FUZZ_MB) != 8)
		abort();
	g = new_learner();
	if (!g || golearn_add(g, 1, 1, "fuzz", fd, FUZZ_MB, NULL) || learn_all(g))
		abort();
	/* The learner stays: a taken state refers to its trie and budget. */
	st = golearn_take(g, 1);
	if (golearn_state_count(st) != FUZZ_LEARNED)
		abort();
	free(s.img);
	free(s.addr);
	return st;
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void fuzz_merge(const uint8_t *data, size_t size)
{
	const struct golearn_state *st = learned();
	struct oomprof_go_capture cap = { 0 };
	struct heapprof_opts o = { .rate = 512 * 1024,
				   .cycles = HEAPPROF_ALL_CYCLES };
	struct golearn_merge *m;
	struct heapprof_source src;
	struct heapprof_stats hs;
	struct pprof *p = NULL;
	uint8_t *entries;
	size_t rest;

	if (size < 16)
		return;
	rest = size - 16;
	cap.known_count = le(data + 1, 2) % (FUZZ_LEARNED + 50);
	cap.nbuckets_counted = le(data + 3, 2);
	if (cap.nbuckets_counted > cap.known_count)
		cap.nbuckets_counted = cap.known_count;
	cap.bucket_bytes = le(data + 5, 2);
	if (cap.bucket_bytes > rest)
		cap.bucket_bytes = rest;
	cap.counts_bytes = rest - cap.bucket_bytes;
	cap.known_head = le(data + 8, 8);
	if (data[7] & 1 && cap.known_count &&
	    cap.known_count <= golearn_state_count(st)) {
		/* The learned head: the way in past the first check. */
		size_t i = cap.known_count - 1, off = 0;

		for (size_t k = 0; k < i; k++)
			off += synth_size(k);
		cap.known_head = FUZZ_BASE + off;
	}
	/* An exact-size copy: ASan sees any read past the record. */
	entries = malloc(rest ? rest : 1);
	m = malloc(sizeof(*m));
	if (!entries || !m)
		abort();
	memcpy(entries, data + 16, rest);
	golearn_merge_init(m, data[7] & 2 ? NULL : st, &cap, entries, &src);
	if (heapprof_build_src(&src, &o, &p, &hs) == 0)
		pprof_free(p);
	free(m);
	free(entries);
}

static void fuzz_learn(const uint8_t *data, size_t size)
{
	struct golearn *g;
	struct golearn_state *st;
	int fd;

	if (size < 9)
		return;
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || pwrite(fd, data + 1, 8, FUZZ_MB) != 8 ||
	    (size > 9 && pwrite(fd, data + 9, size - 9, FUZZ_BASE) !=
	     (ssize_t)(size - 9)))
		abort();
	g = new_learner();
	if (!g || golearn_add(g, 1, 1, "fuzz", fd, FUZZ_MB, NULL))
		abort();
	if (learn_all(g))
		abort();	/* never ends: a bound is missing */
	st = golearn_take(g, 1);
	golearn_state_free(st);
	golearn_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_learn(data, size);
	else
		fuzz_merge(data, size);
	return 0;
}
