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

static int mine(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Symlinks followed on the way to DIR, at most (the kernel's MAXSYMLINKS). */
#define OUTDIR_MAX_LINKS 40

/*
 * The path walked so far, for messages: "/a/b" after "/a" and "b"; ".."
 * steps back.
 */
static void walked(char *where, size_t cap, const char *comp)
{
	size_t n = strlen(where);

	if (!strcmp(comp, "..")) {
		char *slash = strrchr(where, '/');

		if (slash)
			*(slash == where ? slash + 1 : slash) = '\0';
		return;
	}
	snprintf(where + n, cap - n, "%s%s", n > 1 ? "/" : "", comp);
}

/*
 * Each directory DIR is looked up through must let only root (or us)
 * change its entries: owned by one of them, and not writable by group or
 * others unless sticky (like /tmp: then the entry itself must be ours, as
 * nobody else can rename or remove it there). Otherwise whoever can write
 * it could swap the next component for a symlink to a directory of root's
 * choice, and events.jsonl and profiles would go there.
 */
static int check_parent(const char *where, const struct stat *st,
			const char *dir, char *why, size_t whylen)
{
	if (!mine(st->st_uid)) {
		snprintf(why, whylen, "%s, on the way to %s, belongs to uid %u: its owner could swap what lies below it for a symlink to any directory; give -d a directory whose parents only root can write (the default /var/lib/oomprof)",
			 where, dir, (unsigned int)st->st_uid);
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
		snprintf(why, whylen, "%s, on the way to %s, is writable by %s (mode %04o, not sticky): they could swap what lies below it for a symlink to any directory; give -d a directory whose parents only root can write (the default /var/lib/oomprof), or chmod go-w %s",
			 where, dir,
			 st->st_mode & S_IWOTH ? "every user" : "its group",
			 (unsigned int)(st->st_mode & 07777), where);
		return -1;
	}
	return 0;
}

/* DIR itself: owned by root (or us), writable by nobody else. */
static int check_final(const struct stat *st, const char *dir, char *why,
		       size_t whylen)
{
	if (!mine(st->st_uid)) {
		snprintf(why, whylen, "%s belongs to uid %u: its owner could plant symlinks or files there that oomprof-read (root) would write through or remove; use a directory only root can write (the default /var/lib/oomprof, or a new path: it is created 0700), or chown root %s",
			 dir, (unsigned int)st->st_uid, dir);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s is writable by %s (mode %04o): other users could plant symlinks or files there that oomprof-read (root) would write through or remove; use a directory only root can write (the default /var/lib/oomprof, or a new path: it is created 0700), or chmod go-w %s",
			 dir, st->st_mode & S_IWOTH ? "every user" : "its group",
			 (unsigned int)(st->st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/*
 * Walk @dir a component at a time from "/" (symlinks resolved here, not by
 * the kernel, so that every directory a name is looked up in is checked),
 * creating what is missing. The descriptor of DIR (O_PATH), or -1 and @why.
 */
static int walk(const char *dir, char *why, size_t whylen)
{
	char rest[2 * 4096 + 2], comp[256], where[4096] = "/";
	char target[4096];
	int cur, links = 0;
	size_t at = 0;

	int n;

	if (dir[0] == '/') {
		n = snprintf(rest, sizeof(rest), "%s", dir);
	} else {
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(why, whylen, "the current directory: %s",
				 strerror(errno));
			return -1;
		}
		n = snprintf(rest, sizeof(rest), "%s/%s", cwd, dir);
	}
	if (n < 0 || (size_t)n >= sizeof(rest)) {
		snprintf(why, whylen, "%.64s...: %s", dir,
			 strerror(ENAMETOOLONG));
		return -1;
	}
	cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		goto fail;
	for (;;) {
		struct stat pst, est;
		size_t len;
		int next, last;

		while (rest[at] == '/')
			at++;
		len = strcspn(rest + at, "/");
		if (!len)
			return cur;
		if (len >= sizeof(comp)) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, rest + at, len);
		comp[len] = '\0';
		at += len;
		last = !rest[at + strspn(rest + at, "/")];
		if (!strcmp(comp, "."))
			continue;
		if (fstat(cur, &pst))
			goto fail;
		if (check_parent(where, &pst, dir, why, whylen)) {
			close(cur);
			return -1;
		}
		if (fstatat(cur, comp, &est, AT_SYMLINK_NOFOLLOW)) {
			if (errno != ENOENT || !strcmp(comp, ".."))
				goto fail;
			if (mkdirat(cur, comp, last ? 0700 : 0755) &&
			    errno != EEXIST)
				goto fail;
			if (fstatat(cur, comp, &est, AT_SYMLINK_NOFOLLOW))
				goto fail;
		}
		walked(where, sizeof(where), comp);
		/* Sticky and writable: only our own entries are safe. */
		if ((pst.st_mode & (S_IWGRP | S_IWOTH)) && !mine(est.st_uid) &&
		    strcmp(comp, "..")) {
			snprintf(why, whylen, "%s, on the way to %s, was made by uid %u in a directory every user can write: it could lead anywhere; use a directory only root can write (the default /var/lib/oomprof, or a new path: it is created 0700)",
				 where, dir, (unsigned int)est.st_uid);
			close(cur);
			return -1;
		}
		if (S_ISLNK(est.st_mode)) {
			ssize_t n;

			if (++links > OUTDIR_MAX_LINKS) {
				errno = ELOOP;
				goto fail;
			}
			n = readlinkat(cur, comp, target, sizeof(target) - 1);
			if (n <= 0)
				goto fail;
			target[n] = '\0';
			/* Its target, then what followed the link. */
			if ((size_t)n + 1 + strlen(rest + at) + 1 > sizeof(rest)) {
				errno = ENAMETOOLONG;
				goto fail;
			}
			memmove(rest + n + 1, rest + at, strlen(rest + at) + 1);
			memcpy(rest, target, (size_t)n);
			rest[n] = '/';
			at = 0;
			/* where: the link's directory, or "/" */
			walked(where, sizeof(where), "..");
			if (target[0] == '/') {
				close(cur);
				snprintf(where, sizeof(where), "/");
				cur = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					goto fail;
			}
			continue;
		}
		if (!S_ISDIR(est.st_mode)) {
			errno = ENOTDIR;
			goto fail;
		}
		next = openat(cur, comp,
			      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			goto fail;
		close(cur);
		cur = next;
	}
fail:
	snprintf(why, whylen, "%s: %s%s%s", dir, strerror(errno),
		 strcmp(where, "/") ? " (at " : "", strcmp(where, "/") ? where : "");
	if (strcmp(where, "/"))
		snprintf(why + strlen(why), whylen - strlen(why), ")");
	if (cur >= 0)
		close(cur);
	return -1;
}

int outdir_open(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	int path, fd;

	if (!*dir) {
		snprintf(why, whylen, "the directory name is empty: give -d DIR");
		return -1;
	}
	path = walk(dir, why, whylen);
	if (path < 0)
		return -1;
	fd = openat(path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(path);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (check_final(&st, dir, why, whylen)) {
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
