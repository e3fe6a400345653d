/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, decided from the target kernel's headers at build
 * time (scripts/conftest.sh writes compat-autoconf.h), never from
 * LINUX_VERSION_CODE: distributions backport changes, so a version number
 * cannot tell which prototype a kernel has. A -D on the command line wins
 * over the generated answer, which is how `make check` compiles the branch
 * the installed headers do not select.
 */
#ifndef OOMPROF_COMPAT_H
#define OOMPROF_COMPAT_H

#include "compat-autoconf.h"

#ifndef OOMPROF_HAVE_MARK_VICTIM_TASK_UID
#define OOMPROF_HAVE_MARK_VICTIM_TASK_UID 0
#endif
#ifndef OOMPROF_HAVE_MARK_VICTIM_PID
#define OOMPROF_HAVE_MARK_VICTIM_PID 0
#endif

/*
 * What the target's headers really declare, whatever a -D forced above. A
 * tree configured before conftest said so checks every probe (it cannot
 * tell a forced branch from a detected one).
 */
#ifndef OOMPROF_DETECTED_MARK_VICTIM_TASK_UID
#define OOMPROF_DETECTED_MARK_VICTIM_TASK_UID OOMPROF_HAVE_MARK_VICTIM_TASK_UID
#endif
#ifndef OOMPROF_DETECTED_MARK_VICTIM_PID
#define OOMPROF_DETECTED_MARK_VICTIM_PID OOMPROF_HAVE_MARK_VICTIM_PID
#endif

/* A -D chose another mark_victim branch than the headers have. */
#if (OOMPROF_HAVE_MARK_VICTIM_TASK_UID ^ OOMPROF_DETECTED_MARK_VICTIM_TASK_UID) || \
	(OOMPROF_HAVE_MARK_VICTIM_PID ^ OOMPROF_DETECTED_MARK_VICTIM_PID)
#define OOMPROF_MARK_VICTIM_FORCED 1
#else
#define OOMPROF_MARK_VICTIM_FORCED 0
#endif

#if !OOMPROF_HAVE_MARK_VICTIM_TASK_UID && !OOMPROF_HAVE_MARK_VICTIM_PID
#error "mark_victim tracepoint: neither (task, uid) nor (pid) prototype found in the target headers"
#endif

/*
 * The probe attached to the mark_victim tracepoint; its prototype is the
 * target kernel's TP_PROTO with the probe's data pointer in front.
 */
void *oomprof_compat_mark_victim_probe(void);

#ifndef OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD
#define OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD 0
#endif
#ifndef OOMPROF_DETECTED_SCHED_EXIT_GROUP_DEAD
#define OOMPROF_DETECTED_SCHED_EXIT_GROUP_DEAD OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD
#endif
#if OOMPROF_HAVE_SCHED_EXIT_GROUP_DEAD ^ OOMPROF_DETECTED_SCHED_EXIT_GROUP_DEAD
#define OOMPROF_SCHED_EXIT_FORCED 1
#else
#define OOMPROF_SCHED_EXIT_FORCED 0
#endif

/* The probe for sched_process_exit, likewise. */
void *oomprof_compat_sched_exit_probe(void);

/*
 * A pmd read once, for a walk without the page-table lock (maps.c). 6.1
 * has no pmdp_get_lockless(); its gup_pmd_range() reads the entry with
 * READ_ONCE, which is one load on a 64-bit kernel (maps.c builds only
 * there).
 */
#ifndef OOMPROF_HAVE_PMDP_GET_LOCKLESS
#define OOMPROF_HAVE_PMDP_GET_LOCKLESS 0
#endif
#if OOMPROF_HAVE_PMDP_GET_LOCKLESS
#define oomprof_pmdp_get_lockless(pmdp) pmdp_get_lockless(pmdp)
#else
#define oomprof_pmdp_get_lockless(pmdp) READ_ONCE(*(pmdp))
#endif

/*
 * An inode's modification and change times: fields until the accessors
 * replaced them (6.6 for the change time, 6.7 for the modification time).
 */
#ifndef OOMPROF_HAVE_INODE_GET_MTIME
#define OOMPROF_HAVE_INODE_GET_MTIME 0
#endif
#ifndef OOMPROF_HAVE_INODE_GET_CTIME
#define OOMPROF_HAVE_INODE_GET_CTIME 0
#endif
#if OOMPROF_HAVE_INODE_GET_MTIME
#define oomprof_inode_mtime(inode) inode_get_mtime(inode)
#else
#define oomprof_inode_mtime(inode) ((inode)->i_mtime)
#endif
#if OOMPROF_HAVE_INODE_GET_CTIME
#define oomprof_inode_ctime(inode) inode_get_ctime(inode)
#else
#define oomprof_inode_ctime(inode) ((inode)->i_ctime)
#endif

#endif /* OOMPROF_COMPAT_H */
