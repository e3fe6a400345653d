// SPDX-License-Identifier: GPL-2.0
/*
 * stress_ioctl N SEED: N random ioctls on /dev/oomprof (write-only open)
 * as root, and N more in a process that dropped every privilege (uid and
 * gid 65534, no capabilities) before the root process passed it the open
 * descriptor over a unix socket (SCM_RIGHTS). A kernel without AF_UNIX
 * (the debug kernel) gets it across fork instead: opened by root, then
 * the child drops its privileges; said on stdout.
 *
 * Random command numbers (fully random, or the device's magic with a
 * random number, direction and size, or one of its real commands), random
 * argument pointers (NULL, kernel addresses, never-mapped user addresses,
 * a buffer of random bytes whose end abuts an inaccessible page) and
 * random contents, now and then with this process's own pid and start
 * time so that REGISTER, UNREGISTER and DUMP go past their first checks.
 * Writes the module could make into this process (a rate, a dump) land
 * in scratch memory only.
 *
 * Prints per side "side calls ok errno=count ..." and exits 0 unless the
 * device could not be opened or passed, or a side did not finish.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define SCRATCH (1 << 20)	/* random bytes, then one PROT_NONE page */

static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed by the caller. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned char *scratch;	/* SCRATCH bytes + a guard page */
static unsigned long long my_start;
/*
 * /proc/PID/mem files for REGISTER and DUMP (their mem_fd): our own, and,
 * on the unprivileged side, init's if the kernel let us open it (it must
 * not). Root's side never names another process: a plausible SET_RATE
 * would write into it.
 */
static int mem_self = -1, mem_other = -1;
static char mem_other_note[64];

static unsigned long long start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* Field 22; p is at the end of field 2. */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

static const unsigned int real_cmds[] = {
	OOMPROF_IOC_GET_VERSION, OOMPROF_IOC_GET_STATS, OOMPROF_IOC_REGISTER,
	OOMPROF_IOC_UNREGISTER, OOMPROF_IOC_DUMP,
};

static unsigned int pick_cmd(void)
{
	uint64_t r = rnd() % 100;

	if (r < 25)
		return (unsigned int)rnd();
	if (r < 55)
		return _IOC(rnd() % 4, OOMPROF_IOC_MAGIC, rnd() % 16,
			    rnd() % (1 << 14));
	return real_cmds[rnd() % (sizeof(real_cmds) / sizeof(real_cmds[0]))];
}

/* A request of @size bytes ending at the guard page or inside scratch. */
static void *in_scratch(size_t size)
{
	size_t off;

	if (size > SCRATCH)
		size = SCRATCH;
	if (rnd() % 4 == 0)
		off = SCRATCH - size + rnd() % (size + 1);	/* straddles */
	else
		off = rnd() % (SCRATCH - size + 1);
	return scratch + off;
}

static int32_t pick_mem_fd(void)
{
	switch (rnd() % 4) {
	case 0:
		return (int32_t)rnd();
	case 1:
		return mem_other;
	default:
		return mem_self;
	}
}

/*
 * Registration regions: mostly none (valid), else plausible ones in
 * scratch, else whatever the random fill left. Left random always, they
 * fail validation before the mem_fd binding is ever looked at.
 */
static void plausible_regions(struct oomprof_go_region *rg, uint64_t target)
{
	unsigned int i, pick = rnd() % 4;

	for (i = 0; i < OOMPROF_GO_MAX_REGIONS; i++) {
		if (pick == 3)
			continue;
		memset(&rg[i], 0, sizeof(rg[i]));
		if (pick == 2 && i < 2) {
			rg[i].addr = target;
			rg[i].bytes = rnd() % (OOMPROF_GO_REGION_MAX + 1);
		}
	}
}

/* Fill a REGISTER or DUMP request at @p, often plausible. */
static void plausible(void *p, unsigned int cmd)
{
	uint64_t target = (uint64_t)(uintptr_t)(scratch + (rnd() % (SCRATCH / 8)) * 8);

	if (cmd == OOMPROF_IOC_REGISTER || cmd == OOMPROF_IOC_UNREGISTER) {
		struct oomprof_register *r = p;

		r->pid = rnd() % 3 ? (uint32_t)getpid() : rnd() % 2 ? 1 : (uint32_t)rnd();
		r->mem_fd = pick_mem_fd();
		r->reserved = rnd() % 8 ? 0 : (uint32_t)rnd();
		/* 0: not checked, so that only mem_fd tells pid 1 apart. */
		r->start_time_ticks = rnd() % 4 ?
			(r->pid == (uint32_t)getpid() ? my_start : 0) : rnd();
		r->flags = rnd() % 3 ? 0 : (uint32_t)rnd() % 4;
		r->mbuckets_addr = rnd() % 2 ? target : rnd();
		/* SET_RATE may write here: scratch, never our own data. */
		r->mem_profile_rate_addr = target;
		r->set_rate = (int64_t)(rnd() % 3 ? rnd() % 1000000 : rnd());
		r->registration_id = rnd() % 8;
		plausible_regions(r->regions, target);
	} else if (cmd == OOMPROF_IOC_DUMP) {
		struct oomprof_dump *d = p;

		d->pid = rnd() % 3 ? (uint32_t)getpid() : rnd() % 2 ? 1 : (uint32_t)rnd();
		d->mem_fd = pick_mem_fd();
		d->reserved = rnd() % 8 ? 0 : (uint32_t)rnd();
		/* 0: not checked, so that only mem_fd tells pid 1 apart. */
		d->start_time_ticks = rnd() % 4 ?
			(d->pid == (uint32_t)getpid() ? my_start : 0) : rnd();
		d->flags = rnd() % 4 ? 0 : (uint32_t)rnd();
		d->mbuckets_addr = rnd() % 2 ? target : rnd();
		d->mem_profile_rate_addr = target;
		plausible_regions(d->regions, target);
		/* Written by the module: scratch, or nowhere valid. */
		switch (rnd() % 4) {
		case 0:
			d->buf = (uint64_t)(uintptr_t)in_scratch(4096);
			d->buf_size = rnd() % 8192;
			break;
		case 1:
			d->buf = (uint64_t)(uintptr_t)scratch;
			d->buf_size = rnd() % 1000 ? rnd() % SCRATCH : rnd();
			break;
		case 2:
			d->buf = 0xffff888000000000ULL + rnd() % (1ULL << 30);
			d->buf_size = rnd() % (1 << 20);
			break;
		default:
			d->buf = 0;
			d->buf_size = rnd() % 4096;
			break;
		}
	}
}

static unsigned long pick_arg(unsigned int cmd)
{
	size_t size = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 64;
	uint64_t r = rnd() % 100;
	unsigned char *p;
	size_t i;

	if (r < 10)
		return 0;
	if (r < 15)
		return (unsigned long)rnd();
	if (r < 25)
		return 0xffff888000000000UL + (rnd() % (1UL << 32));
	if (r < 32)
		return 0x100000000000UL + (rnd() % (1UL << 32));	/* unmapped */
	p = in_scratch(size);
	for (i = 0; i < size && p + i < scratch + SCRATCH; i++)
		p[i] = (unsigned char)rnd();
	if (p + size <= scratch + SCRATCH && rnd() % 2)
		plausible(p, cmd);
	return (unsigned long)p;
}

static void run(const char *side, int fd, long n)
{
	static long errs[4096];
	long i, ok = 0;
	int e;

	memset(errs, 0, sizeof(errs));
	mem_self = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (!strcmp(side, "unprivileged")) {
		mem_other = open("/proc/1/mem", O_RDONLY | O_CLOEXEC);
		snprintf(mem_other_note, sizeof(mem_other_note),
			 " open_pid1_mem=%s", mem_other >= 0 ? "ok" :
			 strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	}
	for (i = 0; i < n; i++) {
		unsigned int cmd = pick_cmd();

		if (ioctl(fd, cmd, pick_arg(cmd)) >= 0)
			ok++;
		else if (errno > 0 && errno < 4096)
			errs[errno]++;
	}
	printf("%s calls=%ld ok=%ld%s", side, n, ok, mem_other_note);
	for (e = 1; e < 4096; e++)
		if (errs[e])
			printf(" %s=%ld", strerrorname_np(e) ? strerrorname_np(e) : "?", errs[e]);
	printf("\n");
	fflush(stdout);
}

static int send_fd(int sock, int fd)
{
	char c = 'f';
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	/* A uid change from 0 clears them; make sure. */
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d))
		return -1;
	return prctl(PR_SET_DUMPABLE, 1);
}

int main(int argc, char **argv)
{
	int sv[2] = { -1, -1 }, fd = -1, status;
	long n;
	pid_t p;

	if (argc != 3) {
		fprintf(stderr, "usage: stress_ioctl N SEED\n");
		return 2;
	}
	n = atol(argv[1]);
	rng = strtoull(argv[2], NULL, 0) | 1;
	scratch = mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED || mprotect(scratch + SCRATCH, 4096, PROT_NONE)) {
		perror("stress_ioctl: mmap");
		return 2;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		if (errno != ENOSYS && errno != EAFNOSUPPORT) {
			perror("stress_ioctl: socketpair");
			return 2;
		}
		printf("no AF_UNIX (%s): the descriptor goes across fork\n",
		       strerror(errno));
		fflush(stdout);
		fd = open("/dev/oomprof", O_WRONLY);
		if (fd < 0) {
			perror("stress_ioctl: /dev/oomprof");
			return 2;
		}
	}
	p = fork();
	if (p < 0)
		return 2;
	if (p == 0) {
		if (drop_privileges()) {
			perror("stress_ioctl: dropping privileges");
			_exit(2);
		}
		if (sv[1] >= 0) {
			close(sv[0]);
			fd = recv_fd(sv[1]);
		}
		if (fd < 0) {
			fprintf(stderr, "stress_ioctl: no descriptor received\n");
			_exit(2);
		}
		my_start = start_ticks(getpid());
		rng = rng * 31 + 7;
		run("unprivileged", fd, n);
		_exit(0);
	}
	if (sv[0] >= 0) {
		close(sv[1]);
		fd = open("/dev/oomprof", O_WRONLY);
		if (fd < 0) {
			perror("stress_ioctl: /dev/oomprof");
			return 2;
		}
		if (send_fd(sv[0], fd)) {
			perror("stress_ioctl: sendmsg");
			return 2;
		}
	}
	my_start = start_ticks(getpid());
	run("root", fd, n);
	if (waitpid(p, &status, 0) != p || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "stress_ioctl: the unprivileged side failed\n");
		return 1;
	}
	return 0;
}
