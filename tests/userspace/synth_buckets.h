/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A synthetic Go heap-profile bucket list in the runtime's layout
 * (runtime/mprof.go: six header words next, allnext, typ, hash, size,
 * nstk; nstk PCs; the memRecord's 16 words), laid out in a buffer that
 * stands for process memory at @base, buckets adjacent and the newest at
 * the highest address (persistentalloc's order), and an independent
 * encoder of count entries following the uapi text (oomprof.h,
 * OOMPROF_REC_GO_HEAP). For test_golearn.c and fuzz_golearn.c.
 */
#ifndef OOMPROF_TEST_SYNTH_BUCKETS_H
#define OOMPROF_TEST_SYNTH_BUCKETS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct synth {
	uint8_t *img;		/* memory at base */
	uint64_t base;
	size_t cap, end;	/* bytes of img; bytes used */
	uint64_t *addr;		/* bucket i (creation order) */
	size_t n, addrcap;
	uint64_t seed;
};

static inline size_t synth_nstk(size_t i)
{
	return 1 + (i * 7) % 24;
}

/* Frame @l counted from the outermost: outer frames are shared widely. */
static inline uint64_t synth_pc(size_t i, size_t l)
{
	return 0x401000 + 0x1000 * (uint64_t)l + 8 * ((i >> (l % 12)) & 7);
}

static inline uint64_t synth_word(const struct synth *s, size_t i, int w)
{
	uint64_t x = (s->seed + i) * 0x9e3779b97f4a7c15ULL + (uint64_t)w * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 29;
	if (w % 3 == 1)
		return 0;
	if (i % 97 == 0 && w == 2)
		return UINT64_MAX;	/* ten-byte varints */
	return (i % 5 == 0) ? x : x % 1000;
}

static inline size_t synth_size(size_t i)
{
	return 48 + 8 * synth_nstk(i) + 128;
}

static inline void synth_put(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Push @count new buckets at the head. 0, or -1 if img is full. */
static inline int synth_push(struct synth *s, size_t count)
{
	for (size_t k = 0; k < count; k++) {
		size_t i = s->n, nstk = synth_nstk(i);
		uint8_t *p = s->img + s->end;

		if (s->end + synth_size(i) > s->cap)
			return -1;
		if (s->n == s->addrcap) {
			size_t c = s->addrcap ? s->addrcap * 2 : 1024;
			uint64_t *a = realloc(s->addr, c * sizeof(*a));

			if (!a)
				return -1;
			s->addr = a;
			s->addrcap = c;
		}
		s->addr[i] = s->base + s->end;
		synth_put(p, 0);	/* next (hash chain): not read */
		synth_put(p + 8, i ? s->addr[i - 1] : 0);
		synth_put(p + 16, 1);
		synth_put(p + 24, 0x1234567ULL * (i + 1));
		synth_put(p + 32, 16 * (i % 50 + 1));
		synth_put(p + 40, nstk);
		for (size_t j = 0; j < nstk; j++)	/* stk[0] innermost */
			synth_put(p + 48 + 8 * j, synth_pc(i, nstk - 1 - j));
		for (int w = 0; w < 16; w++)
			synth_put(p + 48 + 8 * nstk + 8 * w, synth_word(s, i, w));
		s->end += synth_size(i);
		s->n++;
	}
	return 0;
}

static inline uint64_t synth_head(const struct synth *s)
{
	return s->n ? s->addr[s->n - 1] : 0;
}

static inline uint8_t *synth_at(const struct synth *s, size_t i)
{
	return s->img + (s->addr[i] - s->base);
}

/* Full entries (address + bucket) of buckets @hi-1 down to @lo. */
static inline size_t synth_full(const struct synth *s, size_t lo, size_t hi,
				uint8_t *out)
{
	size_t len = 0;

	for (size_t i = hi; i-- > lo;) {
		synth_put(out + len, s->addr[i]);
		memcpy(out + len + 8, synth_at(s, i), synth_size(i));
		len += 8 + synth_size(i);
	}
	return len;
}

static inline size_t synth_leb(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/* Count entries of buckets @hi-1 down to @lo, as the module writes them. */
static inline size_t synth_counts(const struct synth *s, size_t lo, size_t hi,
				  uint8_t *out)
{
	uint64_t prev = 0;
	size_t len = 0;

	for (size_t i = hi; i-- > lo;) {
		int64_t d = (int64_t)(s->addr[i] - prev);
		uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
		const uint8_t *rec = synth_at(s, i) + 48 + 8 * synth_nstk(i);
		uint64_t w[16], mask = 0;

		memcpy(w, rec, sizeof(w));
		for (int k = 0; k < 16; k++)
			if (w[k])
				mask |= 1ULL << k;
		len += synth_leb(out + len, z);
		len += synth_leb(out + len, mask);
		for (int k = 0; k < 16; k++)
			if (w[k])
				len += synth_leb(out + len, w[k]);
		prev = s->addr[i];
	}
	return len;
}

#endif
