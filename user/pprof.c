// SPDX-License-Identifier: GPL-2.0
/*
 * pprof profile builder and writer: see pprof.h. The in-memory model keeps
 * flat arrays with offsets (no per-sample allocations); each sample is
 * encoded once as it is added, and the rest of the Profile message is
 * encoded by hand (no message objects) straight into the deflate stream,
 * so a large profile is never held twice.
 */
#include "pprof.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_SAMPLE_TYPES 8

struct mapping {
	uint64_t start, limit, offset;
	int64_t file, build_id;
	int has_functions;
};

struct loc {
	uint64_t mapping_id, address;
	size_t line_off, nlines;
};

struct fn {
	int64_t name, file, start_line;
};

struct pprof {
	int failed;
	/* String table; strhash holds index+1 (0 = empty slot). */
	char **strs;
	size_t nstrs, capstrs;
	size_t *strhash, hashcap;
	int64_t types[MAX_SAMPLE_TYPES][2];
	size_t ntypes;
	int64_t period_type[2], period;
	int64_t *comments;
	size_t ncomments, capcomments;
	int64_t time_nanos, duration_nanos;
	struct mapping *maps;
	size_t nmaps, capmaps;
	struct fn *fns;
	size_t nfns, capfns;
	struct pprof_map fn_by_name;
	struct loc *locs;
	size_t nlocs, caplocs;
	struct pprof_line *lines;
	size_t nlines, caplines;
	/* Samples, encoded: Profile field 2 entries back to back. */
	uint8_t *sblob;
	size_t nsblob, capsblob, nsmps;
};

/* Make room for @more elements in *@v (of @n used, @cap allocated). */
static int grow(struct pprof *p, void **v, size_t *cap, size_t n, size_t more,
		size_t elsz)
{
	size_t want, ncap;
	void *nv;

	if (p && p->failed)
		return -1;
	if (more > SIZE_MAX / elsz - n)
		goto fail;
	want = n + more;
	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 / elsz ? want : ncap * 2;
	nv = realloc(*v, ncap * elsz);
	if (!nv)
		goto fail;
	*v = nv;
	*cap = ncap;
	return 0;
fail:
	if (p)
		p->failed = 1;
	return -1;
}

#define GROW(p, arr, n, cap, more) \
	grow(p, (void **)&(arr), &(cap), n, more, sizeof(*(arr)))

/* ---- uint64 map ---- */

/*
 * Keyed hashing (SipHash-1-3, Aumasson and Bernstein) with a key drawn
 * from getrandom once per process: the keys hashed (PCs from a victim's
 * memory, names from its executable) are chosen by whoever owns them, and
 * an unkeyed mix (invertible, like mix64) lets them pick keys that all
 * land in one slot, making every table operation linear.
 */
static uint64_t sip_k0, sip_k1;
/* Profiles are built on several threads (pwriter.h): keyed once. */
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_make_key(void)
{
	uint64_t k[2];

	/*
	 * Never block: getrandom() without flags waits for the kernel's
	 * CRNG, which in a freshly booted machine can take seconds, and a
	 * profile written then would hold up every record behind it. The 16
	 * bytes the kernel put in our auxiliary vector at exec (AT_RANDOM)
	 * are there from the start.
	 */
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		const unsigned char *at = (const void *)getauxval(AT_RANDOM);
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		k[0] = (uint64_t)t.tv_nsec * 0x9e3779b97f4a7c15ULL ^
		       (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&t;
		k[1] = (uint64_t)t.tv_sec ^ (uint64_t)(uintptr_t)k;
		if (at) {
			uint64_t a[2];

			memcpy(a, at, sizeof(a));
			k[0] ^= a[0];
			k[1] ^= a[1];
		}
	}
	sip_k0 = k[0];
	sip_k1 = k[1];
}

static void sip_key(void)
{
	pthread_once(&sip_once, sip_make_key);
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t pprof_siphash(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0, v1, v2, v3, m, b = (uint64_t)len << 56;
	size_t i;

	sip_key();
	v0 = sip_k0 ^ 0x736f6d6570736575ULL;
	v1 = sip_k1 ^ 0x646f72616e646f6dULL;
	v2 = sip_k0 ^ 0x6c7967656e657261ULL;
	v3 = sip_k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);	/* hosts are little-endian here */
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static size_t hash64(uint64_t x)
{
	return (size_t)pprof_siphash(&x, sizeof(x));
}

int pprof_map_get(const struct pprof_map *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	for (size_t i = hash64(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->used[i])
			return 0;
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return 1;
		}
	}
}

static int map_resize(struct pprof_map *m, size_t cap)
{
	struct pprof_map n = { .cap = cap };

	n.keys = malloc(cap * sizeof(*n.keys));
	n.vals = malloc(cap * sizeof(*n.vals));
	n.used = calloc(cap, 1);
	if (!n.keys || !n.vals || !n.used) {
		pprof_map_free(&n);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->used[i])
			pprof_map_put(&n, m->keys[i], m->vals[i]);
	pprof_map_free(m);
	*m = n;
	return 0;
}

int pprof_map_put(struct pprof_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 &&
	    (m->cap > SIZE_MAX / 16 || map_resize(m, m->cap ? m->cap * 2 : 64)))
		return -1;
	for (i = hash64(key) & (m->cap - 1); m->used[i] && m->keys[i] != key;
	     i = (i + 1) & (m->cap - 1))
		;
	if (!m->used[i])
		m->n++;
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void pprof_map_free(struct pprof_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

/* ---- building ---- */

struct pprof *pprof_new(void)
{
	struct pprof *p = calloc(1, sizeof(*p));

	if (p && pprof_string(p, "") != 0) {
		pprof_free(p);
		return NULL;
	}
	return p;
}

void pprof_free(struct pprof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	free(p->strhash);
	free(p->comments);
	free(p->maps);
	free(p->fns);
	pprof_map_free(&p->fn_by_name);
	free(p->locs);
	free(p->lines);
	free(p->sblob);
	free(p);
}

int pprof_failed(const struct pprof *p)
{
	return p->failed;
}

static size_t str_hash(const char *s)
{
	return (size_t)pprof_siphash(s, strlen(s));
}

static int strhash_resize(struct pprof *p)
{
	size_t cap = p->hashcap ? p->hashcap * 2 : 256;
	size_t *h;

	if (p->hashcap > SIZE_MAX / 4 / sizeof(*h))
		return -1;
	h = calloc(cap, sizeof(*h));
	if (!h)
		return -1;
	for (size_t k = 0; k < p->nstrs; k++) {
		size_t i = str_hash(p->strs[k]) & (cap - 1);

		while (h[i])
			i = (i + 1) & (cap - 1);
		h[i] = k + 1;
	}
	free(p->strhash);
	p->strhash = h;
	p->hashcap = cap;
	return 0;
}

int64_t pprof_string(struct pprof *p, const char *s)
{
	size_t i;
	char *copy;

	if (p->failed)
		return -1;
	if (!s)
		s = "";
	if ((p->nstrs + 1) * 2 > p->hashcap && strhash_resize(p))
		goto fail;
	for (i = str_hash(s) & (p->hashcap - 1); p->strhash[i];
	     i = (i + 1) & (p->hashcap - 1))
		if (!strcmp(p->strs[p->strhash[i] - 1], s))
			return (int64_t)(p->strhash[i] - 1);
	if (GROW(p, p->strs, p->nstrs, p->capstrs, 1))
		return -1;
	copy = strdup(s);
	if (!copy)
		goto fail;
	p->strs[p->nstrs++] = copy;
	p->strhash[i] = p->nstrs;
	return (int64_t)p->nstrs - 1;
fail:
	p->failed = 1;
	return -1;
}

void pprof_sample_type(struct pprof *p, const char *type, const char *unit)
{
	if (p->ntypes == MAX_SAMPLE_TYPES) {
		p->failed = 1;
		return;
	}
	p->types[p->ntypes][0] = pprof_string(p, type);
	p->types[p->ntypes][1] = pprof_string(p, unit);
	p->ntypes++;
}

void pprof_period(struct pprof *p, const char *type, const char *unit,
		  int64_t period)
{
	p->period_type[0] = pprof_string(p, type);
	p->period_type[1] = pprof_string(p, unit);
	p->period = period;
}

void pprof_comment(struct pprof *p, const char *text)
{
	int64_t s = pprof_string(p, text);

	if (!GROW(p, p->comments, p->ncomments, p->capcomments, 1))
		p->comments[p->ncomments++] = s;
}

void pprof_time(struct pprof *p, int64_t time_nanos, int64_t duration_nanos)
{
	p->time_nanos = time_nanos;
	p->duration_nanos = duration_nanos;
}

uint64_t pprof_mapping(struct pprof *p, uint64_t start, uint64_t limit,
		       uint64_t offset, const char *file, const char *build_id)
{
	struct mapping m = { start, limit, offset, pprof_string(p, file),
			     pprof_string(p, build_id), 0 };

	if (GROW(p, p->maps, p->nmaps, p->capmaps, 1))
		return 0;
	p->maps[p->nmaps++] = m;
	return p->nmaps;
}

void pprof_mapping_has_functions(struct pprof *p, uint64_t id, int yes)
{
	if (id >= 1 && id <= p->nmaps)
		p->maps[id - 1].has_functions = yes;
}

uint64_t pprof_function(struct pprof *p, int64_t name, int64_t file,
			int64_t start_line)
{
	uint64_t id;

	if (p->failed || name < 0 || file < 0)
		return 0;
	if (pprof_map_get(&p->fn_by_name, (uint64_t)name, &id))
		return id;
	if (GROW(p, p->fns, p->nfns, p->capfns, 1))
		return 0;
	p->fns[p->nfns] = (struct fn){ name, file, start_line };
	if (pprof_map_put(&p->fn_by_name, (uint64_t)name, p->nfns + 1)) {
		p->failed = 1;
		return 0;
	}
	return ++p->nfns;
}

uint64_t pprof_location(struct pprof *p, uint64_t mapping_id,
			uint64_t address, const struct pprof_line *lines,
			size_t n)
{
	if (GROW(p, p->locs, p->nlocs, p->caplocs, 1) ||
	    GROW(p, p->lines, p->nlines, p->caplines, n))
		return 0;
	if (n)
		memcpy(p->lines + p->nlines, lines, n * sizeof(*lines));
	p->locs[p->nlocs] = (struct loc){ mapping_id, address, p->nlines, n };
	p->nlines += n;
	return ++p->nlocs;
}

/* ---- encoding: protobuf wire format by hand (profile.proto) ---- */

/*
 * Field keys, (number << 3) | wire type; 0 = varint, 2 = length-delimited.
 * Fields are written in field-number order, zero scalars omitted (proto3),
 * repeated scalars packed: the canonical encoding, byte for byte what
 * protobuf-c packed from the same message (test_heapprof checks it).
 */
enum {
	PROF_SAMPLE_TYPE = 1 << 3 | 2, PROF_SAMPLE = 2 << 3 | 2,
	PROF_MAPPING = 3 << 3 | 2, PROF_LOCATION = 4 << 3 | 2,
	PROF_FUNCTION = 5 << 3 | 2, PROF_STRING = 6 << 3 | 2,
	PROF_TIME = 9 << 3, PROF_DURATION = 10 << 3,
	PROF_PERIOD_TYPE = 11 << 3 | 2, PROF_PERIOD = 12 << 3,
	PROF_COMMENT = 13 << 3 | 2,
	SMP_LOCS = 1 << 3 | 2, SMP_VALUES = 2 << 3 | 2, SMP_LABEL = 3 << 3 | 2,
	F1 = 1 << 3, F2 = 2 << 3, F3 = 3 << 3, F4 = 4 << 3, F5 = 5 << 3,
	F6 = 6 << 3, F7 = 7 << 3, LOC_LINE = 4 << 3 | 2,
};

static size_t vlen(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *vput(uint8_t *o, uint64_t v)
{
	while (v >= 0x80) {
		*o++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*o++ = (uint8_t)v;
	return o;
}

/* A varint field's size if written (proto3 omits zero), key included. */
static size_t fsize(uint64_t v)
{
	return v ? 1 + vlen(v) : 0;
}

static uint8_t *fput(uint8_t *o, uint8_t key, uint64_t v)
{
	if (!v)
		return o;
	*o++ = key;
	return vput(o, v);
}

static size_t label_size(const struct pprof_label *l)
{
	return fsize((uint64_t)l->key) + fsize((uint64_t)l->str) +
	       fsize((uint64_t)l->num) + fsize((uint64_t)l->num_unit);
}

/*
 * Samples are the bulk of a profile: each is encoded here, once, into
 * p->sblob (the Profile's field 2 entries back to back), and written from
 * there as is. No per-sample structures are kept.
 */
int pprof_sample(struct pprof *p, const uint64_t *locs, size_t nlocs,
		 const int64_t *values, size_t nvalues,
		 const struct pprof_label *labels, size_t nlabels)
{
	size_t L = 0, V = 0, C = 0, i;
	uint8_t *o;

	if (nvalues != p->ntypes)
		p->failed = 1;
	if (p->failed || nlocs > SIZE_MAX / 16 || nvalues > SIZE_MAX / 16 ||
	    nlabels > SIZE_MAX / 64) {
		p->failed = 1;
		return -1;
	}
	for (i = 0; i < nlocs; i++)
		L += vlen(locs[i]);
	for (i = 0; i < nvalues; i++)
		V += vlen((uint64_t)values[i]);
	if (L)
		C += 1 + vlen(L) + L;
	if (V)
		C += 1 + vlen(V) + V;
	for (i = 0; i < nlabels; i++) {
		size_t M = label_size(&labels[i]);

		C += 1 + vlen(M) + M;
	}
	if (GROW(p, p->sblob, p->nsblob, p->capsblob, 1 + vlen(C) + C))
		return -1;
	o = p->sblob + p->nsblob;
	*o++ = PROF_SAMPLE;
	o = vput(o, C);
	if (L) {
		*o++ = SMP_LOCS;
		o = vput(o, L);
		for (i = 0; i < nlocs; i++)
			o = vput(o, locs[i]);
	}
	if (V) {
		*o++ = SMP_VALUES;
		o = vput(o, V);
		for (i = 0; i < nvalues; i++)
			o = vput(o, (uint64_t)values[i]);
	}
	for (i = 0; i < nlabels; i++) {
		const struct pprof_label *l = &labels[i];

		*o++ = SMP_LABEL;
		o = vput(o, label_size(l));
		o = fput(o, F1, (uint64_t)l->key);
		o = fput(o, F2, (uint64_t)l->str);
		o = fput(o, F3, (uint64_t)l->num);
		o = fput(o, F4, (uint64_t)l->num_unit);
	}
	p->nsblob = (size_t)(o - p->sblob);
	p->nsmps++;
	return 0;
}

size_t pprof_nsamples(const struct pprof *p)
{
	return p->nsmps;
}

size_t pprof_nlocations(const struct pprof *p)
{
	return p->nlocs;
}

/* Where encoded bytes go: 0, or -1 (sticky in the writer). */
typedef int (*pb_sink)(void *ctx, const uint8_t *data, size_t n);

/* Encoded bytes staged in a buffer and handed to a sink in large runs. */
struct pbw {
	pb_sink sink;
	void *ctx;
	int err;
	size_t n;
	uint8_t buf[1 << 16];
};

static void pbw_flush(struct pbw *w)
{
	if (!w->err && w->n && w->sink(w->ctx, w->buf, w->n))
		w->err = 1;
	w->n = 0;
}

/* Room for @need bytes (at most sizeof(w->buf)) at w->buf + w->n. */
static uint8_t *pbw_room(struct pbw *w, size_t need)
{
	if (sizeof(w->buf) - w->n < need)
		pbw_flush(w);
	return w->buf + w->n;
}

static void pbw_bytes(struct pbw *w, const void *data, size_t n)
{
	if (n > sizeof(w->buf) / 2) {	/* large: straight through */
		pbw_flush(w);
		if (!w->err && w->sink(w->ctx, data, n))
			w->err = 1;
		return;
	}
	memcpy(pbw_room(w, n), data, n);
	w->n += n;
}

/* A message of @len bytes under @key: its header. */
static void pbw_msg(struct pbw *w, uint8_t key, size_t len)
{
	uint8_t *o = pbw_room(w, 11);

	*o++ = key;
	w->n = (size_t)(vput(o, len) - w->buf);
}

static void pbw_field(struct pbw *w, uint8_t key, uint64_t v)
{
	w->n = (size_t)(fput(pbw_room(w, 11), key, v) - w->buf);
}

static void enc_value_type(struct pbw *w, uint8_t key, const int64_t t[2])
{
	pbw_msg(w, key, fsize((uint64_t)t[0]) + fsize((uint64_t)t[1]));
	pbw_field(w, F1, (uint64_t)t[0]);
	pbw_field(w, F2, (uint64_t)t[1]);
}

static void encode(const struct pprof *p, struct pbw *w)
{
	size_t i, k, len;

	if (p->failed) {
		w->err = 1;
		return;
	}
	for (i = 0; i < p->ntypes; i++)
		enc_value_type(w, PROF_SAMPLE_TYPE, p->types[i]);
	pbw_flush(w);
	if (p->nsblob && !w->err && w->sink(w->ctx, p->sblob, p->nsblob))
		w->err = 1;
	for (i = 0; i < p->nmaps; i++) {
		const struct mapping *m = &p->maps[i];

		pbw_msg(w, PROF_MAPPING, fsize(i + 1) + fsize(m->start) +
			fsize(m->limit) + fsize(m->offset) +
			fsize((uint64_t)m->file) + fsize((uint64_t)m->build_id) +
			fsize(m->has_functions != 0));
		pbw_field(w, F1, i + 1);
		pbw_field(w, F2, m->start);
		pbw_field(w, F3, m->limit);
		pbw_field(w, F4, m->offset);
		pbw_field(w, F5, (uint64_t)m->file);
		pbw_field(w, F6, (uint64_t)m->build_id);
		pbw_field(w, F7, m->has_functions != 0);
	}
	for (i = 0; i < p->nlocs; i++) {
		const struct loc *l = &p->locs[i];
		/* No lines at all (addresses only): p->lines may be NULL. */
		const struct pprof_line *ln = l->nlines ? p->lines + l->line_off
						       : NULL;

		len = fsize(i + 1) + fsize(l->mapping_id) + fsize(l->address);
		for (k = 0; k < l->nlines; k++) {
			size_t m = fsize(ln[k].function_id) +
				   fsize((uint64_t)ln[k].line);

			len += 1 + vlen(m) + m;
		}
		pbw_msg(w, PROF_LOCATION, len);
		pbw_field(w, F1, i + 1);
		pbw_field(w, F2, l->mapping_id);
		pbw_field(w, F3, l->address);
		for (k = 0; k < l->nlines; k++) {
			pbw_msg(w, LOC_LINE, fsize(ln[k].function_id) +
				fsize((uint64_t)ln[k].line));
			pbw_field(w, F1, ln[k].function_id);
			pbw_field(w, F2, (uint64_t)ln[k].line);
		}
	}
	for (i = 0; i < p->nfns; i++) {
		const struct fn *f = &p->fns[i];

		/* runtime/pprof writes the symbol name as both (proto.go). */
		pbw_msg(w, PROF_FUNCTION, fsize(i + 1) +
			2 * fsize((uint64_t)f->name) + fsize((uint64_t)f->file) +
			fsize((uint64_t)f->start_line));
		pbw_field(w, F1, i + 1);
		pbw_field(w, F2, (uint64_t)f->name);
		pbw_field(w, F3, (uint64_t)f->name);
		pbw_field(w, F4, (uint64_t)f->file);
		pbw_field(w, F5, (uint64_t)f->start_line);
	}
	for (i = 0; i < p->nstrs; i++) {
		len = strlen(p->strs[i]);
		pbw_msg(w, PROF_STRING, len);
		pbw_bytes(w, p->strs[i], len);
	}
	pbw_field(w, PROF_TIME, (uint64_t)p->time_nanos);
	pbw_field(w, PROF_DURATION, (uint64_t)p->duration_nanos);
	if (p->period_type[0] || p->period_type[1])
		enc_value_type(w, PROF_PERIOD_TYPE, p->period_type);
	pbw_field(w, PROF_PERIOD, (uint64_t)p->period);
	if (p->ncomments) {
		for (i = 0, len = 0; i < p->ncomments; i++)
			len += vlen((uint64_t)p->comments[i]);
		pbw_msg(w, PROF_COMMENT, len);
		for (i = 0; i < p->ncomments; i++)
			w->n = (size_t)(vput(pbw_room(w, 10),
					     (uint64_t)p->comments[i]) - w->buf);
	}
	pbw_flush(w);
}

struct membuf {
	uint8_t *p;
	size_t n, cap;
};

static int mem_sink(void *ctx, const uint8_t *data, size_t n)
{
	struct membuf *m = ctx;

	if (grow(NULL, (void **)&m->p, &m->cap, m->n, n, 1))
		return -1;
	memcpy(m->p + m->n, data, n);
	m->n += n;
	return 0;
}

int pprof_encode(const struct pprof *p, uint8_t **buf, size_t *len)
{
	struct membuf m = { 0 };
	struct pbw *w = calloc(1, sizeof(*w));

	*buf = NULL;
	*len = 0;
	if (!w)
		return -1;
	w->sink = mem_sink;
	w->ctx = &m;
	encode(p, w);
	if (w->err || !m.p) {
		free(w);
		free(m.p);
		return -1;
	}
	free(w);
	*buf = m.p;
	*len = m.n;
	return 0;
}

/* gzip: deflate what is fed into a gzip stream, handing it to a sink. */
struct gzout {
	z_stream z;
	int err;
	pb_sink sink;
	void *ctx;
	uint8_t out[1 << 16];
};

static void gz_feed(struct gzout *g, const uint8_t *data, size_t len, int flush)
{
	int rc;

	do {
		uInt chunk = len > (1u << 30) ? 1u << 30 : (uInt)len;

		g->z.next_in = (Bytef *)(uintptr_t)data;	/* zlib's API is not const */
		g->z.avail_in = chunk;
		do {
			g->z.next_out = g->out;
			g->z.avail_out = sizeof(g->out);
			rc = deflate(&g->z, len > chunk ? Z_NO_FLUSH : flush);
			if (rc == Z_STREAM_ERROR) {
				g->err = 1;
				return;
			}
			if (sizeof(g->out) - g->z.avail_out &&
			    g->sink(g->ctx, g->out, sizeof(g->out) - g->z.avail_out))
				g->err = 1;
		} while (!g->err && g->z.avail_out == 0);
		data += chunk;
		len -= chunk;
	} while (!g->err && len);
}

static int gz_sink(void *ctx, const uint8_t *data, size_t n)
{
	struct gzout *g = ctx;

	if (!g->err)
		gz_feed(g, data, n, Z_NO_FLUSH);
	return g->err ? -1 : 0;
}

/* Compress @in (raw bytes) or else @p's encoding into @sink. */
static int gz_run(pb_sink sink, void *ctx, const struct pprof *p,
		  const uint8_t *in, size_t len)
{
	struct gzout *g = calloc(1, sizeof(*g));
	struct pbw *w = NULL;
	int err;

	if (!g)
		return -1;
	g->sink = sink;
	g->ctx = ctx;
	/*
	 * 15 + 16: a gzip header and trailer around the deflate stream, as
	 * compress/gzip writes. BEST_SPEED like runtime/pprof (proto.go):
	 * profiles compress well and an OOM is no time to be slow.
	 */
	if (deflateInit2(&g->z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g);
		return -1;
	}
	if (p) {
		w = calloc(1, sizeof(*w));
		if (!w) {
			g->err = 1;
		} else {
			w->sink = gz_sink;
			w->ctx = g;
			encode(p, w);
			g->err |= w->err;
		}
	} else if (len) {
		gz_feed(g, in, len, Z_NO_FLUSH);
	}
	if (!g->err)
		gz_feed(g, (const uint8_t *)"", 0, Z_FINISH);
	err = g->err;
	deflateEnd(&g->z);
	free(w);
	free(g);
	return err ? -1 : 0;
}

int pprof_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	struct membuf m = { 0 };

	if (gz_run(mem_sink, &m, NULL, in, len)) {
		free(m.p);
		*out = NULL;
		*outlen = 0;
		return -1;
	}
	*out = m.p;
	*outlen = m.n;
	return 0;
}

static int fd_sink(void *ctx, const uint8_t *data, size_t n)
{
	int fd = *(int *)ctx;

	while (n) {
		ssize_t w = write(fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

int pprof_write(const struct pprof *p, const char *path, char *err,
		size_t errlen)
{
	char *tmp;
	int fd, rc = -1, saved = 0;

	if (p->failed) {
		snprintf(err, errlen, "%s: out of memory building the profile",
			 path);
		return -1;
	}
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp,
			 strerror(errno));
		goto out;
	}
	errno = 0;
	if (fchmod(fd, 0644) || gz_run(fd_sink, &fd, p, NULL, 0) ||
	    fsync(fd)) {
		saved = errno;
		snprintf(err, errlen, "%s: cannot write: %s", tmp,
			 saved ? strerror(saved) : "compression failed");
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) || rename(tmp, path)) {
		snprintf(err, errlen, "%s: cannot write: %s", path,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

int pprof_write_fd(const struct pprof *p, int fd, char *err, size_t errlen)
{
	if (p->failed) {
		snprintf(err, errlen, "out of memory building the profile");
		return -1;
	}
	errno = 0;
	if (gz_run(fd_sink, &fd, p, NULL, 0)) {
		snprintf(err, errlen, "cannot write: %s",
			 errno ? strerror(errno) : "compression failed");
		return -1;
	}
	return 0;
}
