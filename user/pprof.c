// SPDX-License-Identifier: GPL-2.0
/*
 * pprof profile builder and writer: see pprof.h. The in-memory model keeps
 * flat arrays with offsets (no per-sample allocations); protobuf-c message
 * structs are made only when encoding, and the encoding is deflated as
 * protobuf-c produces it, so a large profile is never held twice.
 */
#include "pprof.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

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

struct smp {
	size_t loc_off, nlocs, val_off, lab_off, nlabs;
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
	struct smp *smps;
	size_t nsmps, capsmps;
	uint64_t *smp_locs;
	size_t nsmp_locs, capsmp_locs;
	int64_t *vals;
	size_t nvals, capvals;
	struct pprof_label *labs;
	size_t nlabs, caplabs;
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
static int sip_keyed;

static void sip_key(void)
{
	uint64_t k[2];

	if (sip_keyed)
		return;
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
	sip_keyed = 1;
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
	free(p->smps);
	free(p->smp_locs);
	free(p->vals);
	free(p->labs);
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

int pprof_sample(struct pprof *p, const uint64_t *locs, size_t nlocs,
		 const int64_t *values, size_t nvalues,
		 const struct pprof_label *labels, size_t nlabels)
{
	if (nvalues != p->ntypes)
		p->failed = 1;
	if (GROW(p, p->smps, p->nsmps, p->capsmps, 1) ||
	    GROW(p, p->smp_locs, p->nsmp_locs, p->capsmp_locs, nlocs) ||
	    GROW(p, p->vals, p->nvals, p->capvals, nvalues) ||
	    GROW(p, p->labs, p->nlabs, p->caplabs, nlabels))
		return -1;
	p->smps[p->nsmps++] = (struct smp){ p->nsmp_locs, nlocs, p->nvals,
					    p->nlabs, nlabels };
	if (nlocs)
		memcpy(p->smp_locs + p->nsmp_locs, locs, nlocs * sizeof(*locs));
	if (nvalues)
		memcpy(p->vals + p->nvals, values, nvalues * sizeof(*values));
	if (nlabels)
		memcpy(p->labs + p->nlabs, labels, nlabels * sizeof(*labels));
	p->nsmp_locs += nlocs;
	p->nvals += nvalues;
	p->nlabs += nlabels;
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

/* ---- encoding ---- */

typedef Perftools__Profiles__Profile PbProfile;
typedef Perftools__Profiles__ValueType PbValueType;
typedef Perftools__Profiles__Sample PbSample;
typedef Perftools__Profiles__Label PbLabel;
typedef Perftools__Profiles__Mapping PbMapping;
typedef Perftools__Profiles__Location PbLocation;
typedef Perftools__Profiles__Line PbLine;
typedef Perftools__Profiles__Function PbFunction;

/* The protobuf-c view of @p: structs that point into @p's arrays. */
struct pbview {
	PbProfile prof;
	PbValueType types[MAX_SAMPLE_TYPES], period_type;
	PbValueType *typep[MAX_SAMPLE_TYPES];
	PbSample *smps, **smpp;
	PbLabel *labs, **labp;
	PbMapping *maps, **mapp;
	PbLocation *locs, **locp;
	PbLine *lines, **linep;
	PbFunction *fns, **fnp;
};

static void view_free(struct pbview *v)
{
	free(v->smps);
	free(v->smpp);
	free(v->labs);
	free(v->labp);
	free(v->maps);
	free(v->mapp);
	free(v->locs);
	free(v->locp);
	free(v->lines);
	free(v->linep);
	free(v->fns);
	free(v->fnp);
}

/* calloc of @n structs and @n pointers, n == 0 allowed. */
static int alloc2(void **a, void ***ap, size_t n, size_t sz)
{
	*a = calloc(n ? n : 1, sz);
	*ap = calloc(n ? n : 1, sizeof(void *));
	return *a && *ap ? 0 : -1;
}

static int view_make(const struct pprof *p, struct pbview *v)
{
	PbProfile *pr = &v->prof;

	memset(v, 0, sizeof(*v));
	if (p->failed)
		return -1;
	if (alloc2((void **)&v->smps, (void ***)&v->smpp, p->nsmps, sizeof(PbSample)) ||
	    alloc2((void **)&v->labs, (void ***)&v->labp, p->nlabs, sizeof(PbLabel)) ||
	    alloc2((void **)&v->maps, (void ***)&v->mapp, p->nmaps, sizeof(PbMapping)) ||
	    alloc2((void **)&v->locs, (void ***)&v->locp, p->nlocs, sizeof(PbLocation)) ||
	    alloc2((void **)&v->lines, (void ***)&v->linep, p->nlines, sizeof(PbLine)) ||
	    alloc2((void **)&v->fns, (void ***)&v->fnp, p->nfns, sizeof(PbFunction))) {
		view_free(v);
		return -1;
	}
	perftools__profiles__profile__init(pr);
	for (size_t i = 0; i < p->ntypes; i++) {
		perftools__profiles__value_type__init(&v->types[i]);
		v->types[i].type = p->types[i][0];
		v->types[i].unit = p->types[i][1];
		v->typep[i] = &v->types[i];
	}
	pr->n_sample_type = p->ntypes;
	pr->sample_type = v->typep;
	for (size_t i = 0; i < p->nlabs; i++) {
		PbLabel *l = &v->labs[i];

		perftools__profiles__label__init(l);
		l->key = p->labs[i].key;
		l->str = p->labs[i].str;
		l->num = p->labs[i].num;
		l->num_unit = p->labs[i].num_unit;
		v->labp[i] = l;
	}
	for (size_t i = 0; i < p->nsmps; i++) {
		const struct smp *s = &p->smps[i];
		PbSample *o = &v->smps[i];

		perftools__profiles__sample__init(o);
		o->n_location_id = s->nlocs;
		o->location_id = s->nlocs ? p->smp_locs + s->loc_off : NULL;
		o->n_value = p->ntypes;
		o->value = p->ntypes ? p->vals + s->val_off : NULL;
		o->n_label = s->nlabs;
		o->label = v->labp + s->lab_off;
		v->smpp[i] = o;
	}
	pr->n_sample = p->nsmps;
	pr->sample = v->smpp;
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct mapping *m = &p->maps[i];
		PbMapping *o = &v->maps[i];

		perftools__profiles__mapping__init(o);
		o->id = i + 1;
		o->memory_start = m->start;
		o->memory_limit = m->limit;
		o->file_offset = m->offset;
		o->filename = m->file;
		o->build_id = m->build_id;
		o->has_functions = m->has_functions;
		v->mapp[i] = o;
	}
	pr->n_mapping = p->nmaps;
	pr->mapping = v->mapp;
	for (size_t i = 0; i < p->nlines; i++) {
		perftools__profiles__line__init(&v->lines[i]);
		v->lines[i].function_id = p->lines[i].function_id;
		v->lines[i].line = p->lines[i].line;
		v->linep[i] = &v->lines[i];
	}
	for (size_t i = 0; i < p->nlocs; i++) {
		const struct loc *l = &p->locs[i];
		PbLocation *o = &v->locs[i];

		perftools__profiles__location__init(o);
		o->id = i + 1;
		o->mapping_id = l->mapping_id;
		o->address = l->address;
		o->n_line = l->nlines;
		o->line = v->linep + l->line_off;
		v->locp[i] = o;
	}
	pr->n_location = p->nlocs;
	pr->location = v->locp;
	for (size_t i = 0; i < p->nfns; i++) {
		PbFunction *o = &v->fns[i];

		perftools__profiles__function__init(o);
		o->id = i + 1;
		/* runtime/pprof writes the symbol name as both (proto.go). */
		o->name = o->system_name = p->fns[i].name;
		o->filename = p->fns[i].file;
		o->start_line = p->fns[i].start_line;
		v->fnp[i] = o;
	}
	pr->n_function = p->nfns;
	pr->function = v->fnp;
	pr->n_string_table = p->nstrs;
	pr->string_table = p->strs;
	pr->time_nanos = p->time_nanos;
	pr->duration_nanos = p->duration_nanos;
	if (p->period_type[0] || p->period_type[1]) {
		perftools__profiles__value_type__init(&v->period_type);
		v->period_type.type = p->period_type[0];
		v->period_type.unit = p->period_type[1];
		pr->period_type = &v->period_type;
	}
	pr->period = p->period;
	pr->n_comment = p->ncomments;
	pr->comment = p->comments;
	return 0;
}

int pprof_encode(const struct pprof *p, uint8_t **buf, size_t *len)
{
	struct pbview v;
	size_t n;

	*buf = NULL;
	*len = 0;
	if (view_make(p, &v))
		return -1;
	n = protobuf_c_message_get_packed_size(&v.prof.base);
	*buf = malloc(n ? n : 1);
	if (*buf)
		*len = protobuf_c_message_pack(&v.prof.base, *buf);
	view_free(&v);
	return *buf ? 0 : -1;
}

/*
 * A protobuf-c output buffer that deflates into a gzip stream and hands
 * the compressed bytes to @sink.
 */
struct gzout {
	ProtobufCBuffer base;
	z_stream z;
	int err;
	int (*sink)(void *ctx, const uint8_t *p, size_t n);
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

static void gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct gzout *g = (struct gzout *)b;

	if (!g->err)
		gz_feed(g, data, len, Z_NO_FLUSH);
}

/* Compress what @feed produces into @sink. */
static int gz_run(int (*sink)(void *, const uint8_t *, size_t), void *ctx,
		  void (*feed)(ProtobufCBuffer *, const void *), const void *arg)
{
	struct gzout *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -1;
	g->base.append = gz_append;
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
	feed(&g->base, arg);
	if (!g->err)
		gz_feed(g, (const uint8_t *)"", 0, Z_FINISH);
	err = g->err;
	deflateEnd(&g->z);
	free(g);
	return err ? -1 : 0;
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

struct rawbuf {
	const uint8_t *p;
	size_t n;
};

static void feed_raw(ProtobufCBuffer *b, const void *arg)
{
	const struct rawbuf *r = arg;

	b->append(b, r->n, r->p);
}

int pprof_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	struct membuf m = { 0 };
	struct rawbuf r = { in, len };

	if (gz_run(mem_sink, &m, feed_raw, &r)) {
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

static void feed_profile(ProtobufCBuffer *b, const void *arg)
{
	protobuf_c_message_pack_to_buffer(&((const PbProfile *)arg)->base, b);
}

int pprof_write(const struct pprof *p, const char *path, char *err,
		size_t errlen)
{
	struct pbview v;
	char *tmp;
	int fd, rc = -1, saved = 0;

	if (view_make(p, &v)) {
		snprintf(err, errlen, "%s: out of memory building the profile",
			 path);
		return -1;
	}
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		view_free(&v);
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
	if (fchmod(fd, 0644) || gz_run(fd_sink, &fd, feed_profile, &v.prof) ||
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
	view_free(&v);
	return rc;
}

int pprof_write_fd(const struct pprof *p, int fd, char *err, size_t errlen)
{
	struct pbview v;
	int rc = 0;

	if (view_make(p, &v)) {
		snprintf(err, errlen, "out of memory building the profile");
		return -1;
	}
	errno = 0;
	if (gz_run(fd_sink, &fd, feed_profile, &v.prof)) {
		snprintf(err, errlen, "cannot write: %s",
			 errno ? strerror(errno) : "compression failed");
		rc = -1;
	}
	view_free(&v);
	return rc;
}
