// SPDX-License-Identifier: GPL-2.0
/*
 * wrapper PROG ARGS...: fork, run PROG in the child, wait for it and exit
 * with its status (128 + signal if it was killed, as a shell reports it).
 * It stands for the common C launcher that starts a script interpreter: the
 * OOM victim is then the child, and its record's parents[0] must be us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t child, r;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: wrapper PROG ARGS...\n");
		return 2;
	}

	child = fork();
	if (child < 0) {
		fprintf(stderr, "wrapper: fork: %s\n", strerror(errno));
		return 2;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "wrapper: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}

	do
		r = waitpid(child, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		fprintf(stderr, "wrapper: waitpid: %s\n", strerror(errno));
		return 2;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 2;
}
