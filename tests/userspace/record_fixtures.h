/* SPDX-License-Identifier: GPL-2.0 */
/* Records as the module builds them, for tests and the fuzz corpus. */
#ifndef OOMPROF_TEST_RECORD_FIXTURES_H
#define OOMPROF_TEST_RECORD_FIXTURES_H

#include <string.h>
#include <linux/oomprof.h>

static inline void fixture_header(struct oomprof_record_header *h,
				  unsigned int type, unsigned int size)
{
	memset(h, 0, sizeof(*h));
	h->magic = OOMPROF_RECORD_MAGIC;
	h->version = OOMPROF_RECORD_VERSION;
	h->type = (__u16)type;
	h->size = size;
	h->seq = 7;
}

static inline void fixture_kill(struct oomprof_oom_kill *k)
{
	memset(k, 0, sizeof(*k));
	fixture_header(&k->hdr, OOMPROF_REC_OOM_KILL, sizeof(*k));
	k->hdr.flags = OOMPROF_KILL_MM_FACTS | OOMPROF_KILL_SIGKILL_SEEN;
	k->kill_realtime_ns = 1795421411123456789ULL;	/* 2026-11-23T08:10:11Z */
	k->kill_boottime_ns = 5000000000ULL;
	k->sigkill_boottime_ns = 5001500000ULL;
	k->victim.pid = 321;
	k->victim.tgid = 321;
	strcpy(k->victim.comm, "hog");
	k->victim_ns_pid = 321;
	k->uid = 1000;
	k->oom_score_adj = -17;
	k->constraint = OOMPROF_CONSTRAINT_MEMCG;
	k->total_vm_kb = 70000;
	k->anon_rss_kb = 65536;
	k->file_rss_kb = 800;
	k->shmem_rss_kb = 0;
	k->pgtables_kb = 180;
	k->victim_cgroup_id = 42;
	k->oom_cgroup_id = 42;
	k->trigger.pid = 321;
	k->trigger.tgid = 321;
	strcpy(k->trigger.comm, "hog");
	k->nparents = 2;
	k->parents[0].pid = 300;
	k->parents[0].tgid = 300;
	strcpy(k->parents[0].comm, "wrapper");
	k->parents[1].pid = 1;
	k->parents[1].tgid = 1;
	strcpy(k->parents[1].comm, "init");
	strcpy(k->victim_cgroup, "/t1");
	strcpy(k->oom_cgroup, "/t1");
}

/*
 * A kill record with sections, as the module lays out a memcg OOM's: the
 * memcg's and the machine's memory, the victim's 3 largest mappings, then
 * 3 ranked processes (the victim first). @buf: FIXTURE_KILL_EXT_SIZE
 * bytes, 8-byte aligned.
 */
#define FIXTURE_KILL_EXT_TASKS 3
#define FIXTURE_KILL_EXT_MAPS 3
#define FIXTURE_KILL_EXT_SIZE (sizeof(struct oomprof_oom_kill) + \
	sizeof(struct oomprof_sec_memcg) + sizeof(struct oomprof_sec_system) + \
	sizeof(struct oomprof_sec_maps) + \
	FIXTURE_KILL_EXT_MAPS * sizeof(struct oomprof_map) + \
	sizeof(struct oomprof_sec_tasks) + \
	FIXTURE_KILL_EXT_TASKS * sizeof(struct oomprof_task_mem))

/* "2.9 GB in 29 anonymous 100 MB mappings", a heap, a hostile file name. */
static inline void fixture_maps(struct oomprof_sec_maps *m)
{
	struct oomprof_map_total *t;

	m->sec.type = OOMPROF_SEC_MAPS;
	m->sec.flags = OOMPROF_MAPS_NAME_TRUNCATED;
	m->sec.bytes = sizeof(*m) +
		       FIXTURE_KILL_EXT_MAPS * sizeof(struct oomprof_map);
	m->nmaps = FIXTURE_KILL_EXT_MAPS;
	m->path = OOMPROF_CAPTURE_PATH_VICTIM;
	m->vmas = 40;
	m->ptes = 760000;
	m->walk_after_ns = 250000;
	m->lock_wait_us = 120;
	m->walk_ns = 3200000;
	t = &m->totals[OOMPROF_MAP_ANON];
	t->count = 29;
	t->size_bytes = 29ULL * 104861696;
	t->resident_bytes = 29ULL * 104861696;
	t = &m->totals[OOMPROF_MAP_HEAP];
	t->count = 1;
	t->size_bytes = 2097152;
	t->resident_bytes = 1048576;
	t = &m->totals[OOMPROF_MAP_FILE];
	t->count = 10;
	t->size_bytes = 8388608;
	t->resident_bytes = 4194304;
	t->swap_bytes = 8192;
	m->maps[0].kind = OOMPROF_MAP_ANON;
	m->maps[0].start = 0x7f0000000000ULL;
	m->maps[0].size_bytes = 104861696;
	m->maps[0].resident_bytes = 104861696;
	m->maps[1].kind = OOMPROF_MAP_HEAP;
	m->maps[1].start = 0x555555560000ULL;
	m->maps[1].size_bytes = 2097152;
	m->maps[1].resident_bytes = 1048576;
	m->maps[2].kind = OOMPROF_MAP_FILE;
	m->maps[2].flags = OOMPROF_MAP_NAME_TRUNCATED;
	m->maps[2].start = 0x7f1000000000ULL;
	m->maps[2].size_bytes = 1048576;
	m->maps[2].resident_bytes = 524288;
	m->maps[2].swap_bytes = 8192;
	strcpy(m->maps[2].name, "lib/\x1b[31mevil\"name.so");
}

static inline void fixture_task(struct oomprof_task_mem *e, unsigned int pid,
				const char *comm, long long badness)
{
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->tgid = pid;
	strcpy(e->comm, comm);
	e->uid = 1000;
	e->anon_rss_kb = (unsigned long long)badness * 4;
	e->file_rss_kb = 8;
	e->total_vm_kb = 100000;
	e->pgtables_kb = 12;
	e->badness = badness;
}

static inline void fixture_kill_ext(void *buf)
{
	unsigned char *p = buf;
	struct oomprof_oom_kill *k = buf;
	struct oomprof_sec_memcg *m;
	struct oomprof_sec_system *s;
	struct oomprof_sec_tasks *t;

	memset(buf, 0, FIXTURE_KILL_EXT_SIZE);
	fixture_kill(k);
	k->hdr.size = FIXTURE_KILL_EXT_SIZE;
	k->ext_offset = sizeof(*k);
	k->ext_bytes = FIXTURE_KILL_EXT_SIZE - sizeof(*k);
	m = (void *)(p + sizeof(*k));
	m->sec.type = OOMPROF_SEC_MEMCG;
	m->sec.flags = OOMPROF_MEMCG_SWAP;
	m->sec.bytes = sizeof(*m);
	m->usage_bytes = 104857600;
	m->max_bytes = 104857600;
	m->high_bytes = OOMPROF_UNLIMITED;
	m->peak_bytes = 104861696;
	m->swap_bytes = 0;
	m->swap_max_bytes = 0;
	m->events[OOMPROF_MEMCG_MAX] = 250;
	m->events[OOMPROF_MEMCG_OOM] = 1;
	m->events[OOMPROF_MEMCG_OOM_KILL] = 1;
	s = (void *)(m + 1);
	s->sec.type = OOMPROF_SEC_SYSTEM;
	s->sec.bytes = sizeof(*s);
	s->ram_total_bytes = 1073741824;
	s->ram_free_bytes = 536870912;
	s->ram_available_bytes = 600000000;
	s->swap_free_bytes = 0;
	fixture_maps((void *)(s + 1));
	t = (void *)((unsigned char *)(s + 1) + sizeof(struct oomprof_sec_maps) +
		     FIXTURE_KILL_EXT_MAPS * sizeof(struct oomprof_map));
	t->sec.type = OOMPROF_SEC_TASKS;
	t->sec.bytes = sizeof(*t) +
		       FIXTURE_KILL_EXT_TASKS * sizeof(struct oomprof_task_mem);
	t->ntasks = FIXTURE_KILL_EXT_TASKS;
	t->walked = 97;
	t->totalpages = 25600;
	t->walk_ns = 41000;
	fixture_task(&t->tasks[0], 321, "hog", 16500);
	t->tasks[0].flags = OOMPROF_TASK_VICTIM;
	t->tasks[0].oom_score_adj = -17;
	fixture_task(&t->tasks[1], 322, "hog2", 8000);
	fixture_task(&t->tasks[2], 323, "sleeper", 0);
	t->tasks[2].oom_score_adj = -1000;
	t->tasks[2].flags = OOMPROF_TASK_UNKILLABLE;
	t->tasks[2].badness = -9223372036854775807LL - 1;
}

#endif
