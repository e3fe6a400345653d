// SPDX-License-Identifier: GPL-2.0
/*
 * events.jsonl lines and log lines: user/events.c, user/sbuf.c, and the
 * escaping every log line uses (user/esc.c) against names a user picks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "esc.h"
#include "events.h"
#include "record_fixtures.h"

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected\n  %s\nin\n  %s", needle, hay);
}

static void kill_json_fields(void **state)
{
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };

	(void)state;
	fixture_kill(&k);
	k.hdr.lost = 3;
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	assert_false(b.failed);
	assert_contains(b.p, "{\"type\":\"oom_kill\",\"seq\":7,");
	assert_contains(b.p, "\"time\":\"2026-11-23T08:10:11.123456789Z\"");
	assert_contains(b.p, "\"pid\":321,\"tgid\":321,\"ns_pid\":321,\"comm\":\"hog\"");
	assert_contains(b.p, "\"uid\":1000,\"cgroup\":\"/t1\"");
	assert_contains(b.p, "\"constraint\":\"memcg\",\"oom_cgroup\":\"/t1\"");
	assert_contains(b.p, "\"anon_rss_kb\":65536,\"file_rss_kb\":800,\"shmem_rss_kb\":0");
	assert_contains(b.p, "\"oom_score_adj\":-17");
	assert_contains(b.p, "\"trigger\":{\"pid\":321,\"tgid\":321,\"comm\":\"hog\"}");
	assert_contains(b.p, "\"parents\":[{\"pid\":300,\"tgid\":300,\"comm\":\"wrapper\"},{\"pid\":1,\"tgid\":1,\"comm\":\"init\"}]");
	assert_contains(b.p, "\"sigkill_after_ns\":1500000");
	assert_contains(b.p, "\"dropped\":3,\"profile\":null}");
	sbuf_free(&b);
}

/* The domain's memory and the ranked processes, from the sections. */
static void kill_json_context(void **state)
{
	static unsigned long long buf[FIXTURE_KILL_EXT_SIZE / 8];
	struct oomprof_oom_kill *k = (void *)buf;
	struct sbuf b = { 0 };

	(void)state;
	fixture_kill_ext(buf);
	assert_int_equal(event_json(&b, &k->hdr, NULL, NULL), 0);
	assert_false(b.failed);
	assert_contains(b.p, "\"oom_domain\":{\"memcg\":{\"usage_bytes\":104857600,\"max_bytes\":104857600,\"high_bytes\":null,\"peak_bytes\":104861696,\"swap_bytes\":0,\"swap_max_bytes\":0,\"events\":{\"low\":0,\"high\":0,\"max\":250,\"oom\":1,\"oom_kill\":1,\"oom_group_kill\":0}}");
	assert_contains(b.p, "\"system\":{\"ram_total_bytes\":1073741824,\"ram_free_bytes\":536870912,\"ram_available_bytes\":600000000,\"swap_free_bytes\":0,\"swap_total_bytes\":null}}");
	assert_contains(b.p, "\"tasks_walked\":97,\"tasks_truncated\":false,");
	assert_contains(b.p, "\"tasks\":[{\"pid\":321,\"tgid\":321,\"comm\":\"hog\",\"uid\":1000,\"oom_score_adj\":-17,\"total_vm_kb\":100000,\"anon_rss_kb\":66000,\"file_rss_kb\":8,\"shmem_rss_kb\":0,\"swap_kb\":0,\"pgtables_kb\":12,\"badness\":16500,\"victim\":true},{\"pid\":322,");
	assert_contains(b.p, "\"comm\":\"sleeper\",\"uid\":1000,\"oom_score_adj\":-1000,");
	assert_contains(b.p, "\"badness\":null,\"victim\":false}]");
	/* The victim's mappings: totals of the kinds it has, the largest. */
	assert_contains(b.p, "\"mappings\":{\"walk\":\"complete\",\"truncated\":false,\"path\":\"in-victim\",\"size_only\":false,\"names_truncated\":true,\"vmas\":40,\"ptes\":760000,\"walk_after_ns\":250000,\"lock_wait_us\":120,\"walk_ns\":3200000,\"totals\":{\"anon\":{\"count\":29,\"size_bytes\":3040989184,\"resident_bytes\":3040989184,\"swap_bytes\":0},\"heap\":{\"count\":1,\"size_bytes\":2097152,\"resident_bytes\":1048576,\"swap_bytes\":0},\"file\":{\"count\":10,\"size_bytes\":8388608,\"resident_bytes\":4194304,\"swap_bytes\":8192}},\"top\":[{\"kind\":\"anon\",\"start\":\"0x7f0000000000\",\"size_bytes\":104861696,\"resident_bytes\":104861696,\"swap_bytes\":0,\"size_only\":false,\"name\":\"\",\"name_truncated\":false},{\"kind\":\"heap\",");
	/* The victim's bytes in a name: escaped as JSON, the cut said. */
	assert_contains(b.p, "\"name\":\"lib/\\u001b[31mevil\\\"name.so\",\"name_truncated\":true}]}");
	sbuf_free(&b);

	/* A record without sections says so. */
	fixture_kill(k);
	assert_int_equal(event_json(&b, &k->hdr, NULL, NULL), 0);
	assert_contains(b.p, "\"oom_domain\":{\"memcg\":null,\"system\":null},\"tasks\":null,\"mappings\":null");
	sbuf_free(&b);
}

static void kill_json_unknowns_are_null(void **state)
{
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };

	(void)state;
	fixture_kill(&k);
	k.hdr.flags = OOMPROF_KILL_NO_CONSTRAINT;
	k.constraint = OOMPROF_CONSTRAINT_UNKNOWN;
	assert_int_equal(event_json(&b, &k.hdr, "/var/lib/oomprof/x.pb.gz", NULL), 0);
	assert_contains(b.p, "\"constraint\":\"unknown\",\"oom_cgroup\":null");
	assert_contains(b.p, "\"anon_rss_kb\":null");
	assert_contains(b.p, "\"sigkill_after_ns\":null");
	assert_contains(b.p, "\"profile\":\"/var/lib/oomprof/x.pb.gz\"");
	sbuf_free(&b);
}

static void json_escapes(void **state)
{
	struct sbuf b = { 0 };

	(void)state;
	sbuf_json_string(&b, "a\"b\\c\n\x01\x7f");
	assert_string_equal(b.p, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\"");
	sbuf_reset(&b);
	/* Valid UTF-8 passes; invalid bytes, overlongs, surrogates do not. */
	sbuf_json_string(&b, "\xc3\xa9|\xff|\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x98\x80");
	assert_string_equal(b.p, "\"\xc3\xa9|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xf0\x9f\x98\x80\"");
	sbuf_free(&b);
}

static void lost_json_and_summary(void **state)
{
	struct oomprof_record_header h;
	struct sbuf b = { 0 };

	(void)state;
	fixture_header(&h, OOMPROF_REC_LOST, sizeof(h));
	h.lost = 41;
	assert_int_equal(event_json(&b, &h, NULL, NULL), 0);
	assert_contains(b.p, "{\"type\":\"lost\",\"seq\":7,\"time\":\"");
	assert_contains(b.p, "\"dropped\":41}");
	sbuf_reset(&b);
	assert_int_equal(event_summary(&b, &h), 0);
	assert_contains(b.p, "41 record(s) lost");
	sbuf_free(&b);
}

static void kill_summary(void **state)
{
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };

	(void)state;
	fixture_kill(&k);
	assert_int_equal(event_summary(&b, &k.hdr), 0);
	assert_contains(b.p, "OOM kill (memcg /t1): pid 321 (hog) uid 1000 in /t1");
	assert_contains(b.p, "took SIGKILL after 1.500 ms");
	assert_contains(b.p, "parents 300 (wrapper) < 1 (init)");
	sbuf_free(&b);
	/* In a container: both pids. */
	k.victim_ns_pid = 1;
	memset(&b, 0, sizeof(b));
	assert_int_equal(event_summary(&b, &k.hdr), 0);
	assert_contains(b.p, "pid 321 (hog) [pid 1 in its namespace] uid 1000");
	sbuf_free(&b);
}

static void unknown_type_has_no_json(void **state)
{
	struct oomprof_record_header h;
	struct sbuf b = { 0 };

	(void)state;
	fixture_header(&h, 99, sizeof(h));
	assert_int_equal(event_json(&b, &h, NULL, NULL), -1);
	sbuf_free(&b);
}

static void escapes(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain /x.y-z_1", "plain /x.y-z_1" },
		{ "a\nb", "a\\x0ab" },
		{ "\r\x1b[2J\x07\t\x7f", "\\x0d\\x1b[2J\\x07\\x09\\x7f" },
		{ "back\\slash", "back\\x5cslash" },
		{ "caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5" },
		{ "\xff\xc3(", "\\xff\\xc3(" },
		{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong '/' */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },	/* surrogate */
		{ "\xc2\x85", "\\xc2\\x85" },			/* NEL */
		{ "\xc2\x9b" "31m", "\\xc2\\x9b" "31m" },		/* CSI */
		{ "\xe2\x80\xa8", "\\xe2\\x80\\xa8" },		/* LINE SEPARATOR */
		{ "\xe2\x80\xae" "cod.exe", "\\xe2\\x80\\xae" "cod.exe" },	/* RLO */
		{ "", "" },
	};
	char small[12];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(esc(cases[i].in), cases[i].out))
			fail_msg("case %zu: \"%s\", expected \"%s\"", i,
				 esc(cases[i].in), cases[i].out);
	/* Cut whole, with "...": never half an escape or a code point. */
	assert_string_equal(esc_into(small, sizeof(small), "abcdefghijklmn"), "abcdefgh...");
	assert_string_equal(esc_into(small, sizeof(small), "abcd\nefgh"), "abcd\\x0a...");
	assert_string_equal(esc_into(small, sizeof(small), "abcdefg\xe6\x97\xa5xy"), "abcdefg...");
	assert_string_equal(esc_into(small, sizeof(small), "abcdefgh\n"), "abcdefgh...");
	assert_string_equal(esc_into(small, sizeof(small), "abcdefghijk"), "abcdefghijk");
}

/* Lines (newline-terminated) @fmt prints on a stream, as a log would. */
static int lines_printed(const char *text)
{
	FILE *f = tmpfile();
	char buf[65536];
	size_t n, i;
	int lines = 0;

	assert_non_null(f);
	fprintf(f, "oomprof-read: %s\n", text);
	rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (i = 0; i < n; i++) {
		/* What a terminal or journal would also take as a break. */
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\x1b' ||
		    buf[i] == '\x07' || (unsigned char)buf[i] >= 0x80)
			lines += buf[i] == '\n' ? 1 : 100;
	}
	return lines;
}

/*
 * A process names itself with a newline and a forged "OOM kill" line (as
 * any user can: prctl), sits in a cgroup named likewise: its record gives
 * exactly one log line, the bytes escaped.
 */
static void hostile_names_one_log_line(void **state)
{
	static const char *const names[] = {
		"x\nOOM kill", "a\rb", "\x1b[2J", "bel\x07", "\xff\xfe",
		"\xc2\x85nel",
	};
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };
	char comm[32], want[64];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;

		/* The comm as the kernel keeps it (15 bytes, raw). */
		assert_int_equal(prctl(PR_SET_NAME, names[i]), 0);
		f = fopen("/proc/self/comm", "r");
		assert_non_null(f);
		n = fread(comm, 1, sizeof(comm) - 1, f);
		fclose(f);
		/* /proc adds a newline: the name's own come first. */
		assert_true(n > 0 && comm[n - 1] == '\n');
		comm[n - 1] = '\0';
		assert_string_equal(comm, names[i]);
		fixture_kill(&k);
		strcpy(k.victim.comm, comm);
		strcpy(k.trigger.comm, comm);
		strcpy(k.parents[0].comm, comm);
		snprintf(k.victim_cgroup, sizeof(k.victim_cgroup),
			 "/user.slice/%s\n2026 OOM kill (global): pid 1 (systemd)",
			 comm);
		strcpy(k.oom_cgroup, k.victim_cgroup);
		sbuf_reset(&b);
		assert_int_equal(event_summary(&b, &k.hdr), 0);
		if (lines_printed(b.p) != 1)
			fail_msg("name #%zu gave a log line that breaks: %s", i, b.p);
		snprintf(want, sizeof(want), "pid 321 (%s)", esc(comm));
		assert_non_null(strstr(b.p, want));
		assert_non_null(strstr(b.p, "\\x0a2026 OOM kill (global)"));
		/* The same names through esc() in the daemon's own lines. */
		snprintf(want, sizeof(want), "heap profile of pid 1 (%s): %s",
			 esc(comm), esc(k.victim_cgroup));
		assert_int_equal(lines_printed(want), 1);
	}
	prctl(PR_SET_NAME, "test_events");
	sbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_json_fields),
		cmocka_unit_test(kill_json_context),
		cmocka_unit_test(kill_json_unknowns_are_null),
		cmocka_unit_test(json_escapes),
		cmocka_unit_test(lost_json_and_summary),
		cmocka_unit_test(kill_summary),
		cmocka_unit_test(unknown_type_has_no_json),
		cmocka_unit_test(escapes),
		cmocka_unit_test(hostile_names_one_log_line),
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
