/* SPDX-License-Identifier: GPL-2.0 */
/* Opening /dev/oomprof and talking to it, with errors for people. */
#ifndef OOMPROF_USER_DEVICE_H
#define OOMPROF_USER_DEVICE_H

#include <linux/oomprof.h>

/*
 * Open the device (@flags as for open(2)) and check that the module speaks
 * this tool's record version. On failure prints one line saying what is
 * wrong and what to do, and returns -1.
 */
int device_open(const char *path, int flags);
int device_stats(int fd, struct oomprof_stats *st);

#endif
