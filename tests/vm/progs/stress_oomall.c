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

int main(int argc, char **argv)
{
	int go[2], out[2], i, n = argc - 2, status, bad = 0;
	long long t[2];

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
			t[0] = boottime_ns();
			if (fd < 0 || write(fd, argv[1], strlen(argv[1])) < 0) {
				fprintf(stderr, "stress_oomall: %s: %s\n",
					argv[2 + i], strerror(errno));
				_exit(1);
			}
			t[1] = boottime_ns();
			/* Slot i of the output pipe: two numbers, fixed size. */
			if (write(out[1], &i, sizeof(i)) != sizeof(i) ||
			    write(out[1], t, sizeof(t)) != sizeof(t))
				_exit(2);
			_exit(0);
		}
	}
	close(go[0]);
	close(out[1]);
	close(go[1]);	/* release them all */
	{
		long long res[256][2];
		int got = 0, idx;

		memset(res, 0, sizeof(res));
		while (read(out[0], &idx, sizeof(idx)) == sizeof(idx) &&
		       read(out[0], t, sizeof(t)) == sizeof(t)) {
			if (idx >= 0 && idx < 256) {
				res[idx][0] = t[0];
				res[idx][1] = t[1];
			}
			got++;
		}
		for (i = 0; i < n; i++) {
			if (wait(&status) < 0 || !WIFEXITED(status) ||
			    WEXITSTATUS(status))
				bad = 1;
		}
		for (i = 0; i < n && i < 256; i++)
			printf("%lld %lld\n", res[i][0], res[i][1]);
		if (got != n)
			bad = 1;
	}
	return bad;
}
