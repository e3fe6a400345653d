// SPDX-License-Identifier: GPL-2.0
/*
 * Heap profile builder (user/heapprof.c) and pprof writer (user/pprof.c):
 * malformed bucket dumps, scaling edge cases, the runtime/pprof location
 * rules over a fake symbolizer, and the encoded/gzip'd output read back.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <math.h>
#include <zlib.h>

#include "heapprof.h"
#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

/* ---- building dumps ---- */

struct dump {
	uint8_t b[1 << 16];
	size_t n;
};

static void put(struct dump *d, uint64_t v)
{
	assert_true(d->n + 8 <= sizeof(d->b));
	for (int i = 0; i < 8; i++)
		d->b[d->n++] = (uint8_t)(v >> (8 * i));
}

/* One bucket: active and future[0..2] given as {allocs, frees, ab, fb}. */
static void bucket(struct dump *d, const uint64_t *pcs, size_t nstk,
		   const uint64_t rec[16])
{
	static const uint64_t zero[16];

	put(d, 0xc000001000 + d->n);	/* address in the process */
	put(d, 0);			/* next */
	put(d, 0);			/* allnext */
	put(d, HEAPPROF_BUCKET_MEMORY);
	put(d, 0x1234);			/* hash */
	put(d, 32);			/* size */
	put(d, nstk);
	for (size_t i = 0; i < nstk; i++)
		put(d, pcs[i]);
	for (int i = 0; i < 16; i++)
		put(d, (rec ? rec : zero)[i]);
}

static const uint64_t rec_2_1[16] = { 2, 1, 64, 32 };

/* ---- a fake symbolizer ----
 * 0x1010 runtime.mallocgc, 0x1110 runtime.newobject,
 * 0x2010 main.inner inlined into main.leaf (entry 0x2000),
 * 0x2020 main.leaf (the virtual PC of the inline mark),
 * 0x3010 main.main, 0x4010 runtime.main, 0x5001 runtime.goexit,
 * anything else: not Go.
 */
static int fake_frames(void *ctx, uint64_t pc, struct heapprof_frame *out,
		       int max)
{
	struct heapprof_frame f = { .file = "x.go", .line = (uint32_t)pc };

	(*(int *)ctx)++;
	assert_true(max >= 2);
	switch (pc) {
	case 0x1010: f.function = "runtime.mallocgc"; f.entry = 0x1000; break;
	case 0x1110: f.function = "runtime.newobject"; f.entry = 0x1100; break;
	case 0x2010:
		out[0] = (struct heapprof_frame){ "main.inner", NULL, "x.go",
						  7, 0, 0x2000, 1 };
		out[1] = (struct heapprof_frame){ "main.leaf", NULL, "x.go",
						  9, 0, 0x2000, 0 };
		return 2;
	case 0x2020: f.function = "main.leaf"; f.entry = 0x2000; break;
	case 0x3010: f.function = "main.main"; f.entry = 0x3000; break;
	case 0x4010: f.function = "runtime.main"; f.entry = 0x4000; break;
	case 0x5001: f.function = "runtime.goexit"; f.entry = 0x5000; break;
	default: return 0;
	}
	out[0] = f;
	return 1;
}

static int calls;

static struct heapprof_opts opts(int64_t rate, int symbols)
{
	calls = 0;
	return (struct heapprof_opts){
		.rate = rate, .cycles = HEAPPROF_ACTIVE,
		.frames = symbols ? fake_frames : NULL, .frames_ctx = &calls,
		.exe_path = "/bin/victim", .build_id = "abc",
	};
}

static Profile *decode(struct pprof *p)
{
	uint8_t *buf, *repacked;
	size_t len;
	Profile *pr;

	assert_int_equal(pprof_encode(p, &buf, &len), 0);
	pr = perftools__profiles__profile__unpack(NULL, len, buf);
	assert_non_null(pr);
	/*
	 * pprof.c encodes by hand: protobuf-c, packing what it decoded, must
	 * give the same bytes (fields in number order, proto3 zeros omitted,
	 * repeated scalars packed: what the protobuf-c encoder wrote before).
	 */
	repacked = malloc(len ? len : 1);
	assert_non_null(repacked);
	assert_int_equal(perftools__profiles__profile__get_packed_size(pr), len);
	assert_int_equal(perftools__profiles__profile__pack(pr, repacked), len);
	assert_memory_equal(repacked, buf, len);
	free(repacked);
	free(buf);
	assert_true(pr->n_string_table > 0);
	assert_string_equal(pr->string_table[0], "");
	return pr;
}

static Profile *build(const struct dump *d, const struct heapprof_opts *o,
		      struct heapprof_stats *st)
{
	struct pprof *p;
	Profile *pr;

	assert_int_equal(heapprof_build(d->b, d->n, o, &p, st), 0);
	assert_non_null(p);
	pr = decode(p);
	pprof_free(p);
	return pr;
}

static const char *str(const Profile *pr, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < pr->n_string_table);
	return pr->string_table[i];
}

static const Perftools__Profiles__Location *loc(const Profile *pr, uint64_t id)
{
	assert_true(id >= 1 && id <= pr->n_location);
	assert_int_equal(pr->location[id - 1]->id, id);
	return pr->location[id - 1];
}

static const char *line_fn(const Profile *pr, const Perftools__Profiles__Line *l)
{
	assert_true(l->function_id >= 1 && l->function_id <= pr->n_function);
	return str(pr, pr->function[l->function_id - 1]->name);
}

/* ---- malformed input ---- */

static void empty_input(void **state)
{
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	struct dump d = { .n = 0 };
	Profile *pr;

	(void)state;
	pr = build(&d, &o, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.complete, 1);
	assert_int_equal(pr->n_sample, 0);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void truncated_entries(void **state)
{
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;
	uint64_t pcs[3] = { 0x2010, 0x3010, 0x4010 };
	Profile *pr;
	size_t full;

	(void)state;
	d.n = 0;
	bucket(&d, pcs, 3, rec_2_1);
	full = d.n;
	/* Every cut inside the second entry keeps the first one only. */
	bucket(&d, pcs, 3, rec_2_1);
	for (size_t cut = full + 1; cut < d.n; cut += 7) {
		struct dump t = d;

		t.n = cut;
		pr = build(&t, &o, &st);
		assert_int_equal(st.entries, 1);
		assert_int_equal(st.bytes, full);
		assert_int_equal(st.complete, 0);
		assert_non_null(strstr(st.err, "truncated"));
		assert_int_equal(pr->n_sample, 1);
		perftools__profiles__profile__free_unpacked(pr, NULL);
	}
	/* A cut inside the first: nothing, still a valid profile. */
	d.n = HEAPPROF_HDR_SIZE + 8;
	pr = build(&d, &o, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.complete, 0);
	assert_int_equal(pr->n_sample, 0);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void nstk_too_large(void **state)
{
	/* nstk that overflows 8 * nstk, above the limit, or past the end. */
	static const uint64_t bad[] = { 0x2000000000000001ULL, UINT64_MAX,
					HEAPPROF_MAX_STACK + 1, 40 };
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		Profile *pr;

		d.n = 0;
		bucket(&d, NULL, 0, rec_2_1);
		memcpy(d.b + 48, &bad[i], 8);	/* little-endian host */
		pr = build(&d, &o, &st);
		assert_int_equal(st.entries, 0);
		assert_int_equal(st.complete, 0);
		assert_int_equal(pr->n_sample, 0);
		perftools__profiles__profile__free_unpacked(pr, NULL);
	}
}

static void wrong_bucket_type(void **state)
{
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, NULL, 0, rec_2_1);
	d.b[24] = 2;	/* blockProfile */
	pr = build(&d, &o, &st);
	assert_int_equal(st.entries, 0);
	assert_non_null(strstr(st.err, "not a memory bucket"));
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void zero_counts(void **state)
{
	struct heapprof_opts o = opts(512 * 1024, 0);
	struct heapprof_stats st;
	static struct dump d;
	uint64_t pc = 0x3010;
	uint64_t rec[16] = { 0, 0, 0, 0, 1, 0, 16, 0 };	/* future only */
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, &pc, 1, rec);		/* zero active */
	bucket(&d, &pc, 1, rec_2_1);		/* so not "clear" */
	bucket(&d, &pc, 1, NULL);		/* all zero */
	pr = build(&d, &o, &st);
	assert_int_equal(st.complete, 1);
	/* MemProfile(inuseZero=true) reports every bucket, zeros included. */
	assert_int_equal(pr->n_sample, 3);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pr->sample[0]->value[i], 0);
		assert_int_equal(pr->sample[2]->value[i], 0);
	}
	assert_int_equal(pr->sample[0]->n_label, 0);
	assert_int_equal(pr->sample[1]->n_label, 1);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

/* ---- values ---- */

static void rate_zero_is_disabled(void **state)
{
	struct heapprof_opts o = opts(0, 0);
	struct heapprof_stats st;
	static struct dump d;
	struct pprof *p = (struct pprof *)&d;

	(void)state;
	d.n = 0;
	bucket(&d, NULL, 0, rec_2_1);
	assert_int_equal(heapprof_build(d.b, d.n, &o, &p, &st), HEAPPROF_DISABLED);
	assert_null(p);
	o.rate = -1;
	assert_int_equal(heapprof_build(d.b, d.n, &o, &p, &st), HEAPPROF_DISABLED);
	assert_null(p);
}

static void scale_edges(void **state)
{
	int64_t c, s;
	double k;

	(void)state;
	heapprof_scale(0, 100, 512, &c, &s);	/* count 0 */
	assert_true(c == 0 && s == 0);
	heapprof_scale(5, 0, 512, &c, &s);	/* size 0 */
	assert_true(c == 0 && s == 0);
	for (int64_t r = -1; r <= 1; r++) {	/* rate <= 1: as is */
		heapprof_scale(3, 300, r, &c, &s);
		assert_true(c == 3 && s == 300);
	}
	/* One 1 KiB object at 512 KiB: about 512 of them. */
	heapprof_scale(1, 1024, 512 * 1024, &c, &s);
	k = 1 / (1 - exp(-1024.0 / (512 * 1024)));
	assert_int_equal(c, (int64_t)k);
	assert_int_equal(s, (int64_t)(1024 * k));
	assert_true(c == 512 && s > 524288 && s < 525312);
	/* Objects much larger than the rate are all sampled. */
	heapprof_scale(2, 64 << 20, 512 * 1024, &c, &s);
	assert_true(c == 2 && s == 64 << 20);
	/* Out of int64 range: Go's amd64 conversion gives INT64_MIN. */
	heapprof_scale(INT64_MAX, 1, 2, &c, &s);
	assert_true(c == INT64_MIN && s == INT64_MIN);
	heapprof_scale(-5, 100, 512, &c, &s);	/* nonsense, but no UB */
	heapprof_scale(INT64_MIN, INT64_MAX, INT64_MAX, &c, &s);
}

static void cycles_summed(void **state)
{
	static const uint64_t rec[16] = { 2, 1, 64, 32, 1, 0, 32, 0,
					  0, 1, 0, 32, 4, 0, 128, 0 };
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;
	uint64_t pc = 0x3010;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, &pc, 1, rec);
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->n_value, 4);
	assert_int_equal(pr->sample[0]->value[0], 2);
	assert_int_equal(pr->sample[0]->value[1], 64);
	assert_int_equal(pr->sample[0]->value[2], 1);
	assert_int_equal(pr->sample[0]->value[3], 32);
	assert_int_equal(pr->sample[0]->label[0]->num, 32);
	assert_string_equal(str(pr, pr->sample[0]->label[0]->key), "bytes");
	perftools__profiles__profile__free_unpacked(pr, NULL);

	o.cycles = HEAPPROF_ALL_CYCLES;
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->value[0], 7);
	assert_int_equal(pr->sample[0]->value[1], 224);
	assert_int_equal(pr->sample[0]->value[2], 5);
	assert_int_equal(pr->sample[0]->value[3], 160);
	assert_int_equal(pr->sample[0]->label[0]->num, 32);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

/* MemProfile: no active data anywhere (no GC yet) means all cycles. */
static void active_clear_falls_back(void **state)
{
	static const uint64_t rec[16] = { 0, 0, 0, 0, 3, 0, 96, 0 };
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, NULL, 0, rec);
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->value[0], 3);
	assert_int_equal(pr->sample[0]->value[3], 96);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void header_fields(void **state)
{
	static const char *const types[4][2] = {
		{ "alloc_objects", "count" }, { "alloc_space", "bytes" },
		{ "inuse_objects", "count" }, { "inuse_space", "bytes" } };
	struct heapprof_opts o = opts(4096, 0);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;

	(void)state;
	d.n = 0;
	o.time_nanos = 1234;
	pr = build(&d, &o, &st);
	assert_int_equal(pr->n_sample_type, 4);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(str(pr, pr->sample_type[i]->type), types[i][0]);
		assert_string_equal(str(pr, pr->sample_type[i]->unit), types[i][1]);
	}
	assert_string_equal(str(pr, pr->period_type->type), "space");
	assert_string_equal(str(pr, pr->period_type->unit), "bytes");
	assert_int_equal(pr->period, 4096);
	assert_int_equal(pr->time_nanos, 1234);
	assert_int_equal(pr->n_mapping, 1);
	assert_string_equal(str(pr, pr->mapping[0]->filename), "/bin/victim");
	assert_string_equal(str(pr, pr->mapping[0]->build_id), "abc");
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

/* ---- locations ---- */

static void runtime_hidden_inline_merged_goexit_dropped(void **state)
{
	static const uint64_t pcs[] = { 0x1010, 0x1110, 0x2010, 0x2020,
					0x3010, 0x4010, 0x5001 };
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	const Perftools__Profiles__Location *l;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, pcs, 7, rec_2_1);
	bucket(&d, pcs, 7, rec_2_1);	/* same stack: same locations */
	pr = build(&d, &o, &st);
	assert_int_equal(pr->n_sample, 2);
	assert_int_equal(pr->sample[0]->n_location_id, 3);
	assert_memory_equal(pr->sample[0]->location_id,
			    pr->sample[1]->location_id, 3 * sizeof(uint64_t));
	assert_int_equal(pr->n_location, 3);
	l = loc(pr, pr->sample[0]->location_id[0]);
	assert_int_equal(l->address, 0x200f);	/* Frame.PC: return PC - 1 */
	assert_int_equal(l->n_line, 2);
	assert_string_equal(line_fn(pr, l->line[0]), "main.inner");
	assert_int_equal(l->line[0]->line, 7);
	assert_string_equal(line_fn(pr, l->line[1]), "main.leaf");
	assert_int_equal(l->line[1]->line, 0x2020);
	l = loc(pr, pr->sample[0]->location_id[1]);
	assert_string_equal(line_fn(pr, l->line[0]), "main.main");
	l = loc(pr, pr->sample[0]->location_id[2]);
	assert_string_equal(line_fn(pr, l->line[0]), "runtime.main");
	assert_int_equal(l->mapping_id, 1);
	assert_int_equal(pr->n_function, 4);	/* deduplicated, no hidden ones */
	assert_true(pr->mapping[0]->has_functions);
	assert_int_equal(st.pcs, 7);		/* symbolized once each */
	assert_int_equal(calls, 7);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void all_runtime_shown(void **state)
{
	static const uint64_t pcs[] = { 0x1010, 0x1110, 0x5001 };
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, pcs, 3, rec_2_1);
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->n_location_id, 2);
	assert_string_equal(line_fn(pr, loc(pr, pr->sample[0]->location_id[0])->line[0]),
			    "runtime.mallocgc");
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

/* A stack cut at the depth limit inside inlined code gets its callers. */
static void truncated_inline_expanded(void **state)
{
	static const uint64_t pcs[] = { 0x1010, 0x3010, 0x2010 };
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	const Perftools__Profiles__Location *l;
	Profile *pr;

	(void)state;
	d.n = 0;
	bucket(&d, pcs, 3, rec_2_1);
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->n_location_id, 2);
	l = loc(pr, pr->sample[0]->location_id[1]);
	assert_int_equal(l->n_line, 2);
	assert_string_equal(line_fn(pr, l->line[0]), "main.inner");
	assert_string_equal(line_fn(pr, l->line[1]), "main.leaf");
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void recursion_and_unknown(void **state)
{
	static const uint64_t pcs[] = { 0x2020, 0x2020, 0x9999, 0x9999 };
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;
	const Perftools__Profiles__Location *l;

	(void)state;
	d.n = 0;
	bucket(&d, pcs, 4, rec_2_1);
	pr = build(&d, &o, &st);
	/* Same function twice is not inlining: two uses of one location. */
	assert_int_equal(pr->sample[0]->n_location_id, 4);
	assert_int_equal(pr->sample[0]->location_id[0], pr->sample[0]->location_id[1]);
	assert_int_equal(pr->sample[0]->location_id[2], pr->sample[0]->location_id[3]);
	l = loc(pr, pr->sample[0]->location_id[2]);
	assert_int_equal(l->address, 0x9998);
	assert_int_equal(l->n_line, 0);	/* left for pprof to symbolize */
	assert_false(pr->mapping[0]->has_functions);
	assert_int_equal(st.symbolized, 1);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

static void addresses_only(void **state)
{
	static const uint64_t pcs[] = { 0x1010, 0x2010, 0x5001 };
	struct heapprof_opts o = opts(1, 0);
	struct heapprof_stats st;
	static struct dump d;
	Profile *pr;

	(void)state;
	d.n = 0;
	o.map_start = 0x1000;
	o.map_limit = 0x3000;
	bucket(&d, pcs, 3, rec_2_1);
	pr = build(&d, &o, &st);
	assert_int_equal(pr->sample[0]->n_location_id, 3);
	assert_int_equal(loc(pr, 1)->mapping_id, 1);
	assert_int_equal(loc(pr, 3)->mapping_id, 0);	/* outside */
	assert_int_equal(pr->n_function, 0);
	assert_int_equal(calls, 0);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}


/* ---- hostile input: a symbolizer out of budget, chosen PCs ---- */

/* Frames for the first 3 PCs, then "budget spent" (-1). */
static int giving_up_frames(void *ctx, uint64_t pc, struct heapprof_frame *out,
			    int max)
{
	int *n = ctx;

	(void)max;
	if (++*n > 3)
		return -1;
	out[0] = (struct heapprof_frame){ "main.f", NULL, "x.go",
					  (uint32_t)pc, 0, pc & ~0xfffull, 0 };
	return 1;
}

static void symbolizer_budget_spent(void **state)
{
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	const char *said = NULL;
	Profile *pr;

	(void)state;
	o.frames = giving_up_frames;
	d.n = 0;
	for (uint64_t i = 0; i < 20; i++) {
		uint64_t pcs[2] = { 0x10010 + 0x1000 * i, 0x90010 };

		bucket(&d, pcs, 2, rec_2_1);
	}
	pr = build(&d, &o, &st);
	/* Asked 4 times: the 4th said "spent", nothing asked after. */
	assert_int_equal(calls, 4);
	assert_int_equal(st.sym_budget_spent, 1);
	assert_int_equal(st.pcs, 21);
	assert_int_equal(st.symbolized, 3);
	assert_int_equal(st.unsymbolized_budget, 18);
	for (size_t i = 0; i < pr->n_comment; i++)
		if (strstr(str(pr, pr->comment[i]), "symbolization stopped"))
			said = str(pr, pr->comment[i]);
	assert_non_null(said);
	assert_non_null(strstr(said, "18 of 21 PCs are addresses only"));
	/* Every sample kept, the unsymbolized PCs as bare addresses. */
	assert_int_equal(pr->n_sample, 20);
	printf("    symbolizer out of budget: \"%s\"\n", said);
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

/* The map's former hash: invertible, so its collisions can be chosen. */
static uint64_t mix64_unkeyed(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static uint64_t mix64_inverse(uint64_t y)
{
	uint64_t c = 0xff51afd7ed558ccdULL, inv = c;

	for (int i = 0; i < 6; i++)	/* Newton: inv = c^-1 mod 2^64 */
		inv *= 2 - c * inv;
	y ^= y >> 33;
	y *= inv;
	y ^= y >> 33;
	return y;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double fill_map(const uint64_t *keys, size_t n)
{
	struct pprof_map m = { 0 };
	double t0 = now_s(), t;
	uint64_t v;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(pprof_map_put(&m, keys[i], i), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(pprof_map_get(&m, keys[i], &v) && v == i);
	t = now_s() - t0;
	pprof_map_free(&m);
	return t;
}

static void chosen_pcs_do_not_collide(void **state)
{
	enum { N = 65536 };
	static uint64_t chosen[N], random_keys[N];
	double tc = 1e9, tr = 1e9;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		/* The unkeyed hash puts all of them in slot 0 of any table. */
		chosen[i] = mix64_inverse((uint64_t)(i + 1) << 20);
		assert_int_equal(mix64_unkeyed(chosen[i]) & 0xfffff, 0);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		random_keys[i] = x;
	}
	for (int r = 0; r < 3; r++) {	/* best of 3: noise only adds */
		double a = fill_map(chosen, N), b = fill_map(random_keys, N);

		tc = a < tc ? a : tc;
		tr = b < tr ? b : tr;
	}
	printf("    %d PCs chosen to collide under the unkeyed hash: %.1f ms; random: %.1f ms\n",
	       N, tc * 1e3, tr * 1e3);
	/* Unkeyed, these took ~100x longer than random keys (quadratic). */
	assert_true(tc <= 4 * tr + 0.005);
}

/* ---- writing ---- */

static void write_read_back(void **state)
{
	struct heapprof_opts o = opts(1, 1);
	struct heapprof_stats st;
	static struct dump d;
	static uint8_t raw[1 << 20];
	char dir[] = "/tmp/heapprof-test.XXXXXX", path[256], err[256];
	uint64_t pc = 0x3010;
	struct pprof *p;
	uint8_t *gz;
	size_t gzlen;
	FILE *f;
	z_stream z = { 0 };
	Profile *pr;
	DIR *dd;
	struct dirent *de;
	int files = 0;

	(void)state;
	d.n = 0;
	bucket(&d, &pc, 1, rec_2_1);
	assert_int_equal(heapprof_build(d.b, d.n, &o, &p, &st), 0);
	pprof_comment(p, "go1.26.8");
	pprof_comment(p, "capture complete");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/heap.pb.gz", dir);
	assert_int_equal(pprof_write(p, path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/no/such/dir.pb.gz", dir);
	assert_int_equal(pprof_write(p, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	pprof_free(p);

	snprintf(path, sizeof(path), "%s/heap.pb.gz", dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	gz = malloc(1 << 20);
	gzlen = fread(gz, 1, 1 << 20, f);
	fclose(f);
	assert_true(gzlen > 18 && gz[0] == 0x1f && gz[1] == 0x8b);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = raw;
	z.avail_out = sizeof(raw);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	pr = perftools__profiles__profile__unpack(NULL, z.total_out, raw);
	inflateEnd(&z);
	free(gz);
	assert_non_null(pr);
	assert_int_equal(pr->n_comment, 2);
	assert_string_equal(str(pr, pr->comment[0]), "go1.26.8");
	assert_int_equal(pr->n_sample, 1);
	perftools__profiles__profile__free_unpacked(pr, NULL);

	/* Only the profile: no temporary left behind. */
	dd = opendir(dir);
	assert_non_null(dd);
	while ((de = readdir(dd)))
		files += de->d_name[0] != '.';
	closedir(dd);
	assert_int_equal(files, 1);
	unlink(path);
	rmdir(dir);
}

static void strings_deduplicated(void **state)
{
	struct pprof *p = pprof_new();
	Profile *pr;

	(void)state;
	assert_non_null(p);
	assert_int_equal(pprof_string(p, ""), 0);
	assert_int_equal(pprof_string(p, NULL), 0);
	assert_int_equal(pprof_string(p, "a"), 1);
	for (int i = 0; i < 5000; i++) {	/* through several rehashes */
		char s[16];

		snprintf(s, sizeof(s), "s%d", i);
		assert_int_equal(pprof_string(p, s), i + 2);
	}
	assert_int_equal(pprof_string(p, "a"), 1);
	assert_int_equal(pprof_string(p, "s4999"), 5001);
	assert_int_equal(pprof_function(p, 1, 2, 0), 1);
	assert_int_equal(pprof_function(p, 1, 3, 9), 1);
	assert_int_equal(pprof_function(p, 2, 3, 9), 2);
	pr = decode(p);
	assert_int_equal(pr->n_string_table, 5002);
	assert_int_equal(pr->n_function, 2);
	assert_int_equal(pr->function[0]->system_name, 1);
	perftools__profiles__profile__free_unpacked(pr, NULL);
	pprof_free(p);
}

/*
 * The hand encoder over what heapprof never writes but pprof.h allows:
 * negative and extreme values, several labels with every field, a
 * location without lines, ids past one varint byte. decode() requires
 * the canonical bytes; the values must read back.
 */
static void encoder_edge_values(void **state)
{
	struct pprof *p = pprof_new();
	struct pprof_line ln[2] = { { 0, -7 }, { 0, 1 << 20 } };
	struct pprof_label lab[3] = {
		{ 0, 0, -1, 0 }, { 0, 0, INT64_MIN, 0 }, { 0, 0, 0, 0 },
	};
	int64_t v[2] = { -1, INT64_MAX };
	uint64_t locs[300], m;
	Profile *pr;

	(void)state;
	assert_non_null(p);
	pprof_sample_type(p, "a", "count");
	pprof_sample_type(p, "b", "bytes");
	pprof_period(p, "space", "bytes", -5);
	pprof_time(p, INT64_MIN, 3);
	m = pprof_mapping(p, 0, UINT64_MAX, 1ull << 40, "/x", "");
	pprof_mapping_has_functions(p, m, 1);
	ln[0].function_id = pprof_function(p, pprof_string(p, "f"),
					   pprof_string(p, "f.go"), -3);
	ln[1].function_id = pprof_function(p, pprof_string(p, "g"), 0, 0);
	lab[0].key = pprof_string(p, "k");
	lab[0].str = pprof_string(p, "v");
	lab[0].num_unit = pprof_string(p, "u");
	lab[1].key = lab[0].key;
	for (size_t i = 0; i < 300; i++)
		locs[i] = pprof_location(p, i % 2 ? m : 0, UINT64_MAX - i,
					 i % 3 ? ln : NULL, i % 3);
	assert_int_equal(pprof_sample(p, locs, 300, v, 2, lab, 3), 0);
	assert_int_equal(pprof_sample(p, NULL, 0, v, 2, NULL, 0), 0);
	pprof_comment(p, "c1");
	pprof_comment(p, "");
	assert_int_equal(pprof_nsamples(p), 2);
	pr = decode(p);
	pprof_free(p);
	assert_int_equal(pr->n_sample, 2);
	assert_int_equal(pr->sample[0]->n_location_id, 300);
	assert_int_equal(pr->sample[0]->location_id[299], 300);
	assert_int_equal(pr->sample[0]->n_value, 2);
	assert_true(pr->sample[0]->value[0] == -1);
	assert_true(pr->sample[0]->value[1] == INT64_MAX);
	assert_int_equal(pr->sample[0]->n_label, 3);
	assert_string_equal(str(pr, pr->sample[0]->label[0]->str), "v");
	assert_string_equal(str(pr, pr->sample[0]->label[0]->num_unit), "u");
	assert_true(pr->sample[0]->label[1]->num == INT64_MIN);
	assert_int_equal(pr->sample[1]->n_location_id, 0);
	assert_int_equal(pr->n_location, 300);
	assert_true(pr->location[299]->address == UINT64_MAX - 299);
	assert_int_equal(pr->location[0]->n_line, 0);
	assert_int_equal(pr->location[2]->n_line, 2);
	assert_true(pr->location[2]->line[0]->line == -7);
	assert_true(pr->mapping[0]->memory_limit == UINT64_MAX);
	assert_true(pr->mapping[0]->has_functions);
	assert_int_equal(pr->n_function, 2);
	assert_true(pr->function[0]->start_line == -3);
	assert_true(pr->time_nanos == INT64_MIN);
	assert_true(pr->period == -5);
	assert_int_equal(pr->n_comment, 2);
	assert_string_equal(str(pr, pr->comment[0]), "c1");
	perftools__profiles__profile__free_unpacked(pr, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_input),
		cmocka_unit_test(truncated_entries),
		cmocka_unit_test(nstk_too_large),
		cmocka_unit_test(wrong_bucket_type),
		cmocka_unit_test(zero_counts),
		cmocka_unit_test(rate_zero_is_disabled),
		cmocka_unit_test(scale_edges),
		cmocka_unit_test(cycles_summed),
		cmocka_unit_test(active_clear_falls_back),
		cmocka_unit_test(header_fields),
		cmocka_unit_test(runtime_hidden_inline_merged_goexit_dropped),
		cmocka_unit_test(all_runtime_shown),
		cmocka_unit_test(truncated_inline_expanded),
		cmocka_unit_test(recursion_and_unknown),
		cmocka_unit_test(addresses_only),
		cmocka_unit_test(write_read_back),
		cmocka_unit_test(strings_deduplicated),
		cmocka_unit_test(symbolizer_budget_spent),
		cmocka_unit_test(chosen_pcs_do_not_collide),
		cmocka_unit_test(encoder_edge_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
