/* SPDX-License-Identifier: GPL-2.0 */
/* A GO_HEAP record from the module, written as a gzip pprof heap profile. */
#ifndef OOMPROF_USER_GOPROFILE_H
#define OOMPROF_USER_GOPROFILE_H

#include <stddef.h>
#include <linux/oomprof.h>

#include <stdint.h>

struct gobin;
struct golearn_state;

/* The executable to symbolize with, and where it was loaded. */
struct goprofile_exe {
	struct gobin *bin;	/* NULL: addresses only */
	uint64_t bias;		/* runtime address - link-time address */
	const char *path;
	/* One more comment for the profile (memstats at the kill), or NULL. */
	const char *comment;
};

/*
 * Write DIR/<comm>-<pid>-<YYYYmmddHHMMSS>.pb.gz (outdir.h profile_name:
 * the comm made safe for a file name), mode 0600, for the capture in @rec
 * (validated by record_next), symbolized from @exe. DIR is @dirfd, opened
 * by outdir_open, or with @dirfd -1 the directory @dir names; @dir also
 * prefixes the path returned. At an OOM kill every heap-profile cycle is
 * summed (the unpublished ones hold what blew the heap); an @on_demand dump
 * of a live process shows what runtime/pprof would (the published cycle).
 * Returns 0 with the path in @path; otherwise -1 and a sentence for people
 * in @why (profiling disabled, ...).
 */
int goprofile_write(const struct oomprof_oom_kill *rec,
		    const struct goprofile_exe *exe, int on_demand, int dirfd,
		    const char *dir, char *path, size_t pathlen, char *why,
		    size_t whylen);

/*
 * The same, for a capture whose older buckets came as count entries
 * (cap->nbuckets_counted): each resolved through @learned, the state
 * golearn_take gave for the record's registration (NULL: none held; the
 * profile then holds the whole-copied buckets only and says why).
 */
int goprofile_write_learned(const struct oomprof_oom_kill *rec,
			    const struct goprofile_exe *exe,
			    const struct golearn_state *learned, int on_demand,
			    int dirfd, const char *dir, char *path,
			    size_t pathlen, char *why, size_t whylen);

#endif
