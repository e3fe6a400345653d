/* SPDX-License-Identifier: GPL-2.0 */
/* Opening /dev/oomprof and talking to it, with errors for people. */
#ifndef OOMPROF_USER_DEVICE_H
#define OOMPROF_USER_DEVICE_H

#include <linux/oomprof.h>
#include <signal.h>

/*
 * Open the device (@flags as for open(2)) and check that the module speaks
 * this tool's record version. On failure prints one line saying what is
 * wrong and what to do, and returns -1.
 */
int device_open(const char *path, int flags);

#define DEVICE_RETRY_MIN_MS	100
#define DEVICE_RETRY_MAX_MS	5000

/*
 * As device_open(), for the daemon: while the module is not loaded or is
 * being unloaded (ENOENT, ENODEV, ENXIO) it says once that it waits and
 * retries, every DEVICE_RETRY_MIN_MS doubling to DEVICE_RETRY_MAX_MS, and
 * says when it got the device after waiting. Returns the descriptor, -1 on
 * an error waiting does not cure (said), -2 once *@stop is set.
 */
int device_open_wait(const char *path, int flags,
		     volatile sig_atomic_t *stop);

/*
 * OOMPROF_IOC_DETACH: make the reader drain and close the device, so the
 * module can be unloaded. 0 (also when the module is not loaded) or -1,
 * each with a line for people.
 */
int device_detach(const char *path);
int device_stats(int fd, struct oomprof_stats *st);

#endif
