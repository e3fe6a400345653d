// SPDX-License-Identifier: GPL-2.0
/* events.jsonl lines and log lines: user/events.c, user/sbuf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_json_fields),
		cmocka_unit_test(kill_json_unknowns_are_null),
		cmocka_unit_test(json_escapes),
		cmocka_unit_test(lost_json_and_summary),
		cmocka_unit_test(kill_summary),
		cmocka_unit_test(unknown_type_has_no_json),
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
