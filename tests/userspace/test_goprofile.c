// SPDX-License-Identifier: GPL-2.0
/*
 * Profile files (user/goprofile.c) for victims whose comm a user picked:
 * a name retention counts and go tool pprof does not take for a flag, the
 * same name in events.jsonl as on disk, mode 0600, no symlink followed,
 * and a DIR name too long for a path refused rather than overflowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "goprofile.h"
#include "tmpdir.h"
#include "outdir.h"
#include "record_fixtures.h"
#include "retention.h"

static char dir[64];
static int dfd = -1;

struct go_rec {
	struct oomprof_oom_kill k;
	struct oomprof_go_capture cap;
};

static void fixture_go(struct go_rec *r, const char *comm)
{
	fixture_kill(&r->k);
	memset(&r->cap, 0, sizeof(r->cap));
	r->k.hdr.type = OOMPROF_REC_GO_HEAP;
	r->k.hdr.size = sizeof(*r);
	r->k.hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	memset(r->k.victim.comm, 0, sizeof(r->k.victim.comm));
	memcpy(r->k.victim.comm, comm, strlen(comm));
	r->cap.mem_profile_rate = 512 * 1024;
}

static int setup(void **state)
{
	char why[512];

	(void)state;
	if (tmpdir_make(dir, sizeof(dir), "goprofile"))
		return -1;
	dfd = outdir_open(dir, why, sizeof(why));
	return dfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(dfd);
	return tmpdir_remove(dir);
}

/* The one entry in DIR not starting with '.' and not in @skip. */
static void only_entry(char *out, size_t len, const char *skip)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (skip && !strcmp(de->d_name, skip)))
			continue;
		snprintf(out, len, "%s", de->d_name);
		n++;
	}
	closedir(d);
	assert_int_equal(n, 1);
}

/* "profile":"..." of a JSON line, unescaped enough for these names. */
static void json_profile(const char *line, char *out, size_t len)
{
	const char *p = strstr(line, "\"profile\":\"");
	const char *q;

	assert_non_null(p);
	p += strlen("\"profile\":\"");
	q = strchr(p, '"');
	assert_non_null(q);
	assert_null(memchr(p, '\\', (size_t)(q - p)));
	snprintf(out, len, "%.*s", (int)(q - p), p);
}

static void hostile_comms(void **state)
{
	static const char *const comms[] = {
		"-rf", ".x", ".", "..", "", "a/../../etc", "\xff\xfe\xfd",
		"a\nb", "\x1b[31m", "caf\xc3\xa9",
	};
	char path[4096], why[512], name[256], json_name[4096];
	struct sbuf b = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(comms) / sizeof(comms[0]); i++) {
		struct go_rec r;
		struct stat st;

		fixture_go(&r, comms[i]);
		r.k.victim.tgid = 4242;
		if (goprofile_write(&r.k, NULL, 0, dfd, dir, path, sizeof(path),
				    why, sizeof(why)))
			fail_msg("comm #%zu: %s", i, why);
		only_entry(name, sizeof(name), "events.jsonl");
		if (name[0] == '.' || name[0] == '-')
			fail_msg("comm #%zu: file %s", i, name);
		assert_true(profile_name_ours(name));
		assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
		assert_string_equal(path + strlen(dir) + 1, name);
		assert_int_equal(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
		/* What events.jsonl says is the file's own name. */
		sbuf_reset(&b);
		assert_int_equal(event_json(&b, &r.k.hdr, path, NULL), 0);
		json_profile(b.p, json_name, sizeof(json_name));
		assert_string_equal(json_name, path);
		assert_int_equal(unlinkat(dfd, name, 0), 0);
	}
	sbuf_free(&b);
}

/* Retention counts every profile of a comm ".x": DIR does not grow. */
static void dot_comm_profiles_are_bounded(void **state)
{
	struct retention keep = { .max_files = 3 };
	char path[4096], why[512];
	struct dirent *de;
	int i, n = 0;
	DIR *d;

	(void)state;
	for (i = 0; i < 8; i++) {
		struct go_rec r;

		fixture_go(&r, ".x");
		r.k.victim.tgid = 100 + (unsigned int)i;
		assert_int_equal(goprofile_write(&r.k, NULL, 0, dfd, dir, path,
						 sizeof(path), why, sizeof(why)), 0);
		retention_apply(dfd, dir, &keep);
	}
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 3);
}

/* A symlink where the profile goes is replaced, its target untouched. */
static void planted_symlink_not_followed(void **state)
{
	char path[4096], why[512], target[128], name[128];
	struct go_rec r;
	struct stat st;

	(void)state;
	fixture_go(&r, "hog");
	snprintf(target, sizeof(target), "%s.target", dir);
	assert_int_equal(profile_name(name, sizeof(name), "hog", 321,
				      "20261123081011"), 0);
	assert_int_equal(symlinkat(target, dfd, name), 0);
	assert_int_equal(goprofile_write(&r.k, NULL, 0, dfd, dir, path,
					 sizeof(path), why, sizeof(why)), 0);
	assert_string_equal(strrchr(path, '/') + 1, name);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	/* A gzip stream (pprof_write_fd), whole. */
	{
		unsigned char magic[2];
		int fd = openat(dfd, name, O_RDONLY);

		assert_true(fd >= 0);
		assert_int_equal(read(fd, magic, 2), 2);
		assert_int_equal(magic[0], 0x1f);
		assert_int_equal(magic[1], 0x8b);
		close(fd);
	}
}

/* strlen(dir) >= 4095 overflowed a stack buffer: now a sentence. */
static void long_dir_name(void **state)
{
	char path[4096], why[512], *longdir;
	struct go_rec r;
	size_t len;

	(void)state;
	fixture_go(&r, "/////x");
	for (len = 4090; len <= 4100; len++) {
		longdir = malloc(len + 1);
		assert_non_null(longdir);
		memset(longdir, 'd', len);
		longdir[0] = '/';
		longdir[len] = '\0';
		assert_int_equal(goprofile_write(&r.k, NULL, 0, dfd, longdir,
						 path, sizeof(path), why,
						 sizeof(why)), -1);
		assert_non_null(strstr(why, "too long"));
		free(longdir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(hostile_comms, setup, teardown),
		cmocka_unit_test_setup_teardown(dot_comm_profiles_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(planted_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(long_dir_name, setup, teardown),
	};

	return cmocka_run_group_tests_name("goprofile", tests, NULL, NULL);
}
