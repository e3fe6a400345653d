// SPDX-License-Identifier: GPL-2.0
/*
 * forkbench N PROG: N times fork, execv PROG in the child, waitpid in the
 * parent; prints "forkbench n=N ns=T" (CLOCK_MONOTONIC, the whole loop).
 * make bench's steady-state cost: every exec and exit passes the module's
 * process probes when it is loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long t0, n, i;
	int status;
	pid_t pid;

	if (argc != 3 || (n = atoll(argv[1])) <= 0) {
		fprintf(stderr, "usage: forkbench N PROG\n");
		return 2;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("forkbench: fork");
			return 1;
		}
		if (pid == 0) {
			char *args[] = { argv[2], NULL };

			execv(argv[2], args);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "forkbench: %s did not exit 0 (status 0x%x)\n",
				argv[2], status);
			return 1;
		}
	}
	printf("forkbench n=%lld ns=%lld\n", n, now_ns() - t0);
	return 0;
}
