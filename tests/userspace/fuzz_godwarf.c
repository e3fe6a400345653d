// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for user/godwarf.c and gomemstats_compute.
 *
 * Input: byte 0 = flags, then for godwarf (flags bit 7 clear):
 *   u32 abbrev length, u32 str length, u32 line_str length,
 *   u32 str_offsets length, those sections, and .debug_info (the rest).
 *   bit 0: .debug_info is stored compressed (Elf64_Chdr + zlib) as given;
 *   bit 1: the harness compresses .debug_info itself (so zlib streams are
 *          valid and the streaming window is exercised);
 *   bit 2: .debug_info is a ".zdebug" one ("ZLIB" + size + zlib) as given;
 *   bit 3: .debug_abbrev is stored compressed (Elf64_Chdr + zlib).
 * Then godwarf_load_sections for the structs and variables gomemstats
 * asks for, and every query on the result.
 *
 * bit 7 set: a gomemstats_layout (sanitized as gomemstats_layout_find's
 * would be: at most 4 regions of at most 4096 bytes) from the next bytes,
 * then region data from the rest, through gomemstats_compute: every read
 * must stay inside the data given (ASan sees any that does not).
 *
 * Cost: the harness lowers godwarf's bounds (32 MiB inflated, 2M DIEs
 * and attributes, 256K abbreviation entries and attributes) and aborts
 * an input that takes over 2 s of CPU, so a super-linear path shows as
 * a crash, as does -timeout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "godwarf.h"
#include "gomemstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const structs[] = {
	"runtime.mstats", "runtime.gcControllerState", "runtime.mheap",
	"runtime.consistentHeapStats", "runtime.heapStatsDelta",
	"runtime.fixalloc",
};
static const char *const vars[] = {
	"runtime.memstats", "runtime.gcController", "runtime.mheap_",
};

static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void queries(const struct godwarf *d)
{
	static const char *const paths[][2] = {
		{ "runtime.mstats", "heapStats.stats" },
		{ "runtime.mstats", "numgc" },
		{ "runtime.mheap", "spanalloc.inuse" },
		{ "runtime.gcControllerState", "totalAlloc" },
		{ "runtime.heapStatsDelta", "smallAllocCount" },
		{ "runtime.mstats", "a.b.c.d.e.f.g.h.i.j" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		uint64_t off, sz;
		const struct godwarf_type *t;

		if (!godwarf_member(d, paths[i][0], paths[i][1], &off, &sz, &t,
				    err, sizeof(err)) && !t)
			abort();
	}
	for (size_t i = 0; i < 6; i++) {
		const struct godwarf_struct *s = godwarf_struct(d, structs[i]);

		if (!s || s->nmembers > GODWARF_MAX_MEMBERS)
			abort();
		for (unsigned m = 0; m < s->nmembers; m++) {
			if (!memchr(s->members[m].name, 0, GODWARF_NAME_MAX))
				abort();
			godwarf_resolve(d, s->members[m].type);
		}
	}
	for (size_t i = 0; i < 3; i++)
		if (!godwarf_var(d, vars[i]))
			abort();
}

/* Elf64_Chdr (zlib) + the zlib stream of @p; NULL on failure. */
static uint8_t *compress_chdr(const uint8_t *p, size_t n, size_t *out)
{
	uLongf zl = compressBound(n);
	uint8_t *b = malloc(24 + zl);
	uint32_t type = 1, zero = 0;
	uint64_t sz = n, align = 1;

	if (!b)
		return NULL;
	if (compress2(b + 24, &zl, p, n, 1) != Z_OK) {
		free(b);
		return NULL;
	}
	memcpy(b, &type, 4);
	memcpy(b + 4, &zero, 4);
	memcpy(b + 8, &sz, 8);
	memcpy(b + 16, &align, 8);
	*out = 24 + zl;
	return b;
}

static void dwarf(const uint8_t *data, size_t size)
{
	struct godwarf_sections s = { .max_info = 32u << 20,
				      .max_work = 2u << 20,
				      .max_abbrev_work = 256u << 10 };
	struct godwarf_section *sec[] = { &s.abbrev, &s.str, &s.line_str,
					  &s.str_offsets };
	uint8_t flags = data[0];
	uint8_t *copies[5] = { 0 };
	const uint8_t *p = data + 17;
	size_t left = size - 17;
	struct godwarf *d;
	char err[512];
	double t0;

	/* Each section an exact-size copy: ASan sees a read past its end. */
	for (int i = 0; i < 4; i++) {
		size_t n = u32(data + 1 + 4 * i);

		if (n > left)
			n = left;
		copies[i] = malloc(n ? n : 1);
		if (!copies[i])
			goto out;
		memcpy(copies[i], p, n);
		sec[i]->p = n ? copies[i] : (i == 0 ? copies[i] : NULL);
		sec[i]->len = n;
		p += n;
		left -= n;
	}
	s.abbrev.compressed = !!(flags & 8);
	if (flags & 2) {
		copies[4] = compress_chdr(p, left, &s.info.len);
		if (!copies[4])
			goto out;
		s.info.compressed = 1;
	} else {
		copies[4] = malloc(left ? left : 1);
		if (!copies[4])
			goto out;
		memcpy(copies[4], p, left);
		s.info.len = left;
		s.info.compressed = !!(flags & 1);
		s.info.zdebug = !(flags & 1) && (flags & 4);
	}
	s.info.p = copies[4];
	t0 = cpu();
	if (!godwarf_load_sections(&s, structs, 6, vars, 3, &d, err, sizeof(err))) {
		queries(d);
		godwarf_free(d);
	} else if (!memchr(err, 0, sizeof(err))) {
		abort();
	}
	if (cpu() - t0 > 2.0) {
		fprintf(stderr, "godwarf took %.2f s of CPU on one input\n", cpu() - t0);
		abort();
	}
out:
	for (int i = 0; i < 5; i++)
		free(copies[i]);
}

static void compute(const uint8_t *data, size_t size)
{
	struct gomemstats_layout l;
	struct gomemstats st;
	uint8_t *bufs[GOMEMSTATS_MAX_REGIONS] = { 0 };
	const uint8_t *rd[GOMEMSTATS_MAX_REGIONS] = { 0 };
	uint32_t len[GOMEMSTATS_MAX_REGIONS] = { 0 };
	char err[256], js[1024];

	if (size < 1 + sizeof(l))
		return;
	memcpy(&l, data + 1, sizeof(l));
	data += 1 + sizeof(l);
	size -= 1 + sizeof(l);
	l.nregions %= GOMEMSTATS_MAX_REGIONS + 1;
	for (unsigned i = 0; i < GOMEMSTATS_MAX_REGIONS; i++)
		l.region[i].bytes %= GOMEMSTATS_MAX_REGION_BYTES + 1;
	for (int i = 0; i < GOMS_NINPUTS; i++)
		l.in[i].size = (uint8_t)(l.in[i].size & 0x0f) > 8 ? 8 :
			       (l.in[i].size & 0x0f);
	l.deltas.size = l.deltas.size ? 8 : 0;
	l.ndeltas %= 17;
	l.nclasses %= 513;
	/* Region data: what is left, split evenly; a region may get less
	 * than it asked for (a partial copy). */
	for (unsigned i = 0; i < l.nregions; i++) {
		size_t n = size / (l.nregions - i);

		if (n > GOMEMSTATS_MAX_REGION_BYTES)
			n = GOMEMSTATS_MAX_REGION_BYTES;
		bufs[i] = malloc(n ? n : 1);
		if (!bufs[i])
			goto out;
		memcpy(bufs[i], data, n);
		rd[i] = (n || (data[-1] & 1)) ? bufs[i] : NULL;
		len[i] = (uint32_t)n;
		data += n;
		size -= n;
	}
	if (!gomemstats_compute(&l, rd, len, &st, err, sizeof(err))) {
		if (gomemstats_json(&st, js, sizeof(js)) < 0)
			abort();	/* 1024 bytes always suffice */
		gomemstats_json(&st, js, 2);
	}
out:
	for (unsigned i = 0; i < GOMEMSTATS_MAX_REGIONS; i++)
		free(bufs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;
	if (data[0] & 0x80)
		compute(data, size);
	else
		dwarf(data, size);
	return 0;
}
