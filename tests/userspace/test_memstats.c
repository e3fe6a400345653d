// SPDX-License-Identifier: GPL-2.0
/*
 * user/memstats.c: a capture's region data matched against the layout of
 * its executable before gomemstats_compute sees it, and the statistics
 * written for people (profile comment) and for events.jsonl.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "memstats.h"
#include "record.h"

/* A capture with @n regions of the layout @l at load bias 0x1000. */
static void capture_of(struct oomprof_go_capture *cap,
		       const struct gomemstats_layout *l, unsigned int n)
{
	unsigned int i;

	memset(cap, 0, sizeof(*cap));
	cap->load_bias = 0x1000;
	for (i = 0; i < n; i++) {
		cap->regions[i].addr = l->region[i].addr + 0x1000;
		cap->regions[i].bytes = l->region[i].bytes;
		cap->regions_bytes += (l->region[i].bytes + 7) & ~7u;
	}
}

static void layout2(struct gomemstats_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->nregions = 2;
	l->region[0].addr = 0x5a0000;
	l->region[0].bytes = 100;
	l->region[1].addr = 0x5b0000;
	l->region[1].bytes = 16;
}

static void refused_before_compute(void **state)
{
	struct gomemstats_layout l;
	struct oomprof_go_capture cap;
	struct gomemstats ms;
	char why[512];

	(void)state;
	layout2(&l);
	/* No regions registered (an old registration, or none found). */
	capture_of(&cap, &l, 0);
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "named no memory-statistics regions"));
	/* One region fewer than the layout. */
	capture_of(&cap, &l, 1);
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "1 regions are not the 2"));
	/* Another load bias: not this layout's addresses. */
	capture_of(&cap, &l, 2);
	cap.load_bias = 0x2000;
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "region 0 (0x5a1000, 100 bytes) is not"));
	/* Another size. */
	capture_of(&cap, &l, 2);
	cap.regions[1].bytes = 24;
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "region 1"));
	/* Nothing copied: the module's reason, for people. */
	capture_of(&cap, &l, 2);
	cap.region_error[0] = -EBUSY;
	cap.region_error[1] = -EFAULT;
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "write-locked"));
	cap.region_error[0] = -EFAULT;
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not mapped or not resident"));
	cap.region_error[0] = -ETIME;
	assert_int_equal(memstats_from_capture(&cap, &l, &ms, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no time was left"));
}

static void comment_and_json(void **state)
{
	struct gomemstats ms;
	struct sbuf line = { 0 };
	char c[512];

	(void)state;
	memset(&ms, 0, sizeof(ms));
	memstats_comment(&ms, "at kill", c, sizeof(c));
	assert_string_equal(c, "");
	ms.v[GOMS_HEAP_INUSE] = 812ULL << 20;
	ms.v[GOMS_HEAP_IDLE] = 3ULL << 19;
	ms.v[GOMS_SYS] = 900ULL << 20;
	ms.v[GOMS_NUM_GC] = 12;
	ms.v[GOMS_STACK_INUSE] = 1 << 20;	/* not valid: left out */
	ms.valid = 1u << GOMS_HEAP_INUSE | 1u << GOMS_HEAP_IDLE |
		   1u << GOMS_SYS | 1u << GOMS_NUM_GC;
	memstats_comment(&ms, "at kill", c, sizeof(c));
	assert_string_equal(c, "go memstats at kill: HeapInuse 812.0 MiB, HeapIdle 1.5 MiB, Sys 900.0 MiB, NumGC 12");
	/* Cut short, never overrun. */
	memstats_comment(&ms, "at kill", c, 30);
	assert_true(strlen(c) < 30);

	sbuf_printf(&line, "{\"type\":\"oom_kill\"}");
	memstats_json_field(&line, &ms, NULL);
	assert_string_equal(line.p, "{\"type\":\"oom_kill\",\"go_memstats\":{\"Sys\":943718400,\"HeapIdle\":1572864,\"HeapInuse\":851443712,\"NumGC\":12}}");
	sbuf_reset(&line);
	sbuf_printf(&line, "{\"type\":\"oom_kill\"}");
	memstats_json_field(&line, NULL, "no \"DWARF\"\n");
	assert_string_equal(line.p, "{\"type\":\"oom_kill\",\"go_memstats_error\":\"no \\\"DWARF\\\"\\u000a\"}");
	sbuf_free(&line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused_before_compute),
		cmocka_unit_test(comment_and_json),
	};

	return cmocka_run_group_tests_name("memstats", tests, NULL, NULL);
}
