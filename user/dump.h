/* SPDX-License-Identifier: GPL-2.0 */
/* oomprof-read -p: heap profiles of live Go processes, on demand. */
#ifndef OOMPROF_USER_DUMP_H
#define OOMPROF_USER_DUMP_H

/*
 * One profile per pid of the comma-separated @pids, into @dir. Returns the
 * number of pids that failed (each said why on stderr).
 */
int dump_pids(const char *device, const char *pids, const char *dir);

#endif
