// SPDX-License-Identifier: GPL-2.0
/*
 * sleepers N: N child processes that sleep until killed, in a process
 * group of their own; prints "ready N" once all exist, then sleeps too
 * until SIGTERM, which ends the whole group. make bench's cost of the kill record's
 * walk over the machine's processes (bench_context): it walks processes,
 * not threads, so these are processes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_term(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

int main(int argc, char **argv)
{
	long n, i;

	if (argc != 2 || (n = atol(argv[1])) < 0) {
		fprintf(stderr, "usage: sleepers N\n");
		return 2;
	}
	if (setpgid(0, 0)) {
		perror("sleepers: setpgid");
		return 1;
	}
	signal(SIGTERM, on_term);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("sleepers: fork");
			kill(0, SIGKILL);
			return 1;
		}
		if (!pid) {
			signal(SIGTERM, SIG_DFL);
			for (;;)
				pause();
		}
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
