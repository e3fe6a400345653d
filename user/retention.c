// SPDX-License-Identifier: GPL-2.0
#include "retention.h"
#include "esc.h"
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct profile_file {
	char *name;
	unsigned long long size;
	struct timespec mtime;
};

static int older_first(const void *a, const void *b)
{
	const struct profile_file *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

int retention_apply(int dirfd, const char *dir, const struct retention *r)
{
	struct profile_file *files = NULL;
	unsigned long long total = 0;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int removed = 0, fd;
	uid_t me = geteuid();
	DIR *d;

	if (!r->max_files && !r->max_bytes)
		return 0;
	/* An open file of its own: readdir moves the offset it shares. */
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;

		/*
		 * Only what oomprof-read writes: its own names, regular files
		 * of its own uid; a symlink is never followed (its target's
		 * date and size would decide what else goes).
		 */
		if (!profile_name_ours(de->d_name) ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode) || st.st_uid != me)
			continue;
		if (n == cap) {
			struct profile_file *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(files, cap * sizeof(*grown));
			if (!grown)
				break;
			files = grown;
		}
		files[n].name = strdup(de->d_name);
		if (!files[n].name)
			break;
		files[n].size = (unsigned long long)st.st_size;
		files[n].mtime = st.st_mtim;
		total += files[n].size;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(files, n, sizeof(*files), older_first);
	/* The newest file always stays: it is the one just written. */
	for (i = 0; i + 1 < n; i++) {
		if ((!r->max_files || n - i <= r->max_files) &&
		    (!r->max_bytes || total <= r->max_bytes))
			break;
		if (unlinkat(dirfd, files[i].name, 0)) {
			fprintf(stderr, "oomprof-read: retention: cannot remove %s/%s: %s\n",
				esc(dir), esc(files[i].name), strerror(errno));
			continue;
		}
		fprintf(stderr, "oomprof-read: retention: removed %s/%s (%llu bytes) to keep %s to %zu files / %llu bytes\n",
			esc(dir), esc(files[i].name), files[i].size, esc(dir),
			r->max_files, r->max_bytes);
		total -= files[i].size;
		removed++;
	}
	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	return removed;
}

long long retention_parse_size(const char *s)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return RETENTION_NOT_A_SIZE;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return RETENTION_TOO_LARGE;
	if (errno || end == s)
		return RETENTION_NOT_A_SIZE;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return RETENTION_NOT_A_SIZE;
	}
	if (*end)
		return RETENTION_NOT_A_SIZE;
	/* Checked before shifting: 17179869184G must not wrap to 0. */
	if (v > RETENTION_MAX_SIZE >> shift)
		return RETENTION_TOO_LARGE;
	return (long long)(v << shift);
}
