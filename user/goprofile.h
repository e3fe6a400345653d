/* SPDX-License-Identifier: GPL-2.0 */
/* A GO_HEAP record from the module, written as a gzip pprof heap profile. */
#ifndef OOMPROF_USER_GOPROFILE_H
#define OOMPROF_USER_GOPROFILE_H

#include <stddef.h>
#include <linux/oomprof.h>

struct goproc;

/*
 * Write DIR/<comm>-<pid>-<YYYYmmddHHMMSS>.pb.gz for the capture in @rec
 * (validated by record_next), symbolized from @proc's executable (NULL:
 * addresses only). Returns 0 with the path in @path; otherwise -1 and a
 * sentence for people in @why (profiling disabled, nothing captured, ...).
 */
int goprofile_write(const struct oomprof_oom_kill *rec,
		    const struct goproc *proc, const char *dir, char *path,
		    size_t pathlen, char *why, size_t whylen);

#endif
