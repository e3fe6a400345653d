// SPDX-License-Identifier: GPL-2.0
/*
 * hog [MIB_PER_SEC]: the OOM victim of the VM tests.
 *
 * It first sets its own oom_score_adj to 0: the guest's harness runs at
 * -1000 to survive a global OOM, and oom_score_adj is inherited, so a victim
 * that kept -1000 would be unkillable and a memcg OOM would hang forever.
 * Then it prints its pid and allocates and touches memory in 1 MiB chunks
 * until the kernel kills it, optionally throttled to MIB_PER_SEC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static void reset_oom_score_adj(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	if (fd < 0 || write(fd, "0", 1) != 1) {
		/* Refuse to run protected: the test would hang, not fail. */
		fprintf(stderr, "hog: cannot set oom_score_adj to 0: %s\n",
			strerror(errno));
		exit(2);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long rate = 0;		/* MiB per second, 0 = as fast as possible */
	unsigned long chunks = 0;
	struct timespec start;

	reset_oom_score_adj();
	if (argc > 2) {
		fprintf(stderr, "usage: hog [MIB_PER_SEC]\n");
		return 2;
	}
	if (argc == 2) {
		char *end;

		rate = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || rate <= 0) {
			fprintf(stderr, "hog: bad rate '%s'\n", argv[1]);
			return 2;
		}
	}

	printf("%d\n", (int)getpid());
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		char *p = malloc(CHUNK);

		if (!p) {
			/* Overcommit refused: wait for the OOM killer to act. */
			usleep(10000);
			continue;
		}
		/* Touch every page so it is really charged as anon RSS. */
		memset(p, 0xa5, CHUNK);
		chunks++;

		if (rate) {
			struct timespec now;
			double due, elapsed;

			clock_gettime(CLOCK_MONOTONIC, &now);
			elapsed = (double)(now.tv_sec - start.tv_sec) +
				  (double)(now.tv_nsec - start.tv_nsec) / 1e9;
			due = (double)chunks / (double)rate;
			if (due > elapsed)
				usleep((useconds_t)((due - elapsed) * 1e6));
		}
	}
}
