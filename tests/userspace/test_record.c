// SPDX-License-Identifier: GPL-2.0
/* Validation of records from the device: user/record.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "record.h"
#include "record_fixtures.h"

static enum record_status parse_one(const void *buf, size_t len,
				    const struct oomprof_record_header **out)
{
	struct record_cursor c = { .p = buf, .left = len };
	const char *why;
	enum record_status st = record_next(&c, out, &why);

	if (st != RECORD_OK && st != RECORD_END)
		assert_non_null(why);
	return st;
}

static void valid_kill(void **state)
{
	struct oomprof_oom_kill k;
	const struct oomprof_record_header *h = NULL;

	(void)state;
	fixture_kill(&k);
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_OK);
	assert_ptr_equal(h, &k.hdr);
}

static void several_records_then_end(void **state)
{
	union {
		unsigned long long align;
		unsigned char b[sizeof(struct oomprof_oom_kill) * 2 + 32];
	} u;
	struct oomprof_oom_kill k;
	struct oomprof_record_header lost;
	struct record_cursor c = { .p = u.b, .left = sizeof(u.b) };
	const struct oomprof_record_header *h;
	const char *why;

	(void)state;
	fixture_kill(&k);
	fixture_header(&lost, OOMPROF_REC_LOST, sizeof(lost));
	lost.lost = 5;
	memcpy(u.b, &k, sizeof(k));
	memcpy(u.b + sizeof(k), &lost, sizeof(lost));
	memcpy(u.b + sizeof(k) + sizeof(lost), &k, sizeof(k));
	assert_int_equal(record_next(&c, &h, &why), RECORD_OK);
	assert_int_equal(h->type, OOMPROF_REC_OOM_KILL);
	assert_int_equal(record_next(&c, &h, &why), RECORD_OK);
	assert_int_equal(h->type, OOMPROF_REC_LOST);
	assert_int_equal(h->lost, 5);
	assert_int_equal(record_next(&c, &h, &why), RECORD_OK);
	assert_int_equal(record_next(&c, &h, &why), RECORD_END);
}

static void unknown_type_is_skippable(void **state)
{
	unsigned long long buf[8];
	struct oomprof_record_header *hdr = (void *)buf;
	const struct oomprof_record_header *h;

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	fixture_header(hdr, 99, sizeof(buf));
	assert_int_equal(parse_one(buf, sizeof(buf), &h), RECORD_OK);
	assert_int_equal(h->size, sizeof(buf));
}

static void truncated(void **state)
{
	struct oomprof_oom_kill k;
	const struct oomprof_record_header *h;

	(void)state;
	fixture_kill(&k);
	assert_int_equal(parse_one(&k, 16, &h), RECORD_TRUNCATED);
	assert_int_equal(parse_one(&k, sizeof(k) - 8, &h), RECORD_TRUNCATED);
}

static void bad_magic_version_size(void **state)
{
	struct oomprof_oom_kill k;
	const struct oomprof_record_header *h;

	(void)state;
	fixture_kill(&k);
	k.hdr.magic ^= 1;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_MAGIC);
	fixture_kill(&k);
	k.hdr.version = OOMPROF_RECORD_VERSION + 1;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_VERSION);
	fixture_kill(&k);
	k.hdr.size = sizeof(k) - 4;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_SIZE);
	fixture_kill(&k);
	k.hdr.size = 8;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_SIZE);
	/* A kill record too short for its structure, though aligned. */
	fixture_kill(&k);
	k.hdr.size = sizeof(k) - 8;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_SIZE);
}

static void bad_fields(void **state)
{
	struct oomprof_oom_kill k;
	const struct oomprof_record_header *h;

	(void)state;
	fixture_kill(&k);
	k.nparents = OOMPROF_MAX_PARENTS + 1;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_FIELD);
	fixture_kill(&k);
	memset(k.victim.comm, 'x', sizeof(k.victim.comm));
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_FIELD);
	fixture_kill(&k);
	memset(k.oom_cgroup, 'x', sizeof(k.oom_cgroup));
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_FIELD);
	fixture_kill(&k);
	memset(k.parents[1].comm, 'x', sizeof(k.parents[1].comm));
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_FIELD);
	/* An unterminated name past nparents is not looked at. */
	fixture_kill(&k);
	memset(k.parents[5].comm, 'x', sizeof(k.parents[5].comm));
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_OK);
	fixture_kill(&k);
	k.constraint = 77;
	assert_int_equal(parse_one(&k, sizeof(k), &h), RECORD_BAD_FIELD);
}

static void go_heap_record(void **state)
{
	struct {
		struct oomprof_oom_kill k;
		struct oomprof_go_capture cap;
		unsigned long long entries[4];
	} r;
	const struct oomprof_record_header *h;

	(void)state;
	memset(&r, 0, sizeof(r));
	fixture_kill(&r.k);
	r.k.hdr.type = OOMPROF_REC_GO_HEAP;
	r.k.hdr.size = sizeof(r);
	r.cap.bucket_bytes = sizeof(r.entries);
	assert_int_equal(parse_one(&r, sizeof(r), &h), RECORD_OK);
	r.cap.bucket_bytes = sizeof(r.entries) + 8;
	assert_int_equal(parse_one(&r, sizeof(r), &h), RECORD_BAD_SIZE);
	r.cap.bucket_bytes = 0;
	r.k.hdr.size = sizeof(r.k) + 8;
	assert_int_equal(parse_one(&r, sizeof(r), &h), RECORD_BAD_SIZE);
	/* The kill facts inside are checked like a kill record's. */
	r.k.hdr.size = sizeof(r);
	r.cap.bucket_bytes = sizeof(r.entries);
	r.k.nparents = OOMPROF_MAX_PARENTS + 1;
	assert_int_equal(parse_one(&r, sizeof(r), &h), RECORD_BAD_FIELD);
}

static void proc_event_record(void **state)
{
	struct oomprof_proc_event e;
	const struct oomprof_record_header *h;

	(void)state;
	memset(&e, 0, sizeof(e));
	fixture_header(&e.hdr, OOMPROF_REC_PROC_EXEC, sizeof(e));
	e.pid = 1234;
	e.ns_pid = 1;
	memcpy(e.comm, "victim", 7);
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_OK);
	e.hdr.type = OOMPROF_REC_PROC_EXIT;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_OK);
	memset(e.comm, 'x', sizeof(e.comm));
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	memcpy(e.comm, "victim", 7);
	e.pid = 0;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	e.pid = 5u << 20;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	e.pid = 1234;
	/* The executable's identity: a flag and real nanoseconds. */
	e.exe_valid = 1;
	e.exe_mtime_nsec = 999999999;
	e.exe_ctime_nsec = 5;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_OK);
	e.exe_valid = 2;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	e.exe_valid = 1;
	e.exe_mtime_nsec = 1000000000;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	e.exe_mtime_nsec = 0;
	e.exe_ctime_nsec = 1000000000;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_FIELD);
	e.exe_ctime_nsec = 0;
	e.hdr.size = sizeof(e) - 8;
	assert_int_equal(parse_one(&e, sizeof(e), &h), RECORD_BAD_SIZE);
}

/* A kill record's sections: accepted as laid out, refused when not. */
static void kill_sections(void **state)
{
	static unsigned long long buf[FIXTURE_KILL_EXT_SIZE / 8 + 4];
	struct oomprof_oom_kill *k = (void *)buf;
	unsigned char *p = (unsigned char *)buf;
	struct oomprof_sec_memcg *m = (void *)(p + sizeof(*k));
	struct oomprof_sec_system *s = (void *)(m + 1);
	struct oomprof_sec_maps *mp;
	struct oomprof_sec_tasks *t = (void *)((unsigned char *)(s + 1) +
		sizeof(*mp) + FIXTURE_KILL_EXT_MAPS * sizeof(struct oomprof_map));
	const struct oomprof_record_header *h;
	const struct oomprof_sec_tasks *found;

	(void)state;
	fixture_kill_ext(buf);
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h), RECORD_OK);
	found = (const void *)record_section(k, OOMPROF_SEC_TASKS);
	assert_ptr_equal(found, t);
	assert_ptr_equal(record_section(k, OOMPROF_SEC_MEMCG), &m->sec);
	assert_null(record_section(k, 99));

	/* An unknown type is skipped by its size. */
	m->sec.type = 99;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h), RECORD_OK);
	assert_null(record_section(k, OOMPROF_SEC_MEMCG));
	/* Twice the same type. */
	m->sec.type = OOMPROF_SEC_SYSTEM;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_FIELD);
	fixture_kill_ext(buf);
	/* A known type shorter than its structure. */
	m->sec.bytes = 16;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	/* A section running past the record. */
	m->sec.bytes = FIXTURE_KILL_EXT_SIZE;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	/* Not a multiple of 8, or 0 (would never advance). */
	m->sec.bytes = sizeof(*m) + 4;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	m->sec.bytes = 0;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	/* More tasks than the section holds, or than the module's maximum. */
	t->ntasks = FIXTURE_KILL_EXT_TASKS + 1;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	t->ntasks = OOMPROF_MAX_TASKS + 1;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	memset(t->tasks[1].comm, 'x', sizeof(t->tasks[1].comm));
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_FIELD);
	fixture_kill_ext(buf);
	/* Mappings: more than the section holds or the maximum, bad kind, name. */
	mp = (void *)(s + 1);
	assert_int_equal(mp->sec.type, OOMPROF_SEC_MAPS);
	assert_ptr_equal(record_section(k, OOMPROF_SEC_MAPS), &mp->sec);
	mp->nmaps = FIXTURE_KILL_EXT_MAPS + 1;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	mp->nmaps = OOMPROF_MAX_MAPS + 1;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	mp->maps[2].kind = OOMPROF_MAP_NR_KINDS;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_FIELD);
	fixture_kill_ext(buf);
	memset(mp->maps[0].name, 'x', sizeof(mp->maps[0].name));
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_FIELD);
	/* Shorter than its fixed part. */
	fixture_kill_ext(buf);
	mp->sec.bytes = 16;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	/* The area must end the record, start aligned, after the structure. */
	k->ext_bytes -= 8;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	k->ext_offset += 4;
	k->ext_bytes -= 4;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	k->ext_offset = 8;
	k->ext_bytes = FIXTURE_KILL_EXT_SIZE - 8;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_SIZE);
	fixture_kill_ext(buf);
	k->ext_bytes = 0;
	assert_int_equal(parse_one(buf, FIXTURE_KILL_EXT_SIZE, &h),
			 RECORD_BAD_FIELD);
}

/* A Go heap record's sections come after its count entries. */
static void go_heap_sections(void **state)
{
	static unsigned long long buf[1024];
	unsigned char *p = (unsigned char *)buf;
	struct oomprof_oom_kill *k = (void *)buf;
	struct oomprof_go_capture *cap = (void *)(k + 1);
	const size_t heads = sizeof(*k) + sizeof(*cap);
	struct oomprof_sec_system *s;
	const struct oomprof_record_header *h;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fixture_kill(k);
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	cap->known_head = 0xc000010000ULL;
	cap->known_count = 1;
	cap->nbuckets = 1;
	cap->nbuckets_counted = 1;
	cap->counts_bytes = 3;		/* delta 0, mask 0: 2 bytes + 1 */
	k->ext_offset = heads + 8;	/* 3 bytes, padded to 8 */
	k->ext_bytes = sizeof(*s);
	k->hdr.size = k->ext_offset + k->ext_bytes;
	s = (void *)(p + k->ext_offset);
	s->sec.type = OOMPROF_SEC_SYSTEM;
	s->sec.bytes = sizeof(*s);
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_OK);
	assert_ptr_equal(record_section(k, OOMPROF_SEC_SYSTEM), &s->sec);
	/* Sections 8 bytes further: a gap the entries do not explain. */
	memmove(p + k->ext_offset + 8, s, sizeof(*s));
	k->ext_offset += 8;
	k->hdr.size += 8;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_SIZE);
	/* Sections overlapping the entries. */
	k->ext_offset = heads;
	k->ext_bytes = k->hdr.size - heads;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_SIZE);
}

/*
 * Region data sits between the capture and the entries, each region's
 * bytes rounded up to 8; the record must account for it, and malformed
 * region descriptions are refused.
 */
static void go_heap_regions(void **state)
{
	static unsigned long long buf[1024];
	unsigned char *p = (unsigned char *)buf;
	struct oomprof_oom_kill *k = (void *)buf;
	struct oomprof_go_capture *cap = (void *)(k + 1);
	const size_t heads = sizeof(*k) + sizeof(*cap);
	const struct oomprof_record_header *h;
	const unsigned char *r;
	uint32_t len;
	size_t i;

	(void)state;
	memset(buf, 0, sizeof(buf));
	fixture_kill(k);
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.flags |= OOMPROF_KILL_GO_PROCESS;
	cap->regions[0] = (struct oomprof_go_region){ 0x5a0000, 20, 0 };
	cap->regions[2] = (struct oomprof_go_region){ 0x5b0000, 8, 0 };
	cap->regions[3] = (struct oomprof_go_region){ 0x5c0000, 4096, 0 };
	cap->regions_copied = 1u << 0 | 1u << 3;
	cap->region_error[2] = -14;
	cap->regions_bytes = 24 + 8 + 4096;
	for (i = 0; i < cap->regions_bytes; i++)
		p[heads + i] = (unsigned char)(i * 7);
	/* One entry after the data: address + header words, nstk 0. */
	cap->nbuckets = 1;
	cap->bucket_bytes = 8 + 8 * (OOMPROF_GO_BUCKET_HEADER_WORDS +
				     OOMPROF_GO_MEMRECORD_WORDS);
	k->hdr.size = heads + cap->regions_bytes + cap->bucket_bytes;
	assert_true(k->hdr.size <= sizeof(buf));
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_OK);
	assert_ptr_equal(record_go_entries(cap), p + heads + 4128);
	r = record_go_region(cap, 0, &len);
	assert_ptr_equal(r, p + heads);
	assert_int_equal(len, 20);
	assert_null(record_go_region(cap, 1, &len));	/* unused */
	assert_int_equal(len, 0);
	assert_null(record_go_region(cap, 2, &len));	/* failed */
	r = record_go_region(cap, 3, &len);
	assert_ptr_equal(r, p + heads + 32);
	assert_int_equal(len, 4096);
	assert_null(record_go_region(cap, 4, &len));

	/* The data not counted in the record's size. */
	assert_int_equal(parse_one(buf, k->hdr.size - 8, &h),
			 RECORD_TRUNCATED);
	k->hdr.size -= 8;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_SIZE);
	k->hdr.size += 8;
	/* A total that is not the regions' sum. */
	cap->regions_bytes += 8;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->regions_bytes -= 8;
	/* A region over the largest, or with reserved set. */
	cap->regions[3].bytes = 4097;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->regions[3].bytes = 4096;
	cap->regions[2].reserved = 1;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->regions[2].reserved = 0;
	/* Copied bits or errors for slots not used, or past the last. */
	cap->regions_copied |= 1u << 1;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->regions_copied = 1u << 4;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->regions_copied = 1u;
	cap->region_error[1] = -5;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_FIELD);
	cap->region_error[1] = 0;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_OK);
	/* Data that runs past the record. */
	cap->regions[3].bytes = 0;
	cap->regions[3].addr = 0;
	cap->regions_bytes = 24 + 8;
	cap->regions[1] = (struct oomprof_go_region){ 0x5d0000, 4096, 0 };
	cap->regions_bytes += 4096;
	cap->bucket_bytes = 0;
	k->hdr.size = heads + 64;
	assert_int_equal(parse_one(buf, k->hdr.size, &h), RECORD_BAD_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_kill),
		cmocka_unit_test(several_records_then_end),
		cmocka_unit_test(unknown_type_is_skippable),
		cmocka_unit_test(truncated),
		cmocka_unit_test(bad_magic_version_size),
		cmocka_unit_test(bad_fields),
		cmocka_unit_test(go_heap_record),
		cmocka_unit_test(proc_event_record),
		cmocka_unit_test(kill_sections),
		cmocka_unit_test(go_heap_sections),
		cmocka_unit_test(go_heap_regions),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
