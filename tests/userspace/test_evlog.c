// SPDX-License-Identifier: GPL-2.0
/*
 * events.jsonl on a full disk (user/evlog.c), on a real 64 KiB tmpfs the
 * test mounts (root): records arriving while it is full are held, never
 * half-written; once space returns every one is in the file, in order, or
 * counted in a "lost" line; the file is JSON lines throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"

static char dir[64];
static int dfd = -1;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/oomprof-evlog.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (mount("oomprof-test", dir, "tmpfs", MS_NOSUID | MS_NODEV,
		  "size=64k,mode=0700")) {
		fprintf(stderr, "mount tmpfs on %s: %s (the test needs root)\n",
			dir, strerror(errno));
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dfd);
	umount2(dir, MNT_DETACH);
	return rmdir(dir);
}

/* Fill the file system: a filler file takes every block left. */
static void fill(void)
{
	char buf[512];
	int fd = openat(dfd, "filler", O_WRONLY | O_CREAT | O_APPEND, 0600);

	assert_true(fd >= 0);
	memset(buf, 'f', sizeof(buf));
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	while (write(fd, buf, 1) > 0)
		;
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

static void unfill(void)
{
	assert_int_equal(unlinkat(dfd, "filler", 0), 0);
}

/* A JSON line of about @len bytes, numbered. */
static size_t record(char *out, size_t cap, int i, size_t len)
{
	int n = snprintf(out, cap, "{\"type\":\"oom_kill\",\"seq\":%d,\"pad\":\"", i);

	while ((size_t)n + 3 < len && (size_t)n + 3 < cap)
		out[n++] = 'a' + i % 26;
	n += snprintf(out + n, cap - (size_t)n, "\"}\n");
	return (size_t)n;
}

static char *slurp(size_t *len)
{
	int fd = openat(dfd, EVLOG_NAME, O_RDONLY);
	struct stat st;
	char *p;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	p[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	close(fd);
	return p;
}

/* Every line a whole object: starts with '{', ends with "}\n". */
static void assert_json_lines(const char *p, size_t len)
{
	size_t at = 0;

	while (at < len) {
		const char *nl = memchr(p + at, '\n', len - at);

		if (!nl)
			fail_msg("the file ends in a line without newline at byte %zu", at);
		if (p[at] != '{' || nl[-1] != '}')
			fail_msg("line at byte %zu is not one object: %.60s", at, p + at);
		at = (size_t)(nl - p) + 1;
	}
}

static void held_while_full_then_written(void **state)
{
	static char expect[64 * 1024], line[4096];
	struct evlog ev;
	size_t elen = 0, len, n;
	char *got;
	int i;

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	for (i = 0; i < 3; i++) {
		n = record(line, sizeof(line), i, 300);
		evlog_append(&ev, line, n);
		memcpy(expect + elen, line, n);
		elen += n;
	}
	fill();
	/* Lines larger than what is left of the last page: short writes. */
	for (; i < 20; i++) {
		n = record(line, sizeof(line), i, 1000 + (size_t)i * 100);
		evlog_append(&ev, line, n);
		memcpy(expect + elen, line, n);
		elen += n;
		got = slurp(&len);
		assert_json_lines(got, len);
		free(got);
	}
	assert_true(evlog_flush(&ev) > 0);	/* still full */
	unfill();
	assert_int_equal(evlog_flush(&ev), 0);
	got = slurp(&len);
	assert_json_lines(got, len);
	assert_int_equal(len, elen);
	assert_memory_equal(got, expect, elen);
	free(got);
	/* Then on as usual. */
	n = record(line, sizeof(line), i, 200);
	evlog_append(&ev, line, n);
	assert_int_equal(evlog_close(&ev), 0);
}

static void past_the_bound_dropped_and_counted(void **state)
{
	static char expect[64 * 1024], line[4096];
	struct evlog ev;
	size_t elen = 0, len, n;
	char *got, *lost;
	int i;

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	ev.max_held = 3;
	fill();
	for (i = 0; i < 10; i++) {
		n = record(line, sizeof(line), i, 500);
		evlog_append(&ev, line, n);
		if (i < 3) {
			memcpy(expect + elen, line, n);
			elen += n;
		}
	}
	assert_int_equal(ev.nheld, 3);
	assert_int_equal(ev.dropped, 7);
	unfill();
	/* The next record: held ones first, then the count, then it. */
	n = record(line, sizeof(line), 10, 500);
	evlog_append(&ev, line, n);
	got = slurp(&len);
	assert_json_lines(got, len);
	assert_memory_equal(got, expect, elen);
	lost = got + elen;
	assert_true(!strncmp(lost, "{\"type\":\"lost\",\"seq\":null,\"time\":\"", 34));
	assert_non_null(strstr(lost, "\"dropped\":7,\"reason\":\"oomprof-read could not write events.jsonl (No space left on device)"));
	lost = strchr(lost, '\n') + 1;
	assert_int_equal((size_t)(got + len - lost), n);
	assert_memory_equal(lost, line, n);
	free(got);
	assert_int_equal(evlog_close(&ev), 0);
}

/* Still full at the end: what is held is counted as lost, and said. */
static void close_while_full_counts_lost(void **state)
{
	char line[1024];
	struct evlog ev;
	size_t len, n;
	char *got;
	int i;

	(void)state;
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	ev.max_held = 4;
	fill();
	for (i = 0; i < 6; i++) {
		n = record(line, sizeof(line), i, 700);
		evlog_append(&ev, line, n);
	}
	assert_int_equal(evlog_close(&ev), 6);
	got = slurp(&len);
	assert_json_lines(got, len);
	free(got);
	unfill();
}

/* An older writer cut off mid-line: the torn line goes, the rest stays. */
static void torn_last_line_is_removed(void **state)
{
	static const char before[] = "{\"a\":1}\n{\"b\":2}\n{\"c\":";
	char line[256];
	struct evlog ev;
	size_t len, n;
	char *got;
	int fd;

	(void)state;
	fd = openat(dfd, EVLOG_NAME, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, before, sizeof(before) - 1),
			 (ssize_t)sizeof(before) - 1);
	close(fd);
	assert_int_equal(evlog_open(&ev, dfd, dir), 0);
	n = record(line, sizeof(line), 1, 100);
	evlog_append(&ev, line, n);
	assert_int_equal(evlog_close(&ev), 0);
	got = slurp(&len);
	assert_json_lines(got, len);
	assert_int_equal(len, 16 + n);
	assert_memory_equal(got, "{\"a\":1}\n{\"b\":2}\n", 16);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(held_while_full_then_written, setup, teardown),
		cmocka_unit_test_setup_teardown(past_the_bound_dropped_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(close_while_full_counts_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(torn_last_line_is_removed, setup, teardown),
	};

	return cmocka_run_group_tests_name("evlog", tests, NULL, NULL);
}
