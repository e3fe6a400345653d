/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pprof profile (github.com/google/pprof proto/profile.proto) built in
 * memory and written gzip'd, the format `go tool pprof` reads. Strings and
 * functions are deduplicated here; locations are deduplicated by the
 * caller, which knows what makes two of them the same (heapprof.c keys
 * them by PC as runtime/pprof does).
 *
 * Errors are sticky: after an allocation failure every call fails cheaply
 * and pprof_encode/pprof_write report it, so builders need not check each
 * step.
 */
#ifndef OOMPROF_USER_PPROF_H
#define OOMPROF_USER_PPROF_H

#include <stddef.h>
#include <stdint.h>

struct pprof;

struct pprof_line {
	uint64_t function_id;
	int64_t line;
};

struct pprof_label {		/* string table indexes but for num */
	int64_t key, str, num, num_unit;
};

struct pprof *pprof_new(void);
void pprof_free(struct pprof *p);
int pprof_failed(const struct pprof *p);	/* 1 after an allocation failure */

/* Index of @s in the string table, added if new ("" is 0); -1 on failure. */
int64_t pprof_string(struct pprof *p, const char *s);

void pprof_sample_type(struct pprof *p, const char *type, const char *unit);
void pprof_period(struct pprof *p, const char *type, const char *unit,
		  int64_t period);
void pprof_comment(struct pprof *p, const char *text);
void pprof_time(struct pprof *p, int64_t time_nanos, int64_t duration_nanos);

/* A mapping; returns its id (1, 2, ...), 0 on failure. */
uint64_t pprof_mapping(struct pprof *p, uint64_t start, uint64_t limit,
		       uint64_t offset, const char *file, const char *build_id);
void pprof_mapping_has_functions(struct pprof *p, uint64_t id, int yes);

/*
 * The id of the function named @name (string index), creating it with
 * @file and @start_line if new: runtime/pprof keys functions by name alone.
 * 0 on failure.
 */
uint64_t pprof_function(struct pprof *p, int64_t name, int64_t file,
			int64_t start_line);

/* A new location with @n lines (innermost first); its id, 0 on failure. */
uint64_t pprof_location(struct pprof *p, uint64_t mapping_id,
			uint64_t address, const struct pprof_line *lines,
			size_t n);

/* A sample: @nvalues must match the sample types. 0, or -1 on failure. */
int pprof_sample(struct pprof *p, const uint64_t *locs, size_t nlocs,
		 const int64_t *values, size_t nvalues,
		 const struct pprof_label *labels, size_t nlabels);

size_t pprof_nsamples(const struct pprof *p);
size_t pprof_nlocations(const struct pprof *p);

/* The serialized (not compressed) Profile message, malloc'd. 0 or -1. */
int pprof_encode(const struct pprof *p, uint8_t **buf, size_t *len);

/*
 * Serialize, gzip (zlib, gzip header) and write to @path atomically: a
 * temporary file in the same directory, fsync, rename. Mode 0644. 0, or -1
 * with a sentence in @err.
 */
int pprof_write(const struct pprof *p, const char *path, char *err,
		size_t errlen);

/*
 * Serialize, gzip and write to @fd, an open file the caller creates (and
 * syncs, renames) as it needs. 0, or -1 with a sentence in @err.
 */
int pprof_write_fd(const struct pprof *p, int fd, char *err, size_t errlen);

/* gzip @len bytes of @in into a malloc'd buffer. 0 or -1. */
int pprof_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen);

/*
 * A uint64 -> uint64 hash map (open addressing, linear probing), also used
 * by heapprof.c. Keys are any value; absent keys read as not found.
 */
struct pprof_map {
	uint64_t *keys, *vals;
	uint8_t *used;
	size_t cap, n;
};

int pprof_map_get(const struct pprof_map *m, uint64_t key, uint64_t *val);
int pprof_map_put(struct pprof_map *m, uint64_t key, uint64_t val);	/* 0/-1 */
void pprof_map_free(struct pprof_map *m);
/* The keyed hash of both tables (random key per process). */
uint64_t pprof_siphash(const void *data, size_t len);

#endif
