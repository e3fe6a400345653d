// SPDX-License-Identifier: GPL-2.0
/*
 * learnprobe PID OUTDIR SKIP: OOMPROF_IOC_LEARNED end to end, without
 * the daemon. Registers the Go process PID (a static, non-PIE executable
 * with its symbol table), reads its whole bucket list itself through
 * /proc/PID/mem as a reader would learn it, tells the module with
 * OOMPROF_IOC_LEARNED that it holds the list from its SKIP-th bucket on
 * (so the SKIP newest stand for buckets made since it learned: the
 * capture copies them whole), then reads /dev/oomprof as the reader until
 * PID's OOM kill record comes, and writes for the host-side check:
 *
 *   OUTDIR/learned.bin  per bucket of the list, in list order: address, then
 *                       its 16 memRecord words (u64 each)
 *   OUTDIR/learned.txt  "known_head known_count sizeof(oomprof_oom_kill)
 *                       sizeof(oomprof_go_capture) learn_ms"
 *   OUTDIR/record.bin   the victim's record, as read()
 *   OUTDIR/stats.txt    "reserved_bytes captures_counted captures"
 *   OUTDIR/ready        once LEARNED is set: the victim may leak
 *
 * Errors go to stderr with "learnprobe:" and exit 1.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define MAX_LEARN	4000000

static void die(const char *what)
{
	fprintf(stderr, "learnprobe: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void die2(const char *what)
{
	fprintf(stderr, "learnprobe: %s\n", what);
	exit(1);
}

/* The value of symbol @name in the ELF symbol table at @m. */
static uint64_t elf_symbol(const uint8_t *m, size_t size, const char *name)
{
	const Elf64_Ehdr *eh = (const void *)m;
	const Elf64_Shdr *sh;
	int i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_EXEC ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > size)
		die2("the victim is not a 64-bit non-PIE ELF executable");
	sh = (const void *)(m + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *str;
		size_t n, j;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		if (sh[i].sh_offset + sh[i].sh_size > size ||
		    sh[sh[i].sh_link].sh_offset + sh[sh[i].sh_link].sh_size > size)
			die2("symbol table out of the file");
		sym = (const void *)(m + sh[i].sh_offset);
		str = (const char *)(m + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (j = 0; j < n; j++)
			if (sym[j].st_name < sh[sh[i].sh_link].sh_size &&
			    !strcmp(str + sym[j].st_name, name))
				return sym[j].st_value;
	}
	fprintf(stderr, "learnprobe: no symbol %s\n", name);
	exit(1);
}

static void mem_read(int fd, uint64_t addr, void *dst, size_t len)
{
	if (pread(fd, dst, len, (off_t)addr) != (ssize_t)len) {
		fprintf(stderr, "learnprobe: reading %zu bytes at 0x%llx: %s\n",
			len, (unsigned long long)addr, strerror(errno));
		exit(1);
	}
}

static void write_file(const char *dir, const char *name, const void *p,
		       size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f))
		die(path);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct oomprof_register reg = { 0 };
	struct oomprof_learned l = { 0 };
	struct oomprof_stats st = { 0 };
	uint64_t head, addr, count = 0, skip, *learned;
	char path[256], line[256];
	const char *dir;
	struct stat sb;
	uint8_t *exe, *buf;
	double t0;
	int pid, memfd, exefd, dev;
	FILE *f;

	if (argc != 4)
		die2("usage: learnprobe PID OUTDIR SKIP");
	pid = atoi(argv[1]);
	dir = argv[2];
	skip = strtoull(argv[3], NULL, 10);
	alarm(600);

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	memfd = open(path, O_RDONLY);
	if (memfd < 0)
		die(path);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	exefd = open(path, O_RDONLY);
	if (exefd < 0 || fstat(exefd, &sb))
		die(path);
	exe = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, exefd, 0);
	if (exe == MAP_FAILED)
		die("mmap of the executable");
	reg.pid = pid;
	reg.mbuckets_addr = elf_symbol(exe, sb.st_size, "runtime.mbuckets");
	reg.mem_profile_rate_addr = elf_symbol(exe, sb.st_size,
					       "runtime.MemProfileRate");
	reg.mem_fd = memfd;
	snprintf(reg.exe_path, sizeof(reg.exe_path), "/proc/%d/exe", pid);

	/* The reader: no daemon runs in this scenario. */
	dev = open(OOMPROF_DEVICE_PATH, O_RDWR);
	if (dev < 0)
		die(OOMPROF_DEVICE_PATH);
	if (ioctl(dev, OOMPROF_IOC_REGISTER, &reg))
		die("OOMPROF_IOC_REGISTER");

	/* Learn the list as a reader would: every bucket, in list order. */
	t0 = now_ms();
	learned = NULL;
	buf = malloc((6 + OOMPROF_GO_MAX_STACK + 16) * 8);
	if (!buf)
		die("malloc");
	mem_read(memfd, reg.mbuckets_addr, &head, 8);
	for (addr = head; addr; count++) {
		uint64_t w[6];

		if (count == MAX_LEARN)
			die2("more buckets than learnprobe holds");
		if (!(count & (count - 1))) {
			learned = realloc(learned, 2 * (count + 1) * 17 * 8);
			if (!learned)
				die("realloc");
		}
		mem_read(memfd, addr, w, sizeof(w));
		if (w[2] != 1 || w[5] > OOMPROF_GO_MAX_STACK)
			die2("a bucket that is not a memory bucket");
		learned[count * 17] = addr;
		mem_read(memfd, addr + (6 + w[5]) * 8, &learned[count * 17 + 1],
			 16 * 8);
		addr = w[1];
	}
	if (skip >= count)
		die2("SKIP is not less than the buckets in the list");
	l.registration_id = reg.registration_id;
	l.known_head = learned[skip * 17];
	l.known_count = count - skip;
	if (ioctl(dev, OOMPROF_IOC_LEARNED, &l))
		die("OOMPROF_IOC_LEARNED");
	write_file(dir, "learned.bin", learned, count * 17 * sizeof(uint64_t));
	snprintf(line, sizeof(line), "%llu %llu %zu %zu %.0f\n",
		 (unsigned long long)l.known_head,
		 (unsigned long long)l.known_count,
		 sizeof(struct oomprof_oom_kill),
		 sizeof(struct oomprof_go_capture), now_ms() - t0);
	write_file(dir, "learned.txt", line, strlen(line));
	write_file(dir, "ready", "", 0);
	fprintf(stderr, "learnprobe: learned %llu buckets from 0x%llx in %.0f ms\n",
		(unsigned long long)count, (unsigned long long)head,
		now_ms() - t0);

	if (ioctl(dev, OOMPROF_IOC_GET_STATS, &st))
		die("OOMPROF_IOC_GET_STATS");
	free(buf);
	buf = malloc(st.capture_buffer_size);
	if (!buf)
		die("malloc");
	for (;;) {
		ssize_t n = read(dev, buf, st.capture_buffer_size);
		const struct oomprof_oom_kill *k = (const void *)buf;

		if (n < 0)
			die("read " OOMPROF_DEVICE_PATH);
		/* One record per read is enough here: they come one by one. */
		if (n < (ssize_t)sizeof(*k) || k->hdr.size > n)
			continue;
		if ((k->hdr.type == OOMPROF_REC_GO_HEAP ||
		     k->hdr.type == OOMPROF_REC_OOM_KILL) &&
		    (int)k->victim.tgid == pid) {
			write_file(dir, "record.bin", buf, k->hdr.size);
			break;
		}
	}
	if (ioctl(dev, OOMPROF_IOC_GET_STATS, &st))
		die("OOMPROF_IOC_GET_STATS");
	f = fopen(strcat(strcpy(path, dir), "/stats.txt"), "w");
	if (!f)
		die(path);
	fprintf(f, "%llu %llu %llu\n", (unsigned long long)st.reserved_bytes,
		(unsigned long long)st.captures_counted,
		(unsigned long long)st.captures);
	fclose(f);
	return 0;
}
