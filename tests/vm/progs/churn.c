// SPDX-License-Identifier: GPL-2.0
/*
 * churn: the innocent neighbour of the go_neighbour scenario.
 *
 * It holds about 16 MiB in 64 KiB anonymous mappings and, every 2 ms,
 * unmaps the oldest and maps and touches a new one: its footprint stays
 * flat, but it charges fresh pages to its memory cgroup all the time. If
 * the cgroup is at its limit while an OOM victim's memory is still
 * charged after the victim stopped counting as a victim in progress, one
 * of those charges runs a second OOM, and this process, the only other
 * one in the cgroup, is killed for nothing.
 *
 * It prints its pid, then the number of chunks it has cycled every second
 * to the file given as its first argument (liveness for the harness), and
 * exits 0 on SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(64 * 1024)
#define NCHUNKS	256	/* 16 MiB */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void *new_chunk(void)
{
	char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (p == MAP_FAILED) {
		fprintf(stderr, "churn: mmap: %s\n", strerror(errno));
		exit(1);
	}
	for (i = 0; i < CHUNK; i += 4096)
		p[i] = 1;
	return p;
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	static void *chunks[NCHUNKS];
	unsigned long cycled = 0;
	time_t last = 0;
	unsigned int oldest = 0, i;

	if (argc != 2) {
		fprintf(stderr, "usage: churn PROGRESS_FILE\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	for (i = 0; i < NCHUNKS; i++)
		chunks[i] = new_chunk();
	printf("%d\n", getpid());
	fflush(stdout);
	while (!stop) {
		time_t now = time(NULL);

		munmap(chunks[oldest], CHUNK);
		chunks[oldest] = new_chunk();
		oldest = (oldest + 1) % NCHUNKS;
		cycled++;
		if (now != last) {
			FILE *f = fopen(argv[1], "w");

			if (f) {
				fprintf(f, "%lu\n", cycled);
				fclose(f);
			}
			last = now;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}
