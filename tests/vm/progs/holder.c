// SPDX-License-Identifier: GPL-2.0
/*
 * holder MIB ADJ: a neighbour of an OOM victim. Sets its oom_score_adj to
 * ADJ, allocates and touches MIB MiB, writes "ready" to stdout and sleeps
 * until killed: memory that stays put, so the kernel's dump_tasks line and
 * oomprof's ranked list, taken moments apart, must agree on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char adj[16];
	long mib;
	char *p;
	int fd;

	if (argc != 3 || (mib = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: holder MIB OOM_SCORE_ADJ\n");
		return 2;
	}
	snprintf(adj, sizeof(adj), "%d", atoi(argv[2]));
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd < 0 || write(fd, adj, strlen(adj)) != (ssize_t)strlen(adj)) {
		fprintf(stderr, "holder: cannot set oom_score_adj to %s: %s\n",
			adj, strerror(errno));
		return 2;
	}
	close(fd);
	/*
	 * Small pages: on 6.1 a task's rss counts reach its mm only every 64
	 * faults (SPLIT_RSS_COUNTING), and a few huge-page faults never would:
	 * the kernel's dump_tasks too would show the memory as not resident.
	 */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = malloc((size_t)mib << 20);
	if (!p) {
		fprintf(stderr, "holder: cannot allocate %ld MiB\n", mib);
		return 2;
	}
	/* volatile: a store nobody reads back is otherwise optimized out. */
	for (size_t off = 0; off < ((size_t)mib << 20); off += 4096)
		((volatile char *)p)[off] = 0x5a;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
