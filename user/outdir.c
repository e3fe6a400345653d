// SPDX-License-Identifier: GPL-2.0
#include "outdir.h"
#include "sbuf.h"
#include "esc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every missing component of @dir; the last one 0700. */
static int mkdir_p(const char *dir)
{
	char *copy = strdup(dir);
	char *p;
	int ret = 0;

	if (!copy)
		return -1;
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(copy, c ? 0755 : 0700) && errno != EEXIST) {
				ret = -1;
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

int outdir_create(const char *dir)
{
	return mkdir_p(dir);
}

int outdir_open(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	int fd, err;

	if (!*dir) {
		snprintf(why, whylen, "the directory name is empty: give -d DIR");
		return -1;
	}
	if (mkdir_p(dir)) {
		err = errno;
		snprintf(why, whylen, "cannot create %s: %s", dir,
			 strerror(err));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		snprintf(why, whylen, "%s: %s", dir, strerror(err));
		return -1;
	}
	if (fstat(fd, &st)) {
		err = errno;
		snprintf(why, whylen, "%s: %s", dir, strerror(err));
		close(fd);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, whylen, "%s belongs to uid %u: its owner could plant symlinks or files there that oomprof-read (root) would write through or remove; use a directory only root can write (the default /var/lib/oomprof, or a new path: it is created 0700), or chown root %s",
			 dir, (unsigned int)st.st_uid, dir);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s is writable by %s (mode %04o): other users could plant symlinks or files there that oomprof-read (root) would write through or remove; use a directory only root can write (the default /var/lib/oomprof, or a new path: it is created 0700), or chmod go-w %s",
			 dir,
			 st.st_mode & S_IWOTH ? "every user" : "its group",
			 (unsigned int)(st.st_mode & 07777), dir);
		close(fd);
		return -1;
	}
	return fd;
}

int outdir_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
			mode);

	if (fd < 0) {
		/* A FIFO with no reader (ENXIO) is refused as any non-file. */
		if (errno == ENXIO && !fstatat(dirfd, name, &st,
					       AT_SYMLINK_NOFOLLOW) &&
		    !S_ISREG(st.st_mode))
			errno = EINVAL;
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

void profile_stem(char *out, size_t cap, const char *comm)
{
	const unsigned char *s = (const unsigned char *)comm;
	size_t len = 0;

	while (*s && len + 1 < cap) {
		size_t n = esc_safe_len(s);

		if (n == 1 && *s != ' ' && *s != '/') {
			out[len++] = (char)*s++;
		} else if (n > 1 && len + n < cap) {
			memcpy(out + len, s, n);
			len += n;
			s += n;
		} else {
			/* One '_' for each code point, or stray byte. */
			out[len++] = '_';
			n = *s < 0x80 ? 1 : utf8_seq_len(s);
			s += n ? n : 1;
		}
	}
	out[len] = '\0';
	if (!len)
		snprintf(out, cap, "unnamed");
	else if (out[0] == '.' || out[0] == '-')
		out[0] = '_';
}

int profile_name(char *out, size_t cap, const char *comm, unsigned int tgid,
		 const char *stamp)
{
	char stem[4 * 16 + 1];
	int n;

	profile_stem(stem, sizeof(stem), comm);
	n = snprintf(out, cap, "%s-%u-%s.pb.gz", stem, tgid, stamp);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* @n bytes at @s, all digits, @n within [lo, hi]. */
static int digits(const char *s, size_t n, size_t lo, size_t hi)
{
	size_t i;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int profile_name_ours(const char *name)
{
	static const char suffix[] = ".pb.gz";
	size_t len = strlen(name), end;
	const char *dash;
	char stem[16], again[16];

	if (len <= sizeof(suffix) - 1 + 15 + 2 ||
	    strcmp(name + len - (sizeof(suffix) - 1), suffix))
		return 0;
	end = len - (sizeof(suffix) - 1);		/* after the stamp */
	if (!digits(name + end - 14, 14, 14, 14) || name[end - 15] != '-')
		return 0;
	end -= 15;					/* after the tgid */
	for (dash = name + end; dash > name && dash[-1] != '-'; dash--)
		;
	if (dash == name || !digits(dash, (size_t)(name + end - dash), 1, 10))
		return 0;
	end = (size_t)(dash - 1 - name);		/* after the stem */
	/* A comm is at most 15 bytes (TASK_COMM_LEN - 1): so is its stem. */
	if (!end || end > 15)
		return 0;
	memcpy(stem, name, end);
	stem[end] = '\0';
	/* Exactly what profile_stem makes of some comm: of itself. */
	profile_stem(again, sizeof(again), stem);
	return !strcmp(stem, again);
}
