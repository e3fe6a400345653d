// SPDX-License-Identifier: GPL-2.0
/*
 * A dump never waits on a FUSE server its target's user runs:
 *
 *   dumpdl SLOW_FILE SLOW_LOG NEVER_FILE NEVER_LOG DELAY_MS
 *
 * SLOW_FILE is "x" of `fusehang -s DELAY_MS` (each READ answered DELAY_MS
 * after it arrives), NEVER_FILE that of `fusehang -s -1` (never
 * answered); each server prints a "read off ..." line per READ it is
 * asked, to SLOW_LOG and NEVER_LOG: those logs, not the module, say
 * whether a dump made a server read.
 *
 * A child (the process dumped) maps both files, private and shared, and
 * builds in its memory bucket lists (the Go runtime's layout) that lead
 * from anonymous memory into pages of those mappings it never touched, so
 * that no page of them is in the page cache: reading one means a READ to
 * the server. It touches two pages of the slow file itself (one written,
 * copy-on-write; one read), which the dump may read since they are
 * resident. This process dumps each list with OOMPROF_IOC_DUMP and checks
 * the dump's stop, where it stopped, what it copied, how long it took
 * (under DELAY_MS / 5) and that neither server was asked a READ meanwhile.
 * Each check prints "ok <what>" or "not ok <what>: <why>", each dump a
 * "time <list> wall_ms W dump_ms D" line; exit 1 if any check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define PG		4096UL
#define NSTK		1
#define BUCKET_WORDS	(OOMPROF_GO_BUCKET_HEADER_WORDS + NSTK + \
			 OOMPROF_GO_MEMRECORD_WORDS)
#define ENTRY_BYTES	(8 + BUCKET_WORDS * 8)
#define NLISTS		8

/* What the child built, sent to the parent through a pipe. */
struct layout {
	uint64_t mbuckets[NLISTS];	/* each list's head word */
	uint64_t rate;			/* a MemProfileRate word, anonymous */
	uint64_t rate_cold;		/* one in an untouched FUSE page */
	uint64_t region_cold;		/* a region in an untouched FUSE page */
	uint64_t priv, shr;		/* the slow file's mappings */
	uint64_t npriv, nshr;		/* the never-answering file's */
	uint64_t anon;			/* anonymous buckets at anon + 1024 */
};

static int failures;

static void check(int cond, const char *what, const char *why)
{
	if (cond) {
		printf("ok %s\n", what);
	} else {
		printf("not ok %s: %s\n", what, why);
		failures++;
	}
	fflush(stdout);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A bucket at @b: typ memory, one PC, allnext @next, one allocation. */
static void put_bucket(uint64_t *b, uint64_t next, uint64_t pc)
{
	memset(b, 0, BUCKET_WORDS * 8);
	b[1] = next;
	b[2] = 1;
	b[4] = 64;
	b[5] = NSTK;
	b[6] = pc;
	b[7] = 1;	/* active.allocs */
	b[9] = 64;	/* active.alloc_bytes */
}

static void *map_file(const char *path, int prot, int flags, off_t off)
{
	int fd = open(path, O_RDONLY);
	void *p;

	if (fd < 0) {
		fprintf(stderr, "dumpdl: %s: %s\n", path, strerror(errno));
		_exit(3);
	}
	p = mmap(NULL, 4 * PG, prot, flags, fd, off);
	if (p == MAP_FAILED) {
		fprintf(stderr, "dumpdl: mmap %s: %s\n", path, strerror(errno));
		_exit(3);
	}
	/* No readaround either, should a fault read ahead at all. */
	madvise(p, 4 * PG, MADV_RANDOM);
	close(fd);
	return p;
}

/*
 * The child: slow file's pages 0-3 private (page 1 written), 4-7 shared
 * (page 5 read); the never file's page 0 private, page 1 shared. Nothing
 * else of them is touched.
 */
static void victim(char **argv, int out_fd, int hold_fd)
{
	struct layout l;
	uint64_t *anon, *w;
	char *priv, *shr, *npriv, *nshr, c;
	int i;

	anon = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		_exit(3);
	priv = map_file(argv[1], PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	shr = map_file(argv[1], PROT_READ, MAP_SHARED, 4 * PG);
	npriv = map_file(argv[3], PROT_READ, MAP_PRIVATE, 0);
	nshr = map_file(argv[3], PROT_READ, MAP_SHARED, 4 * PG);
	memset(&l, 0, sizeof(l));
	l.anon = (uintptr_t)anon;
	l.priv = (uintptr_t)priv;
	l.shr = (uintptr_t)shr;
	l.npriv = (uintptr_t)npriv;
	l.nshr = (uintptr_t)nshr;

	/* Anonymous buckets 0..7 at anon + 1024 + 256 i. */
#define A(i)	((uint64_t)(uintptr_t)anon + 1024 + 256 * (i))
	w = anon;
	/* 0: two anonymous buckets, complete. */
	w[0] = A(0);
	put_bucket((uint64_t *)(uintptr_t)A(0), A(1), 0x500000);
	put_bucket((uint64_t *)(uintptr_t)A(1), 0, 0x500001);
	/* 1: two anonymous, then the untouched private page 0. */
	w[1] = A(2);
	put_bucket((uint64_t *)(uintptr_t)A(2), A(3), 0x500002);
	put_bucket((uint64_t *)(uintptr_t)A(3), l.priv, 0x500003);
	/* 2: one anonymous, then the untouched shared page (file page 4). */
	w[2] = A(4);
	put_bucket((uint64_t *)(uintptr_t)A(4), l.shr, 0x500004);
	/* 3: the private page 1, written here: an anonymous copy. */
	w[3] = l.priv + PG;
	put_bucket((uint64_t *)(priv + PG), 0, 0x500005);
	/* 4: the shared page 1 (file page 5), read here: resident. */
	w[4] = l.shr + PG;
	c = *(volatile char *)(shr + PG);
	/* 5: one anonymous, then the never-answering file, private. */
	w[5] = A(5);
	put_bucket((uint64_t *)(uintptr_t)A(5), l.npriv, 0x500006);
	/* 6: the never-answering file, shared, at once. */
	w[6] = l.nshr;
	/* 7: the head word itself in an untouched page (private page 2). */
	w[7] = 0;
	for (i = 0; i < NLISTS - 1; i++)
		l.mbuckets[i] = (uintptr_t)&w[i];
	l.mbuckets[7] = l.priv + 2 * PG;
	w[8] = 524288;
	l.rate = (uintptr_t)&w[8];
	l.rate_cold = l.priv + 3 * PG;		/* file page 3 */
	l.region_cold = l.shr + 2 * PG;		/* file page 6 */
	(void)c;
	if (write(out_fd, &l, sizeof(l)) != sizeof(l))
		_exit(4);
	/* Until the parent is done (it closes the pipe). */
	while (read(hold_fd, &c, 1) > 0)
		;
	_exit(0);
}

/* The "read off" lines in @log: READs the server was asked so far. */
static int reads(const char *log, char *offs, size_t room)
{
	char line[256];
	FILE *f = fopen(log, "r");
	int n = 0;

	if (offs && room)
		offs[0] = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long off;

		if (sscanf(line, "read off %llu", &off) != 1)
			continue;
		n++;
		if (offs && strlen(offs) + 24 < room)
			sprintf(offs + strlen(offs), " %llu", off);
	}
	fclose(f);
	return n;
}

struct expect {
	const char *name;
	int list;
	uint32_t stop;
	uint64_t stop_addr;		/* with a stop other than NONE */
	uint64_t nbuckets;
	uint64_t last_pc;		/* of the last entry; 0: not checked */
	int cold_rate;			/* rate word in an untouched page */
};

static uint64_t unbuf[1 << 13];	/* 64 KiB, 8-aligned */

static void dump_one(int dev, int mem_fd, pid_t child, const struct layout *l,
		     const struct expect *e, char **argv, double bound_ms)
{
	struct oomprof_dump req;
	char what[256], why[512];
	int slow0 = reads(argv[2], NULL, 0), never0 = reads(argv[4], NULL, 0);
	int slow1, never1, rc;
	double t0, wall;
	const struct oomprof_go_capture *cap = &req.cap;

	memset(&req, 0, sizeof(req));
	req.pid = child;
	req.mbuckets_addr = l->mbuckets[e->list];
	req.mem_profile_rate_addr = e->cold_rate ? l->rate_cold : l->rate;
	req.buf = (uintptr_t)unbuf;
	req.buf_size = sizeof(unbuf);
	req.mem_fd = mem_fd;
	/* Region 0 in anonymous memory, region 1 in an untouched page. */
	req.regions[0].addr = l->rate;
	req.regions[0].bytes = 8;
	req.regions[1].addr = l->region_cold;
	req.regions[1].bytes = 8;
	t0 = now_ms();
	rc = ioctl(dev, OOMPROF_IOC_DUMP, &req);
	wall = now_ms() - t0;
	slow1 = reads(argv[2], NULL, 0);
	never1 = reads(argv[4], NULL, 0);
	printf("time %s wall_ms %.1f dump_ms %.1f\n", e->name, wall,
	       cap->duration_ns / 1e6);

	snprintf(what, sizeof(what), "%s: the dump succeeds", e->name);
	snprintf(why, sizeof(why), "ioctl: %s", strerror(errno));
	check(rc == 0, what, why);
	if (rc)
		return;
	snprintf(what, sizeof(what), "%s: stop %u, %llu buckets", e->name,
		 e->stop, (unsigned long long)e->nbuckets);
	snprintf(why, sizeof(why), "stop %u at 0x%llx, %llu buckets",
		 cap->stop, (unsigned long long)cap->stop_addr,
		 (unsigned long long)cap->nbuckets);
	check(cap->stop == e->stop && cap->nbuckets == e->nbuckets, what, why);
	if (e->stop != OOMPROF_STOP_NONE) {
		snprintf(what, sizeof(what), "%s: stopped at the FUSE page's address",
			 e->name);
		snprintf(why, sizeof(why), "stop_addr 0x%llx, want 0x%llx",
			 (unsigned long long)cap->stop_addr,
			 (unsigned long long)e->stop_addr);
		check(cap->stop_addr == e->stop_addr, what, why);
	}
	if (e->last_pc && cap->nbuckets == e->nbuckets && e->nbuckets) {
		const uint64_t *ent = (const uint64_t *)((const char *)unbuf +
			cap->regions_bytes + (e->nbuckets - 1) * ENTRY_BYTES);

		snprintf(what, sizeof(what), "%s: the bucket read is the page's",
			 e->name);
		snprintf(why, sizeof(why), "pc 0x%llx, want 0x%llx",
			 (unsigned long long)ent[7],
			 (unsigned long long)e->last_pc);
		check(ent[7] == e->last_pc, what, why);
	}
	snprintf(what, sizeof(what), "%s: the rate %s", e->name,
		 e->cold_rate ? "in an untouched FUSE page is not read" :
				"is read");
	snprintf(why, sizeof(why), "rate %lld flags 0x%x",
		 (long long)cap->mem_profile_rate, cap->flags);
	check(e->cold_rate ? (cap->flags & OOMPROF_CAPTURE_NO_RATE) &&
			     cap->mem_profile_rate == -1 :
			     !(cap->flags & OOMPROF_CAPTURE_NO_RATE) &&
			     cap->mem_profile_rate == 524288, what, why);
	snprintf(what, sizeof(what),
		 "%s: the anonymous region is copied, the one in an untouched FUSE page fails with EFAULT",
		 e->name);
	snprintf(why, sizeof(why), "regions_copied 0x%x errors %d %d",
		 cap->regions_copied, cap->region_error[0],
		 cap->region_error[1]);
	check(cap->regions_copied == 1 && cap->region_error[1] == -EFAULT,
	      what, why);
	snprintf(what, sizeof(what), "%s: no server was asked a READ", e->name);
	snprintf(why, sizeof(why), "slow server %d -> %d, never-answering %d -> %d",
		 slow0, slow1, never0, never1);
	check(slow1 == slow0 && never1 == never0, what, why);
	snprintf(what, sizeof(what), "%s: returned within %.0f ms", e->name,
		 bound_ms);
	snprintf(why, sizeof(why), "took %.1f ms", wall);
	check(wall < bound_ms, what, why);
}

int main(int argc, char **argv)
{
	int dev, mem_fd, lp[2], hp[2], status, delay, i;
	char path[64], offs[512], want[128];
	struct layout l;
	pid_t child;

	if (argc != 6) {
		fprintf(stderr, "usage: dumpdl SLOW_FILE SLOW_LOG NEVER_FILE NEVER_LOG DELAY_MS\n");
		return 2;
	}
	delay = atoi(argv[5]);
	if (pipe(lp) || pipe(hp))
		return 1;
	child = fork();
	if (child == 0) {
		close(lp[0]);
		close(hp[1]);
		victim(argv, lp[1], hp[0]);
	}
	close(lp[1]);
	close(hp[0]);
	check(read(lp[0], &l, sizeof(l)) == sizeof(l),
	      "the victim built its lists", "it exited");
	if (failures)
		return 1;

	/*
	 * Only the two pages the victim touched were read (file pages 1 and
	 * 5): every other page is absent from the page cache, so a dump
	 * that faulted one in would have to ask the server.
	 */
	reads(argv[2], offs, sizeof(offs));
	snprintf(want, sizeof(want), " %lu %lu", PG, 5 * PG);
	check(!strcmp(offs, want),
	      "setup: the slow server was asked only for the two pages the victim touched",
	      offs);
	check(reads(argv[4], NULL, 0) == 0,
	      "setup: the never-answering server was asked nothing", "asked");

	dev = open("/dev/oomprof", O_WRONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	check(dev >= 0 && mem_fd >= 0, "open /dev/oomprof and the victim's /proc/PID/mem",
	      strerror(errno));
	if (failures)
		return 1;
	{
		const struct expect cases[] = {
			{ "anonymous list", 0, OOMPROF_STOP_NONE, 0, 2,
			  0x500001, 0 },
			{ "into an untouched private FUSE page", 1,
			  OOMPROF_STOP_READ_FAULT, l.priv, 2, 0x500003, 0 },
			{ "into an untouched shared FUSE page", 2,
			  OOMPROF_STOP_READ_FAULT, l.shr, 1, 0x500004, 0 },
			{ "a written private FUSE page", 3, OOMPROF_STOP_NONE,
			  0, 1, 0x500005, 0 },
			{ "a resident shared FUSE page", 4, OOMPROF_STOP_NONE,
			  0, 1, 0x401005, 0 },
			{ "into a never-answering server's private page", 5,
			  OOMPROF_STOP_READ_FAULT, l.npriv, 1, 0x500006, 0 },
			{ "into a never-answering server's shared page", 6,
			  OOMPROF_STOP_READ_FAULT, l.nshr, 0, 0, 0 },
			{ "mbuckets in an untouched FUSE page", 7,
			  OOMPROF_STOP_READ_FAULT, l.priv + 2 * PG, 0, 0, 0 },
			{ "rate in an untouched FUSE page", 0,
			  OOMPROF_STOP_NONE, 0, 2, 0x500001, 1 },
		};

		for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++)
			dump_one(dev, mem_fd, child, &l, &cases[i], argv,
				 delay / 5.0);
	}
	close(hp[1]);
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "the victim exited normally",
	      "waitpid");
	return failures ? 1 : 0;
}
