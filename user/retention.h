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
 * Remove the oldest *.pb.gz files in @dir until both limits hold; never
 * the newest one (the profile just written). Returns how many it removed,
 * -1 if @dir cannot be read. Each removal is logged on stderr.
 */
int retention_apply(const char *dir, const struct retention *r);

/* "500M", "2G", "1048576": bytes, or -1 if not a size. */
long long retention_parse_size(const char *s);

#endif
