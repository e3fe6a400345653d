// SPDX-License-Identifier: GPL-2.0
#include "discover.h"
#include "esc.h"
#include "gobin.h"
#include "golearn.h"
#include "govars.h"
#include "pprof.h"

#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/oomprof.h>

/* How long a gone process's entry is kept for its capture to arrive. */
#define GONE_KEEP_SECONDS 60

void discover_init(struct discover *d, int devfd, int quiet)
{
	memset(d, 0, sizeof(*d));
	d->devfd = devfd;
	d->quiet = quiet;
}

void discover_free(struct discover *d)
{
	size_t i;

	for (i = 0; i < d->nexes; i++) {
		if (d->exes[i]->bin)
			gobin_close(d->exes[i]->bin);
		free(d->exes[i]);
	}
	free(d->exes);
	free(d->procs);
	free(d->kids);
	memset(d, 0, sizeof(*d));
}

int parse_proc_stat(const char *text, char *comm, size_t commlen,
		    unsigned long long *start_ticks)
{
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	const char *p;
	size_t n;
	int field;

	if (!open || !close || close < open || !commlen)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= commlen)
		n = commlen - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	/* After ") " comes field 3 (state); start time is field 22. */
	p = close + 1;
	for (field = 2; field < 21; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	if (!isdigit((unsigned char)p[1]))
		return -1;
	*start_ticks = strtoull(p + 1, NULL, 10);
	return 0;
}

static int read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static struct goproc *find_proc(struct discover *d, pid_t pid)
{
	size_t i;

	for (i = 0; i < d->nprocs; i++)
		if (d->procs[i].pid == pid && !d->procs[i].gone_since)
			return &d->procs[i];
	return NULL;
}

const struct goproc *discover_find(const struct discover *d, uint64_t reg_id)
{
	size_t i;

	for (i = 0; i < d->nprocs; i++)
		if (d->procs[i].reg_id == reg_id)
			return &d->procs[i];
	return NULL;
}

/*
 * The executable cache. Anyone can exec any number of distinct files, so
 * it is bounded: at most exe_cache_max entries and exe_cache_bytes of
 * parsed binaries, least recently used evicted first, except executables
 * of processes still tracked (their capture needs them). No entry keeps
 * its file open: a binary is read once, trimmed to its function table
 * (gobin_trim) and closed.
 */
static size_t exe_cache_max = 1024;
static size_t exe_cache_bytes = 512u << 20;

void discover_cache_limits(size_t entries, size_t bytes)
{
	exe_cache_max = entries >= 8 ? entries : 8;
	exe_cache_bytes = bytes;
}

static unsigned long long exe_tick;

static int same_file(const struct goexe *e, const struct stat *st)
{
	/* A reused inode (file deleted, another created) is another file. */
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	       e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec &&
	       e->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       e->ctime.tv_sec == st->st_ctim.tv_sec &&
	       e->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * The identity table (struct discover's kids). Keyed hash (pprof_siphash):
 * sizes and modification times are the user's to choose. A lookup is
 * bounded by the table, which holds at most one slot per cached
 * executable and is kept at most half full.
 */
static size_t kid_slot(const struct discover *d, const struct exe_kid *k)
{
	return (size_t)pprof_siphash(k, sizeof(*k)) & (d->kids_cap - 1);
}

static void kid_put(struct discover *d, struct goexe *e)
{
	size_t i = kid_slot(d, &e->kid);

	while (d->kids[i])
		i = (i + 1) & (d->kids_cap - 1);
	d->kids[i] = e;
	d->kids_used++;
}

/* Refill the table from the cache, in @cap slots (0: as it is). */
static int kids_rebuild(struct discover *d, size_t cap)
{
	if (cap && cap != d->kids_cap) {
		struct goexe **t = calloc(cap, sizeof(*t));

		if (!t)
			return -1;
		free(d->kids);
		d->kids = t;
		d->kids_cap = cap;
	} else if (d->kids) {
		memset(d->kids, 0, d->kids_cap * sizeof(*d->kids));
	}
	d->kids_used = 0;
	for (size_t i = 0; d->kids && i < d->nexes; i++)
		if (d->exes[i]->kid_set)
			kid_put(d, d->exes[i]);
	return 0;
}

static struct goexe *kid_find(const struct discover *d,
			      const struct exe_kid *k)
{
	size_t i;

	if (!d->kids_used)
		return NULL;
	for (i = kid_slot(d, k); d->kids[i]; i = (i + 1) & (d->kids_cap - 1))
		if (!memcmp(&d->kids[i]->kid, k, sizeof(*k)))
			return d->kids[i];
	return NULL;
}

/*
 * @e, just found for a process whose exec record named @k, by a stat()
 * @st of the process's /proc/PID/exe: if they describe the same file,
 * remember @k for @e. They may not: the process can have exec'd again
 * since its record. Size and both times must agree (the device and inode
 * may not, on an overlay), and a change time cannot be chosen, so a
 * record of one file is never taken for another that someone made to look
 * like it.
 */
static void exe_learn_kid(struct discover *d, struct goexe *e,
			  const struct exe_kid *k, const struct stat *st)
{
	if (!k || e->kid_set || k->size != (uint64_t)st->st_size ||
	    k->mtime_sec != st->st_mtim.tv_sec ||
	    k->mtime_nsec != (uint64_t)st->st_mtim.tv_nsec ||
	    k->ctime_sec != st->st_ctim.tv_sec ||
	    k->ctime_nsec != (uint64_t)st->st_ctim.tv_nsec)
		return;
	if ((d->kids_used + 1) * 2 > d->kids_cap &&
	    kids_rebuild(d, d->kids_cap ? d->kids_cap * 2 : 64))
		return;		/* out of memory: found the slow way */
	e->kid = *k;
	e->kid_set = 1;
	kid_put(d, e);
}

static void exe_free(struct goexe *e)
{
	if (e->bin)
		gobin_close(e->bin);
	free(e);
}

/*
 * Make room for one more entry. When full (entries or bytes), evict least
 * recently used entries down to 7/8 of both bounds at once, so that the
 * cost (one pass over the processes, a pass over the entries per
 * eviction) is paid about once per exe_cache_max / 8 new executables.
 * Entries of tracked processes stay: bounded by the processes.
 */
static void exe_evict(struct discover *d)
{
	size_t bytes = 0;
	int evicted = 0;

	for (size_t i = 0; i < d->nexes; i++)
		bytes += d->exes[i]->bytes;
	if (d->nexes < exe_cache_max && bytes <= exe_cache_bytes)
		return;
	for (size_t i = 0; i < d->nexes; i++)
		d->exes[i]->pinned = 0;
	for (size_t i = 0; i < d->nprocs; i++)
		if (d->procs[i].exe)
			d->procs[i].exe->pinned = 1;
	while (d->nexes > exe_cache_max - exe_cache_max / 8 ||
	       bytes > exe_cache_bytes / 8 * 7) {
		size_t victim = SIZE_MAX;

		for (size_t i = 0; i < d->nexes; i++)
			if (!d->exes[i]->pinned &&
			    (victim == SIZE_MAX ||
			     d->exes[i]->used < d->exes[victim]->used))
				victim = i;
		if (victim == SIZE_MAX)
			break;
		bytes -= d->exes[victim]->bytes;
		exe_free(d->exes[victim]);
		d->exes[victim] = d->exes[--d->nexes];
		evicted = 1;
	}
	if (evicted)
		kids_rebuild(d, 0);
}

struct goexe *discover_exe(struct discover *d, const char *path,
			   const char *name, const struct stat *st)
{
	struct goexe *e, **grown;
	struct stat fst;
	char err[512];
	size_t i;
	int fd;

	for (i = 0; i < d->nexes; i++) {
		if (same_file(d->exes[i], st)) {
			d->exes[i]->used = ++exe_tick;
			return d->exes[i];
		}
	}
	/*
	 * O_NONBLOCK: never wait on what lies at the path (a FIFO);
	 * gobin_open_fd takes regular files only.
	 */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;	/* gone, or out of fds (errno): try again */
	/* The file we opened must be the one asked about (no exec between). */
	if (fstat(fd, &fst) || !same_file(&(struct goexe){
			.dev = st->st_dev, .ino = st->st_ino,
			.size = st->st_size, .mtime = st->st_mtim,
			.ctime = st->st_ctim }, &fst)) {
		close(fd);
		errno = ESTALE;
		return NULL;
	}
	exe_evict(d);
	e = calloc(1, sizeof(*e));
	grown = e ? realloc(d->exes, (d->nexes + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(e);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	d->exes = grown;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->used = ++exe_tick;
	e->bytes = sizeof(*e);
	snprintf(e->path, sizeof(e->path), "%s", name);

	if (gobin_open_fd(fd, name, &e->bin, err, sizeof(err))) {
		e->bin = NULL;	/* not Go: said nowhere, most programs aren't */
		d->exes[d->nexes++] = e;
		return e;
	}
	/* From the symbol table, or, stripped, from the runtime's own code. */
	if (govars_find(e->bin, &e->mbuckets, &e->rate, &e->how, err,
			sizeof(err))) {
		snprintf(e->why, sizeof(e->why),
			 "%s: Go program whose heap-profile variables cannot be located (%s): its OOM kills are recorded without a heap profile",
			 e->path, err);
		gobin_close(e->bin);
		e->bin = NULL;
		d->exes[d->nexes++] = e;
		return e;
	}
	e->min_vaddr = gobin_info(e->bin)->load_vaddr;
	/* Before the trim: it reads the file's DWARF. */
	e->ms_ok = !gomemstats_layout_find(e->bin, &e->ms, e->ms_why,
					   sizeof(e->ms_why));
	/* Registration and symbolization need no more than this. */
	e->bytes += gobin_trim(e->bin);
	d->exes[d->nexes++] = e;
	return e;
}

/*
 * Is @pid's executable on FUSE (gobin.h: such files are never touched, not
 * even by stat)? Found without touching it: the device of its mapping in
 * /proc/PID/maps, that device's mount in /proc/PID/mountinfo. 1 if FUSE
 * or if that cannot be told, 0 if not, -1 if it has no executable (a
 * kernel thread, or gone).
 */
static int exe_on_fuse(pid_t pid)
{
	char path[64], raw[4096], exe[4 * 4096], line[4 * 4096 + 512];
	unsigned int major = 0, minor = 0, ma, mi;
	int found = 0, lines = 0, fuse;
	size_t o = 0;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, raw, sizeof(raw) - 1);
	if (n <= 0)
		return -1;
	/* As maps prints a path: a newline as \012. */
	for (ssize_t i = 0; i < n; i++) {
		if (raw[i] == '\n') {
			memcpy(exe + o, "\\012", 4);
			o += 4;
		} else {
			exe[o++] = raw[i];
		}
	}
	exe[o] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long inode;
		int at = 0;

		lines++;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu %n", &ma, &mi,
			   &inode, &at) != 3 || !at || !inode ||
		    strcmp(line + at, exe))
			continue;
		/* Two files of that name on two devices: cannot tell. */
		if (found && (ma != major || mi != minor)) {
			fclose(f);
			return 1;
		}
		found = 1;
		major = ma;
		minor = mi;
	}
	fclose(f);
	if (!lines)
		return -1;	/* exiting: its address space is gone */
	if (!found)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	fuse = gobin_mounted_on_fuse(path, major, minor, NULL);
	return fuse != 0;
}

/* Say once that executables on FUSE are not looked at. */
static void say_fuse(pid_t pid, const char *comm)
{
	static int said;

	if (said)
		return;
	said = 1;
	fprintf(stderr, "oomprof-read: pid %d (%s) runs an executable on a FUSE file system (or on a mount oomprof-read cannot place): not read, since its server could stall oomprof-read; a Go program run from FUSE has no heap profile at its OOM kill (said once: further ones are skipped silently)\n",
		(int)pid, esc(comm));
}

/*
 * Inspect an executable once: is it a Go program we can capture? @kid:
 * the exec record that brought the process here, if one did.
 */
static struct goexe *load_exe(struct discover *d, pid_t pid,
			      const struct stat *st, const struct exe_kid *kid)
{
	char exe[64], name[4096];
	struct goexe *e = NULL;
	ssize_t n;

	for (size_t i = 0; i < d->nexes; i++) {
		if (same_file(d->exes[i], st)) {
			e = d->exes[i];
			e->used = ++exe_tick;
			break;
		}
	}
	if (!e) {
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		n = readlink(exe, name, sizeof(name) - 1);
		name[n > 0 ? n : 0] = '\0';
		/*
		 * Through /proc/PID/exe: the process's own file, even when
		 * it is deleted or only reachable in another mount
		 * namespace.
		 */
		e = discover_exe(d, exe, name, st);
	}
	if (e)
		exe_learn_kid(d, e, kid, st);
	return e;
}

/*
 * A PIE executable's load bias: where its first mapping (file offset 0)
 * starts, minus the page-aligned lowest PT_LOAD address.
 */
static int load_bias(pid_t pid, const struct goexe *e, uint64_t *bias)
{
	char path[64], line[4608];
	FILE *f;
	int ret = -1;

	if (gobin_info(e->bin)->elf_type != ET_DYN) {
		*bias = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, inode;
		unsigned int major, minor;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end,
			   perms, &off, &major, &minor, &inode) != 7)
			continue;
		if (off == 0 && inode == (unsigned long long)e->ino &&
		    makedev(major, minor) == e->dev) {
			*bias = start - (e->min_vaddr & ~0xfffULL);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * runtime.MemProfileRate of a registered process, through the
 * /proc/PID/mem it registered with (held by golearn; no file opened
 * here), or -1. Called at registration and by --enable-go-memprofile's
 * rechecks, never for an OOM record: it reads one word of .noptrbss or
 * .noptrdata, resident in a running Go program.
 */
static long long read_rate(int fd, uint64_t addr)
{
	long long v = -1;

	if (fd < 0 || pread(fd, &v, sizeof(v), (off_t)addr) != sizeof(v))
		return -1;
	return v;
}

/*
 * --enable-go-memprofile waits until a process is this old: before its
 * runtime has initialized, MemProfileRate holds its link-time value (512
 * KiB in current Go, 0 in Go 1.19, whose runtime sets it in its package
 * init) and the runtime overwrites whatever was written (with 0, in a
 * binary built with profiling off).
 */
#define SET_RATE_MIN_AGE 1.0	/* seconds */
/*
 * A start-up slower than that (a loaded machine) resets the rate to 0
 * after it was written, or has current Go's link-time 512 KiB taken for
 * the program's own: the rate of a process written to (or found set) this
 * young is read again once a second, this many times, and written again
 * if it is 0.
 */
#define SET_RATE_RECHECK_AGE 10.0	/* seconds */
#define SET_RATE_RECHECKS 10

/* How long @start_ticks (/proc/PID/stat field 22) is ago, in seconds. */
static double process_age(unsigned long long start_ticks)
{
	char text[128];
	double up;
	long hz = sysconf(_SC_CLK_TCK);

	if (read_small_file("/proc/uptime", text, sizeof(text)) ||
	    sscanf(text, "%lf", &up) != 1 || hz <= 0)
		return 0;
	return up - (double)start_ticks / (double)hz;
}

static int rate_due(const struct discover *d, unsigned long long start_ticks)
{
	return d->set_rate > 0 &&
	       process_age(start_ticks) >= SET_RATE_MIN_AGE;
}

static void fill_req(struct oomprof_register *req, pid_t pid,
		     unsigned long long start_ticks, const struct goexe *e,
		     uint64_t bias, int mem_fd)
{
	unsigned int i;

	memset(req, 0, sizeof(*req));
	req->pid = (uint32_t)pid;
	req->start_time_ticks = start_ticks;
	req->mbuckets_addr = e->mbuckets + bias;
	req->mem_profile_rate_addr = e->rate + bias;
	req->load_bias = bias;
	req->mem_fd = mem_fd;
	/* Too long to pass whole: better none than a wrong, cut one. */
	if (strlen(e->path) < sizeof(req->exe_path))
		memcpy(req->exe_path, e->path, strlen(e->path) + 1);
	if (strlen(gobin_info(e->bin)->go_build_id) < sizeof(req->build_id))
		memcpy(req->build_id, gobin_info(e->bin)->go_build_id,
		       strlen(gobin_info(e->bin)->go_build_id) + 1);
	/* The runtime's memory statistics, copied at the kill with the buckets. */
	for (i = 0; e->ms_ok && i < e->ms.nregions &&
		    i < OOMPROF_GO_MAX_REGIONS; i++) {
		req->regions[i].addr = e->ms.region[i].addr + bias;
		req->regions[i].bytes = e->ms.region[i].bytes;
	}
}

/* kernel.yama.ptrace_scope, or -1 without Yama. */
int discover_ptrace_scope(void)
{
	char text[16];

	if (read_small_file("/proc/sys/kernel/yama/ptrace_scope", text,
			    sizeof(text)))
		return -1;
	return atoi(text);
}

void discover_explain_mem_open(char *buf, size_t len, pid_t pid, int err)
{
	int scope = discover_ptrace_scope();

	if (err == EACCES || err == EPERM)
		snprintf(buf, len, "the kernel's ptrace rules do not let oomprof-read read its memory (opening /proc/%d/mem: %s)%s",
			 (int)pid, strerror(err),
			 scope == 3 ? ": kernel.yama.ptrace_scope is 3, which forbids reading any other process's memory, root's included, until reboot" :
			 scope == 2 ? ": kernel.yama.ptrace_scope is 2, which needs CAP_SYS_PTRACE (give oomprof-read that capability)" :
			 ": it belongs to another user and oomprof-read lacks CAP_SYS_PTRACE, or a security module (AppArmor, SELinux) denies ptrace");
	else if (err == ENOENT || err == ESRCH)
		snprintf(buf, len, "has exited");
	else
		snprintf(buf, len, "cannot open /proc/%d/mem: %s", (int)pid,
			 strerror(err));
}

/*
 * OOMPROF_IOC_REGISTER, with OOMPROF_REGISTER_SET_RATE if @set_rate (the
 * request's mem_fd is then open for writing). 0 or -1 with errno.
 */
static int do_register(struct discover *d, struct oomprof_register *req,
		       int set_rate)
{
	if (set_rate) {
		req->flags = OOMPROF_REGISTER_SET_RATE;
		req->set_rate = d->set_rate;
	}
	return ioctl(d->devfd, OOMPROF_IOC_REGISTER, req);
}

/*
 * Register @pid for the program it runs now. The order is what binds the
 * registration to that program: /proc/PID/mem is opened first (the kernel
 * checks there that oomprof-read may ptrace the process, and binds the
 * file to the address space it has now), then its executable and mappings
 * are inspected and the addresses computed, then the module checks that
 * the process still runs in the file's address space. An exec in between
 * fails the ioctl with ESTALE; its PROC_EXEC record then brings the new
 * program here.
 *
 * @set_rate: ask for OOMPROF_REGISTER_SET_RATE (needs /proc/PID/mem open
 * for writing; if only reading is allowed, registered without it). On
 * success *@ep, *@biasp and @req are what was registered, and *@fdp the
 * /proc/PID/mem it was registered with (the caller's). 0, or -1 with
 * errno (EACCES: the ptrace rules; ENOEXEC: not a Go program we can
 * profile, *@ep then says why if anything is to be said).
 */
static int inspect_and_register(struct discover *d, pid_t pid,
				unsigned long long start_ticks, int set_rate,
				struct oomprof_register *req,
				struct goexe **ep, uint64_t *biasp, int *fdp,
				const struct exe_kid *kid)
{
	char path[64];
	struct goexe *e;
	struct stat st;
	uint64_t bias;
	int fd, ret, err;

	*ep = NULL;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, (set_rate ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0 && set_rate && (errno == EACCES || errno == EPERM)) {
		set_rate = 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	/* Before any stat or open of the file (exe_on_fuse). */
	switch (exe_on_fuse(pid)) {
	case 0:
		break;
	case 1:
		err = EREMOTE;
		goto fail;
	default:
		err = ESRCH;	/* a kernel thread, or gone */
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st)) {
		err = ESRCH;	/* a kernel thread, or gone */
		goto fail;
	}
	e = load_exe(d, pid, &st, kid);
	*ep = e;
	if (!e) {
		/* ENOENT: it exited meanwhile; ESTALE: it exec'd. */
		err = errno;
		goto fail;
	}
	if (!e->bin) {
		err = ENOEXEC;
		goto fail;
	}
	if (load_bias(pid, e, &bias)) {
		err = ESRCH;
		goto fail;
	}
	fill_req(req, pid, start_ticks, e, bias, fd);
	ret = do_register(d, req, set_rate);
	err = errno;
	if (ret && err == EINVAL && req->regions[0].bytes) {
		/*
		 * The module refused the memory statistics' regions (the
		 * executable's DWARF and symbols are its author's): the heap
		 * profile does not depend on them.
		 */
		fprintf(stderr, "oomprof-read: Go process %d: the module refused the regions of the runtime's memory statistics found in %s: registered without them, its kill will have no go_memstats\n",
			(int)pid, esc(e->path));
		fill_req(req, pid, start_ticks, e, bias, fd);
		memset(req->regions, 0, sizeof(req->regions));
		ret = do_register(d, req, set_rate);
		err = errno;
	}
	if (ret) {
		close(fd);
		errno = err;
		return -1;
	}
	*biasp = bias;
	*fdp = fd;
	return 0;
fail:
	close(fd);
	errno = err;
	return -1;
}

/* What OOMPROF_REGISTER_SET_RATE did, for people. */
static void report_rate(const struct goproc *p,
			const struct oomprof_register *req)
{
	if (req->set_rate_result == OOMPROF_SET_RATE_WRITTEN)
		fprintf(stderr, "oomprof-read: enabled heap profiling in Go process %d (%s) at MemProfileRate=%lld: allocations from now on are sampled\n",
			(int)p->pid, esc(p->comm), (long long)req->set_rate);
	else if (req->set_rate_result == OOMPROF_SET_RATE_FAILED)
		fprintf(stderr, "oomprof-read: cannot enable heap profiling in Go process %d (%s): writing runtime.MemProfileRate at 0x%llx failed (%s): is %s the program this oomprof-read inspected? Its OOM kill will have no heap profile\n",
			(int)p->pid, esc(p->comm),
			(unsigned long long)req->mem_profile_rate_addr,
			strerror(req->set_rate_errno), esc(p->exe->path));
	/* OOMPROF_SET_RATE_ALREADY: it profiles already, at its own rate. */
}

/* Hand @fd, @p's registered /proc/PID/mem, to the learner (or close it). */
static void learn_add(struct discover *d, const struct goproc *p, int fd,
		      uint64_t mbuckets_addr)
{
	/* Same file, same load bias: the same code, so a shared trie. */
	uint64_t key[4] = {
		(uint64_t)p->exe->dev, (uint64_t)p->exe->ino,
		(uint64_t)p->exe->mtime.tv_sec * 1000000000ULL +
			(uint64_t)p->exe->mtime.tv_nsec,
		p->bias,
	};

	if (d->learn)
		golearn_add(d->learn, p->reg_id, p->pid, p->comm, fd,
			    mbuckets_addr, key);
	else
		close(fd);
}

/* @p's registration ended (exit, exec, unregistered, replaced). */
static void learn_gone(struct discover *d, const struct goproc *p)
{
	if (d->learn)
		golearn_gone(d->learn, p->reg_id);
}

/*
 * @just_execd: the process has only just exec'd, so its runtime has not
 * initialized yet and a MemProfileRate of 0 means nothing.
 */
static void try_register(struct discover *d, pid_t pid,
			 unsigned long long start_ticks, const char *comm,
			 int just_execd, const struct exe_kid *kid)
{
	struct oomprof_register req;
	struct goproc *p, *grown;
	struct goexe *e;
	uint64_t bias;
	long long rate;
	int set_rate, fd;

	set_rate = !just_execd && rate_due(d, start_ticks);
	if (inspect_and_register(d, pid, start_ticks, set_rate, &req, &e,
				 &bias, &fd, kid)) {
		int err = errno;
		char why[512];

		if (err == ENOEXEC && e && e->why[0]) {
			fprintf(stderr, "oomprof-read: %s\n", esc(e->why));
			e->why[0] = '\0';	/* once per executable */
		} else if (err == EREMOTE) {
			say_fuse(pid, comm);
		} else if (err == EACCES || err == EPERM) {
			/*
			 * Said only of Go programs (most are not): the file
			 * is inspected for that, and nothing registered.
			 */
			char exe[64];
			struct stat st;

			snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
			if (exe_on_fuse(pid) || stat(exe, &st))
				return;
			e = load_exe(d, pid, &st, kid);
			if (!e || !e->bin)
				return;
			discover_explain_mem_open(why, sizeof(why), pid, err);
			fprintf(stderr, "oomprof-read: not watching Go process %d (%s): %s; its OOM kill will have no heap profile\n",
				(int)pid, esc(comm), esc(why));
		} else if (err == ESTALE) {
			/* Exec'd meanwhile: its PROC_EXEC record follows. */
		} else if (err == ESRCH || err == ENOENT || err == ENOEXEC) {
			/* Gone meanwhile, or not a Go program. */
		} else if (!e) {
			fprintf(stderr, "oomprof-read: cannot inspect the executable of pid %d (%s): %s; if it is a Go program, its OOM kill will have no heap profile\n",
				(int)pid, esc(comm), strerror(err));
		} else {
			fprintf(stderr, "oomprof-read: cannot register pid %d (%s) with the module: %s\n",
				(int)pid, esc(comm), strerror(err));
		}
		return;
	}
	if (d->nprocs == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;

		grown = realloc(d->procs, cap * sizeof(*grown));
		if (!grown) {
			close(fd);
			return;
		}
		d->procs = grown;
		d->cap = cap;
	}
	p = &d->procs[d->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ticks = start_ticks;
	memcpy(p->comm, comm, sizeof(p->comm) - 1);
	p->comm[sizeof(p->comm) - 1] = '\0';
	p->exe = e;
	p->bias = bias;
	p->reg_id = req.registration_id;
	p->seen = 1;
	p->rate_pending = d->set_rate > 0 && !req.flags;
	if (req.flags && process_age(start_ticks) < SET_RATE_RECHECK_AGE)
		p->rate_rechecks = SET_RATE_RECHECKS;
	d->registered++;
	rate = just_execd ? -1 : read_rate(fd, req.mem_profile_rate_addr);
	learn_add(d, p, fd, req.mbuckets_addr);
	if (!d->quiet)
		fprintf(stderr, "oomprof-read: watching Go process %d (%s, %s%s)%s\n",
			(int)pid, esc(comm), esc(gobin_info(e->bin)->go_version),
			strcmp(e->how, "symbol table") ? ", stripped: runtime variables located from its code" : "",
			rate != 0 || req.set_rate_result == OOMPROF_SET_RATE_WRITTEN ? "" :
			p->rate_pending ? ": memory profiling disabled in this binary (runtime.MemProfileRate is 0): --enable-go-memprofile turns it on within two seconds" :
			": memory profiling disabled in this binary (runtime.MemProfileRate is 0: it never references runtime.MemProfile), its OOM kill will have no heap profile");
	if (req.flags)
		report_rate(p, &req);
	if (!e->ms_ok && !e->ms_said) {
		fprintf(stderr, "oomprof-read: %s: its OOM kill records will have no Go memory statistics: %s\n",
			esc(e->path), esc(e->ms_why));
		e->ms_said = 1;	/* once per executable */
	}
}

/*
 * --enable-go-memprofile for the processes registered before their runtime
 * had initialized: registered again, now with OOMPROF_REGISTER_SET_RATE
 * (the new registration replaces the old one in the module).
 */
static void set_pending_rates(struct discover *d)
{
	struct oomprof_register req;
	struct goexe *e;
	uint64_t bias;
	size_t i;
	int fd;

	for (i = 0; i < d->nprocs; i++) {
		struct goproc *p = &d->procs[i];

		if (p->gone_since || p->unregistered)
			continue;
		if (p->rate_rechecks && !p->rate_pending && d->set_rate) {
			p->rate_rechecks--;
			/* Its runtime started after the write and undid it. */
			long long v = -1;

			if (d->learn &&
			    !golearn_read(d->learn, p->reg_id,
					  p->exe->rate + p->bias, &v, sizeof(v)) &&
			    v == 0)
				p->rate_pending = 1;
		}
		if (!p->rate_pending)
			continue;
		if (!d->set_rate) {
			p->rate_pending = 0;
			continue;
		}
		if (!rate_due(d, p->start_ticks))
			continue;
		p->rate_pending = 0;
		/*
		 * Inspected again behind a fresh /proc/PID/mem: the module
		 * then writes only into the program inspected now.
		 */
		if (inspect_and_register(d, p->pid, p->start_ticks, 1, &req, &e,
					 &bias, &fd, NULL)) {
			if (errno != ESRCH && errno != ESTALE &&
			    errno != ENOENT && errno != ENOEXEC)
				fprintf(stderr, "oomprof-read: cannot register pid %d (%s) with the module again to enable heap profiling: %s\n",
					(int)p->pid, esc(p->comm), strerror(errno));
			continue;
		}
		/* The new registration replaced the old (and its prefix). */
		learn_gone(d, p);
		p->exe = e;
		p->bias = bias;
		p->reg_id = req.registration_id;
		learn_add(d, p, fd, req.mbuckets_addr);
		if (!req.flags)
			continue;
		report_rate(p, &req);
		if (!p->rate_rechecks &&
		    process_age(p->start_ticks) < SET_RATE_RECHECK_AGE)
			p->rate_rechecks = SET_RATE_RECHECKS;
	}
}

int discover_inspect(struct discover *d, pid_t pid, struct goproc *out,
		     int *mem_fd, char *why, size_t whylen)
{
	char path[64], text[1024], comm[64];
	struct goexe *e;
	struct stat st;
	int fd;

	*mem_fd = -1;
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, text, sizeof(text)) ||
	    parse_proc_stat(text, comm, sizeof(comm), &out->start_ticks)) {
		snprintf(why, whylen, "no such process");
		return -1;
	}
	out->pid = pid;
	memcpy(out->comm, comm, sizeof(out->comm) - 1);
	/* First: the permission, and the program the rest must describe. */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		discover_explain_mem_open(why, whylen, pid, errno);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (exe_on_fuse(pid) > 0) {
		snprintf(why, whylen, "its executable is on a FUSE file system (or on a mount oomprof-read cannot place): not read, since the file system's server could stall oomprof-read");
		goto fail;
	}
	if (stat(path, &st)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	e = load_exe(d, pid, &st, NULL);
	if (!e) {
		snprintf(why, whylen, "cannot read its executable %s now: %s",
			 path, errno == ESTALE ? "it exec'd meanwhile" :
			 errno == ENOENT ? "it exited meanwhile" :
			 strerror(errno));
		goto fail;
	}
	if (!e->bin) {
		snprintf(why, whylen, "%s",
			 e->why[0] ? e->why : "not a Go program (no .gopclntab in its executable)");
		goto fail;
	}
	if (load_bias(pid, e, &out->bias)) {
		snprintf(why, whylen, "cannot find its executable's mapping in /proc/%d/maps",
			 (int)pid);
		goto fail;
	}
	out->exe = e;
	*mem_fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

/* Does @p's /proc/PID/exe now name another file than the one inspected? */
static int exe_changed(const struct goproc *p)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p->pid);
	if (exe_on_fuse(p->pid) > 0)
		return 1;	/* not stat'd (exe_on_fuse): inspected afresh */
	if (stat(path, &st))
		return 0;	/* gone: the scan notices */
	return st.st_dev != p->exe->dev || st.st_ino != p->exe->ino;
}

void discover_scan(struct discover *d)
{
	time_t now = time(NULL);
	struct dirent *de;
	size_t i;
	DIR *dir;

	for (i = 0; i < d->nprocs; i++)
		d->procs[i].seen = 0;
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char path[64], text[1024], comm[64];
		unsigned long long start;
		struct goproc *p;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (read_small_file(path, text, sizeof(text)) ||
		    parse_proc_stat(text, comm, sizeof(comm), &start))
			continue;
		p = find_proc(d, pid);
		if (p && p->start_ticks == start && !exe_changed(p)) {
			p->seen = 1;
			continue;
		}
		if (p && p->start_ticks == start) {
			/*
			 * Exec'd without an exec record (a kernel without the
			 * sched tracepoints): the old registration goes, the
			 * new program is inspected as any other.
			 */
			struct oomprof_register req = {
				.registration_id = p->reg_id,
			};

			ioctl(d->devfd, OOMPROF_IOC_UNREGISTER, &req);
			p->gone_since = now;
			p->unregistered = 1;
			learn_gone(d, p);
		}
		try_register(d, pid, start, comm, 0, NULL);
	}
	closedir(dir);
	for (i = 0; i < d->nprocs; i++)
		if (!d->procs[i].seen && !d->procs[i].gone_since) {
			d->procs[i].gone_since = now;
			learn_gone(d, &d->procs[i]);
		}
	discover_expire(d);
}

void discover_expire(struct discover *d)
{
	time_t now = time(NULL);
	size_t i, kept;

	set_pending_rates(d);

	/* Gone processes: keep a while (their capture may still come). */
	for (i = 0, kept = 0; i < d->nprocs; i++) {
		struct goproc *p = &d->procs[i];

		if (p->gone_since && now - p->gone_since > GONE_KEEP_SECONDS) {
			struct oomprof_register req = {
				.registration_id = p->reg_id,
			};

			/* The module prunes dead entries too; ENOENT is fine. */
			if (!p->unregistered)
				ioctl(d->devfd, OOMPROF_IOC_UNREGISTER, &req);
			learn_gone(d, p);
			continue;
		}
		d->procs[kept++] = *p;
	}
	d->nprocs = kept;
}

/*
 * The module's word that @e->pid exec'd: whatever was registered for it
 * is gone (the module dropped it), and the new program may be Go.
 */
void discover_exec(struct discover *d, const struct oomprof_proc_event *e)
{
	struct exe_kid kid;
	struct goexe *known;
	struct goproc *p;
	char path[64], text[1024], comm[64];
	unsigned long long start;
	pid_t pid = (pid_t)e->pid;

	d->execs++;
	if (pid == getpid())
		return;
	p = find_proc(d, pid);
	if (p) {
		/*
		 * The module drops a registration at exec and says which
		 * (e->registration_id); one it did not name is dropped here,
		 * so no registration outlives the program it was made for.
		 */
		if (p->reg_id && p->reg_id != e->registration_id) {
			struct oomprof_register req = {
				.registration_id = p->reg_id,
			};

			ioctl(d->devfd, OOMPROF_IOC_UNREGISTER, &req);
		}
		p->gone_since = time(NULL);
		p->unregistered = 1;
		learn_gone(d, p);
	}
	/*
	 * Most execs on a machine are of programs seen before, and most of
	 * those are not Go: such a one is known from the record alone, with
	 * no look at /proc (what every exec would otherwise cost this reader:
	 * a dozen system calls and two text files parsed).
	 */
	if (e->exe_valid) {
		kid = (struct exe_kid){
			.dev = e->exe_dev, .ino = e->exe_ino,
			.size = e->exe_size,
			.mtime_sec = e->exe_mtime_sec,
			.ctime_sec = e->exe_ctime_sec,
			.mtime_nsec = e->exe_mtime_nsec,
			.ctime_nsec = e->exe_ctime_nsec,
		};
		known = kid_find(d, &kid);
		if (known && !known->bin && !known->why[0]) {
			known->used = ++exe_tick;
			d->execs_known++;
			return;
		}
	}
	/*
	 * From /proc now, not from the record: the process may have exited,
	 * or exec'd again, or its pid may have been reused: whatever runs
	 * there now is what gets inspected and registered (the module binds
	 * the registration to it). The record's start time is not compared:
	 * it is the host's clock, /proc/PID/stat is this reader's time
	 * namespace's.
	 */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small_file(path, text, sizeof(text)) ||
	    parse_proc_stat(text, comm, sizeof(comm), &start))
		return;
	try_register(d, pid, start, comm, 1, e->exe_valid ? &kid : NULL);
}

/* The module's word that a registered process exited. */
void discover_exit(struct discover *d, const struct oomprof_proc_event *e)
{
	size_t i;

	for (i = 0; i < d->nprocs; i++) {
		struct goproc *p = &d->procs[i];

		if (p->reg_id == e->registration_id && !p->gone_since) {
			p->gone_since = time(NULL);
			p->unregistered = 1;
			learn_gone(d, p);
			d->exits++;
		}
	}
}
