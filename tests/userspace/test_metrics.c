// SPDX-License-Identifier: GPL-2.0
/*
 * --metrics FILE (user/metrics.c): kill records, hostile names included,
 * counted and written; the file is then read by a real Prometheus text
 * parser (prometheus_client, through tests/userspace/metrics_check.py),
 * which must find exactly the counts fed. Also: the series cap, writes
 * that fail (a file size limit; a full tmpfs when run as root) losing no
 * count and said once, and directories and temporary files others could
 * have planted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "record_fixtures.h"
#include "tmpdir.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	return tmpdir_make(dir, sizeof(dir), "metrics");
}

static int teardown(void **state)
{
	char sub[128];

	(void)state;
	snprintf(sub, sizeof(sub), "%s/tiny", dir);
	umount2(sub, MNT_DETACH);
	return tmpdir_remove(dir);
}

/* Expected samples, as metrics_check.py reads them (JSON). */
struct expect {
	struct sbuf b;
	int n;
	/* More JSON members; then the kill series are not listed. */
	const char *extra;
};

static void want_begin(struct expect *e)
{
	memset(e, 0, sizeof(*e));
	sbuf_printf(&e->b, "{\"samples\":[");
}

/* @nl label pairs (name, value) after @value. */
static void want_sample(struct expect *e, const char *name,
			  unsigned long long value, int nl, ...)
{
	va_list ap;
	int i;

	sbuf_printf(&e->b, "%s[\"%s\",{", e->n++ ? "," : "", name);
	va_start(ap, nl);
	for (i = 0; i < nl; i++) {
		const char *k = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);

		sbuf_printf(&e->b, "%s\"%s\":", i ? "," : "", k);
		sbuf_json_string(&e->b, v);
	}
	va_end(ap);
	sbuf_printf(&e->b, "},%llu]", value);
}

static void kills(struct expect *e, unsigned long long n, const char *cgroup,
		  const char *comm, const char *constraint)
{
	want_sample(e, "oomprof_oom_kills_total", n, 6, "cgroup", cgroup,
		      "comm", comm, "constraint", constraint, "namespace", "",
		      "pod", "", "container", "");
}

/* The file checked by the real parser against @e; its verdict. */
static void parse_check(struct expect *e, const char *file)
{
	char path[128], cmd[512], out[1024] = "";
	FILE *f, *p;
	size_t n;
	int rc;

	sbuf_printf(&e->b, "],\"only\":[%s],\"types\":{\"oomprof_oom_kills_total\":\"counter\",\"oomprof_profiles_written_total\":\"counter\",\"oomprof_records_lost_total\":\"counter\",\"oomprof_oom_kill_series\":\"gauge\"}%s}",
		    e->extra ? "" : "\"oomprof_oom_kills_total\"",
		    e->extra ? e->extra : "");
	assert_false(e->b.failed);
	snprintf(path, sizeof(path), "%s/expect.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(e->b.p, f);
	fclose(f);
	sbuf_free(&e->b);
	snprintf(cmd, sizeof(cmd), "python3 tests/userspace/metrics_check.py '%s' '%s' 2>&1",
		 file, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	rc = pclose(p);
	if (rc != 0 || strncmp(out, "ok:", 3))
		fail_msg("metrics_check.py on %s: %s", file, out);
}

static void kill_in(struct oomprof_oom_kill *k, const char *cg,
		    const char *comm)
{
	fixture_kill(k);
	snprintf(k->victim_cgroup, sizeof(k->victim_cgroup), "%s/leaf", cg);
	snprintf(k->oom_cgroup, sizeof(k->oom_cgroup), "%s", cg);
	snprintf(k->victim.comm, sizeof(k->victim.comm), "%s", comm);
}

static void file_path(char *out, size_t cap)
{
	snprintf(out, cap, "%s/oomprof.prom", dir);
}

static void open_metrics(struct metrics *m, size_t max)
{
	char file[128], why[1024];

	file_path(file, sizeof(file));
	if (metrics_open(m, file, max, why, sizeof(why)))
		fail_msg("metrics_open: %s", why);
}

/* Kills with names a user picks, read back by prometheus_client. */
static void hostile_labels_parse_back(void **state)
{
	struct oomprof_oom_kill k;
	struct oomprof_stats st;
	struct metrics m;
	struct expect e;
	char file[128];
	int i;

	(void)state;
	open_metrics(&m, METRICS_MAX_SERIES);
	file_path(file, sizeof(file));
	want_begin(&e);
	/* Plain: three in /t1, two in /t2. */
	for (i = 0; i < 3; i++) {
		kill_in(&k, "/t1", "hog");
		metrics_kill(&m, &k);
	}
	for (i = 0; i < 2; i++) {
		kill_in(&k, "/t2", "hog");
		metrics_kill(&m, &k);
	}
	kills(&e, 3, "/t1", "hog", "memcg");
	/* The format's three escapes, in comm and cgroup. */
	kill_in(&k, "/q\"x\\y\nz} 99", "a\"b\\c\nd");
	metrics_kill(&m, &k);
	kills(&e, 1, "/q\"x\\y\nz} 99", "a\"b\\c\nd", "memcg");
	/* Not UTF-8: each stray byte is U+FFFD, as in events.jsonl. */
	kill_in(&k, "/bad\xff", "x\xfe\xc0\xafy");
	metrics_kill(&m, &k);
	kills(&e, 1, "/bad\xef\xbf\xbd",
	      "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy", "memcg");
	/* Terminal escapes, CR, a forged sample line; and "other". */
	kill_in(&k, "/t1", "\033[31m\r\a\t");
	metrics_kill(&m, &k);
	kills(&e, 1, "/t1", "\033[31m\r\a\t", "memcg");
	kill_in(&k, "/t1", "other");
	metrics_kill(&m, &k);
	kills(&e, 1, "/t1", "other", "memcg");
	kill_in(&k, "/t1", "\nfoo_total 1e9");
	metrics_kill(&m, &k);
	kills(&e, 1, "/t1", "\nfoo_total 1e9", "memcg");
	/* A global OOM: its domain is "/", whatever the victim's cgroup. */
	kill_in(&k, "", "hog");
	k.constraint = OOMPROF_CONSTRAINT_GLOBAL;
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup), "/t1");
	metrics_kill(&m, &k);
	kill_in(&k, "", "hog");
	k.constraint = OOMPROF_CONSTRAINT_UNKNOWN;
	metrics_kill(&m, &k);
	kills(&e, 1, "/", "hog", "global");
	kills(&e, 1, "/", "hog", "unknown");
	/* A Go capture is a kill too (OOMPROF_REC_GO_HEAP). */
	kill_in(&k, "/t2", "hog");
	k.hdr.type = OOMPROF_REC_GO_HEAP;
	metrics_kill(&m, &k);
	kills(&e, 3, "/t2", "hog", "memcg");

	metrics_profile(&m, 0);
	metrics_profile(&m, 0);
	metrics_profile(&m, 1);
	metrics_profile_failed(&m, METRICS_FAIL_NOT_CAPTURED,
			       OOMPROF_STOP_NO_BUFFER);
	metrics_profile_failed(&m, METRICS_FAIL_NOT_CAPTURED,
			       OOMPROF_STOP_EXITING);
	metrics_profile_failed(&m, METRICS_FAIL_NOT_CAPTURED,
			       OOMPROF_STOP_EXITING);
	metrics_profile_failed(&m, METRICS_FAIL_NOT_CAPTURED, 9999);
	metrics_profile_failed(&m, METRICS_FAIL_WRITE, 0);
	metrics_profile_failed(&m, METRICS_FAIL_WRITE, 0);
	metrics_lost(&m, 5);
	metrics_lost(&m, 7);
	want_sample(&e, "oomprof_profiles_written_total", 2, 1, "capture", "complete");
	want_sample(&e, "oomprof_profiles_written_total", 1, 1, "capture", "partial");
	want_sample(&e, "oomprof_profiles_failed_total", 1, 1, "reason", "no_buffer");
	want_sample(&e, "oomprof_profiles_failed_total", 2, 1, "reason", "exiting");
	want_sample(&e, "oomprof_profiles_failed_total", 1, 1, "reason", "other_stop");
	want_sample(&e, "oomprof_profiles_failed_total", 0, 1, "reason", "mm_busy");
	want_sample(&e, "oomprof_profiles_failed_total", 2, 1, "reason", "write_failed");
	want_sample(&e, "oomprof_records_lost_total", 12, 0);
	want_sample(&e, "oomprof_oom_kill_series", 9, 0);

	/* The module's counters: distinct values, each in its place. */
	memset(&st, 0, sizeof(st));
	st.kills_seen = 101;
	st.records_lost = 103;
	st.captures = 107;
	st.captures_dropped = 109;
	st.registered = 11;
	st.buffer_used = 4096;
	st.kill_slots = 64;
	st.reserved_bytes = 1 << 20;
	st.probes = OOMPROF_PROBE_MARK_VICTIM | OOMPROF_PROBE_SCHED_EXIT;
	want_sample(&e, "oomprof_module_up", 1, 0);
	want_sample(&e, "oomprof_module_kills_seen_total", 101, 0);
	want_sample(&e, "oomprof_module_records_lost_total", 103, 0);
	want_sample(&e, "oomprof_module_captures_total", 107, 0);
	want_sample(&e, "oomprof_module_captures_dropped_total", 109, 0);
	want_sample(&e, "oomprof_module_registered", 11, 0);
	want_sample(&e, "oomprof_module_buffer_used_bytes", 4096, 0);
	want_sample(&e, "oomprof_module_kill_slots", 64, 0);
	want_sample(&e, "oomprof_module_reserved_bytes", 1 << 20, 0);
	want_sample(&e, "oomprof_module_probe_attached", 1, 1, "probe", "mark_victim");
	want_sample(&e, "oomprof_module_probe_attached", 0, 1, "probe", "signal_deliver");
	want_sample(&e, "oomprof_module_probe_attached", 1, 1, "probe", "sched_process_exit");
	assert_int_equal(metrics_write(&m, &st, 100), 0);
	assert_int_equal(m.dirty, 0);
	parse_check(&e, file);
	metrics_close(&m);
}

/* Exactly what the format says, byte for byte. */
static void escaping_exact(void **state)
{
	struct sbuf b = { 0 };
	char v[64];

	(void)state;
	metrics_escape_label(&b, "a\\b\"c\nd\re\t");
	assert_string_equal(b.p, "a\\\\b\\\"c\\nd\re\t");
	sbuf_free(&b);
	metrics_label_value(v, sizeof(v), "\xc3\xa9\xff\xe2\x80");
	assert_string_equal(v, "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* Cut at a code point, never inside one. */
	metrics_label_value(v, 5, "ab\xc3\xa9\xc3\xa9");
	assert_string_equal(v, "ab\xc3\xa9");
	metrics_label_value(v, 4, "ab\xc3\xa9");
	assert_string_equal(v, "ab");
}

/*
 * A user making a new comm per kill gets METRICS_MAX_SERIES series; the
 * rest count in "other", the file stays bounded, the sum stays exact.
 */
static void series_capped(void **state)
{
	struct oomprof_oom_kill k;
	struct metrics m;
	struct expect e;
	char file[128], comm[16];
	struct stat st;
	int i;

	(void)state;
	open_metrics(&m, METRICS_MAX_SERIES);
	file_path(file, sizeof(file));
	want_begin(&e);
	for (i = 0; i < 3 * METRICS_MAX_SERIES; i++) {
		snprintf(comm, sizeof(comm), "n%d\\\"", i);
		kill_in(&k, "/evil", comm);
		metrics_kill(&m, &k);
		if (i < METRICS_MAX_SERIES && i != 7)
			kills(&e, 1, "/evil", comm, "memcg");
	}
	/* A series kept before the cap still counts in its own. */
	kill_in(&k, "/evil", "n7\\\"");
	metrics_kill(&m, &k);
	kill_in(&k, "/evil", "n7000\\\"");
	metrics_kill(&m, &k);
	assert_int_equal(m.nseries, METRICS_MAX_SERIES);
	kills(&e, 2, "/evil", "n7\\\"", "memcg");
	want_sample(&e, "oomprof_oom_kills_total", 2 * METRICS_MAX_SERIES + 1, 6,
		    "cgroup", "other", "comm", "other", "constraint", "other",
		    "namespace", "other", "pod", "other", "container", "other");
	want_sample(&e, "oomprof_oom_kill_series", METRICS_MAX_SERIES, 0);
	want_sample(&e, "oomprof_oom_kill_series_limit", METRICS_MAX_SERIES, 0);
	want_sample(&e, "oomprof_module_up", 0, 0);
	assert_int_equal(metrics_write(&m, NULL, 100), 0);
	assert_int_equal(stat(file, &st), 0);
	/* 1000 series of short names: well under a megabyte. */
	assert_true(st.st_size < (1 << 20));
	parse_check(&e, file);
	metrics_close(&m);
}

/*
 * stderr into a pipe (a file would meet the size limit itself) until
 * stderr_back(), which returns what was said (static buffer).
 */
static int pipe_rd;

static int stderr_to(void)
{
	int saved = dup(2), p[2];

	assert_true(saved >= 0 && !pipe(p));
	fflush(stderr);
	dup2(p[1], 2);
	close(p[1]);
	pipe_rd = p[0];
	return saved;
}

static const char *stderr_back(int saved)
{
	static char said[16384];
	ssize_t n;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = read(pipe_rd, said, sizeof(said) - 1);
	close(pipe_rd);
	said[n > 0 ? n : 0] = '\0';
	return said;
}

static int count_lines(const char *said, const char *needle)
{
	const char *line = said;
	int n = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[2048];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		n += strstr(buf, needle) != NULL;
		line += len + (nl ? 1 : 0);
	}
	return n;
}

static void no_temp_left(void)
{
	char tmp[160];
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s/.oomprof.prom.tmp", dir);
	if (!lstat(tmp, &st))
		fail_msg("%s was left behind", tmp);
}

/*
 * --metrics not given: the reader's struct metrics stays all zero and it
 * calls every counting function anyway. Nothing may be counted, written,
 * allocated or closed (fd 0 is a real descriptor: a zero dirfd must not
 * be closed).
 */
static void off_is_noop(void **state)
{
	struct oomprof_oom_kill k;
	struct metrics m;
	struct stat st;

	(void)state;
	/* fd 0 open whatever the harness gave us: its closing must show. */
	if (fstat(0, &st)) {
		int fd = open("/dev/null", O_RDONLY);

		assert_int_equal(fd, 0);
	}
	memset(&m, 0, sizeof(m));
	kill_in(&k, "/t1", "first");
	metrics_kill(&m, &k);
	metrics_lost(&m, 3);
	metrics_profile(&m, 1);
	metrics_profile_failed(&m, METRICS_FAIL_WRITE, 0);
	assert_int_equal(metrics_due(&m, 100), 0);
	assert_int_equal(metrics_write(&m, NULL, 100), 0);
	assert_int_equal(m.kills + m.records_lost + m.profiles_partial +
			 m.writes + m.nseries, 0);
	assert_null(m.table);
	metrics_close(&m);
	assert_int_equal(fstat(0, &st), 0);
}

/*
 * A write the kernel refuses (the file size limit, EFBIG): the old file
 * stays whole, the failure is said once however often it repeats, the
 * next write that works carries every count.
 */
static void write_failure_loses_nothing(void **state)
{
	struct oomprof_oom_kill k;
	struct rlimit old, tiny = { 64, 64 };
	struct metrics m;
	struct expect e;
	char file[128];
	const char *said;
	int i, saved;

	(void)state;
	open_metrics(&m, METRICS_MAX_SERIES);
	file_path(file, sizeof(file));
	kill_in(&k, "/t1", "first");
	metrics_kill(&m, &k);
	assert_int_equal(metrics_write(&m, NULL, 100), 0);

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	tiny.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
	saved = stderr_to();
	for (i = 0; i < 5; i++) {
		kill_in(&k, "/t1", "later");
		metrics_kill(&m, &k);
		assert_int_equal(metrics_due(&m, 101 + i), 1);
		assert_int_equal(metrics_write(&m, NULL, 101 + i), -1);
		assert_int_equal(m.err, EFBIG);
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(metrics_due(&m, 106), 1);
	assert_int_equal(metrics_write(&m, NULL, 106), 0);
	said = stderr_back(saved);
	signal(SIGXFSZ, SIG_DFL);

	if (count_lines(said, "writing: File too large") != 1 ||
	    count_lines(said, "written again") != 1 ||
	    count_lines(said, "--metrics") != 2)
		fail_msg("want one failure line and one recovery line, got:\n%s", said);
	no_temp_left();
	want_begin(&e);
	kills(&e, 1, "/t1", "first", "memcg");
	kills(&e, 5, "/t1", "later", "memcg");
	want_sample(&e, "oomprof_metrics_write_errors_total", 5, 0);
	parse_check(&e, file);
	metrics_close(&m);
}

/*
 * A full filesystem (ENOSPC) for real: a 4 KiB tmpfs, filled. Needs root
 * (mount); skipped otherwise (the EFBIG case above runs everywhere).
 */
static void disk_full_tmpfs(void **state)
{
	struct oomprof_oom_kill k;
	struct metrics m;
	struct expect e;
	char sub[128], file[160], filler[160], why[1024];
	const char *said;
	char block[512];
	int fd, saved, i;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/tiny", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	if (geteuid() != 0 || mount("tmpfs", sub, "tmpfs", 0, "size=4k,mode=0755")) {
		skip();
		return;
	}
	snprintf(file, sizeof(file), "%s/oomprof.prom", sub);
	snprintf(filler, sizeof(filler), "%s/filler", sub);
	if (metrics_open(&m, file, METRICS_MAX_SERIES, why, sizeof(why))) {
		umount(sub);
		fail_msg("metrics_open: %s", why);
	}
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	memset(block, 'x', sizeof(block));
	while (write(fd, block, sizeof(block)) > 0)
		;
	close(fd);
	saved = stderr_to();
	for (i = 0; i < 3; i++) {
		kill_in(&k, "/full", "hog");
		metrics_kill(&m, &k);
		assert_int_equal(metrics_write(&m, NULL, 100 + i), -1);
	}
	assert_int_equal(m.err, ENOSPC);
	unlink(filler);
	assert_int_equal(metrics_write(&m, NULL, 110), 0);
	said = stderr_back(saved);
	if (count_lines(said, "writing: No space left on device") != 1 ||
	    count_lines(said, "free space there") != 1 ||
	    count_lines(said, "written again") != 1)
		fail_msg("want one failure line and one recovery line, got:\n%s", said);
	want_begin(&e);
	kills(&e, 3, "/full", "hog", "memcg");
	parse_check(&e, file);
	metrics_close(&m);
	assert_int_equal(umount(sub), 0);
}

/* Directories others can write are refused; planted temp files unused. */
static void unsafe_places(void **state)
{
	char sub[128], file[160], why[1024], tmp[200], victim[160];
	struct oomprof_oom_kill k;
	struct metrics m;
	struct stat st;

	(void)state;
	snprintf(file, sizeof(file), "%s/nodir/oomprof.prom", dir);
	assert_int_equal(metrics_open(&m, file, 10, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "give a directory that exists"));
	/* Not created either. */
	snprintf(sub, sizeof(sub), "%s/nodir", dir);
	assert_int_not_equal(stat(sub, &st), 0);

	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(file, sizeof(file), "%s/oomprof.prom", sub);
	assert_int_equal(metrics_open(&m, file, 10, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by every user"));
	snprintf(file, sizeof(file), "%s/", dir);
	assert_int_equal(metrics_open(&m, file, 10, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "names no file"));

	/* The longest name whose .NAME.tmp still fits NAME_MAX, and one more. */
	{
		char longf[400];
		int n = snprintf(longf, sizeof(longf), "%s/", dir);

		memset(longf + n, 'a', 251);
		longf[n + 251] = '\0';
		assert_int_equal(metrics_open(&m, longf, 10, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "too long"));
		longf[n + 250] = '\0';
		if (metrics_open(&m, longf, 10, why, sizeof(why)))
			fail_msg("250 bytes: %s", why);
		assert_int_equal(metrics_write(&m, NULL, 100), 0);
		metrics_close(&m);
		assert_int_equal(unlink(longf), 0);
	}

	/*
	 * A symlink where the temporary file goes (left by someone who could
	 * once write there): never written through.
	 */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(tmp, sizeof(tmp), "%s/.oomprof.prom.tmp", dir);
	assert_int_equal(symlink(victim, tmp), 0);
	open_metrics(&m, 10);
	kill_in(&k, "/t1", "hog");
	metrics_kill(&m, &k);
	assert_int_equal(metrics_write(&m, NULL, 100), 0);
	assert_int_not_equal(lstat(victim, &st), 0);
	no_temp_left();
	file_path(file, sizeof(file));
	assert_int_equal(lstat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	metrics_close(&m);
}

/*
 * Random bytes as comm and cgroup, 20000 kills: the file always parses,
 * no sample twice, the series capped, and the kills add up.
 */
static void random_names_parse(void **state)
{
	struct oomprof_oom_kill k;
	struct metrics m;
	struct expect e;
	char file[128];
	unsigned int seed = 12345;
	int i, j;

	(void)state;
	open_metrics(&m, METRICS_MAX_SERIES);
	file_path(file, sizeof(file));
	for (i = 0; i < 20000; i++) {
		fixture_kill(&k);
		k.constraint = (__u16)(rand_r(&seed) % 6);
		for (j = 0; j < OOMPROF_COMM_LEN - 1; j++)
			k.victim.comm[j] = (char)(rand_r(&seed) % 255 + 1);
		k.victim.comm[rand_r(&seed) % OOMPROF_COMM_LEN] = '\0';
		k.oom_cgroup[0] = '/';
		for (j = 1; j < OOMPROF_CGROUP_LEN - 1; j++)
			k.oom_cgroup[j] = (char)(rand_r(&seed) % 255 + 1);
		k.oom_cgroup[rand_r(&seed) % OOMPROF_CGROUP_LEN] = '\0';
		metrics_kill(&m, &k);
	}
	assert_int_equal(m.nseries, METRICS_MAX_SERIES);
	assert_int_equal(metrics_write(&m, NULL, 100), 0);
	want_begin(&e);
	want_sample(&e, "oomprof_oom_kill_series", METRICS_MAX_SERIES, 0);
	e.extra = ",\"sum\":{\"oomprof_oom_kills_total\":20000}";
	parse_check(&e, file);
	metrics_close(&m);
}

/* When the file is due: kills at once but not twice a second; else 10 s. */
static void due_rules(void **state)
{
	struct oomprof_oom_kill k;
	struct metrics m;

	(void)state;
	open_metrics(&m, 10);
	assert_int_equal(metrics_due(&m, 50), 1);	/* never written */
	assert_int_equal(metrics_write(&m, NULL, 50), 0);
	assert_int_equal(metrics_due(&m, 51), 0);
	kill_in(&k, "/t1", "hog");
	metrics_kill(&m, &k);
	assert_int_equal(metrics_due(&m, 50), 0);	/* same second */
	assert_int_equal(metrics_due(&m, 51), 1);
	assert_int_equal(metrics_write(&m, NULL, 51), 0);
	assert_int_equal(metrics_due(&m, 51 + METRICS_INTERVAL_S - 1), 0);
	assert_int_equal(metrics_due(&m, 51 + METRICS_INTERVAL_S), 1);
	metrics_close(&m);
}

/*
 * A kill in a pod's container (the kubelet's systemd layout, as in
 * test_container): pod and container labels from its cgroup, the pod's
 * UID and the container's id where the kubelet's names are unknown (no
 * log directory here: OOMPROF_KUBELET_LOG_ROOT points nowhere).
 */
static void pod_labels(void **state)
{
	static const char uid[] = "2f9c4b1e-7d3a-4c5e-9b8f-0a1b2c3d4e5f";
	static const char id[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct oomprof_oom_kill k;
	struct metrics m;
	struct expect e;
	char file[128];

	(void)state;
	open_metrics(&m, METRICS_MAX_SERIES);
	file_path(file, sizeof(file));
	want_begin(&e);
	kill_in(&k, "/kubepods.slice/kubepods-burstable.slice", "app");
	snprintf(k.victim_cgroup, sizeof(k.victim_cgroup),
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2f9c4b1e_7d3a_4c5e_9b8f_0a1b2c3d4e5f.slice/cri-containerd-%s.scope",
		 id);
	metrics_kill(&m, &k);
	metrics_kill(&m, &k);
	want_sample(&e, "oomprof_oom_kills_total", 2, 6, "cgroup",
		    "/kubepods.slice/kubepods-burstable.slice", "comm", "app",
		    "constraint", "memcg", "namespace", "", "pod", uid,
		    "container", id);
	assert_int_equal(metrics_write(&m, NULL, 0), 0);
	parse_check(&e, file);
	metrics_close(&m);
}

int main(void)
{
	/* The kubelet's names, if this host has any, are not the tests'. */
	setenv("OOMPROF_KUBELET_LOG_ROOT", "/nonexistent/oomprof-test", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hostile_labels_parse_back, setup, teardown),
		cmocka_unit_test(escaping_exact),
		cmocka_unit_test(off_is_noop),
		cmocka_unit_test_setup_teardown(series_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(write_failure_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(disk_full_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(unsafe_places, setup, teardown),
		cmocka_unit_test_setup_teardown(due_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(random_names_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(pod_labels, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
