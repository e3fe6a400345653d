// SPDX-License-Identifier: GPL-2.0
/*
 * oomprof-read --show (user/show.c, user/json.c) on events.jsonl lines
 * made by the daemon's own formatters (event_json, pwriter_done_json) from
 * fixture records: the facts of each kill, hostile names never reaching
 * the terminal raw, broken lines skipped with a note, --last/--pid, and
 * profile files opened only as regular files of DIR, within their caps.
 * The top-10 table itself is checked against go tool pprof by
 * show_top_check.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "events.h"
#include "json.h"
#include "profile.pb-c.h"
#include "pwriter.h"
#include "record_fixtures.h"
#include "show.h"
#include "tmpdir.h"

struct out {
	char *text, *notes;
	int rc;
};

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected\n  %s\nin\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect\n  %s\nin\n%s", needle, hay);
}

/* No byte a terminal acts on: C0 but newline, DEL, C1 (as UTF-8). */
static void assert_terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %zu of\n%s", *p,
				 (size_t)(p - (const unsigned char *)s), s);
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
			fail_msg("C1 control U+%04X at offset %zu", p[1],
				 (size_t)(p - (const unsigned char *)s));
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xae || p[2] == 0xa8))
			fail_msg("bidi override or line separator at offset %zu",
				 (size_t)(p - (const unsigned char *)s));
	}
}

static void run_show(const char *path, unsigned long long last, long long pid,
		     struct out *o)
{
	struct show_opts opts = { .path = path, .last = last, .pid = pid };
	size_t tl = 0, nl = 0;
	FILE *out = open_memstream(&o->text, &tl);
	FILE *err = open_memstream(&o->notes, &nl);

	assert_non_null(out);
	assert_non_null(err);
	o->rc = show_main(&opts, out, err);
	fclose(out);
	fclose(err);
	assert_terminal_safe(o->text);
	assert_terminal_safe(o->notes);
}

static void out_free(struct out *o)
{
	free(o->text);
	free(o->notes);
}

static void append(const char *dir, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	f = fopen(path, "a");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* The daemon's line for @k (as handle_record writes it). */
static void append_kill(const char *dir, const struct oomprof_oom_kill *k,
			const char *profile, const char *error, int pending)
{
	struct sbuf b = { 0 };

	assert_int_equal(event_json(&b, &k->hdr, profile, error), 0);
	if (pending)
		pwriter_mark_pending(&b);
	sbuf_printf(&b, "\n");
	assert_false(b.failed);
	append(dir, b.p, b.len);
	sbuf_free(&b);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void kill_facts(void **state)
{
	struct oomprof_oom_kill k;
	char dir[64];
	struct out o;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	fixture_kill(&k);
	k.victim_ns_pid = 5;
	append_kill(dir, &k, NULL, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_int_equal(o.rc, 0);
	assert_contains(o.text, ": 1 OOM kill(s); showing 1\n");
	assert_contains(o.text, "OOM kill 1 of 1: 2026-11-23T08:10:11.123456789Z (record 7)");
	assert_contains(o.text, "victim      pid 321 (hog), uid 1000, pid 5 in its namespace\n");
	assert_contains(o.text, "cgroup      /t1\n");
	assert_contains(o.text, "constraint  memcg: OOM cgroup /t1 (allocation of order 0, gfp 0x0)\n");
	/* 65536 + 800 + 0 kB */
	assert_contains(o.text, "RSS 64.8 MiB = anon 64.0 MiB + file 800.0 KiB + shmem 0 B; page tables 180.0 KiB; virtual 68.4 MiB; oom_score_adj -17\n");
	assert_contains(o.text, "trigger     321 (hog)\n");
	assert_contains(o.text, "parents     300 (wrapper) < 1 (init)\n");
	assert_contains(o.text, "SIGKILL     taken 1.500 ms after the kill\n");
	assert_lacks(o.text, "go capture");
	assert_string_equal(o.notes, "");
	out_free(&o);
	tmpdir_remove(dir);
}

static void hostile_names(void **state)
{
	static const char *const names[] = {
		"\x1b[31mred", "a\nOOM kill 1 of 1", "\r\x07\x08", "\xc2\x9b" "2J",
		"\xe2\x80\xae" "gpj.exe", "\xff\xfe", "back\\slash", "\x7f",
	};
	struct oomprof_oom_kill k;
	char dir[64];
	struct out o;
	size_t i;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fixture_kill(&k);
		snprintf(k.victim.comm, sizeof(k.victim.comm), "%s", names[i]);
		snprintf(k.trigger.comm, sizeof(k.trigger.comm), "%s", names[i]);
		snprintf(k.parents[0].comm, sizeof(k.parents[0].comm), "%s", names[i]);
		snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "/u/%s/x", names[i]);
		snprintf(k.oom_cgroup, sizeof(k.oom_cgroup), "/u/%s", names[i]);
		k.hdr.flags |= OOMPROF_KILL_GO_PROCESS;
		append_kill(dir, &k, NULL, names[i], 0);
	}
	run_show(dir, 0, -1, &o);	/* checks every byte */
	assert_int_equal(o.rc, 0);
	assert_int_equal(count(o.text, "\nOOM kill "), 8);
	assert_contains(o.text, "pid 321 (\\x1b[31mred)");
	assert_contains(o.text, "cgroup      /u/a\\x0aOOM kill 1 of 1/x\n");
	assert_contains(o.text, "(\\x0d\\x07\\x08)");
	assert_contains(o.text, "\\xc2\\x9b2J");
	assert_contains(o.text, "\\xe2\\x80\\xaegpj.exe");
	assert_contains(o.text, "back\\x5cslash");
	/* The daemon writes invalid UTF-8 as U+FFFD: shown as it is. */
	assert_contains(o.text, "pid 321 (\xef\xbf\xbd\xef\xbf\xbd)");
	assert_contains(o.text, "profile     none: \\x1b[31mred\n");
	out_free(&o);
	tmpdir_remove(dir);
}

static void broken_lines(void **state)
{
	struct oomprof_oom_kill k;
	struct sbuf b = { 0 };
	char dir[64], *big, *deep;
	struct out o;
	size_t i;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	fixture_kill(&k);
	k.victim.tgid = k.victim.pid = 100;
	append_kill(dir, &k, NULL, NULL, 0);
	/* A line cut in the middle (a crash while writing), then garbage. */
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	append(dir, b.p, b.len / 2);
	append(dir, "\n}{\n[1,2\n\"x\x01\"\n{\"type\":7}\n\n", 27);
	/* 2 MiB on one line, and 10^5 brackets deep. */
	big = malloc(2u << 20);
	assert_non_null(big);
	memset(big, 'a', 2u << 20);
	big[0] = '"';
	append(dir, big, 2u << 20);
	append(dir, "\n", 1);
	deep = malloc(100001);
	assert_non_null(deep);
	for (i = 0; i < 100000; i++)
		deep[i] = '[';
	deep[100000] = '\n';
	append(dir, deep, 100001);
	k.victim.tgid = k.victim.pid = 101;
	append_kill(dir, &k, NULL, NULL, 0);
	/* The last line without its newline: parsed if whole. */
	k.victim.tgid = k.victim.pid = 102;
	sbuf_reset(&b);
	assert_int_equal(event_json(&b, &k.hdr, NULL, NULL), 0);
	append(dir, b.p, b.len);
	run_show(dir, 0, -1, &o);
	assert_int_equal(o.rc, 0);
	assert_contains(o.text, ": 3 OOM kill(s), 7 line(s) unreadable; showing 3\n");
	assert_contains(o.text, "pid 100 (hog)");
	assert_contains(o.text, "pid 101 (hog)");
	assert_contains(o.text, "pid 102 (hog)");
	/* One line per skipped line, naming it and why. */
	assert_int_equal(count(o.notes, "\n"), 7);
	assert_contains(o.notes, "line 2 skipped: unterminated string");
	assert_contains(o.notes, "line 3 skipped: unexpected byte at byte 0");
	assert_contains(o.notes, "line 4 skipped: unterminated array or object");
	assert_contains(o.notes, "line 5 skipped: control byte in a string");
	assert_contains(o.notes, "line 6 skipped: not an object with a \"type\"");
	assert_contains(o.notes, "line 8 skipped: longer than 1 MiB");
	assert_contains(o.notes, "line 9 skipped: nested too deep");
	out_free(&o);
	free(big);
	free(deep);
	sbuf_free(&b);
	tmpdir_remove(dir);
}

static void selection(void **state)
{
	static const unsigned int pids[] = { 100, 101, 102, 103, 102 };
	struct oomprof_oom_kill k;
	char dir[64], path[128];
	struct out o;
	size_t i;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	for (i = 0; i < 5; i++) {
		fixture_kill(&k);
		k.hdr.seq = 10 + i;
		k.victim.tgid = pids[i];
		k.victim.pid = pids[i] + (i == 4 ? 7 : 0);	/* a thread */
		append_kill(dir, &k, NULL, NULL, 0);
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	/* Default --last 1: the last kill only. */
	run_show(path, 1, -1, &o);
	assert_contains(o.text, ": 5 OOM kill(s); showing the last 1\n");
	assert_int_equal(count(o.text, "\nOOM kill "), 1);
	assert_contains(o.text, "OOM kill 5 of 5: 2026-11-23T08:10:11.123456789Z (record 14)");
	assert_contains(o.text, "pid 102 (hog), thread 109");
	out_free(&o);
	run_show(path, 2, -1, &o);
	assert_int_equal(count(o.text, "\nOOM kill "), 2);
	assert_contains(o.text, "(record 13)");
	assert_contains(o.text, "(record 14)");
	out_free(&o);
	run_show(path, 0, -1, &o);
	assert_int_equal(count(o.text, "\nOOM kill "), 5);
	out_free(&o);
	/* --pid: every kill of that tgid, and of a thread id. */
	run_show(dir, 0, 102, &o);
	assert_contains(o.text, ": 5 OOM kill(s), 2 of pid 102; showing 2\n");
	assert_contains(o.text, "(record 12)");
	assert_contains(o.text, "(record 14)");
	out_free(&o);
	run_show(dir, 0, 109, &o);
	assert_int_equal(count(o.text, "\nOOM kill "), 1);
	out_free(&o);
	run_show(dir, 0, 5555, &o);
	assert_contains(o.text, "0 of pid 5555; none to show\n");
	out_free(&o);
	/* No file: a message naming what to give, exit 1. */
	run_show("/nonexistent/oomprof", 1, -1, &o);
	assert_int_equal(o.rc, 1);
	assert_contains(o.notes, "give oomprof-read's -d DIR or its events.jsonl");
	out_free(&o);
	tmpdir_remove(dir);
}

/* A small real profile: main.leak 3 x 1 MiB under main.main. */
static void write_profile(const char *path, int gzipped, size_t pad)
{
	Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType vt[2] = {
		PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
		PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
	Perftools__Profiles__ValueType *vts[2] = { &vt[0], &vt[1] };
	Perftools__Profiles__Sample s = PERFTOOLS__PROFILES__SAMPLE__INIT;
	Perftools__Profiles__Sample *ss[1] = { &s };
	Perftools__Profiles__Location l[2] = {
		PERFTOOLS__PROFILES__LOCATION__INIT,
		PERFTOOLS__PROFILES__LOCATION__INIT };
	Perftools__Profiles__Location *ls[2] = { &l[0], &l[1] };
	Perftools__Profiles__Line ln[2] = { PERFTOOLS__PROFILES__LINE__INIT,
					    PERFTOOLS__PROFILES__LINE__INIT };
	Perftools__Profiles__Line *lns[2] = { &ln[0], &ln[1] };
	Perftools__Profiles__Function f[2] = {
		PERFTOOLS__PROFILES__FUNCTION__INIT,
		PERFTOOLS__PROFILES__FUNCTION__INIT };
	Perftools__Profiles__Function *fs[2] = { &f[0], &f[1] };
	char *strs[] = { "", "inuse_objects", "count", "inuse_space", "bytes",
			 "main.leak", "main.main" };
	uint64_t locid[2] = { 1, 2 };
	int64_t val[2] = { 3, 3 << 20 };
	uint8_t *buf;
	size_t len;
	gzFile gz;
	FILE *f0;

	vt[0].type = 1; vt[0].unit = 2; vt[1].type = 3; vt[1].unit = 4;
	p.n_sample_type = 2; p.sample_type = vts;
	s.n_location_id = 2; s.location_id = locid; s.n_value = 2; s.value = val;
	p.n_sample = 1; p.sample = ss;
	for (int i = 0; i < 2; i++) {
		f[i].id = i + 1; f[i].name = 5 + i;
		ln[i].function_id = i + 1;
		l[i].id = i + 1; l[i].n_line = 1; l[i].line = &lns[i];
	}
	p.n_location = 2; p.location = ls;
	p.n_function = 2; p.function = fs;
	p.n_string_table = 7; p.string_table = strs;
	len = perftools__profiles__profile__get_packed_size(&p);
	buf = calloc(1, len + pad);
	assert_non_null(buf);
	perftools__profiles__profile__pack(&p, buf);
	if (gzipped) {
		gz = gzopen(path, "wb");
		assert_non_null(gz);
		assert_int_equal(gzwrite(gz, buf, (unsigned int)(len + pad)),
				 (int)(len + pad));
		gzclose(gz);
	} else {
		f0 = fopen(path, "wb");
		assert_non_null(f0);
		fwrite(buf, 1, len, f0);
		fclose(f0);
	}
	free(buf);
}

static struct oomprof_oom_kill *go_kill(void)
{
	struct oomprof_oom_kill *k = calloc(1, sizeof(*k) +
					    sizeof(struct oomprof_go_capture));
	struct oomprof_go_capture *cap;

	assert_non_null(k);
	fixture_kill(k);
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.size = sizeof(*k) + sizeof(*cap);
	k->hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	k->capture_path = OOMPROF_CAPTURE_PATH_VICTIM;
	cap = (void *)(k + 1);
	cap->stop = OOMPROF_STOP_NONE;
	cap->nbuckets = 4;
	cap->bucket_bytes = 912;
	cap->start_boottime_ns = k->kill_boottime_ns + 1622000;
	cap->duration_ns = 50000;
	cap->mem_profile_rate = 524288;
	return k;
}

static void go_profile(void **state)
{
	struct oomprof_oom_kill *k = go_kill();
	struct pwriter_done d = { .rec = k };
	struct sbuf b = { 0 };
	char dir[64], path[256], other[64], link[256];
	struct out o;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	snprintf(path, sizeof(path), "%s/hog-321-20261123081011.pb.gz", dir);
	write_profile(path, 1, 0);
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "go capture  complete, in-victim path; 4 buckets, 912 B copied, in 0.050 ms starting 1.622 ms after the kill; MemProfileRate 524288\n");
	assert_contains(o.text, "profile     ");
	assert_contains(o.text, "top 2 allocation sites (inuse_space, as go tool pprof -top shows them): 2 of 2 functions, total 3MB\n");
	assert_contains(o.text, "           3MB   100%   100%        3MB   100%  main.leak\n");
	assert_contains(o.text, "             0     0%   100%        3MB   100%  main.main\n");
	out_free(&o);

	/* A large one: the kill line says pending, a "profile" line ends it. */
	k->hdr.seq = 8;
	append_kill(dir, k, path, NULL, 1);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "(announced; no \"profile\" line yet: being written when the file was read)\n");
	out_free(&o);
	d.path = path;
	d.ms = 12.5;
	pwriter_done_json(&b, &d);
	sbuf_printf(&b, "\n");
	append(dir, b.p, b.len);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "(record 8)");
	assert_contains(o.text, "main.leak\n");
	out_free(&o);
	/* ... or says why there is none. */
	k->hdr.seq = 9;
	append_kill(dir, k, path, NULL, 1);
	sbuf_reset(&b);
	d.rc = -1;
	d.why = "disk full";
	pwriter_done_json(&b, &d);
	sbuf_printf(&b, "\n");
	append(dir, b.p, b.len);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "profile     none: disk full\n");
	out_free(&o);

	/* Only a regular file of DIR, by name: not through a symlink... */
	assert_int_equal(tmpdir_make(other, sizeof(other), "show-other"), 0);
	snprintf(link, sizeof(link), "%s/x-1-20261123081011.pb.gz", other);
	write_profile(link, 1, 0);
	snprintf(path, sizeof(path), "%s/x-1-20261123081011.pb.gz", dir);
	assert_int_equal(symlink(link, path), 0);
	k->hdr.seq = 10;
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "not read: x-1-20261123081011.pb.gz in DIR: a symlink (not followed)");
	assert_lacks(o.text, "main.leak");
	out_free(&o);
	/* ... nor a path with "..", nor a FIFO (no hang: O_NONBLOCK). */
	snprintf(path, sizeof(path), "%s/../%s/x-1-20261123081011.pb.gz", dir,
		 other + 5);
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "not read: the path has a \"..\" component");
	out_free(&o);
	snprintf(path, sizeof(path), "%s/fifo-1-20261123081011.pb.gz", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "in DIR: not a regular file");
	out_free(&o);
	/* A gzip bomb stops at the cap; not gzip; gzip but not a profile. */
	show_max_raw = 4u << 20;
	snprintf(path, sizeof(path), "%s/bomb-1-20261123081011.pb.gz", dir);
	write_profile(path, 1, 64u << 20);
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "in DIR: more than 4 MiB uncompressed");
	out_free(&o);
	show_max_raw = SHOW_MAX_RAW;
	snprintf(path, sizeof(path), "%s/raw-1-20261123081011.pb.gz", dir);
	write_profile(path, 0, 0);
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "in DIR: not gzip or cut short");
	out_free(&o);
	snprintf(path, sizeof(path), "%s/junk-1-20261123081011.pb.gz", dir);
	{
		gzFile gz = gzopen(path, "wb");

		gzwrite(gz, "\xff\xff\xff\xff\xff", 5);
		gzclose(gz);
	}
	append_kill(dir, k, path, NULL, 0);
	run_show(dir, 1, -1, &o);
	assert_contains(o.text, "in DIR: not a pprof profile");
	out_free(&o);
	sbuf_free(&b);
	free(k);
	tmpdir_remove(other);
	tmpdir_remove(dir);
}

/* oom_domain and tasks: every member shown, whatever their keys. */
static void domain_and_tasks(void **state)
{
	unsigned char rec[FIXTURE_KILL_EXT_SIZE];
	struct oomprof_oom_kill *k = (void *)rec;
	struct oomprof_sec_tasks *t;
	struct sbuf b = { 0 };
	char dir[64];
	struct out o;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	/* A record with sections, through the daemon's own formatter. */
	fixture_kill_ext(rec);
	t = (void *)(rec + FIXTURE_KILL_EXT_SIZE - sizeof(*t) -
		     FIXTURE_KILL_EXT_TASKS * sizeof(struct oomprof_task_mem));
	assert_int_equal(t->sec.type, OOMPROF_SEC_TASKS);
	memcpy(t->tasks[1].comm, "\x1b]0;owned\x07", 11);
	assert_int_equal(event_json(&b, &k->hdr, NULL, NULL), 0);
	sbuf_printf(&b, "\n");
	append(dir, b.p, b.len);
	run_show(dir, 1, -1, &o);
	/* The fixture's memcg: 100 MiB in use of 100 MiB, high unlimited. */
	assert_contains(o.text, "  memcg       in use 100.0 MiB of max 100.0 MiB (high none), peak 100.0 MiB; swap 0 B of max 0 B\n");
	assert_contains(o.text, "  events      low 0, high 0, max 250, oom 1, oom_kill 1, oom_group_kill 0\n");
	assert_contains(o.text, "  machine     RAM 512.0 MiB free, 572.2 MiB available, of 1.00 GiB; swap 0 B free of unknown\n");
	assert_contains(o.text, "  ranked      3 of the OOM domain's processes by the OOM killer's badness (97 walked in 0.0 ms):\n");
	/* anon = badness * 4 kB, file 8 kB: the victim first, marked. */
	assert_contains(o.text, "        321 hog                1000   -17   64.5 MiB   64.5 MiB   8.00 KiB        0 B        0 B   12.0 KiB      16500  <- killed\n");
	assert_contains(o.text, "        322 \\x1b]0;owned\\x07   1000     0   31.3 MiB   31.2 MiB   8.00 KiB        0 B        0 B   12.0 KiB       8000\n");
	assert_contains(o.text, "        323 sleeper            1000 -1000   8.00 KiB        0 B   8.00 KiB        0 B        0 B   12.0 KiB unkillable\n");
	/* The mappings: the walk, a line per kind, the largest; names escaped. */
	assert_contains(o.text, "  mappings    40 walked in-victim in 3.2 ms, 0.2 ms after the kill (complete, some names cut)\n");
	assert_contains(o.text, "    anon      2.83 GiB resident in 29 mappings of 2.83 GiB\n");
	assert_contains(o.text, "    heap      1.00 MiB resident in 1 mapping of 2.00 MiB\n");
	assert_contains(o.text, "    file      4.00 MiB resident in 10 mappings of 8.00 MiB, 8.00 KiB swapped\n");
	assert_contains(o.text, "    0x7f0000000000      100.0 MiB  100.0 MiB        0 B anon     \n");
	assert_contains(o.text, "    0x555555560000       2.00 MiB   1.00 MiB        0 B heap     [heap]\n");
	assert_contains(o.text, "    0x7f1000000000       1.00 MiB  512.0 KiB   8.00 KiB file     ...lib/\\x1b[31mevil\"name.so\n");
	assert_null(strchr(o.text, '\x1b'));
	out_free(&o);
	sbuf_free(&b);
	tmpdir_remove(dir);
}

/* A pod's container: the daemon's "container" object, kubelet names too. */
#define UID "3e5f7a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
#define UID_ "3e5f7a1c_2b4d_4e6f_8a9b_0c1d2e3f4a5b"
#define CID "4f3c1a2b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"

static void container(void **state)
{
	struct oomprof_oom_kill k;
	char dir[64], logs[64], p[512];
	struct out o;

	(void)state;
	assert_int_equal(tmpdir_make(dir, sizeof(dir), "show"), 0);
	assert_int_equal(tmpdir_make(logs, sizeof(logs), "show-kubelet"), 0);
	chmod(logs, 0755);
	snprintf(p, sizeof(p), "%s/pods", logs);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/containers", logs);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/pods/shop_cart-7d9f_" UID, logs);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/pods/shop_cart-7d9f_" UID "/app", logs);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/containers/cart-7d9f_shop_app-" CID ".log", logs);
	assert_int_equal(symlink("/var/log/pods/shop_cart-7d9f_" UID "/app/0.log", p), 0);
	setenv("OOMPROF_KUBELET_LOG_ROOT", logs, 1);
	fixture_kill(&k);
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "%s",
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CID ".scope");
	append_kill(dir, &k, NULL, NULL, 0);
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "/docker/%s", CID);
	append_kill(dir, &k, NULL, NULL, 0);
	run_show(dir, 0, -1, &o);
	assert_contains(o.text, "container   pod shop/cart-7d9f, container app, containerd 4f3c1a2b5d6e (systemd driver, qos burstable, pod uid " UID ")\n");
	assert_contains(o.text, "container   docker 4f3c1a2b5d6e (cgroupfs driver)\n");
	out_free(&o);
	unsetenv("OOMPROF_KUBELET_LOG_ROOT");
	tmpdir_remove(logs);
	tmpdir_remove(dir);
}

/*
 * The reader's cost is linear: 4x the input, at most ~4x the time. The
 * fastest of five parses: a loaded machine stretches some of them (a
 * parse of 15 ms once took 300 ms beside three guests), never all.
 */
static double parse_secs(const char *s, size_t len)
{
	struct timespec t0, t1;
	struct json_doc d;
	char why[128];
	double best = 1e9, t;
	int i;

	for (i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		json_parse(&d, s, len, why, sizeof(why));
		json_free(&d);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		t = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (t < best)
			best = t;
	}
	return best;
}

static void json_linear(void **state)
{
	size_t n = 1u << 18, i, k;
	char *s = malloc(4 * n + 16);
	double small, big;

	(void)state;
	assert_non_null(s);
	/* Many keys, each looked up: {"k":1,"k":1,...} */
	for (k = 1; k <= 4; k *= 4) {
		size_t len = 0;

		s[len++] = '{';
		for (i = 0; len + 8 < k * n; i++)
			len += (size_t)sprintf(s + len, "%s\"k\":1", i ? "," : "");
		s[len++] = '}';
		if (k == 1)
			small = parse_secs(s, len);
		else
			big = parse_secs(s, len);
	}
	print_message("    many keys: %.4f s for 256 KiB, %.4f s for 1 MiB\n", small, big);
	assert_true(big < 10 * small + 0.05);
	/* One long string of escapes. */
	for (k = 1; k <= 4; k *= 4) {
		size_t len = 0;

		s[len++] = '"';
		while (len + 8 < k * n)
			len += (size_t)sprintf(s + len, "\\u00e9");
		s[len++] = '"';
		if (k == 1)
			small = parse_secs(s, len);
		else
			big = parse_secs(s, len);
	}
	print_message("    escapes:   %.4f s for 256 KiB, %.4f s for 1 MiB\n", small, big);
	assert_true(big < 10 * small + 0.05);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kill_facts),
		cmocka_unit_test(hostile_names),
		cmocka_unit_test(broken_lines),
		cmocka_unit_test(selection),
		cmocka_unit_test(go_profile),
		cmocka_unit_test(domain_and_tasks),
		cmocka_unit_test(container),
		cmocka_unit_test(json_linear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
