// SPDX-License-Identifier: GPL-2.0
/*
 * memcpybench BYTES: the time a plain memcpy of BYTES takes in this guest,
 * between two anonymous buffers both written once beforehand (so no page
 * fault is timed): the first copy and the best and median of 7. make
 * bench divides a capture's time by it.
 * Prints "bytes=N first_ns=F best_ns=B median_ns=M".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long long t[7], first = 0;
	unsigned long long n;
	char *src, *dst, *end;
	int i;

	if (argc != 2 || (n = strtoull(argv[1], &end, 10)) == 0 || *end) {
		fprintf(stderr, "usage: memcpybench BYTES (BYTES > 0)\n");
		return 2;
	}
	src = malloc(n);
	dst = malloc(n);
	if (!src || !dst) {
		fprintf(stderr, "memcpybench: cannot allocate 2 x %llu bytes\n", n);
		return 1;
	}
	memset(src, 0x5a, n);
	memset(dst, 0, n);
	for (i = 0; i < 8; i++) {
		long long t0 = now_ns();

		memcpy(dst, src, n);
		/* The copy must happen: the compiler may not drop it. */
		__asm__ volatile("" : : "r"(dst) : "memory");
		if (i == 0)
			first = now_ns() - t0;
		else
			t[i - 1] = now_ns() - t0;
		src[i % n]++;
	}
	qsort(t, 7, sizeof(t[0]), cmp);
	printf("bytes=%llu first_ns=%lld best_ns=%lld median_ns=%lld\n", n, first,
	       t[0], t[3]);
	return 0;
}
