// SPDX-License-Identifier: GPL-2.0
/*
 * hog32: a 32-bit (i386) process that, once a byte arrives on stdin (so
 * that it can be registered first), maps and touches 1 MiB after 1 MiB
 * until it is killed. Freestanding: no 32-bit C library is needed to
 * build it (gcc -m32 -nostdlib, see mkinitramfs.sh), only int $0x80.
 */
#define SYS_EXIT	1
#define SYS_READ	3
#define SYS_WRITE	4
#define SYS_MMAP2	192

#define PROT_RW		3	/* PROT_READ | PROT_WRITE */
#define MAP_ANON_PRIV	0x22	/* MAP_PRIVATE | MAP_ANONYMOUS */
#define CHUNK		(1L << 20)

/*
 * Five arguments; the sixth (ebp: mmap2's page offset) is always 0, set
 * here and ebp saved around the call.
 */
static long sys5(long n, long a, long b, long c, long d, long e)
{
	long r;

	__asm__ volatile ("push %%ebp\n\txor %%ebp, %%ebp\n\tint $0x80\n\tpop %%ebp"
			  : "=a"(r)
			  : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			  : "memory");
	return r;
}

void _start(void)
{
	char c;

	sys5(SYS_WRITE, 1, (long)"ready\n", 6, 0, 0);
	if (sys5(SYS_READ, 0, (long)&c, 1, 0, 0) != 1)
		sys5(SYS_EXIT, 2, 0, 0, 0, 0);
	for (;;) {
		long p = sys5(SYS_MMAP2, 0, CHUNK, PROT_RW, MAP_ANON_PRIV, -1);

		if (p < 0 && p > -4096)
			sys5(SYS_EXIT, 3, 0, 0, 0, 0);
		for (long i = 0; i < CHUNK; i += 4096)
			((volatile char *)p)[i] = 1;
	}
}
