// SPDX-License-Identifier: GPL-2.0
/*
 * rtlat CPU: a SCHED_FIFO (priority 90) task pinned to CPU that sleeps
 * 1 ms at a time (absolute CLOCK_MONOTONIC deadlines) and measures how
 * late each wake-up is, until SIGTERM; then prints "rtlat cpu=C samples=S
 * max_us=M at_boottime_ns=T over_1ms=K" (T: CLOCK_BOOTTIME of the worst
 * wake-up, the clock of the module's records). make bench runs one per
 * CPU during a big capture, with the module and without.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static long long ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 90 };
	long long next, late, worst = 0, worst_at = 0, samples = 0, over = 0;
	struct sigaction sa = { .sa_handler = on_term };
	struct timespec ts;
	cpu_set_t set;
	int cpu;

	if (argc != 2) {
		fprintf(stderr, "usage: rtlat CPU\n");
		return 2;
	}
	cpu = atoi(argv[1]);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("rtlat: pin to the CPU / SCHED_FIFO");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	next = ns(CLOCK_MONOTONIC);
	while (!stop) {
		next += 1000000;
		ts.tv_sec = next / 1000000000LL;
		ts.tv_nsec = next % 1000000000LL;
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			continue;
		late = ns(CLOCK_MONOTONIC) - next;
		samples++;
		if (late > 1000000)
			over++;
		if (late > worst) {
			worst = late;
			worst_at = ns(CLOCK_BOOTTIME);
		}
		/* Behind by more than a period: start again from now. */
		if (late > 1000000)
			next = ns(CLOCK_MONOTONIC);
	}
	printf("rtlat cpu=%d samples=%lld max_us=%lld at_boottime_ns=%lld over_1ms=%lld\n",
	       cpu, samples, worst / 1000, worst_at, over);
	return 0;
}
