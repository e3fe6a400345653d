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
	check(poll(&pfd, 1, 60000) == 1 && pfd.revents & POLLIN,
	      "poll wakes when a record is queued", "no POLLIN within 60 s");
	errno = 0;
	check(read(fd, u.b, 100) < 0 && errno == EINVAL,
	      "read() into a buffer too small for the record gives EINVAL",
	      "unexpected");
	n = read(fd, u.b, sizeof(u.b));
	check(n == (ssize_t)sizeof(struct oomprof_oom_kill) &&
	      h->magic == OOMPROF_RECORD_MAGIC &&
	      h->type == OOMPROF_REC_OOM_KILL && h->size == n,
	      "read() returns exactly one whole OOM kill record",
	      "wrong size or header");
	errno = 0;
	check(read(fd, u.b, sizeof(u.b)) < 0 && errno == EAGAIN,
	      "then the device is empty again", "unexpected");
	close(fd);
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
	fprintf(stderr, "usage: devtest nodev|contract|wait-record READY|runas UID CMD...\n");
	return 2;
}
