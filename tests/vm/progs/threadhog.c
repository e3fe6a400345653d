// SPDX-License-Identifier: GPL-2.0
/*
 * threadhog [NTHREADS]: a multi-threaded OOM victim. Like hog it first sets
 * its own oom_score_adj to 0 (the harness's -1000 is inherited) and prints
 * its pid; then NTHREADS threads (default 4) allocate and touch 1 MiB chunks
 * until the process is killed. Any of the threads may take the SIGKILL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)

static void *eat(void *arg)
{
	(void)arg;
	for (;;) {
		char *p = malloc(CHUNK);

		if (!p) {
			usleep(10000);
			continue;
		}
		memset(p, 0x5a, CHUNK);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);
	long n = 4;
	pthread_t t;

	if (fd < 0 || write(fd, "0", 1) != 1) {
		fprintf(stderr, "threadhog: cannot set oom_score_adj to 0: %s\n",
			strerror(errno));
		return 2;
	}
	close(fd);
	if (argc > 1) {
		n = strtol(argv[1], NULL, 10);
		if (n < 1 || n > 64) {
			fprintf(stderr, "threadhog: bad thread count '%s'\n", argv[1]);
			return 2;
		}
	}
	printf("%d\n", (int)getpid());
	fflush(stdout);
	for (long i = 1; i < n; i++) {
		int err = pthread_create(&t, NULL, eat, NULL);

		if (err) {
			fprintf(stderr, "threadhog: pthread_create: %s\n", strerror(err));
			return 2;
		}
	}
	eat(NULL);
	return 0;
}
