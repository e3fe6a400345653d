// SPDX-License-Identifier: GPL-2.0
/*
 * Retention of heap profiles in DIR: user/retention.c, on a real directory,
 * with what a local user could plant there (symlinks, files not written by
 * oomprof-read, names from hostile comms).
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

#include "outdir.h"
#include "retention.h"
#include "tmpdir.h"

static char dir[64];
static int dfd = -1;

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

/* The name oomprof-read gives the profile of COMM, pid TGID. */
static const char *pname(const char *comm, unsigned int tgid)
{
	static char names[8][128];
	static unsigned int next;
	char *out = names[next++ % 8];

	assert_int_equal(profile_name(out, 128, comm, tgid, "20261123081011"), 0);
	return out;
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
	if (tmpdir_make(dir, sizeof(dir), "retention"))
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dfd);
	return tmpdir_remove(dir);
}

static void oldest_go_first_by_count(void **state)
{
	struct retention r = { .max_files = 2 };

	(void)state;
	make_file(pname("a", 1), 10, 40);
	make_file(pname("b", 2), 10, 30);
	make_file(pname("c", 3), 10, 20);
	make_file(pname("d", 4), 10, 10);
	make_file("events.jsonl", 100000, 50);
	assert_int_equal(retention_apply(dfd, dir, &r), 2);
	assert_false(exists(pname("a", 1)));
	assert_false(exists(pname("b", 2)));
	assert_true(exists(pname("c", 3)));
	assert_true(exists(pname("d", 4)));
	assert_true(exists("events.jsonl"));	/* never a profile */
	assert_int_equal(retention_apply(dfd, dir, &r), 0);
	/* The same DIR descriptor again: it still lists the directory. */
	make_file(pname("e", 5), 10, 5);
	assert_int_equal(retention_apply(dfd, dir, &r), 1);
	assert_false(exists(pname("c", 3)));
}

static void by_bytes_but_never_the_newest(void **state)
{
	struct retention r = { .max_bytes = 15000 };

	(void)state;
	make_file(pname("old", 1), 10000, 30);
	make_file(pname("mid", 2), 10000, 20);
	make_file(pname("new", 3), 20000, 10);
	/* Even alone the newest is over the cap: it stays, the rest go. */
	assert_int_equal(retention_apply(dfd, dir, &r), 2);
	assert_true(exists(pname("new", 3)));
	assert_false(exists(pname("mid", 2)));
	assert_false(exists(pname("old", 1)));
}

static void no_limits_no_work(void **state)
{
	struct retention r = { 0 };

	(void)state;
	make_file(pname("x", 1), 10, 10);
	make_file(pname("x", 2), 10, 5);
	assert_int_equal(retention_apply(dfd, dir, &r), 0);
	assert_true(exists(pname("x", 1)));
	r.max_files = 1;
	assert_int_equal(retention_apply(-1, "(closed)", &r), -1);
}

/* No profile at all: nothing to sort (qsort(NULL, 0) is UB). */
static void empty_dir(void **state)
{
	struct retention r = { .max_files = 1, .max_bytes = 1 };

	(void)state;
	assert_int_equal(retention_apply(dfd, dir, &r), 0);
	make_file("events.jsonl", 10, 1);
	assert_int_equal(retention_apply(dfd, dir, &r), 0);
}

/*
 * A user plants a profile-named symlink to a huge file dated 2099: it is
 * newest and largest, so a retention that follows it removes every real
 * profile. It must be ignored, and never removed or followed.
 */
static void planted_symlink_is_ignored(void **state)
{
	struct retention r = { .max_files = 10, .max_bytes = 1 << 20 };
	char target[128], link[256];
	struct timespec t[2] = { { .tv_sec = 4102444800 }, { .tv_sec = 4102444800 } };
	int fd, i;

	(void)state;
	for (i = 0; i < 5; i++)
		make_file(pname("real", 100 + i), 1000, 50 - i);
	snprintf(target, sizeof(target), "%s.target", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 10LL << 30), 0);	/* sparse 10 GiB */
	assert_int_equal(futimens(fd, t), 0);		/* 2100-01-01 */
	close(fd);
	snprintf(link, sizeof(link), "%s/%s", dir, pname("evil", 1));
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(retention_apply(dfd, dir, &r), 0);
	for (i = 0; i < 5; i++)
		assert_true(exists(pname("real", 100 + i)));
	assert_true(exists(pname("evil", 1)));
	assert_int_equal(access(target, F_OK), 0);
	/* Over the limit, real ones go, oldest first; the link stays. */
	r.max_files = 2;
	assert_int_equal(retention_apply(dfd, dir, &r), 3);
	assert_true(exists(pname("real", 103)));
	assert_true(exists(pname("real", 104)));
	assert_false(exists(pname("real", 100)));
	assert_int_equal(access(link, F_OK), 0);
	assert_int_equal(access(target, F_OK), 0);
	unlink(target);
}

/* Files oomprof-read did not write stay, whatever they are called. */
static void foreign_files_stay(void **state)
{
	static const char *const foreign[] = {
		"notes.pb.gz", "backup-1.pb.gz", "x-1-2026.pb.gz",
		"x-1-2026112308101.pb.gz", "x--20261123081011.pb.gz",
		"-rf-4242-20261123081011.pb.gz", ".x-1-20261123081011.pb.gz",
		"a b-1-20261123081011.pb.gz", "a\nb-1-20261123081011.pb.gz",
		"\xff-1-20261123081011.pb.gz",
		"sixteen-bytes-xx-1-20261123081011.pb.gz",
	};
	struct retention r = { .max_files = 1 };
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		make_file(foreign[i], 10, 100);
	/* Right name, but another user's file. */
	make_file(pname("theirs", 7), 10, 100);
	snprintf(path, sizeof(path), "%s/%s", dir, pname("theirs", 7));
	assert_int_equal(chown(path, 65534, 65534), 0);
	make_file(pname("ours", 1), 10, 20);
	make_file(pname("ours", 2), 10, 10);
	assert_int_equal(retention_apply(dfd, dir, &r), 1);
	assert_false(exists(pname("ours", 1)));
	assert_true(exists(pname("ours", 2)));
	assert_true(exists(pname("theirs", 7)));
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		if (!exists(foreign[i]))
			fail_msg("removed %s, a file oomprof-read never wrote",
				 foreign[i]);
}

/*
 * Comms ".", "..", ".x", "-rf", "" and invalid UTF-8 gave names retention
 * skipped (hidden) or could not match: a user OOMing such a process grew
 * DIR without limit. Every name oomprof-read writes is counted.
 */
static void hostile_comms_are_counted(void **state)
{
	static const char *const comms[] = {
		".", "..", ".x", "-rf", "", "a/b", "\xff\xfe", "a\nb", " x",
		"\xc2\x85", "\xe2\x80\xae", "\\x", "\x1b[31m",
	};
	struct retention r = { .max_files = 1 };
	size_t i, n = sizeof(comms) / sizeof(comms[0]);

	(void)state;
	for (i = 0; i < n; i++) {
		const char *name = pname(comms[i], 10 + (unsigned int)i);

		if (!profile_name_ours(name))
			fail_msg("%s (comm #%zu): not recognized as a profile",
				 name, i);
		assert_true(name[0] != '.' && name[0] != '-');
		make_file(name, 10, 100 - (int)i);
	}
	assert_int_equal(retention_apply(dfd, dir, &r), (int)n - 1);
	assert_true(exists(pname(comms[n - 1], 10 + (unsigned int)n - 1)));
}

static void sizes(void **state)
{
	(void)state;
	assert_int_equal(retention_parse_size("1048576"), 1048576);
	assert_int_equal(retention_parse_size("500M"), 500LL << 20);
	assert_int_equal(retention_parse_size("2G"), 2LL << 30);
	assert_int_equal(retention_parse_size("64k"), 64LL << 10);
	assert_int_equal(retention_parse_size(""), RETENTION_NOT_A_SIZE);
	assert_int_equal(retention_parse_size("-5"), RETENTION_NOT_A_SIZE);
	assert_int_equal(retention_parse_size(" 5"), RETENTION_NOT_A_SIZE);
	assert_int_equal(retention_parse_size("12X"), RETENTION_NOT_A_SIZE);
	assert_int_equal(retention_parse_size("1G5"), RETENTION_NOT_A_SIZE);
	/* Shifted past 64 bits it used to wrap: 2^34 G was 0, no limit. */
	assert_int_equal(retention_parse_size("17179869184G"), RETENTION_TOO_LARGE);
	assert_int_equal(retention_parse_size("1073741824G"), 1LL << 60);
	assert_int_equal(retention_parse_size("1073741825G"), RETENTION_TOO_LARGE);
	assert_int_equal(retention_parse_size("18446744073709551616"), RETENTION_TOO_LARGE);
	assert_int_equal(retention_parse_size("0"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(oldest_go_first_by_count, setup, teardown),
		cmocka_unit_test_setup_teardown(by_bytes_but_never_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(no_limits_no_work, setup, teardown),
		cmocka_unit_test_setup_teardown(empty_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_symlink_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(foreign_files_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_comms_are_counted, setup, teardown),
		cmocka_unit_test(sizes),
	};

	return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
