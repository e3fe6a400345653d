// SPDX-License-Identifier: GPL-2.0
#include "record.h"

#include <string.h>

static int string_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
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
	return RECORD_OK;
}

/* The bucket entries themselves are checked where they are parsed. */
static enum record_status check_go_heap(const struct oomprof_oom_kill *k,
					const char **why)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);
	const size_t heads = sizeof(*k) + sizeof(*cap);

	if (k->hdr.size < heads) {
		*why = "Go heap record shorter than its headers";
		return RECORD_BAD_SIZE;
	}
	/* Count entries are bytes: up to 7 zeros pad the record to 8. */
	if (cap->bucket_bytes > k->hdr.size - heads ||
	    cap->counts_bytes > k->hdr.size - heads - cap->bucket_bytes ||
	    k->hdr.size - heads - cap->bucket_bytes - cap->counts_bytes >= 8) {
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
