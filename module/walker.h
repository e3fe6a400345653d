/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bounded walk over a Go process's runtime.mbuckets list. Knows the
 * runtime's bucket layout and nothing about where memory comes from: the
 * OOM path reads through the victim's own address space, the on-demand path through
 * access_process_vm, tests through a fake.
 */
#ifndef OOMPROF_WALKER_H
#define OOMPROF_WALKER_H

#include <linux/types.h>
#include <linux/oomprof.h>

struct oomprof_mem_source {
	/*
	 * Copy @len bytes at the target's user address @addr; 0 or -errno,
	 * -ENXIO for device memory (the walk stops with
	 * OOMPROF_STOP_IO_MAPPING). Called from sleepable context only.
	 */
	int (*read)(struct oomprof_mem_source *src, u64 addr, void *dst,
		    size_t len);
	/*
	 * Optional: where the source already holds @len bytes at @addr, a
	 * pointer to them, valid until its next call; NULL: use read().
	 * Spares a counted bucket's copies (the walk's hot path). The bytes
	 * may be the target's live memory, which its threads can change
	 * meanwhile: the walker reads each word it relies on once.
	 */
	const void *(*peek)(struct oomprof_mem_source *src, u64 addr,
			    size_t len);
};

struct oomprof_walk_limits {
	u64 max_buckets;
	u64 deadline_ns;	/* ktime_get_ns() to stop at; 0: none */
	u64 user_limit;		/* highest valid user address + 1 */
};

struct oomprof_walk {
	/* in */
	u64 mbuckets_addr;
	u64 rate_addr;
	void *out;		/* entries go here */
	size_t out_size;
	/*
	 * The reader's learned prefix (0, 0: none): from the bucket at
	 * known_head on, at most known_count buckets are written as count
	 * entries (the uapi's OOMPROF_REC_GO_HEAP), after the full ones.
	 */
	u64 known_head;
	u64 known_count;
	/*
	 * OOMPROF_GO_MAX_REGIONS slots, validated (oomprof_regions_valid),
	 * copied to regions_out (oomprof_regions_room() bytes) before the
	 * buckets; NULL: none.
	 */
	const struct oomprof_go_region *regions;
	void *regions_out;
	/* out */
	s64 rate;
	u64 nbuckets;		/* full entries and count entries */
	u64 bytes;		/* of full entries, from out */
	u64 nbuckets_counted;
	u64 counts_bytes;	/* of count entries, from out + bytes */
	u64 stop_addr;
	u32 stop;		/* enum oomprof_capture_stop */
	u32 flags;		/* OOMPROF_CAPTURE_NO_RATE */
};

void oomprof_walk_buckets(struct oomprof_mem_source *src,
			  const struct oomprof_walk_limits *lim,
			  struct oomprof_walk *w);

bool oomprof_regions_valid(const struct oomprof_go_region *regions,
			   u64 user_limit);
u32 oomprof_regions_room(const struct oomprof_go_region *regions);
void oomprof_regions_describe(const struct oomprof_go_region *regions,
			      int err, struct oomprof_go_capture *cap);
void oomprof_walk_regions(struct oomprof_mem_source *src,
			  const struct oomprof_walk_limits *lim,
			  const struct oomprof_go_region *regions, void *out,
			  struct oomprof_go_capture *cap);

/*
 * The walk as both capture paths run it: bounded by @timeout_ns from now
 * (lim->deadline_ns is set here), timed, and described in @cap (the
 * fields a walk determines; the caller fills in who it was for).
 */
void oomprof_walk_capture(struct oomprof_mem_source *src,
			  struct oomprof_walk_limits *lim, u64 timeout_ns,
			  struct oomprof_walk *w,
			  struct oomprof_go_capture *cap);

#endif
