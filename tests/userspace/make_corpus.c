// SPDX-License-Identifier: GPL-2.0
/* Writes seed inputs for fuzz_record into the directory argv[1]. */
#include <stdio.h>
#include <stdlib.h>

#include "record_fixtures.h"

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct oomprof_oom_kill k[2];
	struct oomprof_record_header lost;

	if (argc != 2)
		return 2;
	fixture_kill(&k[0]);
	fixture_kill(&k[1]);
	k[1].constraint = OOMPROF_CONSTRAINT_GLOBAL;
	k[1].hdr.flags = OOMPROF_KILL_PARENTS_TRUNCATED;
	put(argv[1], "kill", &k[0], sizeof(k[0]));
	put(argv[1], "two-kills", k, sizeof(k));
	fixture_header(&lost, OOMPROF_REC_LOST, sizeof(lost));
	lost.lost = 9;
	put(argv[1], "lost", &lost, sizeof(lost));
	{
		/* A Go heap record with one 2-frame bucket. */
		struct {
			struct oomprof_oom_kill k;
			struct oomprof_go_capture cap;
			unsigned long long e[1 + 6 + 2 + 16];
		} g;

		memset(&g, 0, sizeof(g));
		fixture_kill(&g.k);
		g.k.hdr.type = OOMPROF_REC_GO_HEAP;
		g.k.hdr.size = sizeof(g);
		g.k.hdr.flags |= OOMPROF_KILL_GO_PROCESS;
		g.cap.bucket_bytes = sizeof(g.e);
		g.cap.nbuckets = 1;
		g.cap.mem_profile_rate = 524288;
		g.e[0] = 0xc000010000ULL;	/* address */
		g.e[3] = 1;			/* typ */
		g.e[6] = 2;			/* nstk */
		g.e[7] = 0x401234;
		g.e[8] = 0x405678;
		g.e[9] = 10;			/* active.allocs */
		g.e[11] = 640;			/* active.alloc_bytes */
		put(argv[1], "go-heap", &g, sizeof(g));
	}
	{
		/* A kill with the domain's memory and its ranked processes. */
		static unsigned long long e[FIXTURE_KILL_EXT_SIZE / 8];

		fixture_kill_ext(e);
		put(argv[1], "kill-context", e, sizeof(e));
	}
	{
		/*
		 * The largest mapping list, every name 127 bytes the victim
		 * chose, all to be escaped: the formatter's worst case.
		 */
		static unsigned long long e[(sizeof(struct oomprof_oom_kill) +
					     sizeof(struct oomprof_sec_maps) +
					     OOMPROF_MAX_MAPS *
					     sizeof(struct oomprof_map)) / 8];
		struct oomprof_oom_kill *k = (void *)e;
		struct oomprof_sec_maps *m = (void *)(k + 1);
		unsigned int i;

		memset(e, 0, sizeof(e));
		fixture_kill(k);
		k->hdr.size = sizeof(e);
		k->ext_offset = sizeof(*k);
		k->ext_bytes = sizeof(e) - sizeof(*k);
		m->sec.type = OOMPROF_SEC_MAPS;
		m->sec.bytes = k->ext_bytes;
		m->nmaps = OOMPROF_MAX_MAPS;
		for (i = 0; i < OOMPROF_MAX_MAPS; i++) {
			m->maps[i].kind = i % OOMPROF_MAP_NR_KINDS;
			m->maps[i].size_bytes = 4096;
			memset(m->maps[i].name, '\x1b',
			       sizeof(m->maps[i].name) - 1);
		}
		put(argv[1], "kill-maps-full", e, sizeof(e));
	}
	{
		/* An exec and an exit, back to back. */
		struct oomprof_proc_event p[2];

		memset(p, 0, sizeof(p));
		fixture_header(&p[0].hdr, OOMPROF_REC_PROC_EXEC, sizeof(p[0]));
		fixture_header(&p[1].hdr, OOMPROF_REC_PROC_EXIT, sizeof(p[1]));
		p[0].pid = p[1].pid = 321;
		p[0].ns_pid = p[1].ns_pid = 1;
		p[1].registration_id = 7;
		memcpy(p[0].comm, "victim", 7);
		memcpy(p[1].comm, "victim", 7);
		put(argv[1], "proc-events", p, sizeof(p));
	}
	return 0;
}
