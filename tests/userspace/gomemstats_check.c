// SPDX-License-Identifier: GPL-2.0
/*
 * Oracle checks for user/godwarf.c and user/gomemstats.c, run by
 * tests/userspace/gomemstats/run.sh. Prints "PASS ..."/"FAIL ..." lines.
 *
 *   gomemstats_check LABEL --layout BIN ORACLE
 *	ORACLE is what gomemstats/layout (Go's debug/dwarf) printed for BIN:
 *	every member path, array length and variable address in it must be
 *	what godwarf reads from BIN (and "absent" ones absent); then
 *	gomemstats_layout_find must succeed with regions inside the
 *	variables.
 *   gomemstats_check LABEL --hostile BIN
 *	gomemstats_compute on hostile region contents (see hostile()).
 *   gomemstats_check LABEL --stripped BIN
 *	gomemstats_layout_find must fail with the "no DWARF" sentence.
 *   gomemstats_check LABEL --values BIN PID JSON
 *	PID is the stopped gomemstats/live program and JSON the line it
 *	printed from runtime.ReadMemStats: the regions are read through
 *	/proc/PID/mem (at the layout's addresses plus the load bias from
 *	/proc/PID/maps) and every statistic gomemstats_compute returns must
 *	equal ReadMemStats' (all of them must be valid).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gobin.h"
#include "godwarf.h"
#include "gomemstats.h"

static const char *label;
static int failures;

static void pass(const char *what)
{
	printf("PASS gomemstats %s: %s\n", label, what);
}

static void fail(const char *fmt, const char *a, const char *b)
{
	printf("FAIL gomemstats %s: ", label);
	printf(fmt, a, b);
	printf("\n");
	failures++;
}

static const char *const structs[] = {
	"runtime.mstats", "runtime.gcControllerState", "runtime.mheap",
	"runtime.consistentHeapStats", "runtime.heapStatsDelta",
	"runtime.fixalloc",
};
static const char *const vars[] = {
	"runtime.memstats", "runtime.gcController", "runtime.mheap_",
};

static int layout(const char *bin, const char *oracle)
{
	struct gobin *g;
	struct godwarf *d;
	struct gomemstats_layout l;
	char err[512], line[512], msg[1024];
	FILE *f = fopen(oracle, "r");
	int n = 0, bad = 0;

	if (!f) {
		fail("cannot read the oracle %s%s", oracle, "");
		return 1;
	}
	if (gobin_open(bin, &g, err, sizeof(err))) {
		fail("%s%s", err, "");
		fclose(f);
		return 1;
	}
	if (godwarf_load(g, structs, 6, vars, 3, &d, err, sizeof(err))) {
		fail("godwarf_load: %s%s", err, "");
		gobin_close(g);
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char a[128], b[128], c[64];
		unsigned long long off, size, cnt;
		uint64_t goff, gsize;
		const struct godwarf_type *t;

		n++;
		if (sscanf(line, "VAR %127s %llx", a, &off) == 2) {
			const struct godwarf_var *v = godwarf_var(d, a);

			if (!v || !v->found || v->addr != off) {
				snprintf(msg, sizeof(msg), "%s at 0x%llx, godwarf says %s0x%" PRIx64,
					 a, off, v && v->found ? "" : "(not found) ",
					 v ? v->addr : 0);
				fail("%s%s", msg, "");
				bad++;
			}
		} else if (sscanf(line, "COUNT %127s %127s %llu", a, b, &cnt) == 3) {
			if (godwarf_member(d, a, b, &goff, &gsize, &t, err, sizeof(err)) ||
			    t->tag != GODWARF_ARRAY || t->count != cnt) {
				snprintf(msg, sizeof(msg), "%s.%s has %llu elements, godwarf says %s",
					 a, b, cnt, err);
				fail("%s%s", msg, "");
				bad++;
			}
		} else if (sscanf(line, "%127s %127s %63s", a, b, c) == 3 &&
			   !strcmp(c, "absent")) {
			if (!godwarf_member(d, a, b, &goff, &gsize, NULL, err,
					    sizeof(err))) {
				fail("%s.%s is absent, godwarf finds it", a, b);
				bad++;
			}
		} else if (sscanf(line, "%127s %127s %llu %llu", a, b, &off, &size) == 4) {
			err[0] = 0;
			if (godwarf_member(d, a, b, &goff, &gsize, NULL, err, sizeof(err)) ||
			    goff != off || gsize != size) {
				snprintf(msg, sizeof(msg), "%s.%s at %llu size %llu; godwarf: %" PRIu64 " %" PRIu64 " %s",
					 a, b, off, size, goff, gsize, err);
				fail("%s%s", msg, "");
				bad++;
			}
		} else {
			fail("unreadable oracle line: %s%s", line, "");
			bad++;
		}
	}
	fclose(f);
	if (n < 30) {
		fail("the oracle has only a few lines%s%s", "", "");
		bad++;
	}
	if (!bad) {
		uint64_t bytes, work;

		godwarf_stats(d, &bytes, &work);
		snprintf(msg, sizeof(msg), "godwarf agrees with debug/dwarf on %d member offsets, sizes, array lengths and variable addresses (%" PRIu64 " KiB of .debug_info inflated, %" PRIu64 " DIEs+attributes)",
			 n, bytes >> 10, work);
		pass(msg);
	}
	godwarf_free(d);
	if (gomemstats_layout_find(g, &l, err, sizeof(err))) {
		fail("gomemstats_layout_find: %s%s", err, "");
		bad++;
	} else {
		int ok = l.nregions >= 1;

		for (unsigned i = 0; i < l.nregions; i++)
			if (!l.region[i].bytes || l.region[i].bytes > GOMEMSTATS_MAX_REGION_BYTES)
				ok = 0;
		if (ok) {
			snprintf(msg, sizeof(msg), "layout: %u regions of", l.nregions);
			for (unsigned i = 0; i < l.nregions; i++)
				snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
					 " %u", l.region[i].bytes);
			strncat(msg, " bytes", sizeof(msg) - strlen(msg) - 1);
			pass(msg);
		} else {
			fail("bad regions%s%s", "", "");
			bad++;
		}
	}
	gobin_close(g);
	return bad != 0;
}

static int stripped(const char *bin)
{
	struct gobin *g;
	struct gomemstats_layout l;
	char err[512];
	int rc = 1;

	if (gobin_open(bin, &g, err, sizeof(err))) {
		fail("%s%s", err, "");
		return 1;
	}
	if (!gomemstats_layout_find(g, &l, err, sizeof(err)))
		fail("a stripped binary gave a layout%s%s", "", "");
	else if (!strstr(err, "no DWARF: built with -ldflags=-w"))
		fail("unclear error for a stripped binary: %s%s", err, "");
	else {
		char msg[600];

		snprintf(msg, sizeof(msg), "stripped binary refused: \"%s\"", err);
		pass(msg);
		rc = 0;
	}
	gobin_close(g);
	return rc;
}

/* The value of "name": in a flat JSON object of numbers. */
static int json_num(const char *js, const char *name, uint64_t *v)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(js, key);
	if (!p)
		return 0;
	*v = strtoull(p + strlen(key), NULL, 10);
	return 1;
}

/* The load bias: where the file's first page is mapped minus its vaddr. */
static uint64_t load_bias(int pid, const char *bin, uint64_t load_vaddr)
{
	char path[64], line[4096], real[4096];
	FILE *f;
	uint64_t bias = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (!realpath(bin, real))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, off;
		char *name = strchr(line, '/');

		if (!name || sscanf(line, "%llx-%*x %*s %llx", &lo, &off) != 2)
			continue;
		name[strcspn(name, "\n")] = 0;
		if (strcmp(name, real) || off != 0)
			continue;
		bias = lo - (load_vaddr & ~0xfffull);
		break;
	}
	fclose(f);
	return bias;
}

static int values(const char *bin, int pid, const char *jsonfile)
{
	struct gobin *g;
	struct gomemstats_layout l;
	struct gomemstats s;
	char err[512], js[8192], msg[2048], path[64];
	uint8_t buf[GOMEMSTATS_MAX_REGIONS][GOMEMSTATS_MAX_REGION_BYTES];
	const uint8_t *data[GOMEMSTATS_MAX_REGIONS] = { 0 };
	uint32_t len[GOMEMSTATS_MAX_REGIONS] = { 0 };
	uint64_t bias;
	FILE *f = fopen(jsonfile, "r");
	int fd, bad = 0, n = 0;

	if (!f || !fgets(js, sizeof(js), f)) {
		fail("no ReadMemStats line in %s%s", jsonfile, "");
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	if (gobin_open(bin, &g, err, sizeof(err)) ||
	    gomemstats_layout_find(g, &l, err, sizeof(err))) {
		fail("%s%s", err, "");
		return 1;
	}
	bias = load_bias(pid, bin, gobin_info(g)->load_vaddr);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fail("cannot open %s: %s", path, strerror(errno));
		gobin_close(g);
		return 1;
	}
	for (unsigned i = 0; i < l.nregions; i++) {
		ssize_t r = pread(fd, buf[i], l.region[i].bytes,
				  (off_t)(l.region[i].addr + bias));

		if (r == (ssize_t)l.region[i].bytes) {
			data[i] = buf[i];
			len[i] = (uint32_t)r;
		}
	}
	close(fd);
	if (gomemstats_compute(&l, data, len, &s, err, sizeof(err))) {
		fail("gomemstats_compute: %s%s", err, "");
		gobin_close(g);
		return 1;
	}
	for (int i = 0; i < GOMS_NSTATS; i++) {
		uint64_t want;

		if (!json_num(js, gomemstats_names[i], &want)) {
			fail("ReadMemStats printed no %s%s", gomemstats_names[i], "");
			bad++;
			continue;
		}
		if (!(s.valid & (1u << i))) {
			fail("%s: not computed (ReadMemStats: %s)", gomemstats_names[i], "");
			bad++;
		} else if (s.v[i] != want) {
			snprintf(msg, sizeof(msg), "%s = %" PRIu64 ", ReadMemStats said %" PRIu64,
				 gomemstats_names[i], s.v[i], want);
			fail("%s%s", msg, "");
			bad++;
		} else {
			n++;
		}
	}
	if (!bad) {
		snprintf(msg, sizeof(msg), "all %d statistics equal runtime.ReadMemStats' (load bias 0x%" PRIx64 ")",
			 n, bias);
		pass(msg);
		gomemstats_json(&s, msg, sizeof(msg));
		printf("    %s\n", msg);
	}
	gobin_close(g);
	return bad != 0;
}

static unsigned popcount(uint32_t v)
{
	return (unsigned)__builtin_popcount(v);
}

/*
 * The victim's memory is hostile: regions of all-ones words (sums
 * saturate, signed sums clamp at 0), each region missing in turn (what
 * needs it becomes invalid, the rest stays), regions cut short, none.
 */
static int hostile(const char *bin)
{
	static uint8_t ones[GOMEMSTATS_MAX_REGIONS][GOMEMSTATS_MAX_REGION_BYTES];
	struct gobin *g;
	struct gomemstats_layout l;
	struct gomemstats s;
	const uint8_t *data[GOMEMSTATS_MAX_REGIONS] = { 0 };
	uint32_t len[GOMEMSTATS_MAX_REGIONS] = { 0 };
	char err[512], msg[1024];
	unsigned full;
	int bad = 0;

	if (gobin_open(bin, &g, err, sizeof(err)) ||
	    gomemstats_layout_find(g, &l, err, sizeof(err))) {
		fail("%s%s", err, "");
		return 1;
	}
	memset(ones, 0xff, sizeof(ones));
	for (unsigned i = 0; i < l.nregions; i++) {
		data[i] = ones[i];
		len[i] = l.region[i].bytes;
	}
	if (gomemstats_compute(&l, data, len, &s, err, sizeof(err))) {
		fail("all-ones regions: %s%s", err, "");
		gobin_close(g);
		return 1;
	}
	full = popcount(s.valid);
	if (full != GOMS_NSTATS || s.v[GOMS_MALLOCS] != UINT64_MAX ||
	    s.v[GOMS_SYS] != UINT64_MAX || s.v[GOMS_STACK_INUSE] != 0 ||
	    s.v[GOMS_HEAP_OBJECTS] != 0 || s.v[GOMS_HEAP_ALLOC] != 0) {
		snprintf(msg, sizeof(msg), "all-ones regions: %u valid, Mallocs %" PRIu64 " Sys %" PRIu64 " StackInuse %" PRIu64 " HeapObjects %" PRIu64,
			 full, s.v[GOMS_MALLOCS], s.v[GOMS_SYS],
			 s.v[GOMS_STACK_INUSE], s.v[GOMS_HEAP_OBJECTS]);
		fail("%s%s", msg, "");
		bad++;
	}
	for (unsigned i = 0; i < l.nregions; i++) {
		const uint8_t *keep = data[i];

		for (int cut = 0; cut < 2; cut++) {
			if (cut)
				len[i] = l.region[i].bytes / 2;
			else
				data[i] = NULL;
			if (gomemstats_compute(&l, data, len, &s, err, sizeof(err)) ||
			    popcount(s.valid) >= full || !s.valid) {
				snprintf(msg, sizeof(msg), "region %u %s: %u of %u statistics valid (%s)",
					 i, cut ? "cut short" : "missing",
					 popcount(s.valid), full, err);
				fail("%s%s", msg, "");
				bad++;
			}
			data[i] = keep;
			len[i] = l.region[i].bytes;
		}
	}
	for (unsigned i = 0; i < l.nregions; i++)
		data[i] = NULL;
	if (!gomemstats_compute(&l, data, len, &s, err, sizeof(err))) {
		fail("no region at all gave statistics%s%s", "", "");
		bad++;
	}
	if (!bad)
		pass("hostile regions: sums saturate, signed sums clamp, a missing or short region invalidates only what needs it");
	gobin_close(g);
	return bad != 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: see the comment at the top\n");
		return 2;
	}
	label = argv[1];
	if (!strcmp(argv[2], "--layout") && argc == 5)
		return layout(argv[3], argv[4]);
	if (!strcmp(argv[2], "--hostile") && argc == 4)
		return hostile(argv[3]);
	if (!strcmp(argv[2], "--stripped") && argc == 4)
		return stripped(argv[3]);
	if (!strcmp(argv[2], "--values") && argc == 6)
		return values(argv[3], atoi(argv[4]), argv[5]);
	fprintf(stderr, "usage: see the comment at the top\n");
	return 2;
}
