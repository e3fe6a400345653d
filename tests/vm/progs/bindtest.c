// SPDX-License-Identifier: GPL-2.0
/*
 * Who may register, write into and dump which process, and that a request
 * is bound to the program that was inspected (issue 10, sections 2 and 3).
 * Prints one "ok <what>" or "not ok <what>: <why>" line per check; exits 1
 * if any failed.
 *
 *   bindtest race        a process execs between its inspection (its
 *                        /proc/PID/mem opened, addresses taken) and
 *                        REGISTER: refused with ESTALE, with and without
 *                        SET_RATE, and the new program's word at that
 *                        address is unchanged; registered afresh it is
 *                        written; a further exec drops that registration
 *                        (the module's counters say so)
 *   bindtest passed-fd   a /dev/oomprof descriptor inherited across
 *                        setuid(65534): cannot register or dump a root
 *                        process, can its own
 *   bindtest userns      the same from the root of a new user namespace
 *                        (CAP_SYS_ADMIN there, uid 65534 outside)
 *   bindtest timens      a registrant in a time namespace whose boot time
 *                        is 1000 s ahead (its /proc/PID/stat start times
 *                        are): registered, and a start time one tick off
 *                        is ESRCH
 *   bindtest bigdump     (module loaded with dump_max_mb=4095) a dump
 *                        asking for a 3 GiB buffer fails with ENOMEM:
 *                        the module lowered the limit below 2 GiB, and
 *                        a buffer that cannot be had kills no one
 *   bindtest scope3      with kernel.yama.ptrace_scope 3: root cannot
 *                        register or dump another process, only itself
 *   bindtest dumps       three dumps at once of a 100k-bucket list: the
 *                        module runs two, the third gets EBUSY; with
 *                        the module loaded with dump_timeout_ms=1, a
 *                        dump stops at its deadline (stop "timeout")
 *                        long before the walk would have ended
 *   bindtest register PID   register PID (its /proc/PID/mem as mem_fd)
 *                        with placeholder addresses: for a victim that
 *                        is not Go (a 32-bit one, scenario compat32)
 *   bindtest target ASK REP   (internal) the exec'd program
 *
 * This binary is static and not PIE: the word's address is the same in
 * every image of it, so the old image's address does point at the new
 * image's word, as a crafted binary would make it do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define DEV "/dev/oomprof"
#define RATE 524288

/* The "runtime.MemProfileRate" and "runtime.mbuckets" of every image. */
static volatile long long rate_word;
static volatile unsigned long long mbuckets_word;

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

static unsigned long long start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		v = strtoull(p + 1, NULL, 10);
	return v;
}

static int open_mem(pid_t pid, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, flags);
}

static void fill_reg(struct oomprof_register *req, pid_t pid, int mem_fd,
		     int set_rate)
{
	memset(req, 0, sizeof(*req));
	req->pid = (__u32)pid;
	req->start_time_ticks = start_ticks(pid);
	req->mbuckets_addr = (__u64)(unsigned long)&mbuckets_word;
	req->mem_profile_rate_addr = (__u64)(unsigned long)&rate_word;
	req->mem_fd = mem_fd;
	if (set_rate) {
		req->flags = OOMPROF_REGISTER_SET_RATE;
		req->set_rate = RATE;
	}
}

/* REGISTER; 0 or the errno. */
static int reg(int dev, pid_t pid, int mem_fd, int set_rate,
	       struct oomprof_register *out)
{
	struct oomprof_register req;

	fill_reg(&req, pid, mem_fd, set_rate);
	errno = 0;
	if (ioctl(dev, OOMPROF_IOC_REGISTER, &req))
		return errno;
	if (out)
		*out = req;
	return 0;
}

static int unreg(int dev, __u64 id)
{
	struct oomprof_register req = { .registration_id = id };

	return ioctl(dev, OOMPROF_IOC_UNREGISTER, &req) ? errno : 0;
}

/* DUMP; 0 or the errno. */
static int dump(int dev, pid_t pid, int mem_fd)
{
	static unsigned long long buf[4096];
	struct oomprof_dump req;

	memset(&req, 0, sizeof(req));
	req.pid = (__u32)pid;
	req.start_time_ticks = start_ticks(pid);
	req.mbuckets_addr = (__u64)(unsigned long)&mbuckets_word;
	req.mem_profile_rate_addr = (__u64)(unsigned long)&rate_word;
	req.buf = (__u64)(unsigned long)buf;
	req.buf_size = sizeof(buf);
	req.mem_fd = mem_fd;
	errno = 0;
	return ioctl(dev, OOMPROF_IOC_DUMP, &req) ? errno : 0;
}

static struct oomprof_stats stats(int dev)
{
	struct oomprof_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(dev, OOMPROF_IOC_GET_STATS, &st))
		check(0, "GET_STATS", "failed");
	return st;
}

static void say_errno(char *buf, size_t len, const char *what, int got,
		      int want)
{
	snprintf(buf, len, "%s gave %s, expected %s", what,
		 got ? strerror(got) : "success", strerror(want));
}

/* ---- the exec'd program ---------------------------------------------- */

/*
 * Reads commands from ASK: 'r' reports the word, 'e' execs this program
 * again (a new image), EOF exits. Says "ready ADDR VALUE" after each exec.
 */
static int target(int ask, int rep)
{
	char c;

	dprintf(rep, "ready %lx %lld\n", (unsigned long)&rate_word, rate_word);
	while (read(ask, &c, 1) == 1) {
		if (c == 'r') {
			dprintf(rep, "value %lld\n", rate_word);
		} else if (c == 'e') {
			char a[16], r[16];

			snprintf(a, sizeof(a), "%d", ask);
			snprintf(r, sizeof(r), "%d", rep);
			execl("/proc/self/exe", "bindtest", "target", a, r,
			      (char *)NULL);
			dprintf(rep, "exec failed %d\n", errno);
			return 1;
		}
	}
	return 0;
}

/* One line from @fd, which the target writes whole lines to. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && read(fd, buf + n, 1) == 1) {
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return n ? 0 : -1;
}

static long long target_value(int ask, int rep)
{
	char line[128];
	long long v = -1;

	if (write(ask, "r", 1) != 1 || read_line(rep, line, sizeof(line)) ||
	    sscanf(line, "value %lld", &v) != 1)
		return -1;
	return v;
}

/* Wait for "ready": the target runs its new image. */
static int target_ready(int rep)
{
	char line[128];
	unsigned long addr = 0;
	long long v = -1;

	if (read_line(rep, line, sizeof(line)) ||
	    sscanf(line, "ready %lx %lld", &addr, &v) != 2)
		return -1;
	return addr == (unsigned long)&rate_word && v == 0 ? 0 : -2;
}

/* ---- bindtest race ---------------------------------------------------- */

static int race(void)
{
	int go[2], ask[2], rep[2], dev, old_rw, old_ro, fresh, err, status;
	struct oomprof_stats st0, st;
	struct oomprof_register got;
	char why[160];
	pid_t child;

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	check(dev >= 0, "device opens", "open failed");
	if (dev < 0 || pipe(go) || pipe(ask) || pipe(rep))
		return 1;
	child = fork();
	if (child == 0) {
		char a[16], r[16], c;

		/* The old image: a fork of this one, until told to exec. */
		close(go[1]);
		close(ask[1]);
		close(rep[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		snprintf(a, sizeof(a), "%d", ask[0]);
		snprintf(r, sizeof(r), "%d", rep[1]);
		execl("/proc/self/exe", "bindtest", "target", a, r, (char *)NULL);
		_exit(4);
	}
	close(go[0]);
	close(ask[0]);
	close(rep[1]);
	st0 = stats(dev);

	/* Inspection: its /proc/PID/mem first, addresses from this image. */
	old_rw = open_mem(child, O_RDWR | O_CLOEXEC);
	old_ro = open_mem(child, O_RDONLY | O_CLOEXEC);
	check(old_rw >= 0 && old_ro >= 0, "the old image's /proc/PID/mem opens",
	      "open failed");
	/* Then it execs. */
	check(write(go[1], "x", 1) == 1 && target_ready(rep[0]) == 0,
	      "the target exec'd and its word is at the old image's address, 0",
	      "no ready line, or another address: the test would prove nothing");

	err = reg(dev, child, old_rw, 1, NULL);
	say_errno(why, sizeof(why), "REGISTER with SET_RATE", err, ESTALE);
	check(err == ESTALE, "REGISTER+SET_RATE after an exec is refused with ESTALE", why);
	err = reg(dev, child, old_ro, 0, NULL);
	say_errno(why, sizeof(why), "REGISTER", err, ESTALE);
	check(err == ESTALE, "REGISTER after an exec is refused with ESTALE", why);
	err = dump(dev, child, old_ro);
	say_errno(why, sizeof(why), "DUMP", err, ESTALE);
	check(err == ESTALE, "DUMP after an exec is refused with ESTALE", why);
	check(target_value(ask[1], rep[0]) == 0,
	      "the new program's word is unchanged (0)", "it was written");
	st = stats(dev);
	check(st.registered == st0.registered &&
	      st.registrations_added == st0.registrations_added,
	      "no registration was made", "registered or added grew");

	/* What the rule accepts and refuses of the file itself. */
	fresh = open_mem(child, O_RDONLY | O_CLOEXEC);
	err = reg(dev, child, fresh, 1, NULL);
	say_errno(why, sizeof(why), "REGISTER+SET_RATE through a read-only file", err, EBADF);
	check(err == EBADF, "SET_RATE through a read-only /proc/PID/mem gives EBADF", why);
	close(fresh);
	fresh = open("/dev/null", O_RDWR | O_CLOEXEC);
	err = reg(dev, child, fresh, 0, NULL);
	say_errno(why, sizeof(why), "REGISTER with /dev/null", err, EINVAL);
	check(err == EINVAL, "a file that is not /proc/PID/mem gives EINVAL", why);
	close(fresh);
	err = reg(dev, child, -1, 0, NULL);
	say_errno(why, sizeof(why), "REGISTER with fd -1", err, EBADF);
	check(err == EBADF, "no file gives EBADF", why);

	/* Inspected afresh: registered, and the rate written. */
	fresh = open_mem(child, O_RDWR | O_CLOEXEC);
	err = reg(dev, child, fresh, 1, &got);
	close(fresh);
	check(!err && got.set_rate_result == OOMPROF_SET_RATE_WRITTEN,
	      "the new program inspected afresh is registered and written",
	      err ? strerror(err) : "not WRITTEN");
	check(target_value(ask[1], rep[0]) == RATE,
	      "the new program's word now holds the rate", "it does not");
	st = stats(dev);
	check(st.registered == st0.registered + 1 &&
	      st.registrations_added == st0.registrations_added + 1,
	      "one registration added", "counters did not grow by one");

	/* Another exec: the module drops that registration itself. */
	check(write(ask[1], "e", 1) == 1 && target_ready(rep[0]) == 0,
	      "the target exec'd again", "no ready line");
	st = stats(dev);
	check(st.registered == st0.registered &&
	      st.registrations_execd == st0.registrations_execd + 1,
	      "the registration of the old program is gone at its exec",
	      "registered or registrations_execd wrong");
	check(unreg(dev, got.registration_id) == ENOENT,
	      "its id is unknown to UNREGISTER", "not ENOENT");
	fresh = open_mem(child, O_RDONLY | O_CLOEXEC);
	err = reg(dev, child, fresh, 0, &got);
	close(fresh);
	check(!err, "registered afresh for the newest program", strerror(err));
	check(!err && unreg(dev, got.registration_id) == 0,
	      "and unregistered by its id", "UNREGISTER failed");

	close(ask[1]);
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "the target exited cleanly", "it did not");
	close(old_rw);
	close(old_ro);
	close(dev);
	return failures ? 1 : 0;
}

/* ---- a device descriptor in unprivileged hands ------------------------ */

/*
 * In the child, as whoever it now is, with the inherited @dev: @victim (a
 * root process) is out of reach; its own process is not.
 */
static int unprivileged_checks(int dev, pid_t victim, const char *who)
{
	char what[200], why[160];
	int self, fd, err;

	fd = open(DEV, O_WRONLY | O_CLOEXEC);
	snprintf(what, sizeof(what), "%s: opening the device is refused", who);
	check(fd < 0 && (errno == EACCES || errno == EPERM), what, "it opened");
	if (fd >= 0)
		close(fd);
	fd = open_mem(victim, O_RDONLY | O_CLOEXEC);
	snprintf(what, sizeof(what), "%s: root's /proc/PID/mem does not open", who);
	check(fd < 0 && (errno == EACCES || errno == EPERM), what, "it opened");
	if (fd >= 0)
		close(fd);

	self = open_mem(getpid(), O_RDWR | O_CLOEXEC);
	snprintf(what, sizeof(what), "%s: its own /proc/PID/mem opens", who);
	check(self >= 0, what, "open failed");
	err = reg(dev, victim, self, 0, NULL);
	say_errno(why, sizeof(why), "REGISTER", err, ESTALE);
	snprintf(what, sizeof(what), "%s: cannot register a root process", who);
	check(err == ESTALE, what, why);
	err = reg(dev, victim, self, 1, NULL);
	say_errno(why, sizeof(why), "REGISTER+SET_RATE", err, ESTALE);
	snprintf(what, sizeof(what), "%s: cannot write into a root process", who);
	check(err == ESTALE, what, why);
	err = dump(dev, victim, self);
	say_errno(why, sizeof(why), "DUMP", err, ESTALE);
	snprintf(what, sizeof(what), "%s: cannot dump a root process", who);
	check(err == ESTALE, what, why);
	/* What ptrace allows it, the device allows: itself. */
	{
		struct oomprof_register got;

		err = reg(dev, getpid(), self, 0, &got);
		snprintf(what, sizeof(what), "%s: can register itself", who);
		check(!err, what, strerror(err));
		if (!err)
			unreg(dev, got.registration_id);
	}
	close(self);
	return failures ? 1 : 0;
}

static int to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	/* setuid() made it non-dumpable: /proc/self would be root's. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int unprivileged(int userns)
{
	pid_t me = getpid(), child;
	int dev, status;

	/* Opened by root, then inherited by a child that gives up root. */
	dev = open(DEV, O_WRONLY);
	check(dev >= 0, "root opens the device", "open failed");
	if (dev < 0)
		return 1;
	child = fork();
	if (child == 0) {
		if (to_nobody()) {
			check(0, "setuid to 65534", "failed");
			_exit(1);
		}
		if (userns) {
			if (unshare(CLONE_NEWUSER) ||
			    write_file("/proc/self/setgroups", "deny") ||
			    write_file("/proc/self/uid_map", "0 65534 1") ||
			    write_file("/proc/self/gid_map", "0 65534 1")) {
				check(0, "a new user namespace with uid 0 in it",
				      "unshare or the id maps failed");
				_exit(1);
			}
			check(geteuid() == 0,
			      "root (with CAP_SYS_ADMIN) in its own user namespace",
			      "not uid 0");
		}
		_exit(unprivileged_checks(dev, me, userns ?
					  "user namespace root" :
					  "uid 65534 with root's device fd"));
	}
	check(child > 0 && waitpid(child, &status, 0) == child &&
	      WIFEXITED(status) && !WEXITSTATUS(status),
	      "the unprivileged child's checks passed", "see above");
	close(dev);
	return failures ? 1 : 0;
}

/* ---- a dump buffer too large to have ---------------------------------- */

static int bigdump(void)
{
	static unsigned long long buf[512];
	struct oomprof_dump req;
	int dev, self, err;
	char why[160];

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	self = open_mem(getpid(), O_RDONLY | O_CLOEXEC);
	check(dev >= 0 && self >= 0, "device and own /proc/PID/mem open",
	      "open failed");
	if (dev < 0 || self < 0)
		return 1;
	memset(&req, 0, sizeof(req));
	req.pid = (__u32)getpid();
	req.start_time_ticks = start_ticks(getpid());
	req.mbuckets_addr = (__u64)(unsigned long)&mbuckets_word;
	req.mem_profile_rate_addr = (__u64)(unsigned long)&rate_word;
	req.buf = (__u64)(unsigned long)buf;
	req.buf_size = 3ULL << 30;	/* the module allocates min(this, limit) */
	req.mem_fd = self;
	err = ioctl(dev, OOMPROF_IOC_DUMP, &req) ? errno : 0;
	say_errno(why, sizeof(why), "DUMP into a 3 GiB buffer", err, ENOMEM);
	check(err == ENOMEM,
	      "a dump buffer larger than the guest's memory fails with ENOMEM", why);
	close(self);
	close(dev);
	return failures ? 1 : 0;
}

/* ---- a time namespace ------------------------------------------------ */

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int timens(void)
{
	unsigned long long host, seen;
	struct oomprof_register got;
	int p2c[2], c2p[2], status, dev, self, err;
	char c = 0, why[160];
	pid_t child;

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	check(dev >= 0, "device opens", "open failed");
	/* Children of this process live in a namespace 1000 s after boot. */
	if (dev < 0 || unshare(CLONE_NEWTIME) ||
	    write_file("/proc/self/timens_offsets", "boottime 1000 0") ||
	    pipe(p2c) || pipe(c2p)) {
		check(0, "a time namespace with boottime +1000 s",
		      "unshare(CLONE_NEWTIME) or timens_offsets failed");
		return 1;
	}
	child = fork();
	if (child == 0) {
		unsigned long long mine = start_ticks(getpid());

		if (write(c2p[1], &mine, sizeof(mine)) != sizeof(mine) ||
		    read(p2c[0], &c, 1) != 1)
			_exit(2);
		self = open_mem(getpid(), O_RDONLY | O_CLOEXEC);
		fill_reg(&got, getpid(), self, 0);	/* its own view */
		err = ioctl(dev, OOMPROF_IOC_REGISTER, &got) ? errno : 0;
		check(!err, "in a time namespace: registered with the start time its /proc shows",
		      strerror(err));
		if (!err)
			unreg(dev, got.registration_id);
		fill_reg(&got, getpid(), self, 0);
		got.start_time_ticks++;
		err = ioctl(dev, OOMPROF_IOC_REGISTER, &got) ? errno : 0;
		say_errno(why, sizeof(why), "REGISTER one tick off", err, ESRCH);
		check(err == ESRCH, "in a time namespace: a start time one tick off is ESRCH", why);
		_exit(failures ? 1 : 0);
	}
	host = start_ticks(child);
	check(read(c2p[0], &seen, sizeof(seen)) == sizeof(seen) &&
	      seen >= host + 99999 && seen <= host + 100001,
	      "the child's /proc shows its start time 1000 s later than the host's",
	      "no offset: the test would prove nothing");
	if (write(p2c[1], "g", 1) != 1)
		check(0, "tell the child", "write failed");
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      !WEXITSTATUS(status), "the time namespace child's checks passed",
	      "see above");
	close(dev);
	return failures ? 1 : 0;
}

/* ---- kernel.yama.ptrace_scope 3 -------------------------------------- */

static int scope3(void)
{
	int dev, fd, self, err;
	char why[160];
	pid_t child;

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	check(dev >= 0, "device opens", "open failed");
	if (dev < 0)
		return 1;
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = open_mem(child, O_RDONLY | O_CLOEXEC);
	check(fd < 0 && (errno == EPERM || errno == EACCES),
	      "ptrace_scope 3: root cannot open its child's /proc/PID/mem",
	      "it opened");
	if (fd >= 0)
		close(fd);
	self = open_mem(getpid(), O_RDWR | O_CLOEXEC);
	check(self >= 0, "ptrace_scope 3: its own /proc/PID/mem opens", "failed");
	err = reg(dev, child, self, 0, NULL);
	say_errno(why, sizeof(why), "REGISTER", err, ESTALE);
	check(err == ESTALE, "ptrace_scope 3: cannot register another process", why);
	err = dump(dev, child, self);
	say_errno(why, sizeof(why), "DUMP", err, ESTALE);
	check(err == ESTALE, "ptrace_scope 3: cannot dump another process", why);
	{
		struct oomprof_register got;

		err = reg(dev, getpid(), self, 0, &got);
		check(!err, "ptrace_scope 3: can register itself", strerror(err));
		if (!err)
			unreg(dev, got.registration_id);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(self);
	close(dev);
	return failures ? 1 : 0;
}

/* ---- concurrent dumps and the dump deadline ----------------------------- */

#define LIST_BUCKETS	100000
#define BUCKET_WORDS	22	/* six header words, no PCs, the memRecord */
#define DUMPERS		3

static unsigned long long *list_words;
static unsigned long long list_head;
static pthread_barrier_t dump_start;

struct dumper {
	int dev, mem_fd, err;
	struct oomprof_dump req;
	double secs;
};

/* A well-formed bucket list of LIST_BUCKETS in this process's memory. */
static int build_list(void)
{
	size_t n = (size_t)LIST_BUCKETS * BUCKET_WORDS;

	list_words = calloc(n, sizeof(*list_words));
	if (!list_words)
		return -1;
	for (size_t i = 0; i < LIST_BUCKETS; i++) {
		unsigned long long *b = list_words + i * BUCKET_WORDS;

		b[1] = i + 1 < LIST_BUCKETS ?
		       (unsigned long long)(unsigned long)(b + BUCKET_WORDS) : 0;
		b[2] = 1;			/* typ: memProfile */
		b[3] = i;			/* hash */
		b[6] = 1;			/* active.allocs */
	}
	list_head = (unsigned long long)(unsigned long)list_words;
	mbuckets_word = list_head;
	rate_word = 1;
	return 0;
}

static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *dumper_run(void *arg)
{
	struct dumper *d = arg;
	double t0;

	pthread_barrier_wait(&dump_start);
	t0 = now_secs();
	d->err = ioctl(d->dev, OOMPROF_IOC_DUMP, &d->req) ? errno : 0;
	d->secs = now_secs() - t0;
	return NULL;
}

static void fill_dump(struct dumper *d, int dev, int mem_fd)
{
	size_t size = (size_t)LIST_BUCKETS * (8 + BUCKET_WORDS * 8);

	memset(d, 0, sizeof(*d));
	d->dev = dev;
	d->mem_fd = mem_fd;
	d->req.pid = (__u32)getpid();
	d->req.start_time_ticks = start_ticks(getpid());
	d->req.mbuckets_addr = (__u64)(unsigned long)&mbuckets_word;
	d->req.mem_profile_rate_addr = (__u64)(unsigned long)&rate_word;
	d->req.buf = (__u64)(unsigned long)malloc(size);
	d->req.buf_size = size;
	d->req.mem_fd = mem_fd;
}

static int dumps(void)
{
	struct dumper d[DUMPERS];
	pthread_t th[DUMPERS];
	int dev, self, round, seen = 0, bad = 0;
	char why[200];

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	self = open_mem(getpid(), O_RDONLY | O_CLOEXEC);
	check(dev >= 0 && self >= 0, "device and own /proc/PID/mem open",
	      "open failed");
	if (dev < 0 || self < 0 || build_list())
		return 1;

	/*
	 * A dump of this list takes a good part of a second in the guest:
	 * started at one barrier, all three overlap unless the scheduler
	 * delays one by that long, so a few rounds make it certain.
	 */
	for (round = 0; round < 5 && !seen; round++) {
		int busy = 0, done = 0;

		pthread_barrier_init(&dump_start, NULL, DUMPERS);
		for (int i = 0; i < DUMPERS; i++) {
			fill_dump(&d[i], dev, self);
			pthread_create(&th[i], NULL, dumper_run, &d[i]);
		}
		for (int i = 0; i < DUMPERS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&dump_start);
		for (int i = 0; i < DUMPERS; i++) {
			if (d[i].err == EBUSY) {
				busy++;
			} else if (!d[i].err &&
				   (d[i].req.cap.stop == OOMPROF_STOP_NONE ||
				    d[i].req.cap.stop == OOMPROF_STOP_TIMEOUT)) {
				/* Ran (whole, or to dump_timeout_ms: KASAN). */
				done++;
			} else {
				bad++;
				printf("# round %d dumper %d: err %d stop %u nbuckets %llu in %.3f s\n",
				       round, i, d[i].err, d[i].req.cap.stop,
				       (unsigned long long)d[i].req.cap.nbuckets,
				       d[i].secs);
			}
			free((void *)(unsigned long)d[i].req.buf);
		}
		printf("# round %d: %d complete, %d EBUSY (%.3f %.3f %.3f s)\n",
		       round, done, busy, d[0].secs, d[1].secs, d[2].secs);
		/*
		 * Three whole dumps: the third started after one had ended
		 * (a scheduling delay), try again; three at once would have
		 * shown as three whole dumps with overlapping times too, so
		 * a round counts only with exactly one EBUSY.
		 */
		seen = busy == 1 && done == 2;
	}
	snprintf(why, sizeof(why), "no round of %d had exactly one EBUSY and two dumps that ran; %d failed otherwise",
		 round, bad);
	check(seen && !bad,
	      "three dumps at once: two run, the third gets EBUSY", why);
	close(self);
	close(dev);
	return failures ? 1 : 0;
}

/* The module was loaded with dump_timeout_ms=1. */
static int dump_deadline(void)
{
	struct dumper d;
	int dev, self;
	char why[200];

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	self = open_mem(getpid(), O_RDONLY | O_CLOEXEC);
	check(dev >= 0 && self >= 0, "device and own /proc/PID/mem open",
	      "open failed");
	if (dev < 0 || self < 0 || build_list())
		return 1;
	fill_dump(&d, dev, self);
	pthread_barrier_init(&dump_start, NULL, 1);
	dumper_run(&d);
	snprintf(why, sizeof(why), "err %d, stop %u after %llu of %d buckets in %.3f s",
		 d.err, d.req.cap.stop, (unsigned long long)d.req.cap.nbuckets,
		 LIST_BUCKETS, d.secs);
	printf("# deadline dump: %s\n", why);
	check(!d.err && d.req.cap.stop == OOMPROF_STOP_TIMEOUT &&
	      d.req.cap.nbuckets < LIST_BUCKETS,
	      "with dump_timeout_ms=1 a dump stops at its deadline, partial", why);
	free((void *)(unsigned long)d.req.buf);
	close(self);
	close(dev);
	return failures ? 1 : 0;
}

/* ---- register a victim that is not Go ----------------------------------- */

static int register_pid(pid_t pid)
{
	struct oomprof_register req;
	int dev, mem, err;
	char why[160];

	dev = open(DEV, O_WRONLY | O_CLOEXEC);
	mem = open_mem(pid, O_RDONLY | O_CLOEXEC);
	check(dev >= 0 && mem >= 0, "device and the target's /proc/PID/mem open",
	      "open failed");
	if (dev < 0 || mem < 0)
		return 1;
	memset(&req, 0, sizeof(req));
	req.pid = (__u32)pid;
	req.start_time_ticks = start_ticks(pid);
	/* Placeholders below 4 GiB: nothing is read there (see compat32). */
	req.mbuckets_addr = 0x10000;
	req.mem_profile_rate_addr = 0x10008;
	req.mem_fd = mem;
	err = ioctl(dev, OOMPROF_IOC_REGISTER, &req) ? errno : 0;
	say_errno(why, sizeof(why), "REGISTER", err, 0);
	check(!err, "the target is registered", why);
	close(mem);
	close(dev);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "target"))
		return target(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "race"))
		return race();
	if (argc == 2 && !strcmp(argv[1], "passed-fd"))
		return unprivileged(0);
	if (argc == 2 && !strcmp(argv[1], "userns"))
		return unprivileged(1);
	if (argc == 2 && !strcmp(argv[1], "bigdump"))
		return bigdump();
	if (argc == 2 && !strcmp(argv[1], "timens"))
		return timens();
	if (argc == 2 && !strcmp(argv[1], "scope3"))
		return scope3();
	if (argc == 2 && !strcmp(argv[1], "dumps"))
		return dumps();
	if (argc == 2 && !strcmp(argv[1], "dump-deadline"))
		return dump_deadline();
	if (argc == 3 && !strcmp(argv[1], "register"))
		return register_pid(atoi(argv[2]));
	fprintf(stderr, "usage: bindtest race|passed-fd|userns|timens|bigdump|scope3|dumps|dump-deadline|register PID\n");
	return 2;
}
