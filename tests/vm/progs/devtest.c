// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/oomprof contract, checked from inside the guest. Prints one
 * "ok <what>" or "not ok <what>: <why>" line per check; exits 1 if any
 * failed.
 *
 *   devtest nodev               open fails with ENOENT (module not loaded)
 *   devtest contract            one reader, EBUSY, EAGAIN, ioctls, EPERM
 *                               without CAP_SYS_ADMIN, EACCES as nobody
 *   devtest wait-record READY   poll until a record comes (touch READY once
 *                               polling), then check read() semantics
 *   devtest runas UID CMD...    exec CMD as UID (no capabilities)
 *   devtest detach              OOMPROF_IOC_DETACH: EINVAL on a reader's
 *                               descriptor; the reader gets EPOLLHUP and
 *                               ENODEV, new readers ENODEV; 1 once it
 *                               closed, 0 with no reader
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define DEV "/dev/oomprof"

static int failures;

static void check(int cond, const char *what, const char *why)
{
	if (cond) {
		printf("ok %s\n", what);
	} else {
		printf("not ok %s: %s (errno %s)\n", what, why, strerror(errno));
		failures++;
	}
	fflush(stdout);
}

/* Run fn in a child; its exit status is the check. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t p = fork();

	if (p == 0)
		_exit(fn());
	if (p < 0 || waitpid(p, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

static int open_without_sys_admin(void)
{
	if (drop_sys_admin())
		return 2;
	return open(DEV, O_WRONLY) < 0 && errno == EPERM ? 0 : 1;
}

static int open_as_nobody(void)
{
	if (setgid(65534) || setuid(65534))
		return 2;
	return open(DEV, O_RDONLY) < 0 && errno == EACCES ? 0 : 1;
}

static int contract(void)
{
	struct oomprof_version v;
	struct oomprof_stats st;
	char buf[OOMPROF_READ_MIN];
	struct pollfd pfd;
	int r, r2, w;

	r = open(DEV, O_RDONLY | O_NONBLOCK);
	check(r >= 0, "first reader opens", "open failed");
	errno = 0;
	check(read(r, buf, sizeof(buf)) < 0 && errno == EAGAIN,
	      "empty non-blocking read gives EAGAIN", "unexpected");
	pfd.fd = r;
	pfd.events = POLLIN;
	check(poll(&pfd, 1, 0) == 0, "poll on an empty device is not readable",
	      "poll reported readable");
	r2 = open(DEV, O_RDONLY);
	check(r2 < 0 && errno == EBUSY, "second reader gets EBUSY",
	      "second open did not fail with EBUSY");
	r2 = open(DEV, O_RDWR);
	check(r2 < 0 && errno == EBUSY, "second O_RDWR opener gets EBUSY",
	      "did not fail with EBUSY");
	w = open(DEV, O_WRONLY);
	check(w >= 0, "write-only opener allowed beside the reader",
	      "open failed");
	memset(&v, 0, sizeof(v));
	check(ioctl(w, OOMPROF_IOC_GET_VERSION, &v) == 0 &&
	      v.record_version == OOMPROF_RECORD_VERSION &&
	      v.abi_version == OOMPROF_ABI_VERSION,
	      "GET_VERSION matches this build's header", "mismatch or error");
	check(ioctl(w, OOMPROF_IOC_GET_STATS, &st) == 0 &&
	      st.probes & OOMPROF_PROBE_MARK_VICTIM,
	      "GET_STATS says mark_victim is attached", "not attached or error");
	check(ioctl(w, _IO(OOMPROF_IOC_MAGIC, 99)) < 0 && errno == ENOTTY,
	      "unknown ioctl gives ENOTTY", "unexpected");
	check(lseek(r, 0, SEEK_SET) < 0 && errno == ESPIPE,
	      "the device is not seekable", "lseek did not fail with ESPIPE");
	close(w);
	close(r);
	r = open(DEV, O_RDONLY);
	check(r >= 0, "a reader can open again after the first closed",
	      "open failed");
	close(r);
	check(in_child(open_without_sys_admin) == 0,
	      "root without CAP_SYS_ADMIN gets EPERM", "child reported failure");
	check(in_child(open_as_nobody) == 0, "uid 65534 gets EACCES (mode 0600)",
	      "child reported failure");
	return failures ? 1 : 0;
}

/* @n bytes of whole records, every one a PROC_EXEC or PROC_EXIT. */
static int only_proc_events(const char *b, ssize_t n)
{
	const struct oomprof_record_header *h;
	ssize_t off;

	for (off = 0; off + (ssize_t)sizeof(*h) <= n; off += h->size) {
		h = (const void *)(b + off);
		if (h->size < sizeof(*h) ||
		    (h->type != OOMPROF_REC_PROC_EXEC &&
		     h->type != OOMPROF_REC_PROC_EXIT))
			return 0;
	}
	return off == n;
}

static int wait_record(const char *ready)
{
	union {
		unsigned long long align;
		char b[OOMPROF_READ_MIN];
	} u;
	struct oomprof_record_header *h = (void *)u.b;
	struct pollfd pfd;
	ssize_t n;
	int fd = open(DEV, O_RDONLY | O_NONBLOCK);

	check(fd >= 0, "reader opens", "open failed");
	if (fd < 0)
		return 1;
	close(open(ready, O_WRONLY | O_CREAT, 0644));
	pfd.fd = fd;
	pfd.events = POLLIN;
	/*
	 * Process events (PROC_EXEC of whatever the scenario runs) come and
	 * go; they fit in a buffer of their own size, the OOM kill record
	 * does not: read with one until the device says EINVAL, the kill is
	 * next.
	 */
	_Static_assert(sizeof(struct oomprof_proc_event) <
		       sizeof(struct oomprof_oom_kill),
		       "a process event must be smaller than a kill record");
	for (;;) {
		check(poll(&pfd, 1, 60000) == 1 && pfd.revents & POLLIN,
		      "poll wakes when a record is queued", "no POLLIN within 60 s");
		if (!(pfd.revents & POLLIN))
			break;
		errno = 0;
		n = read(fd, u.b, sizeof(struct oomprof_proc_event));
		if (n < 0 && errno == EINVAL)
			break;
		check(n > 0 && only_proc_events(u.b, n),
		      "small records before the kill are process events",
		      "something else");
		if (failures)
			break;
	}
	check(errno == EINVAL,
	      "read() into a buffer too small for the record gives EINVAL",
	      "unexpected");
	n = read(fd, u.b, sizeof(u.b));
	/* The structure, then its sections (the domain's memory, tasks). */
	check(n >= (ssize_t)sizeof(struct oomprof_oom_kill) &&
	      h->magic == OOMPROF_RECORD_MAGIC &&
	      h->type == OOMPROF_REC_OOM_KILL && h->size == n &&
	      ((struct oomprof_oom_kill *)h)->ext_bytes ==
	      n - sizeof(struct oomprof_oom_kill),
	      "read() returns exactly one whole OOM kill record",
	      "wrong size or header");
	/* Then only process events, if anything. */
	while ((n = read(fd, u.b, sizeof(u.b))) > 0 &&
	       only_proc_events(u.b, n))
		;
	check(n < 0 && errno == EAGAIN,
	      "then the device is empty again", "unexpected");
	close(fd);
	return failures ? 1 : 0;
}

/*
 * Another process's detach: its return value is the exit status. It must
 * not keep the reader's file open through the descriptor it inherited,
 * or the detach would wait for itself.
 */
static int detach_child(int inherited_reader)
{
	int w;

	close(inherited_reader);
	w = open(DEV, O_WRONLY);
	return w < 0 ? 100 : ioctl(w, OOMPROF_IOC_DETACH);
}

/* open(O_RDONLY) fails with ENODEV (closed again if it did not). */
static int reader_refused(void)
{
	int fd;

	errno = 0;
	fd = open(DEV, O_RDONLY);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ENODEV;
}

static int detach(void)
{
	int r = open(DEV, O_RDONLY | O_NONBLOCK);
	int w = open(DEV, O_WRONLY);
	struct pollfd pfd = { .fd = r, .events = POLLIN };
	static char buf[1 << 16];
	int status = -1, n = 0;
	ssize_t got;
	pid_t p;

	check(r >= 0 && w >= 0, "reader and write-only opener open", "open failed");
	if (r < 0 || w < 0)
		return 1;
	errno = 0;
	check(ioctl(r, OOMPROF_IOC_DETACH) < 0 && errno == EINVAL,
	      "detach on the reader's own descriptor gives EINVAL", "unexpected");
	p = fork();
	if (p == 0)
		_exit(detach_child(r));
	check(poll(&pfd, 1, 5000) == 1 && pfd.revents & POLLHUP &&
	      pfd.revents & POLLIN, "poll reports EPOLLIN|EPOLLHUP to a detached reader",
	      "no POLLHUP within 5 s");
	while ((got = read(r, buf, sizeof(buf))) > 0 && n < 1000)
		n++;	/* records still queued come first */
	check(got < 0 && errno == ENODEV,
	      "read() gives ENODEV once nothing is queued", "unexpected");
	check(reader_refused(), "a new reader gets ENODEV while detaching",
	      "unexpected");
	close(r);
	check(p > 0 && waitpid(p, &status, 0) == p && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 1,
	      "detach returns 1 once the reader has closed", "unexpected status");
	check(reader_refused(), "readers get ENODEV for a while after a detach",
	      "unexpected");
	check(ioctl(w, OOMPROF_IOC_DETACH) == 0,
	      "detach with no reader returns 0 at once", "unexpected");
	close(w);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "nodev")) {
		check(open(DEV, O_RDONLY) < 0 && errno == ENOENT,
		      "no device node before the module loads", "unexpected");
		return failures ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "contract"))
		return contract();
	if (argc == 3 && !strcmp(argv[1], "wait-record"))
		return wait_record(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "detach"))
		return detach();
	if (argc >= 4 && !strcmp(argv[1], "runas")) {
		gid_t id = (gid_t)atoi(argv[2]);

		if (setgid(id) || setuid(id)) {
			perror("devtest runas");
			return 126;
		}
		execv(argv[3], argv + 3);
		perror("devtest runas: exec");
		return 127;
	}
	fprintf(stderr, "usage: devtest nodev|contract|wait-record READY|detach|runas UID CMD...\n");
	return 2;
}
