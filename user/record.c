// SPDX-License-Identifier: GPL-2.0
#include "record.h"

#include <string.h>

static int string_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

/* Bytes of the fixed part of each section type this tool reads. */
static size_t section_min(unsigned int type)
{
	switch (type) {
	case OOMPROF_SEC_MEMCG:
		return sizeof(struct oomprof_sec_memcg);
	case OOMPROF_SEC_SYSTEM:
		return sizeof(struct oomprof_sec_system);
	case OOMPROF_SEC_TASKS:
		return sizeof(struct oomprof_sec_tasks);
	case OOMPROF_SEC_MAPS:
		return sizeof(struct oomprof_sec_maps);
	default:
		return sizeof(struct oomprof_section);
	}
}

static enum record_status check_tasks(const struct oomprof_sec_tasks *t,
				      const char **why)
{
	unsigned int i;

	if (t->ntasks > OOMPROF_MAX_TASKS ||
	    t->ntasks > (t->sec.bytes - sizeof(*t)) / sizeof(t->tasks[0])) {
		*why = "OOM kill record's task list holds more entries than its section or than the module's maximum";
		return RECORD_BAD_SIZE;
	}
	for (i = 0; i < t->ntasks; i++) {
		if (!string_terminated(t->tasks[i].comm,
				       sizeof(t->tasks[i].comm))) {
			*why = "OOM kill record's task list has an unterminated name";
			return RECORD_BAD_FIELD;
		}
	}
	return RECORD_OK;
}

static enum record_status check_maps(const struct oomprof_sec_maps *m,
				     const char **why)
{
	unsigned int i;

	if (m->nmaps > OOMPROF_MAX_MAPS ||
	    m->nmaps > (m->sec.bytes - sizeof(*m)) / sizeof(m->maps[0])) {
		*why = "OOM kill record's mapping list holds more entries than its section or than the module's maximum";
		return RECORD_BAD_SIZE;
	}
	for (i = 0; i < m->nmaps; i++) {
		if (m->maps[i].kind >= OOMPROF_MAP_NR_KINDS) {
			*why = "OOM kill record's mapping list has an unknown kind";
			return RECORD_BAD_FIELD;
		}
		if (!string_terminated(m->maps[i].name,
				       sizeof(m->maps[i].name))) {
			*why = "OOM kill record's mapping list has an unterminated name";
			return RECORD_BAD_FIELD;
		}
	}
	return RECORD_OK;
}

/*
 * The sections area: whole sections of at least a header, each a multiple
 * of 8, those of a known type at least their structure, no type twice.
 * Linear in the area: each step consumes at least 8 bytes.
 */
static enum record_status check_sections(const unsigned char *p, size_t n,
					 const char **why)
{
	unsigned long seen = 0;

	while (n) {
		const struct oomprof_section *sec = (const void *)p;

		if (n < sizeof(*sec) || sec->bytes < sizeof(*sec) ||
		    sec->bytes % 8 || sec->bytes > n) {
			*why = "OOM kill record's section size is not a multiple of 8 of at least a header within the record";
			return RECORD_BAD_SIZE;
		}
		if (sec->bytes < section_min(sec->type)) {
			*why = "OOM kill record's section is shorter than its structure";
			return RECORD_BAD_SIZE;
		}
		if (sec->type < 8 * sizeof(seen)) {
			if (seen & (1UL << sec->type)) {
				*why = "OOM kill record has a section type twice";
				return RECORD_BAD_FIELD;
			}
			seen |= 1UL << sec->type;
		}
		if (sec->type == OOMPROF_SEC_TASKS) {
			enum record_status st = check_tasks((const void *)sec,
							    why);

			if (st != RECORD_OK)
				return st;
		}
		if (sec->type == OOMPROF_SEC_MAPS) {
			enum record_status st = check_maps((const void *)sec,
							   why);

			if (st != RECORD_OK)
				return st;
		}
		p += sec->bytes;
		n -= sec->bytes;
	}
	return RECORD_OK;
}

const struct oomprof_section *record_section(const struct oomprof_oom_kill *k,
					     unsigned int type)
{
	const unsigned char *p = (const unsigned char *)k + k->ext_offset;
	size_t n = k->ext_bytes;

	while (n >= sizeof(struct oomprof_section)) {
		const struct oomprof_section *sec = (const void *)p;

		if (sec->bytes < sizeof(*sec) || sec->bytes > n)
			return NULL;	/* not a validated record */
		if (sec->type == type)
			return sec;
		p += sec->bytes;
		n -= sec->bytes;
	}
	return NULL;
}

static enum record_status check_oom_kill(const struct oomprof_oom_kill *k,
					 const char **why)
{
	unsigned int i;

	if (k->hdr.size < sizeof(*k)) {
		*why = "OOM kill record shorter than its structure";
		return RECORD_BAD_SIZE;
	}
	if (k->nparents > OOMPROF_MAX_PARENTS) {
		*why = "OOM kill record has more parents than it can hold";
		return RECORD_BAD_FIELD;
	}
	if (k->constraint > OOMPROF_CONSTRAINT_MEMCG) {
		*why = "OOM kill record has an unknown constraint";
		return RECORD_BAD_FIELD;
	}
	if (!string_terminated(k->victim.comm, sizeof(k->victim.comm)) ||
	    !string_terminated(k->trigger.comm, sizeof(k->trigger.comm)) ||
	    !string_terminated(k->victim_cgroup, sizeof(k->victim_cgroup)) ||
	    !string_terminated(k->oom_cgroup, sizeof(k->oom_cgroup))) {
		*why = "OOM kill record has an unterminated string";
		return RECORD_BAD_FIELD;
	}
	for (i = 0; i < k->nparents; i++) {
		if (!string_terminated(k->parents[i].comm,
				       sizeof(k->parents[i].comm))) {
			*why = "OOM kill record has an unterminated parent name";
			return RECORD_BAD_FIELD;
		}
	}
	if (!k->ext_bytes) {
		if (k->ext_offset) {
			*why = "OOM kill record has a section offset but no sections";
			return RECORD_BAD_FIELD;
		}
		return RECORD_OK;
	}
	if (k->ext_offset % 8 || k->ext_offset < sizeof(*k) ||
	    k->ext_offset > k->hdr.size ||
	    k->ext_bytes != k->hdr.size - k->ext_offset) {
		*why = "OOM kill record's sections do not end the record at an aligned offset after its structure";
		return RECORD_BAD_SIZE;
	}
	return check_sections((const unsigned char *)k + k->ext_offset,
			      k->ext_bytes, why);
}

/*
 * The capture's regions: each slot unused (all 0) or 1 to
 * OOMPROF_GO_REGION_MAX bytes; regions_bytes their data, each rounded up
 * to 8; copied bits and errors only for used slots.
 */
static int go_regions_ok(const struct oomprof_go_capture *cap)
{
	uint64_t room = 0;
	unsigned int i;

	for (i = 0; i < OOMPROF_GO_MAX_REGIONS; i++) {
		const struct oomprof_go_region *r = &cap->regions[i];

		if (!r->addr && !r->bytes && !r->reserved) {
			if ((cap->regions_copied & (1u << i)) ||
			    cap->region_error[i])
				return 0;
			continue;
		}
		if (!r->bytes || r->bytes > OOMPROF_GO_REGION_MAX ||
		    r->reserved)
			return 0;
		room += (r->bytes + 7u) & ~7u;
	}
	return room == cap->regions_bytes &&
	       !(cap->regions_copied >> OOMPROF_GO_MAX_REGIONS);
}

/* The bucket entries themselves are checked where they are parsed. */
static enum record_status check_go_heap(const struct oomprof_oom_kill *k,
					const char **why)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);
	size_t heads = sizeof(*k) + sizeof(*cap);
	/* Where the entries end: the sections, or the record. */
	size_t end = k->ext_bytes ? k->ext_offset : k->hdr.size;

	if (end < heads) {
		*why = "Go heap record shorter than its headers";
		return RECORD_BAD_SIZE;
	}
	if (!go_regions_ok(cap)) {
		*why = "Go heap record's regions are malformed (sizes, copied bits or their total)";
		return RECORD_BAD_FIELD;
	}
	if (cap->regions_bytes > end - heads) {
		*why = "Go heap record's region data runs past its end";
		return RECORD_BAD_SIZE;
	}
	/* From here on, heads covers the region data: the entries follow. */
	heads += cap->regions_bytes;
	/* Count entries are bytes: up to 7 zeros pad them to 8. */
	if (cap->bucket_bytes > end - heads ||
	    cap->counts_bytes > end - heads - cap->bucket_bytes ||
	    end - heads - cap->bucket_bytes - cap->counts_bytes >= 8) {
		*why = "Go heap record's bucket and count bytes disagree with its size";
		return RECORD_BAD_SIZE;
	}
	if (cap->nbuckets_counted > cap->nbuckets ||
	    cap->nbuckets_counted > cap->known_count) {
		*why = "Go heap record has more count entries than buckets or than its learned prefix";
		return RECORD_BAD_FIELD;
	}
	if (!cap->known_head != !cap->known_count) {
		*why = "Go heap record's learned prefix has a head without a count or the reverse";
		return RECORD_BAD_FIELD;
	}
	/*
	 * A count entry is 2 to 173 bytes: address delta (10), mask (3),
	 * 16 words (10 each).
	 */
	if (cap->nbuckets_counted > cap->counts_bytes / 2 ||
	    cap->counts_bytes > 173 * cap->nbuckets_counted) {
		*why = "Go heap record's count bytes do not fit its count entries";
		return RECORD_BAD_SIZE;
	}
	if (!string_terminated(cap->exe_path, sizeof(cap->exe_path)) ||
	    !string_terminated(cap->build_id, sizeof(cap->build_id))) {
		*why = "Go heap record has an unterminated string";
		return RECORD_BAD_FIELD;
	}
	return RECORD_OK;
}

static enum record_status check_proc_event(const struct oomprof_proc_event *e,
					   const char **why)
{
	if (e->hdr.size < sizeof(*e)) {
		*why = "process event record smaller than its structure";
		return RECORD_BAD_SIZE;
	}
	if (!string_terminated(e->comm, sizeof(e->comm))) {
		*why = "process event record has an unterminated name";
		return RECORD_BAD_FIELD;
	}
	if (e->exe_valid > 1 ||
	    (e->exe_valid && (e->exe_mtime_nsec >= 1000000000u ||
			      e->exe_ctime_nsec >= 1000000000u))) {
		*why = "process event record has an impossible executable identity";
		return RECORD_BAD_FIELD;
	}
	/* PID_MAX_LIMIT on 64-bit kernels is 4M. */
	if (e->pid == 0 || e->pid > 4 * 1024 * 1024) {
		*why = "process event record has an impossible pid";
		return RECORD_BAD_FIELD;
	}
	return RECORD_OK;
}

enum record_status record_next(struct record_cursor *c,
			       const struct oomprof_record_header **hdr,
			       const char **why)
{
	const struct oomprof_record_header *h;
	enum record_status st = RECORD_OK;

	*why = NULL;
	if (c->left == 0)
		return RECORD_END;
	if (c->left < sizeof(*h)) {
		*why = "fewer bytes than a record header";
		return RECORD_TRUNCATED;
	}
	h = (const struct oomprof_record_header *)c->p;
	if (h->magic != OOMPROF_RECORD_MAGIC) {
		*why = "bad record magic";
		return RECORD_BAD_MAGIC;
	}
	if (h->version != OOMPROF_RECORD_VERSION) {
		*why = "record version differs from this oomprof-read's";
		return RECORD_BAD_VERSION;
	}
	if (h->size < sizeof(*h) || h->size % 8) {
		*why = "record size is not a multiple of 8 of at least a header";
		return RECORD_BAD_SIZE;
	}
	if (h->size > c->left) {
		*why = "record runs past the end of the data read";
		return RECORD_TRUNCATED;
	}
	if (h->type == OOMPROF_REC_OOM_KILL || h->type == OOMPROF_REC_GO_HEAP)
		st = check_oom_kill((const struct oomprof_oom_kill *)h, why);
	if (st == RECORD_OK && h->type == OOMPROF_REC_GO_HEAP)
		st = check_go_heap((const struct oomprof_oom_kill *)h, why);
	if (h->type == OOMPROF_REC_PROC_EXEC || h->type == OOMPROF_REC_PROC_EXIT)
		st = check_proc_event((const struct oomprof_proc_event *)h,
				      why);
	if (st != RECORD_OK)
		return st;
	c->p += h->size;
	c->left -= h->size;
	*hdr = h;
	return RECORD_OK;
}

const char *record_constraint_name(unsigned int constraint)
{
	switch (constraint) {
	case OOMPROF_CONSTRAINT_GLOBAL:
		return "global";
	case OOMPROF_CONSTRAINT_CPUSET:
		return "cpuset";
	case OOMPROF_CONSTRAINT_MEMORY_POLICY:
		return "mempolicy";
	case OOMPROF_CONSTRAINT_MEMCG:
		return "memcg";
	default:
		return "unknown";
	}
}

const unsigned char *record_go_entries(const struct oomprof_go_capture *cap)
{
	return (const unsigned char *)(cap + 1) + cap->regions_bytes;
}

const unsigned char *record_go_region(const struct oomprof_go_capture *cap,
				      unsigned int i, uint32_t *len)
{
	const unsigned char *p = (const unsigned char *)(cap + 1);
	unsigned int j;

	*len = 0;
	if (i >= OOMPROF_GO_MAX_REGIONS || !cap->regions[i].bytes ||
	    !(cap->regions_copied & (1u << i)))
		return NULL;
	for (j = 0; j < i; j++)
		p += (cap->regions[j].bytes + 7u) & ~7u;
	*len = cap->regions[i].bytes;
	return p;
}

const char *record_stop_name(unsigned int stop)
{
	static const char *const names[] = {
		[OOMPROF_STOP_NONE] = "complete",
		[OOMPROF_STOP_MAX_BUCKETS] = "bucket limit (capture_max_buckets)",
		[OOMPROF_STOP_BUFFER_FULL] = "capture buffer full (capture_buffer_mb)",
		[OOMPROF_STOP_TIMEOUT] = "time limit (capture_timeout_ms)",
		[OOMPROF_STOP_CYCLE] = "bucket list loops",
		[OOMPROF_STOP_BAD_POINTER] = "bad bucket pointer",
		[OOMPROF_STOP_BAD_TYPE] = "bucket of the wrong type",
		[OOMPROF_STOP_BAD_NSTK] = "bucket stack deeper than 1024",
		[OOMPROF_STOP_READ_FAULT] = "memory not readable (not resident or already reaped)",
		[OOMPROF_STOP_NO_MM] = "address space already gone",
		[OOMPROF_STOP_NO_BUFFER] = "no capture buffer free (more Go victims at once than capture_buffers)",
		[OOMPROF_STOP_EXEC] = "process exec'd since it was registered",
		[OOMPROF_STOP_EXITING] = "process was already exiting at its kill",
		[OOMPROF_STOP_NOT_64BIT] = "not a 64-bit process",
		[OOMPROF_STOP_IO_MAPPING] = "bucket pointer into device memory (VM_IO/VM_PFNMAP)",
		[OOMPROF_STOP_MM_BUSY] = "address space write-locked for the whole capture time",
		[OOMPROF_STOP_LEARNED_MISMATCH] = "the bucket list below the learned prefix is not the one learned",
	};

	if (stop < sizeof(names) / sizeof(names[0]) && names[stop])
		return names[stop];
	return "unknown reason";
}

const char *record_map_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[OOMPROF_MAP_ANON] = "anon",
		[OOMPROF_MAP_HEAP] = "heap",
		[OOMPROF_MAP_STACK] = "stack",
		[OOMPROF_MAP_FILE] = "file",
		[OOMPROF_MAP_SHMEM] = "shmem",
		[OOMPROF_MAP_HUGETLB] = "hugetlb",
		[OOMPROF_MAP_OTHER] = "other",
	};

	if (kind < sizeof(names) / sizeof(names[0]) && names[kind])
		return names[kind];
	return "unknown";
}

const char *record_maps_stop_name(unsigned int stop)
{
	static const char *const names[] = {
		[OOMPROF_MAPS_COMPLETE] = "complete",
		[OOMPROF_MAPS_STOP_VMAS] = "mapping-limit",
		[OOMPROF_MAPS_STOP_PTES] = "page-table-limit",
		[OOMPROF_MAPS_STOP_TIME] = "timeout",
		[OOMPROF_MAPS_STOP_MM_BUSY] = "mm-busy",
		[OOMPROF_MAPS_STOP_EXITING] = "exiting",
	};

	if (stop < sizeof(names) / sizeof(names[0]) && names[stop])
		return names[stop];
	return "unknown";
}
