// SPDX-License-Identifier: GPL-2.0
#include "device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
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

/* The version check of an open device; closes @fd on a mismatch. */
static int check_version(const char *path, int fd, struct oomprof_version *out)
{
	struct oomprof_version v;

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
	if (out)
		*out = v;
	return fd;
}

int device_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		explain_open_error(path, errno);
		return -1;
	}
	return check_version(path, fd, NULL);
}

/* No module (yet, or any more), or one being unloaded: worth waiting. */
static int module_absent(int err)
{
	return err == ENOENT || err == ENODEV || err == ENXIO;
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

int device_open_wait(const char *path, int flags,
		     volatile sig_atomic_t *stop)
{
	unsigned int delay_ms = DEVICE_RETRY_MIN_MS;
	struct oomprof_version v;
	struct timespec t0;
	int waited = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!*stop) {
		struct timespec ts;
		int fd = open(path, flags | O_CLOEXEC);

		if (fd >= 0) {
			fd = check_version(path, fd, &v);
			if (fd >= 0 && waited)
				fprintf(stderr, "oomprof-read: %s: module %s is back: reconnected after %.1f s\n",
					path, v.module_version, since(&t0));
			return fd;
		}
		if (!module_absent(errno)) {
			explain_open_error(path, errno);
			return -1;
		}
		if (!waited)
			fprintf(stderr, "oomprof-read: %s: %s — waiting for the module: sudo modprobe oomprof (retrying every %u ms up to %u s)\n",
				path, errno == ENODEV ?
				"the module is being unloaded" : "no such device",
				DEVICE_RETRY_MIN_MS, DEVICE_RETRY_MAX_MS / 1000);
		waited = 1;
		/* A signal cuts the sleep short: the loop checks *stop. */
		ts.tv_sec = delay_ms / 1000;
		ts.tv_nsec = (long)(delay_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		delay_ms = delay_ms * 2 > DEVICE_RETRY_MAX_MS ?
			   DEVICE_RETRY_MAX_MS : delay_ms * 2;
	}
	return -2;
}

int device_detach(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0 && module_absent(errno)) {
		fprintf(stderr, "oomprof-read: %s: no such device — the module is not loaded, nothing to detach\n",
			path);
		return 0;
	}
	if (fd < 0) {
		explain_open_error(path, errno);
		return -1;
	}
	fd = check_version(path, fd, NULL);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, OOMPROF_IOC_DETACH);
	if (ret > 0)
		fprintf(stderr, "oomprof-read: %s: the reader saved every queued record and let go; unload the module within %d s (modprobe -r oomprof)\n",
			path, OOMPROF_DETACH_HOLD_MS / 1000);
	if (ret == 0) {
		struct oomprof_stats st;

		fprintf(stderr, "oomprof-read: %s: no reader had the device open\n",
			path);
		if (!device_stats(fd, &st) && st.buffer_used)
			fprintf(stderr, "oomprof-read: warning: %llu bytes of records are queued and no reader saved them: unloading the module now discards them (oomprof-read --drain -d DIR keeps them, from %d s after this detach)\n",
				(unsigned long long)st.buffer_used,
				OOMPROF_DETACH_HOLD_MS / 1000);
	}
	if (ret >= 0) {
		close(fd);
		return 0;
	}
	switch (errno) {
	case ETIMEDOUT:
		fprintf(stderr, "oomprof-read: %s: the reader did not close the device within %d s — is it stuck? (see: fuser -v %s); the module stays loaded\n",
			path, OOMPROF_DETACH_TIMEOUT_MS / 1000, path);
		break;
	case EBUSY:
		fprintf(stderr, "oomprof-read: %s: another detach is under way — wait for it, then unload the module\n",
			path);
		break;
	case ENOTTY:
		fprintf(stderr, "oomprof-read: %s: this module cannot detach its reader (older than this oomprof-read) — stop the reader instead: systemctl stop oomprof-read\n",
			path);
		break;
	case EINTR:
		fprintf(stderr, "oomprof-read: %s: detach interrupted — the reader reads on\n",
			path);
		break;
	default:
		fprintf(stderr, "oomprof-read: %s: detach failed: %s\n", path,
			strerror(errno));
	}
	close(fd);
	return -1;
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
