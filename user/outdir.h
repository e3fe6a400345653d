/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DIR, where oomprof-read writes as root: checked once, then held open, and
 * every file in it opened, renamed and removed relative to that descriptor,
 * never through a symlink. A DIR another user can write would let him plant
 * events.jsonl -> /etc/something, or profiles for retention to act on, so
 * such a DIR is refused. Profile file names are built here from the
 * victim's comm, made safe, and recognized here for retention.
 */
#ifndef OOMPROF_USER_OUTDIR_H
#define OOMPROF_USER_OUTDIR_H

#include <stddef.h>
#include <sys/types.h>

/* Create @dir if missing (parents 0755, @dir itself 0700). 0 or -1. */
int outdir_create(const char *dir);

/*
 * Create @dir if missing (parents 0755, @dir itself 0700), open it, and
 * check that only root (or this process's uid) can write it: owned by one
 * of them, no group or other write permission. The directory descriptor
 * (O_CLOEXEC), or -1 with a sentence naming the fix in @why (@dir in it
 * raw: escape it to log it).
 */
int outdir_open(const char *dir, char *why, size_t whylen);

/*
 * openat(@dirfd, @name) with O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK added (a
 * FIFO cannot block the open) and O_NONBLOCK cleared after; fails with
 * errno ELOOP for a symlink and EINVAL for anything but a regular file.
 */
int outdir_openat(int dirfd, const char *name, int flags, mode_t mode);

/*
 * The name part of a profile file from a comm: what a log line would have
 * to escape (esc.h), '/' and ' ' become '_', one per code point or stray
 * byte; a leading '.' or '-' becomes '_' (a name retention would skip as
 * hidden, or one go tool pprof takes for a flag); an empty comm gives
 * "unnamed". At most @cap - 1 bytes, never longer than the comm
 * but for "unnamed".
 */
void profile_stem(char *out, size_t cap, const char *comm);

/*
 * "<stem>-<tgid>-<YYYYmmddHHMMSS>.pb.gz": the names goprofile writes. 0,
 * or -1 if @cap is too small.
 */
int profile_name(char *out, size_t cap, const char *comm, unsigned int tgid,
		 const char *stamp);

/* Whether @name is one profile_name can produce (retention removes only those). */
int profile_name_ours(const char *name);

#endif
