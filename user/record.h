/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records from /dev/oomprof: validation of untrusted bytes. Everything the
 * rest of oomprof-read uses has passed through record_next() first.
 */
#ifndef OOMPROF_USER_RECORD_H
#define OOMPROF_USER_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/oomprof.h>

enum record_status {
	RECORD_OK = 0,		/* *rec points at a valid record */
	RECORD_END,		/* no bytes left */
	RECORD_TRUNCATED,	/* fewer bytes than a header or hdr.size */
	RECORD_BAD_MAGIC,
	RECORD_BAD_VERSION,	/* a version this tool does not read */
	RECORD_BAD_SIZE,	/* not a multiple of 8, or too small for type */
	RECORD_BAD_FIELD,	/* a field out of range (string, count) */
};

struct record_cursor {
	const unsigned char *p;
	size_t left;
};

/*
 * Take the next record from @c. On RECORD_OK, *hdr points at it inside the
 * caller's buffer (8-byte aligned if the buffer is) and the cursor has
 * moved past it. Records of unknown type are returned as RECORD_OK with
 * their header only: callers skip them. Any other status: stop reading
 * this buffer, *why says what was wrong.
 */
enum record_status record_next(struct record_cursor *c,
			       const struct oomprof_record_header **hdr,
			       const char **why);

const char *record_constraint_name(unsigned int constraint);

/*
 * The section of @type in kill record @k (OOM_KILL or GO_HEAP, validated
 * by record_next), or NULL if it has none. Its bytes are at least the
 * structure of a known type.
 */
const struct oomprof_section *record_section(const struct oomprof_oom_kill *k,
					     unsigned int type);
/* enum oomprof_map_kind and enum oomprof_maps_stop, for JSON and people. */
const char *record_map_kind_name(unsigned int kind);
const char *record_maps_stop_name(unsigned int stop);
/*
 * In a GO_HEAP record (or a dump) validated by record_next: where the
 * bucket entries start (after the region data), and region @i's copied
 * bytes (NULL, *len 0 if unused or not copied).
 */
const unsigned char *record_go_entries(const struct oomprof_go_capture *cap);
const unsigned char *record_go_region(const struct oomprof_go_capture *cap,
				      unsigned int i, uint32_t *len);
/* enum oomprof_capture_stop, for people. */
const char *record_stop_name(unsigned int stop);

#endif
