// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for user/godwarf.c on DWARF built here byte by byte: the
 * forms Go does not write but other producers do (strp, line_strp, strx
 * with DW_AT_str_offsets_base, ref4, 64-bit units, DW_AT_upper_bound,
 * exprloc member locations), both compressions, the early stop, and the
 * errors and bounds on hostile input. Run by tests/userspace/run.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "godwarf.h"

struct buf {
	uint8_t b[1 << 16];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u8(struct buf *b, uint8_t v) { put(b, &v, 1); }
static void u16(struct buf *b, uint16_t v) { put(b, &v, 2); }
static void u32(struct buf *b, uint32_t v) { put(b, &v, 4); }
static void u64(struct buf *b, uint64_t v) { put(b, &v, 8); }
static void str(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

static void uleb(struct buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;

		v >>= 7;
		u8(b, c | (v ? 0x80 : 0));
	} while (v);
}

static void spec(struct buf *b, unsigned at, unsigned form)
{
	uleb(b, at);
	uleb(b, form);
}

static const char *const structs[] = { "pkg.outer", "pkg.inner" };
static const char *const vars[] = { "pkg.v" };

/*
 * Abbreviations: 1 CU (children, str_offsets_base sec_offset), 2 struct
 * (children, name strx1, byte_size data1), 3 member (name strp,
 * data_member_location exprloc, type ref4), 4 member (name string,
 * location data1, type @reftype), 5 base (name line_strp, byte_size
 * data1), 6 typedef (type ref4), 7 array (children, type ref4, byte_size
 * udata), 8 subrange (upper_bound data1), 9 variable (name string,
 * location exprloc).
 */
static void abbrevs(struct buf *a, unsigned reftype)
{
	uleb(a, 1); uleb(a, 0x11); u8(a, 1); spec(a, 0x72, 0x17); spec(a, 0, 0);
	uleb(a, 2); uleb(a, 0x13); u8(a, 1); spec(a, 0x03, 0x25); spec(a, 0x0b, 0x0b); spec(a, 0, 0);
	uleb(a, 3); uleb(a, 0x0d); u8(a, 0); spec(a, 0x03, 0x0e); spec(a, 0x38, 0x18); spec(a, 0x49, 0x13); spec(a, 0, 0);
	uleb(a, 4); uleb(a, 0x0d); u8(a, 0); spec(a, 0x03, 0x08); spec(a, 0x38, 0x0b); spec(a, 0x49, reftype); spec(a, 0, 0);
	uleb(a, 5); uleb(a, 0x24); u8(a, 0); spec(a, 0x03, 0x1f); spec(a, 0x0b, 0x0b); spec(a, 0, 0);
	uleb(a, 6); uleb(a, 0x16); u8(a, 0); spec(a, 0x49, 0x13); spec(a, 0, 0);
	uleb(a, 7); uleb(a, 0x01); u8(a, 1); spec(a, 0x49, 0x13); spec(a, 0x0b, 0x0f); spec(a, 0, 0);
	uleb(a, 8); uleb(a, 0x21); u8(a, 0); spec(a, 0x2f, 0x0b); spec(a, 0, 0);
	uleb(a, 9); uleb(a, 0x34); u8(a, 0); spec(a, 0x03, 0x08); spec(a, 0x02, 0x18); spec(a, 0, 0);
	u8(a, 0);
}

struct fixture {
	struct buf abbrev, info, str, line_str, str_offsets;
};

/*
 * One unit (DWARF 5, or 4 in the 64-bit format): pkg.outer {a at
 * exprloc+8: pkg.inner; b at 40: [4]u64 (upper bound 3)}, pkg.inner {x at
 * 0: typedef -> typedef -> u64 base; y at 8: u64 via ref_addr}, var pkg.v.
 */
static void build(struct fixture *f, int v5)
{
	struct buf *i = &f->info;
	size_t len_at, body, t_base, t_td1, t_td2, t_inner, t_arr, unit = 0;
	unsigned osz = v5 ? 4 : 8;

	memset(f, 0, sizeof(*f));
	abbrevs(&f->abbrev, 0x10);	/* ref_addr */
	str(&f->str, "");		/* 0 */
	str(&f->str, "a");		/* 1 */
	str(&f->str, "pkg.outer");	/* 3 */
	str(&f->str, "pkg.inner");	/* 13 */
	str(&f->str, "x");		/* 23 */
	str(&f->line_str, "uint64");	/* 0 */
	/* DWARF 5 header (length, version, pad), then offset-sized entries */
	if (v5) {
		u32(&f->str_offsets, 12);
		u16(&f->str_offsets, 5);
		u16(&f->str_offsets, 0);
		u32(&f->str_offsets, 3);	/* index 0 */
		u32(&f->str_offsets, 13);	/* index 1 */
	} else {
		u32(&f->str_offsets, 0xffffffff);
		u64(&f->str_offsets, 20);
		u16(&f->str_offsets, 5);
		u16(&f->str_offsets, 0);
		u64(&f->str_offsets, 3);
		u64(&f->str_offsets, 13);
	}
	/* the type offsets are fixed by the layout below: compute as we go */
	if (v5) {
		len_at = i->n;
		u32(i, 0);
		u16(i, 5); u8(i, 1); u8(i, 8); u32(i, 0);
	} else {
		u32(i, 0xffffffff);
		len_at = i->n;
		u64(i, 0);
		u16(i, 4); u64(i, 0); u8(i, 8);
	}
	body = i->n;
	uleb(i, 1);	/* DW_AT_str_offsets_base: past the table's header */
	if (osz == 4)
		u32(i, 8);
	else
		u64(i, 16);
	/* base u64 */
	t_base = i->n;
	uleb(i, 5); if (osz == 4) u32(i, 0); else u64(i, 0); u8(i, 8);
	/* typedef chain: td2 -> td1 -> base */
	t_td1 = i->n;
	uleb(i, 6); u32(i, (uint32_t)(t_base - unit));
	t_td2 = i->n;
	uleb(i, 6); u32(i, (uint32_t)(t_td1 - unit));
	/* pkg.inner */
	t_inner = i->n;
	uleb(i, 2); u8(i, 1); u8(i, 16);
	uleb(i, 3); if (osz == 4) u32(i, 23); else u64(i, 23);
	uleb(i, 2); u8(i, 0x23 /* plus_uconst */); uleb(i, 0);
	u32(i, (uint32_t)(t_td2 - unit));
	uleb(i, 4); str(i, "y"); u8(i, 8);
	if (osz == 4) u32(i, (uint32_t)t_base); else u64(i, t_base);
	u8(i, 0);
	/* [4]u64 */
	t_arr = i->n;
	uleb(i, 7); u32(i, (uint32_t)(t_base - unit)); uleb(i, 32);
	uleb(i, 8); u8(i, 3);
	u8(i, 0);
	/* pkg.outer: a at 8 (exprloc), b at 40 */
	uleb(i, 2); u8(i, 0); u8(i, 72);
	uleb(i, 3); if (osz == 4) u32(i, 1); else u64(i, 1);
	uleb(i, 2); u8(i, 0x23); uleb(i, 8); u32(i, (uint32_t)(t_inner - unit));
	uleb(i, 4); str(i, "b"); u8(i, 40);
	if (osz == 4) u32(i, (uint32_t)t_arr); else u64(i, t_arr);
	u8(i, 0);
	/* var pkg.v at 0x4000 */
	uleb(i, 9); str(i, "pkg.v"); uleb(i, 9); u8(i, 0x03); u64(i, 0x4000);
	u8(i, 0);	/* end of the CU's children */
	if (v5) {
		uint32_t l = (uint32_t)(i->n - len_at - 4);

		memcpy(i->b + len_at, &l, 4);
	} else {
		uint64_t l = i->n - len_at - 8;

		memcpy(i->b + len_at, &l, 8);
	}
	(void)body;
}

static struct godwarf_sections sections(const struct fixture *f)
{
	struct godwarf_sections s = { 0 };

	s.info.p = f->info.b;
	s.info.len = f->info.n;
	s.abbrev.p = f->abbrev.b;
	s.abbrev.len = f->abbrev.n;
	s.str.p = f->str.b;
	s.str.len = f->str.n;
	s.line_str.p = f->line_str.b;
	s.line_str.len = f->line_str.n;
	s.str_offsets.p = f->str_offsets.b;
	s.str_offsets.len = f->str_offsets.n;
	return s;
}

static void check_result(const struct godwarf *d)
{
	uint64_t off, size;
	const struct godwarf_type *t;
	char err[256];

	assert_true(godwarf_struct(d, "pkg.outer")->found);
	assert_int_equal(godwarf_struct(d, "pkg.outer")->byte_size, 72);
	assert_int_equal(godwarf_member(d, "pkg.outer", "a.x", &off, &size, &t,
					err, sizeof(err)), 0);
	assert_int_equal(off, 8);
	assert_int_equal(size, 8);
	assert_int_equal(t->tag, GODWARF_BASE);
	assert_int_equal(godwarf_member(d, "pkg.outer", "a.y", &off, &size, NULL,
					err, sizeof(err)), 0);
	assert_int_equal(off, 16);
	assert_int_equal(godwarf_member(d, "pkg.outer", "b", &off, &size, &t,
					err, sizeof(err)), 0);
	assert_int_equal(off, 40);
	assert_int_equal(size, 32);
	assert_int_equal(t->tag, GODWARF_ARRAY);
	assert_int_equal(t->count, 4);
	assert_int_equal(godwarf_member(d, "pkg.outer", "c", &off, &size, NULL,
					err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pkg.outer has no member c"));
	assert_int_equal(godwarf_member(d, "pkg.outer", "b.z", &off, &size, NULL,
					err, sizeof(err)), -1);
	assert_true(godwarf_var(d, "pkg.v")->found);
	assert_int_equal(godwarf_var(d, "pkg.v")->addr, 0x4000);
}

static void load_ok(const struct godwarf_sections *s)
{
	struct godwarf *d;
	char err[256] = "";

	if (godwarf_load_sections(s, structs, 2, vars, 1, &d, err, sizeof(err)))
		fail_msg("godwarf_load_sections: %s", err);
	check_result(d);
	godwarf_free(d);
}

static void test_dwarf5_str_forms(void **state)
{
	static struct fixture f;
	struct godwarf_sections s;

	(void)state;
	build(&f, 1);
	s = sections(&f);
	load_ok(&s);
}

static void test_dwarf4_64bit(void **state)
{
	static struct fixture f;
	struct godwarf_sections s;

	(void)state;
	build(&f, 0);
	s = sections(&f);
	load_ok(&s);
}

/* zlib-compress @src as an SHF_COMPRESSED section (or a .zdebug one). */
static size_t deflate_sec(const struct buf *src, uint8_t *out, size_t cap,
			  int zdebug)
{
	size_t hl = zdebug ? 12 : 24;
	uLongf zl = cap - hl;

	assert_int_equal(compress2(out + hl, &zl, src->b, src->n, 9), Z_OK);
	if (zdebug) {
		memcpy(out, "ZLIB", 4);
		for (int i = 0; i < 8; i++)
			out[4 + i] = (uint8_t)((uint64_t)src->n >> (56 - 8 * i));
	} else {
		uint32_t type = 1, z = 0;
		uint64_t size = src->n, align = 1;

		memcpy(out, &type, 4);
		memcpy(out + 4, &z, 4);
		memcpy(out + 8, &size, 8);
		memcpy(out + 16, &align, 8);
	}
	return hl + zl;
}

static void test_compressed(void **state)
{
	static struct fixture f;
	static uint8_t zi[1 << 16], za[1 << 16];
	struct godwarf_sections s;

	(void)state;
	build(&f, 1);
	for (int zdebug = 0; zdebug < 2; zdebug++) {
		s = sections(&f);
		s.info.p = zi;
		s.info.len = deflate_sec(&f.info, zi, sizeof(zi), zdebug);
		s.info.compressed = !zdebug;
		s.info.zdebug = zdebug;
		s.abbrev.p = za;
		s.abbrev.len = deflate_sec(&f.abbrev, za, sizeof(za), zdebug);
		s.abbrev.compressed = !zdebug;
		s.abbrev.zdebug = zdebug;
		load_ok(&s);
		/* a stream cut short is an error, not a partial result */
		s.info.len -= 8;
		{
			struct godwarf *d;
			char err[256];

			assert_int_equal(godwarf_load_sections(&s, structs, 2, vars, 1,
							       &d, err, sizeof(err)), -1);
		}
	}
}

/* Once everything asked for is in, the rest is not read. */
static void test_early_stop(void **state)
{
	static struct fixture f;
	struct godwarf_sections s;
	struct godwarf *d;
	char err[256];
	uint64_t bytes, work;

	(void)state;
	build(&f, 1);
	/* a second unit that is garbage (an abbreviation code never defined) */
	u32(&f.info, 9);
	u16(&f.info, 5); u8(&f.info, 1); u8(&f.info, 8); u32(&f.info, 0);
	uleb(&f.info, 99);
	s = sections(&f);
	assert_int_equal(godwarf_load_sections(&s, structs, 2, vars, 1, &d, err,
					       sizeof(err)), 0);
	check_result(d);
	godwarf_stats(d, &bytes, &work);
	assert_true(bytes <= f.info.n);
	godwarf_free(d);
	/* asked for something absent, the garbage is read and refused */
	{
		static const char *const more[] = { "pkg.outer", "pkg.inner", "pkg.none" };

		assert_int_equal(godwarf_load_sections(&s, more, 3, vars, 1, &d, err,
						       sizeof(err)), -1);
		assert_non_null(strstr(err, "abbreviation code its table lacks"));
	}
}

static void expect_error(const struct buf *abbrev, const struct buf *info,
			 uint64_t max_work, const char *needle)
{
	struct godwarf_sections s = { 0 };
	struct godwarf *d;
	char err[256] = "";

	s.info.p = info->b;
	s.info.len = info->n;
	s.abbrev.p = abbrev->b;
	s.abbrev.len = abbrev->n;
	s.max_work = max_work;
	assert_int_equal(godwarf_load_sections(&s, structs, 2, vars, 1, &d, err,
					       sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void unit4(struct buf *info, const struct buf *body)
{
	u32(info, (uint32_t)(7 + body->n));
	u16(info, 4); u32(info, 0); u8(info, 8);
	put(info, body->b, body->n);
}

static void test_hostile(void **state)
{
	static struct buf a, body, info;

	(void)state;
	/* nesting past the bound */
	memset(&a, 0, sizeof(a));
	uleb(&a, 1); uleb(&a, 0x13); u8(&a, 1); spec(&a, 0x03, 0x08); spec(&a, 0, 0); u8(&a, 0);
	memset(&body, 0, sizeof(body));
	for (int k = 0; k < 1000; k++) {
		uleb(&body, 1);
		str(&body, "s");
	}
	memset(&info, 0, sizeof(info));
	unit4(&info, &body);
	expect_error(&a, &info, 0, "nested deeper");
	/* a form nobody defined */
	memset(&a, 0, sizeof(a));
	uleb(&a, 1); uleb(&a, 0x24); u8(&a, 0); spec(&a, 0x03, 0x7e); spec(&a, 0, 0); u8(&a, 0);
	memset(&body, 0, sizeof(body));
	uleb(&body, 1); u8(&body, 0);
	memset(&info, 0, sizeof(info));
	unit4(&info, &body);
	expect_error(&a, &info, 0, "form");
	/* a string running past its unit */
	memset(&a, 0, sizeof(a));
	uleb(&a, 1); uleb(&a, 0x13); u8(&a, 0); spec(&a, 0x03, 0x08); spec(&a, 0, 0); u8(&a, 0);
	memset(&body, 0, sizeof(body));
	uleb(&body, 1); put(&body, "runtime", 7);
	memset(&info, 0, sizeof(info));
	unit4(&info, &body);
	put(&info, "x\0", 2);	/* the NUL lies in the next "unit" */
	expect_error(&a, &info, 0, "past its unit");
	/* the work bound: 256 zero-byte attributes a DIE */
	memset(&a, 0, sizeof(a));
	uleb(&a, 1); uleb(&a, 0x24); u8(&a, 0);
	for (int k = 0; k < 256; k++)
		spec(&a, 0x3f, 0x19);
	spec(&a, 0, 0); u8(&a, 0);
	memset(&body, 0, sizeof(body));
	for (int k = 0; k < 20000; k++)
		uleb(&body, 1);
	memset(&info, 0, sizeof(info));
	unit4(&info, &body);
	expect_error(&a, &info, 1u << 20, "bound");
	/* an abbreviation with more attributes than the bound */
	memset(&a, 0, sizeof(a));
	uleb(&a, 1); uleb(&a, 0x24); u8(&a, 0);
	for (int k = 0; k < 300; k++)
		spec(&a, 0x3f, 0x19);
	spec(&a, 0, 0); u8(&a, 0);
	expect_error(&a, &info, 0, "too many attributes");
	/* a unit pointing outside .debug_abbrev */
	memset(&info, 0, sizeof(info));
	u32(&info, 8); u16(&info, 4); u32(&info, 1u << 30); u8(&info, 8); u8(&info, 1);
	expect_error(&a, &info, 0, "outside .debug_abbrev");
	/* a reserved unit length */
	memset(&info, 0, sizeof(info));
	u32(&info, 0xfffffff5); u16(&info, 4);
	expect_error(&a, &info, 0, "reserved unit length");
	/*
	 * Units with nothing in them count as work: 10,000 six-byte units
	 * of a version nobody reads (a zlib bomb makes 80 million of them)
	 * reach a bound of 1,000, not "not found" after reading them all.
	 */
	memset(&info, 0, sizeof(info));
	for (int k = 0; k < 10000; k++) {
		u32(&info, 2);
		u16(&info, 1);
	}
	expect_error(&a, &info, 1000, "bound");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dwarf5_str_forms),
		cmocka_unit_test(test_dwarf4_64bit),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_early_stop),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
