/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Retention: the heap profiles in DIR are capped in number and total size;
 * the oldest go first, and each removal is logged. events.jsonl is never
 * removed (log rotation handles it: SIGHUP reopens it).
 */
#ifndef OOMPROF_USER_RETENTION_H
#define OOMPROF_USER_RETENTION_H

#include <stddef.h>

struct retention {
	size_t max_files;		/* 0: no limit */
	unsigned long long max_bytes;	/* 0: no limit */
};

/*
 * Remove the oldest profiles in DIR (@dirfd; @dir names it in messages)
 * until both limits hold; never the newest one (the profile just written).
 * A profile is a regular file, owned by this process's uid, whose name
 * profile_name could have made (outdir.h): symlinks are never followed,
 * files oomprof-read did not write stay. Returns how many it removed, -1
 * if DIR cannot be read. Each removal is logged on stderr.
 */
int retention_apply(int dirfd, const char *dir, const struct retention *r);

/* The largest size accepted: 1 EiB (1073741824G). */
#define RETENTION_MAX_SIZE (1ULL << 60)
#define RETENTION_NOT_A_SIZE (-1)
#define RETENTION_TOO_LARGE (-2)

/*
 * "500M", "2G", "1048576": bytes; RETENTION_NOT_A_SIZE, or
 * RETENTION_TOO_LARGE past RETENTION_MAX_SIZE.
 */
long long retention_parse_size(const char *s);

#endif
