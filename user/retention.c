// SPDX-License-Identifier: GPL-2.0
#include "retention.h"

#include <dirent.h>
#include <errno.h>
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

static int is_profile(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, ".pb.gz") && name[0] != '.';
}

int retention_apply(const char *dir, const struct retention *r)
{
	struct profile_file *files = NULL;
	unsigned long long total = 0;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	int removed = 0;
	DIR *d;

	if (!r->max_files && !r->max_bytes)
		return 0;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct stat st;

		if (!is_profile(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			struct profile_file *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(files, cap * sizeof(*files));
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
	qsort(files, n, sizeof(*files), older_first);
	/* The newest file always stays: it is the one just written. */
	for (i = 0; i + 1 < n; i++) {
		char path[4096];

		if ((!r->max_files || n - i <= r->max_files) &&
		    (!r->max_bytes || total <= r->max_bytes))
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (unlink(path)) {
			fprintf(stderr, "oomprof-read: retention: cannot remove %s: %s\n",
				path, strerror(errno));
			continue;
		}
		fprintf(stderr, "oomprof-read: retention: removed %s (%llu bytes) to keep %s to %zu files / %llu bytes\n",
			path, files[i].size, dir, r->max_files, r->max_bytes);
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
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end || v > (unsigned long long)1 << 60)
		return -1;
	return (long long)v;
}
