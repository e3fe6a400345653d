// SPDX-License-Identifier: GPL-2.0
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void explain_open_error(const char *path, int err)
{
	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		fprintf(stderr, "oomprof-read: %s: no such device — load the module: sudo modprobe oomprof\n",
			path);
		break;
	case EACCES:
	case EPERM:
		fprintf(stderr, "oomprof-read: %s: permission denied — run as root (the device needs CAP_SYS_ADMIN)\n",
			path);
		break;
	case EBUSY:
		fprintf(stderr, "oomprof-read: %s: busy — another oomprof-read is already reading it; only one reader at a time (see: fuser -v %s)\n",
			path, path);
		break;
	default:
		fprintf(stderr, "oomprof-read: %s: %s\n", path, strerror(err));
	}
}

int device_open(const char *path, int flags)
{
	struct oomprof_version v;
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		explain_open_error(path, errno);
		return -1;
	}
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, OOMPROF_IOC_GET_VERSION, &v) < 0) {
		fprintf(stderr, "oomprof-read: %s: not an oomprof device, or a module too old to say its version (%s) — reload the module from this release\n",
			path, strerror(errno));
		close(fd);
		return -1;
	}
	v.module_version[sizeof(v.module_version) - 1] = '\0';
	if (v.record_version != OOMPROF_RECORD_VERSION ||
	    v.abi_version != OOMPROF_ABI_VERSION) {
		fprintf(stderr, "oomprof-read: %s: module %s writes records of version %u (ABI %u), this oomprof-read reads version %u (ABI %u) — install a matching oomprof-read and module\n",
			path, v.module_version, v.record_version,
			v.abi_version, OOMPROF_RECORD_VERSION,
			OOMPROF_ABI_VERSION);
		close(fd);
		return -1;
	}
	return fd;
}

int device_stats(int fd, struct oomprof_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(fd, OOMPROF_IOC_GET_STATS, st) < 0) {
		fprintf(stderr, "oomprof-read: cannot read the module's counters: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}
