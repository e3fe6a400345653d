// SPDX-License-Identifier: GPL-2.0
/*
 * DIR checks and safe opens (user/outdir.c), with what another local user
 * could set up: a DIR of his own or one everybody writes, a symlink or a
 * FIFO where events.jsonl goes; and profile names from hostile comms.
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
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"
#include "outdir.h"
#include "tmpdir.h"

static char base[64];

static int setup(void **state)
{
	(void)state;
	if (tmpdir_make(base, sizeof(base), "outdir"))
		return -1;
	/* Like /tmp: anyone may create entries in it. */
	return chmod(base, 01777);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(base);
}

static void sub(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", base, name);
}

static void new_dir_is_created_private(void **state)
{
	char d[128], why[1024];
	struct stat st;
	int fd;

	(void)state;
	sub(d, sizeof(d), "a/b/c");
	fd = outdir_open(d, why, sizeof(why));
	if (fd < 0)
		fail_msg("%s", why);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	close(fd);
	/* Opened again as it is: fine. */
	fd = outdir_open(d, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
}

static void dir_of_another_user_is_refused(void **state)
{
	char d[128], why[1024];

	(void)state;
	sub(d, sizeof(d), "p");
	assert_int_equal(mkdir(d, 0755), 0);
	sub(d, sizeof(d), "p/x");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chown(d, 65534, 65534), 0);
	assert_int_equal(outdir_open(d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "belongs to uid 65534"));
	assert_non_null(strstr(why, "chown root"));
}

static void assert_refused(const char *d, const char *says)
{
	char why[2048];
	int fd = outdir_open(d, why, sizeof(why));

	if (fd >= 0)
		fail_msg("%s was accepted", d);
	if (!strstr(why, says))
		fail_msg("%s: said \"%s\", expected \"%s\" in it", d, why, says);
}

/* The same inode as @path: where outdir_open really went. */
static void assert_opened(const char *d, const char *path)
{
	char why[2048];
	struct stat a, b;
	int fd = outdir_open(d, why, sizeof(why));

	if (fd < 0)
		fail_msg("%s: %s", d, why);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	close(fd);
}

/*
 * A parent another user can write lets him swap DIR for a symlink to any
 * directory root owns (/root, /etc) after the check: refused, named.
 */
static void untrusted_parents_are_refused(void **state)
{
	char d[160], t[160], l[160];

	(void)state;
	/* A user's own directory (in root's) above a root-owned DIR. */
	sub(d, sizeof(d), "p");
	assert_int_equal(mkdir(d, 0755), 0);
	sub(d, sizeof(d), "p/u");
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(chown(d, 65534, 65534), 0);
	sub(d, sizeof(d), "p/u/x");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_refused(d, "/p/u, on the way to");
	assert_refused(d, "belongs to uid 65534");
	sub(d, sizeof(d), "p/u/new");
	assert_refused(d, "belongs to uid 65534");
	assert_int_equal(access(d, F_OK), -1);		/* not created */
	/* Group-writable, not sticky. */
	sub(d, sizeof(d), "g");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chmod(d, 0775), 0);
	sub(d, sizeof(d), "g/x");
	assert_refused(d, "is writable by its group (mode 0775, not sticky)");
	/* A user's symlink in a sticky directory, to a root-owned one. */
	sub(t, sizeof(t), "rootdir");
	assert_int_equal(mkdir(t, 0700), 0);
	sub(l, sizeof(l), "ln");
	assert_int_equal(symlink(t, l), 0);
	assert_int_equal(lchown(l, 65534, 65534), 0);
	assert_refused(l, "was made by uid 65534 in a directory every user can write");
	/* A user's directory in the sticky one. */
	sub(d, sizeof(d), "theirs");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chown(d, 65534, 65534), 0);
	assert_refused(d, "was made by uid 65534");
	/* A symlink loop. */
	sub(d, sizeof(d), "t");
	assert_int_equal(mkdir(d, 0755), 0);
	sub(l, sizeof(l), "t/loop");
	assert_int_equal(symlink("loop", l), 0);
	assert_refused(l, strerror(ELOOP));
	/* Too long for a path: refused, not cut to a shorter one. */
	{
		char *longdir = malloc(9000);

		assert_non_null(longdir);
		memset(longdir, 'a', 8999);
		longdir[8999] = '\0';
		memcpy(longdir, base, strlen(base));
		longdir[strlen(base)] = '/';
		assert_refused(longdir, strerror(ENAMETOOLONG));
		free(longdir);
	}
	/* A file on the way. */
	sub(d, sizeof(d), "t/file");
	close(open(d, O_WRONLY | O_CREAT, 0600));
	sub(d, sizeof(d), "t/file/x");
	assert_refused(d, strerror(ENOTDIR));
}

/* Root's own symlinks, "..", relative paths: followed to the real DIR. */
static void trusted_paths_resolve(void **state)
{
	char d[160], real[160], l[160], cwd[4096];

	(void)state;
	sub(d, sizeof(d), "t");
	assert_int_equal(mkdir(d, 0755), 0);
	sub(real, sizeof(real), "t/real");
	assert_int_equal(mkdir(real, 0700), 0);
	sub(l, sizeof(l), "t/rel");
	assert_int_equal(symlink("real", l), 0);
	assert_opened(l, real);
	sub(l, sizeof(l), "t/abs");
	assert_int_equal(symlink(real, l), 0);
	assert_opened(l, real);
	sub(l, sizeof(l), "t/chain");
	assert_int_equal(symlink("./abs/../rel/", l), 0);
	assert_opened(l, real);
	sub(d, sizeof(d), "t/real/../real/./");
	assert_opened(d, real);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	sub(d, sizeof(d), "t");
	assert_int_equal(chdir(d), 0);
	assert_opened("real", real);
	assert_opened("rel", real);
	assert_int_equal(chdir(cwd), 0);
}

static void writable_dir_is_refused(void **state)
{
	char d[128], why[1024];

	(void)state;
	assert_int_equal(outdir_open(base, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by every user (mode 1777)"));
	assert_non_null(strstr(why, "chmod go-w"));
	sub(d, sizeof(d), "g");
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chmod(d, 0770), 0);
	assert_int_equal(outdir_open(d, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by its group (mode 0770)"));
	assert_int_equal(chmod(d, 0755), 0);
	assert_true(outdir_open(d, why, sizeof(why)) >= 0);
}

/*
 * README's `-d /tmp/x --drain`: a user who made /tmp/x first, with
 * events.jsonl -> /root/x in it, made root create /root/x. Now the DIR is
 * refused; and in a DIR that passes, a planted symlink is not followed.
 */
static void symlinked_events_file_is_not_followed(void **state)
{
	char d[128], link[160], target[160], why[1024];
	struct evlog ev;
	int fd;

	(void)state;
	sub(d, sizeof(d), "x");
	sub(target, sizeof(target), "victim-file");
	assert_int_equal(mkdir(d, 0777), 0);
	assert_int_equal(chmod(d, 0777), 0);
	snprintf(link, sizeof(link), "%s/" EVLOG_NAME, d);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(outdir_open(d, why, sizeof(why)), -1);
	assert_int_equal(access(target, F_OK), -1);
	/* Say root fixed the mode but not the content. */
	assert_int_equal(chmod(d, 0700), 0);
	fd = outdir_open(d, why, sizeof(why));
	assert_true(fd >= 0);
	assert_int_equal(evlog_open(&ev, fd, d), -1);
	assert_int_equal(access(target, F_OK), -1);
	errno = 0;
	assert_int_equal(outdir_openat(fd, EVLOG_NAME, O_WRONLY | O_CREAT, 0600), -1);
	assert_int_equal(errno, ELOOP);
	close(fd);
}

/* A FIFO where a file is expected: refused at once, not waited on. */
static void fifo_does_not_block(void **state)
{
	char d[128], f[160], why[1024];
	int fd;

	(void)state;
	sub(d, sizeof(d), "fifo");
	fd = outdir_open(d, why, sizeof(why));
	assert_true(fd >= 0);
	snprintf(f, sizeof(f), "%s/" EVLOG_NAME, d);
	assert_int_equal(mkfifo(f, 0600), 0);
	alarm(5);
	errno = 0;
	assert_int_equal(outdir_openat(fd, EVLOG_NAME, O_WRONLY | O_APPEND | O_CREAT, 0600), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(outdir_openat(fd, EVLOG_NAME, O_RDONLY, 0), -1);
	assert_int_equal(errno, EINVAL);
	alarm(0);
	/* A regular file: opened, and blocking again. */
	unlink(f);
	{
		int ffd = outdir_openat(fd, EVLOG_NAME, O_WRONLY | O_CREAT, 0600);
		struct stat st;

		assert_true(ffd >= 0);
		assert_int_equal(fcntl(ffd, F_GETFL) & O_NONBLOCK, 0);
		assert_int_equal(fcntl(ffd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		assert_int_equal(fstat(ffd, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		close(ffd);
	}
	close(fd);
}

static void stems(void **state)
{
	static const struct { const char *comm, *stem; } cases[] = {
		{ "hog", "hog" },
		{ "", "unnamed" },
		{ ".", "_" },
		{ "..", "_." },
		{ ".x", "_x" },
		{ "-rf", "_rf" },
		{ "--help", "_-help" },
		{ "a/b", "a_b" },
		{ "a b", "a_b" },
		{ "a\nb\r\x1b\x07", "a_b___" },
		{ "\xff\xfeok", "__ok" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* é stays */
		{ "x\xc2\x85y", "x_y" },			/* NEL */
		{ "x\xe2\x80\xaey", "x_y" },			/* RLO */
		{ "\xe2\x80\xa8", "_" },			/* LINE SEPARATOR */
		{ "back\\slash", "back_slash" },
		{ "\xc3", "_" },				/* truncated */
		{ "\xed\xa0\x80", "___" },			/* surrogate */
	};
	char out[64], name[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		profile_stem(out, sizeof(out), cases[i].comm);
		if (strcmp(out, cases[i].stem))
			fail_msg("comm #%zu: stem \"%s\", expected \"%s\"", i,
				 out, cases[i].stem);
		assert_int_equal(profile_name(name, sizeof(name), cases[i].comm,
					      4242, "20261123081011"), 0);
		assert_true(profile_name_ours(name));
	}
	/* Never longer than the buffer. */
	profile_stem(out, 4, "abcdefgh");
	assert_string_equal(out, "abc");
	profile_stem(out, 4, "\xc3\xa9\xc3\xa9");
	assert_string_equal(out, "\xc3\xa9_");
	assert_int_equal(profile_name(name, 20, "hog", 4242, "20261123081011"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(new_dir_is_created_private, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_of_another_user_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(untrusted_parents_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(trusted_paths_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_dir_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(symlinked_events_file_is_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(fifo_does_not_block, setup, teardown),
		cmocka_unit_test(stems),
	};

	return cmocka_run_group_tests_name("outdir", tests, NULL, NULL);
}
