// SPDX-License-Identifier: GPL-2.0
/*
 * sigbench N: N signal round trips between two processes, each signal
 * delivered to a handler (so it passes get_signal() and its
 * signal_deliver tracepoint, which the module hooks; sigwait would take
 * the signal without delivering it): the parent sends SIGUSR1 and
 * sigsuspends, the child's handler runs, it answers with SIGUSR2.
 * Prints "sigbench n=N ns=T" (CLOCK_MONOTONIC, the whole loop).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	(void)sig;
	got = 1;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait for the handler to have run once (signals stay blocked otherwise). */
static void await(const sigset_t *open)
{
	while (!got)
		sigsuspend(open);
	got = 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, open;
	long long n, i, t0;
	pid_t child, parent = getpid();
	int status;

	if (argc != 2 || (n = atoll(argv[1])) <= 0) {
		fprintf(stderr, "usage: sigbench N\n");
		return 2;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &open);
	sigdelset(&open, SIGUSR1);
	sigdelset(&open, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	child = fork();
	if (child < 0) {
		perror("sigbench: fork");
		return 1;
	}
	if (child == 0) {
		for (i = 0; i < n; i++) {
			await(&open);
			kill(parent, SIGUSR2);
		}
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		kill(child, SIGUSR1);
		await(&open);
	}
	t0 = now_ns() - t0;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "sigbench: the child did not exit 0\n");
		return 1;
	}
	printf("sigbench n=%lld ns=%lld\n", n, t0);
	return 0;
}
