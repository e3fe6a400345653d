// SPDX-License-Identifier: GPL-2.0
/*
 * execat FILE PROG [ARG...]: write CLOCK_BOOTTIME in nanoseconds to FILE,
 * then execve PROG. The moment of exec on the clock the module's records
 * use (kill_boottime_ns), so a check can measure exec-to-OOM-kill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ts;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: execat FILE PROG [ARG...]\n");
		return 2;
	}
	f = fopen(argv[1], "w");
	if (!f || clock_gettime(CLOCK_BOOTTIME, &ts)) {
		perror(argv[1]);
		return 126;
	}
	fprintf(f, "%llu\n",
		(unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
	if (fclose(f)) {
		perror(argv[1]);
		return 126;
	}
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
