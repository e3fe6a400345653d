// SPDX-License-Identifier: GPL-2.0
/*
 * stress_devwatch READY: wait (up to 20 s, spinning) for /dev/oomprof to
 * open, then ask GET_STATS at once: the device must not exist before the
 * module is complete (probes attached, mark_victim among them). READY is
 * created once spinning, before the module is loaded. Prints the probes
 * mask; exits 0 if mark_victim was attached at the first open, 1 if not,
 * 2 if the device never opened.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

int main(int argc, char **argv)
{
	struct oomprof_stats st;
	struct timespec t0, now;
	long spins = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: stress_devwatch READY\n");
		return 2;
	}
	close(open(argv[1], O_WRONLY | O_CREAT, 0644));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((fd = open("/dev/oomprof", O_WRONLY)) < 0) {
		spins++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 20) {
			printf("devwatch: /dev/oomprof did not open within 20 s (%s)\n",
			       strerror(errno));
			return 2;
		}
	}
	memset(&st, 0, sizeof(st));
	if (ioctl(fd, OOMPROF_IOC_GET_STATS, &st)) {
		printf("devwatch: GET_STATS at the first open failed: %s\n",
		       strerror(errno));
		return 1;
	}
	printf("devwatch: first open after %ld tries: probes 0x%x\n", spins,
	       st.probes);
	return st.probes & OOMPROF_PROBE_MARK_VICTIM ? 0 : 1;
}
