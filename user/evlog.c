// SPDX-License-Identifier: GPL-2.0
#include "evlog.h"
#include "esc.h"
#include "events.h"
#include "outdir.h"
#include "sbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How far back a torn last line is looked for its line's start. */
#define TAIL_SCAN (1 << 20)

/* One line on stderr about the file. */
__attribute__((format(printf, 2, 3)))
static void say(const struct evlog *ev, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "oomprof-read: %s/" EVLOG_NAME ": %s\n", esc(ev->dir),
		msg);
}

/*
 * A file that does not end in '\n' ends in a line an interrupted write
 * left: cut it at the last newline, so the next line is not glued to it.
 */
static void repair_tail(struct evlog *ev, int fd)
{
	char buf[4096];
	off_t size = lseek(fd, 0, SEEK_END), pos = size, scanned = 0;

	if (size <= 0 || pread(fd, buf, 1, size - 1) != 1 || buf[0] == '\n')
		return;
	while (pos > 0 && scanned < TAIL_SCAN) {
		size_t n = pos < (off_t)sizeof(buf) ? (size_t)pos : sizeof(buf);
		char *nl;

		if (pread(fd, buf, n, pos - (off_t)n) != (ssize_t)n)
			return;
		pos -= (off_t)n;
		scanned += (off_t)n;
		nl = memrchr(buf, '\n', n);
		if (nl || pos == 0) {
			off_t keep = nl ? pos + (nl - buf) + 1 : 0;

			if (ftruncate(fd, keep) == 0)
				say(ev, "removed an incomplete last line (%lld bytes) an interrupted write had left",
				    (long long)(size - keep));
			return;
		}
	}
	/* No line start within reach: end the torn line where it is. */
	if (write(fd, "\n", 1) == 1)
		say(ev, "its last line was incomplete (cut off by an interrupted write): ended it with a newline");
}

static int open_file(struct evlog *ev)
{
	int fd = outdir_openat(ev->dirfd, EVLOG_NAME,
			       O_RDWR | O_APPEND | O_CREAT, 0600);

	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "oomprof-read: %s/" EVLOG_NAME ": %s\n",
			esc(ev->dir),
			err == ELOOP ? "is a symlink: oomprof-read writes only a regular file of its own there; remove it" :
			err == EINVAL ? "is not a regular file: remove it" :
			strerror(err));
		return -1;
	}
	repair_tail(ev, fd);
	return fd;
}

int evlog_open(struct evlog *ev, int dirfd, const char *dir)
{
	memset(ev, 0, sizeof(*ev));
	ev->dirfd = dirfd;
	ev->dir = dir;
	ev->max_held = EVLOG_MAX_HELD;
	ev->max_held_bytes = EVLOG_MAX_HELD_BYTES;
	ev->fd = open_file(ev);
	return ev->fd < 0 ? -1 : 0;
}

void evlog_reopen(struct evlog *ev)
{
	int fd = open_file(ev);

	if (fd < 0) {
		say(ev, "could not be reopened: writing on to the file open before");
		return;
	}
	close(ev->fd);
	ev->fd = fd;
}

/*
 * One whole line, or nothing: a write cut short (ENOSPC part-way) or not
 * made durable is cut back off the file. 0, or -1 with errno.
 */
static int write_line(struct evlog *ev, const char *p, size_t len)
{
	off_t start = lseek(ev->fd, 0, SEEK_END);
	size_t done = 0;
	int err;

	if (start < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(ev->fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			goto undo;
		}
		done += (size_t)n;
	}
	if (fdatasync(ev->fd) == 0)
		return 0;
undo:
	err = errno;
	if (done && ftruncate(ev->fd, start)) {
		/* Cannot cut it: end it, so the next line stands alone. */
		if (write(ev->fd, "\n", 1) != 1)
			err = errno;
	}
	errno = err;
	return -1;
}

/* The line that says how many records went: after the held ones. */
static int write_dropped(struct evlog *ev)
{
	struct sbuf b = { 0 };
	struct timespec now;
	char why[160];
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(why, sizeof(why), "oomprof-read could not write " EVLOG_NAME " (%s) and held no more records in memory",
		 strerror(ev->err ? ev->err : ENOSPC));
	sbuf_printf(&b, "{\"type\":\"lost\",\"seq\":null,\"time\":");
	format_rfc3339_ns(&b, (unsigned long long)now.tv_sec * 1000000000ULL +
			  (unsigned long long)now.tv_nsec);
	sbuf_printf(&b, ",\"dropped\":%llu,\"reason\":", ev->dropped);
	sbuf_json_string(&b, why);
	sbuf_printf(&b, "}\n");
	rc = b.failed ? -1 : write_line(ev, b.p, b.len);
	sbuf_free(&b);
	return rc;
}

/* Hold a copy of a line, or count it dropped past the bound. */
static void hold(struct evlog *ev, const char *line, size_t len)
{
	struct evlog_line *slot;
	char *copy;

	if (ev->nheld >= ev->max_held ||
	    ev->held_bytes + len > ev->max_held_bytes)
		goto drop;
	if (ev->nheld == ev->cap) {
		size_t cap = ev->cap ? ev->cap * 2 : 16, i;
		struct evlog_line *grown = malloc(cap * sizeof(*grown));

		if (!grown)
			goto drop;
		for (i = 0; i < ev->nheld; i++)
			grown[i] = ev->held[(ev->head + i) % ev->cap];
		free(ev->held);
		ev->held = grown;
		ev->head = 0;
		ev->cap = cap;
	}
	copy = malloc(len);
	if (!copy)
		goto drop;
	memcpy(copy, line, len);
	slot = &ev->held[(ev->head + ev->nheld) % ev->cap];
	slot->p = copy;
	slot->len = len;
	ev->nheld++;
	ev->held_bytes += len;
	return;
drop:
	ev->dropped++;
	if (!ev->said_full) {
		ev->said_full = 1;
		say(ev, "still not writable (%s): %zu record(s) (%zu bytes) held in memory, the most it holds; further records are dropped and counted until it is writable again",
		    strerror(ev->err), ev->nheld, ev->held_bytes);
	}
}

size_t evlog_flush(struct evlog *ev)
{
	unsigned long long was_held = 0;

	if (!ev->err)
		return 0;
	while (ev->nheld) {
		struct evlog_line *l = &ev->held[ev->head];

		if (write_line(ev, l->p, l->len)) {
			ev->err = errno;
			return ev->nheld + (ev->dropped ? 1 : 0);
		}
		ev->written++;
		ev->held_bytes -= l->len;
		free(l->p);
		ev->head = (ev->head + 1) % ev->cap;
		ev->nheld--;
		was_held++;
	}
	if (ev->dropped) {
		if (write_dropped(ev)) {
			ev->err = errno;
			return 1;
		}
	}
	if (ev->dropped)
		say(ev, "writable again: %llu held record(s) written; %llu record(s) had been dropped (a \"lost\" line in the file counts them)",
		    was_held, ev->dropped);
	else
		say(ev, "writable again: %llu held record(s) written, none lost",
		    was_held);
	ev->dropped = 0;
	ev->err = 0;
	ev->said_full = 0;
	return 0;
}

void evlog_append(struct evlog *ev, const char *line, size_t len)
{
	if (ev->err && evlog_flush(ev)) {
		hold(ev, line, len);
		return;
	}
	if (!write_line(ev, line, len)) {
		ev->written++;
		return;
	}
	ev->err = errno;
	say(ev, "%s — records are held in memory (up to %zu) and retried every second; free space or fix the file",
	    strerror(ev->err), ev->max_held);
	hold(ev, line, len);
}

unsigned long long evlog_close(struct evlog *ev)
{
	unsigned long long lost;

	evlog_flush(ev);
	lost = ev->nheld + ev->dropped;
	if (lost)
		say(ev, "%llu record(s) could not be written (%s) and are lost",
		    lost, strerror(ev->err));
	while (ev->nheld) {
		free(ev->held[ev->head].p);
		ev->head = (ev->head + 1) % ev->cap;
		ev->nheld--;
	}
	free(ev->held);
	ev->held = NULL;
	if (ev->fd >= 0)
		close(ev->fd);
	ev->fd = -1;
	return lost;
}
