/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scratch directory for a test case: made fresh in setup, removed with
 * everything in it in teardown. For the tests that write into a DIR.
 */
#ifndef OOMPROF_TEST_TMPDIR_H
#define OOMPROF_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

/* /tmp/oomprof-NAME.XXXXXX made (0700) into @dir: 0, or -1. */
static inline int tmpdir_make(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/oomprof-%s.XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

/* @dir and all in it removed: 0, or not. */
static inline int tmpdir_remove(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

#endif
