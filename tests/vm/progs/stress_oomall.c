// SPDX-License-Identifier: GPL-2.0
/*
 * stress_oomall LIMIT FILE...: write LIMIT into every FILE (memory.max of
 * cgroups whose usage is above it) at the same moment, one process per
 * file released together. Each write runs that cgroup's OOM killer at
 * once (the kernel reclaims, fails, and kills, then waits for the memory
 * to go). Prints "start_ns end_ns" (CLOCK_BOOTTIME) per file on stdout in
 * argument order; exits 1 if a write failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One child's result: one write, so that children never interleave. */
struct result {
	int idx;
	long long t[2];
};

int main(int argc, char **argv)
{
	int go[2], out[2], i, n = argc - 2, status, bad = 0;
	struct result res;

	if (argc < 3) {
		fprintf(stderr, "usage: stress_oomall LIMIT FILE...\n");
		return 2;
	}
	if (pipe(go) || pipe(out)) {
		perror("pipe");
		return 2;
	}
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			return 2;
		}
		if (p == 0) {
			char c;
			int fd = open(argv[2 + i], O_WRONLY);

			close(go[1]);
			/* All children wait here until the parent closes. */
			if (read(go[0], &c, 1) < 0)
				_exit(2);
			res.idx = i;
			res.t[0] = boottime_ns();
			if (fd < 0 || write(fd, argv[1], strlen(argv[1])) < 0) {
				fprintf(stderr, "stress_oomall: %s: %s\n",
					argv[2 + i], strerror(errno));
				_exit(1);
			}
			res.t[1] = boottime_ns();
			/* Less than PIPE_BUF: written at once. */
			if (write(out[1], &res, sizeof(res)) != sizeof(res))
				_exit(2);
			_exit(0);
		}
	}
	close(go[0]);
	close(out[1]);
	close(go[1]);	/* release them all */
	{
		long long at[256][2];
		int got = 0;

		memset(at, 0, sizeof(at));
		while (read(out[0], &res, sizeof(res)) == sizeof(res)) {
			if (res.idx >= 0 && res.idx < 256) {
				at[res.idx][0] = res.t[0];
				at[res.idx][1] = res.t[1];
			}
			got++;
		}
		for (i = 0; i < n; i++) {
			if (wait(&status) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				bad = 1;
		}
		for (i = 0; i < n && i < 256; i++)
			printf("%lld %lld\n", at[i][0], at[i][1]);
		if (got != n) {
			fprintf(stderr, "stress_oomall: %d of %d writes reported\n",
				got, n);
			bad = 1;
		}
	}
	return bad;
}
