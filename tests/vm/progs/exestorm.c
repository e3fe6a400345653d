// SPDX-License-Identifier: GPL-2.0
/*
 * exestorm C_SRC GO_SRC DIR N READER_PID: N distinct executables, each
 * created in DIR, run once and deleted (a user who copies a program to
 * /dev/shm, execs it, deletes it and repeats), so that oomprof-read meets
 * N new files at exec, Go or not, some of them hostile:
 *
 *   i % 4 == 0  C_SRC with 8 bytes of i appended (a new file, same code)
 *   i % 4 == 1  C_SRC with a section table whose SHT_NOTE claims 2 GiB
 *               (descsz 0x80000000) and the file made 2 GiB long (sparse:
 *               a reader that trusts the note reads 2 GiB)
 *   i % 4 == 2  C_SRC with a table of 65535 sections of 1 GiB each, past
 *               the end of the file
 *   i % 4 == 3  GO_SRC with 8 bytes of i appended, run with -h (a real Go
 *               program: its function tables are parsed), every 25th
 *               time; otherwise the plain C copy again
 *
 * All run and exit at once. Every N/10 executables it prints
 * "after I: rss_kb=R fds=F" for READER_PID (VmRSS and open fds), and
 * "failed ..." lines for anything it could not do (the checker fails on
 * those).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		return NULL;
	close(fd);
	*len = st.st_size;
	return buf;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			return -1;
		c += w;
		n -= w;
	}
	return 0;
}

/* Append a section table of @nsec headers, the first of @type, @size. */
static int add_sections(int fd, const char *img, size_t len, int nsec,
			Elf64_Word type, Elf64_Xword size, off_t note_at)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	off_t shoff = (off_t)((len + 7) & ~7UL);

	memcpy(&eh, img, sizeof(eh));
	eh.e_shoff = shoff;
	eh.e_shnum = nsec;
	eh.e_shentsize = sizeof(sh);
	eh.e_shstrndx = SHN_UNDEF;
	if (pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return -1;
	for (int i = 0; i < nsec; i++) {
		memset(&sh, 0, sizeof(sh));
		sh.sh_type = i == 0 && note_at ? type : SHT_PROGBITS;
		sh.sh_offset = note_at ? (Elf64_Off)note_at :
					 (Elf64_Off)len + (1ULL << 30) * (Elf64_Off)i;
		sh.sh_size = size;
		sh.sh_addralign = 4;
		if (pwrite(fd, &sh, sizeof(sh), shoff + i * (off_t)sizeof(sh)) !=
		    sizeof(sh))
			return -1;
	}
	return 0;
}

static int make(const char *path, const char *img, size_t len, int kind,
		unsigned long i)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	int err = 0;

	if (fd < 0)
		return -1;
	err = write_all(fd, img, len);
	if (!err && kind == 1) {
		/* A GNU build-id note whose descriptor claims 2 GiB. */
		struct { Elf64_Nhdr h; char name[4]; } note = {
			{ 4, 0x80000000u, NT_GNU_BUILD_ID }, "GNU",
		};
		off_t at = (off_t)((len + 7) & ~7UL) + 64 * sizeof(Elf64_Shdr);

		err = add_sections(fd, img, len, 1, SHT_NOTE,
				   sizeof(note) + 0x80000000ULL, at);
		if (!err && pwrite(fd, &note, sizeof(note), at) != sizeof(note))
			err = -1;
		if (!err && ftruncate(fd, at + sizeof(note) + 0x80000000LL))
			err = -1;
	} else if (!err && kind == 2) {
		err = add_sections(fd, img, len, 65535, SHT_PROGBITS,
				   1ULL << 30, 0);
	} else if (!err) {
		err = write_all(fd, &i, sizeof(i));
	}
	if (close(fd))
		err = -1;
	return err;
}

static void report(pid_t reader, unsigned long done)
{
	char path[64], line[256];
	long rss = -1, fds = 0;
	FILE *f;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)reader);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			rss = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)reader);
	d = opendir(path);
	while (d && readdir(d))
		fds++;
	if (d)
		closedir(d);
	printf("after %lu: rss_kb=%ld fds=%ld\n", done, rss, d ? fds - 2 : -1);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	size_t clen, glen;
	char *cimg, *gimg, path[256];
	unsigned long n, i;
	pid_t reader;

	if (argc != 6) {
		fprintf(stderr, "usage: exestorm C_SRC GO_SRC DIR N READER_PID\n");
		return 2;
	}
	cimg = slurp(argv[1], &clen);
	gimg = slurp(argv[2], &glen);
	if (!cimg || !gimg || clen < sizeof(Elf64_Ehdr)) {
		fprintf(stderr, "exestorm: cannot read %s or %s\n", argv[1], argv[2]);
		return 2;
	}
	n = strtoul(argv[4], NULL, 10);
	reader = (pid_t)atoi(argv[5]);
	report(reader, 0);
	for (i = 0; i < n; i++) {
		int kind = (int)(i % 4), go = kind == 3 && i % 100 == 3, status;
		pid_t pid;

		if (kind == 3 && !go)
			kind = 0;
		snprintf(path, sizeof(path), "%s/e%06lu", argv[3], i);
		if (go ? make(path, gimg, glen, 0, i) :
			 make(path, cimg, clen, kind, i)) {
			printf("failed to create %s (kind %d): %s\n", path, kind,
			       strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_RDWR);

			dup2(null, 1);
			dup2(null, 2);
			execl(path, path, "-h", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    (WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
			printf("failed to run %s (kind %d)\n", path, kind);
			return 1;
		}
		unlink(path);
		if ((i + 1) % (n / 10 ? n / 10 : 1) == 0)
			report(reader, i + 1);
	}
	return 0;
}
