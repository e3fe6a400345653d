// SPDX-License-Identifier: GPL-2.0
#include "goprofile.h"
#include "gobin.h"
#include "golearn.h"
#include "heapprof.h"
#include "outdir.h"
#include "pprof.h"
#include "record.h"
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sym_ctx {
	struct gobin *bin;
	uint64_t bias;
};

/* heapprof's view of one runtime PC: the binary's frames for it. */
static int frames_cb(void *ctx, uint64_t pc, struct heapprof_frame *out,
		     int max)
{
	struct sym_ctx *c = ctx;
	struct go_frame f[HEAPPROF_MAX_FRAMES];
	int i, n;

	if (max > HEAPPROF_MAX_FRAMES)
		max = HEAPPROF_MAX_FRAMES;
	n = gobin_frames(c->bin, pc - c->bias, f, max);
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].function = f[i].function;
		out[i].symbol = f[i].symbol;
		out[i].start_line = f[i].start_line;
		out[i].file = f[i].file;
		out[i].line = f[i].line;
		out[i].entry = f[i].entry + c->bias;
		out[i].inlined = f[i].inlined;
	}
	return n;
}

/*
 * @p as DIR/@name, atomically and never through a symlink: a new file of
 * mode 0600 (the profile names the victim's functions, files, uid and
 * cgroup: for root only) beside it, written, fsync'd, renamed over @name.
 * 0, or -1 with a sentence in @why.
 */
static int write_at(const struct pprof *p, int dirfd, const char *dir,
		    const char *name, char *why, size_t whylen)
{
	char tmp[128], err[256] = "";
	unsigned int i;
	int fd = -1;

	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), ".%s.tmp.%d.%u", name, (int)getpid(),
			 i);
		fd = outdir_openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL,
				   0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(why, whylen, "%s/%s: cannot create: %s", dir,
			 tmp, strerror(errno));
		return -1;
	}
	if (pprof_write_fd(p, fd, err, sizeof(err)) || fsync(fd)) {
		snprintf(why, whylen, "%s/%s: %s", dir, tmp,
			 err[0] ? err : strerror(errno));
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (close(fd) || renameat(dirfd, tmp, dirfd, name)) {
		snprintf(why, whylen, "%s/%s: cannot write: %s", dir, name,
			 strerror(errno));
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int goprofile_write(const struct oomprof_oom_kill *rec,
		    const struct goprofile_exe *exe, int on_demand, int dirfd,
		    const char *dir, char *path, size_t pathlen, char *why,
		    size_t whylen)
{
	return goprofile_write_learned(rec, exe, NULL, on_demand, dirfd, dir,
				       path, pathlen, why, whylen);
}

int goprofile_write_learned(const struct oomprof_oom_kill *rec,
			    const struct goprofile_exe *exe,
			    const struct golearn_state *learned, int on_demand,
			    int dirfd, const char *dir, char *path,
			    size_t pathlen, char *why, size_t whylen)
{
	const struct oomprof_go_capture *cap = (const void *)(rec + 1);
	const unsigned char *entries = record_go_entries(cap);
	struct sym_ctx sc = { 0 };
	struct heapprof_opts o;
	struct heapprof_stats st;
	struct pprof *p = NULL;
	char comment[512], stamp[32], name[128];
	time_t secs = (time_t)(rec->kill_realtime_ns / 1000000000ULL);
	struct tm tm;
	int rc;

	if (cap->mem_profile_rate == 0) {
		snprintf(why, whylen, "memory profiling disabled in this binary (runtime.MemProfileRate is 0: the program never references runtime.MemProfile)");
		return -1;
	}
	if (cap->flags & OOMPROF_CAPTURE_NO_RATE) {
		snprintf(why, whylen, "runtime.MemProfileRate could not be read: %s",
			 record_stop_name(cap->stop));
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.rate = cap->mem_profile_rate;
	o.cycles = on_demand ? HEAPPROF_ACTIVE : HEAPPROF_ALL_CYCLES;
	o.time_nanos = (int64_t)rec->kill_realtime_ns;
	if (exe && exe->bin) {
		sc.bin = exe->bin;
		sc.bias = exe->bias;
		o.frames = frames_cb;
		o.frames_ctx = &sc;
		o.exe_path = exe->path;
		o.build_id = gobin_info(sc.bin)->go_build_id;
		/* A forged table must not stall the daemon: bounded per profile. */
		gobin_set_budget(sc.bin, GOBIN_PROFILE_BUDGET);
	}
	if (cap->nbuckets_counted || cap->counts_bytes) {
		/* Older buckets as counts: merged with what was learned. */
		struct golearn_merge *m = malloc(sizeof(*m));
		struct heapprof_source src;

		if (!m) {
			snprintf(why, whylen, "cannot build the profile: out of memory");
			return -1;
		}
		golearn_merge_init(m, learned, cap, entries, &src);
		rc = heapprof_build_src(&src, &o, &p, &st);
		free(m);
	} else {
		rc = heapprof_build(entries, cap->bucket_bytes, &o, &p, &st);
	}
	if (rc == HEAPPROF_DISABLED) {
		snprintf(why, whylen, "memory profiling disabled in this binary (runtime.MemProfileRate is %lld)",
			 (long long)cap->mem_profile_rate);
		return -1;
	}
	if (rc || !p) {
		snprintf(why, whylen, "cannot build the profile: %s",
			 st.err[0] ? st.err : "out of memory");
		pprof_free(p);
		return -1;
	}
	if (sc.bin) {
		snprintf(comment, sizeof(comment), "Go version %s",
			 gobin_info(sc.bin)->go_version);
		pprof_comment(p, comment);
	} else {
		pprof_comment(p, "unsymbolized: the executable was not available");
	}
	if (!st.complete && !cap->nbuckets_counted) {
		/* The kernel copied it whole; a bucket still did not parse. */
		snprintf(comment, sizeof(comment),
			 "oomprof: %zu of %llu buckets used, the rest malformed: %s",
			 st.entries, (unsigned long long)cap->nbuckets, st.err);
		pprof_comment(p, comment);
	} else if (!st.complete) {
		snprintf(comment, sizeof(comment),
			 "oomprof: INCOMPLETE: %zu of %llu buckets used (%llu copied whole, %llu as counts of learned buckets): %s",
			 st.entries, (unsigned long long)cap->nbuckets,
			 (unsigned long long)(cap->nbuckets - cap->nbuckets_counted),
			 (unsigned long long)cap->nbuckets_counted, st.err);
		pprof_comment(p, comment);
	} else if (cap->nbuckets_counted) {
		snprintf(comment, sizeof(comment),
			 "oomprof: %llu buckets copied whole, %llu as counts of the buckets learned before the kill",
			 (unsigned long long)(cap->nbuckets - cap->nbuckets_counted),
			 (unsigned long long)cap->nbuckets_counted);
		pprof_comment(p, comment);
	}
	snprintf(comment, sizeof(comment),
		 "oomprof: %s%s capture of %llu buckets in %.3f ms%s%s; MemProfileRate %lld; %s",
		 on_demand ? "on-demand, " : "",
		 cap->stop == OOMPROF_STOP_NONE ? "complete" : "PARTIAL",
		 (unsigned long long)cap->nbuckets,
		 (double)cap->duration_ns / 1e6,
		 cap->stop == OOMPROF_STOP_NONE ? "" : ", stopped: ",
		 cap->stop == OOMPROF_STOP_NONE ? "" : record_stop_name(cap->stop),
		 (long long)cap->mem_profile_rate,
		 on_demand ? "as of the last completed GC, like runtime/pprof" :
			     "unpublished heap-profile cycles included");
	pprof_comment(p, comment);
	if (exe && exe->comment)
		pprof_comment(p, exe->comment);
	if (!on_demand) {
		snprintf(comment, sizeof(comment),
			 "OOM kill: pid %u (%s) uid %u, cgroup %s, anon-rss %llu kB, file-rss %llu kB, shmem-rss %llu kB",
			 rec->victim.tgid, rec->victim.comm, rec->uid,
			 rec->victim_cgroup[0] ? rec->victim_cgroup : "?",
			 (unsigned long long)rec->anon_rss_kb,
			 (unsigned long long)rec->file_rss_kb,
			 (unsigned long long)rec->shmem_rss_kb);
		pprof_comment(p, comment);
	}

	if (!gmtime_r(&secs, &tm))
		memset(&tm, 0, sizeof(tm));
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	if (profile_name(name, sizeof(name), rec->victim.comm,
			 rec->victim.tgid, stamp) ||
	    (size_t)snprintf(path, pathlen, "%s/%s", dir, name) >= pathlen) {
		snprintf(why, whylen, "the directory name is too long (%zu bytes) for a profile path",
			 strlen(dir));
		pprof_free(p);
		return -1;
	}
	if (dirfd < 0) {
		/* -p: the caller's directory, opened for this profile. */
		int own = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (own < 0) {
			snprintf(why, whylen, "%s: %s", dir,
				 strerror(errno));
			pprof_free(p);
			return -1;
		}
		rc = write_at(p, own, dir, name, why, whylen);
		close(own);
	} else {
		rc = write_at(p, dirfd, dir, name, why, whylen);
	}
	if (rc) {
		pprof_free(p);
		return -1;
	}
	pprof_free(p);
	return 0;
}
