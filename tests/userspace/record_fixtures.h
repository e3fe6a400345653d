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

#endif
