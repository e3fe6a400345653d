// SPDX-License-Identifier: GPL-2.0
/* Retention of heap profiles in DIR: user/retention.c, on a real directory. */
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

#include "retention.h"

static char dir[64];

/* NAME with SIZE bytes and mtime AGE seconds ago. */
static void make_file(const char *name, size_t size, int age)
{
	char path[256], buf[4096] = { 0 };
	struct timespec t[2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	while (size) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);

		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		size -= n;
	}
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= age;
	t[1] = t[0];
	assert_int_equal(futimens(fd, t), 0);
	close(fd);
}

static int exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/oomprof-retention.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void oldest_go_first_by_count(void **state)
{
	struct retention r = { .max_files = 2 };

	(void)state;
	make_file("a-1-1.pb.gz", 10, 40);
	make_file("b-2-2.pb.gz", 10, 30);
	make_file("c-3-3.pb.gz", 10, 20);
	make_file("d-4-4.pb.gz", 10, 10);
	make_file("events.jsonl", 100000, 50);
	assert_int_equal(retention_apply(dir, &r), 2);
	assert_false(exists("a-1-1.pb.gz"));
	assert_false(exists("b-2-2.pb.gz"));
	assert_true(exists("c-3-3.pb.gz"));
	assert_true(exists("d-4-4.pb.gz"));
	assert_true(exists("events.jsonl"));	/* never a profile */
	assert_int_equal(retention_apply(dir, &r), 0);
}

static void by_bytes_but_never_the_newest(void **state)
{
	struct retention r = { .max_bytes = 15000 };

	(void)state;
	make_file("old.pb.gz", 10000, 30);
	make_file("mid.pb.gz", 10000, 20);
	make_file("new.pb.gz", 20000, 10);
	/* Even alone the newest is over the cap: it stays, the rest go. */
	assert_int_equal(retention_apply(dir, &r), 2);
	assert_true(exists("new.pb.gz"));
	assert_false(exists("mid.pb.gz"));
	assert_false(exists("old.pb.gz"));
}

static void no_limits_no_work(void **state)
{
	struct retention r = { 0 };

	(void)state;
	make_file("x.pb.gz", 10, 10);
	assert_int_equal(retention_apply(dir, &r), 0);
	assert_true(exists("x.pb.gz"));
	r.max_files = 1;
	assert_int_equal(retention_apply("/nonexistent/oomprof", &r), -1);
}

static void sizes(void **state)
{
	(void)state;
	assert_int_equal(retention_parse_size("1048576"), 1048576);
	assert_int_equal(retention_parse_size("500M"), 500LL << 20);
	assert_int_equal(retention_parse_size("2G"), 2LL << 30);
	assert_int_equal(retention_parse_size("64k"), 64LL << 10);
	assert_int_equal(retention_parse_size(""), -1);
	assert_int_equal(retention_parse_size("-5"), -1);
	assert_int_equal(retention_parse_size("12X"), -1);
	assert_int_equal(retention_parse_size("1G5"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(oldest_go_first_by_count, setup, teardown),
		cmocka_unit_test_setup_teardown(by_bytes_but_never_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(no_limits_no_work, setup, teardown),
		cmocka_unit_test(sizes),
	};

	return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
