// SPDX-License-Identifier: GPL-2.0
/*
 * Registration regions (struct oomprof_go_region), end to end, with
 * hand-made regions in a C victim whose memory this program wrote itself:
 *
 *   regiontest CGROUP_DIR
 *
 * A child (the victim) fills `marker` with a known pattern and has an
 * empty bucket list (mbuckets 0) and a MemProfileRate word. This process
 * registers it with three regions: the marker (spanning pages), an
 * address nothing maps, the rate word; dumps it (OOMPROF_IOC_DUMP with
 * the same regions); then lets it allocate in CGROUP_DIR until the OOM
 * killer kills it, and reads the GO_HEAP record from /dev/oomprof. Each
 * check prints "ok <what>" or "not ok <what>: <why>"; exit 1 if any
 * failed. No oomprof-read may run (this is the device's reader).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../../include/uapi/linux/oomprof.h"

#define MARKER_BYTES	3000
#define UNMAPPED	0x10000ULL	/* below mmap_min_addr: never mapped */

static int failures;
/* 8-aligned, and across a page boundary wherever the linker puts it. */
static unsigned char marker[2 * 4096] __attribute__((aligned(4096)));
static uint64_t fake_mbuckets;		/* an empty bucket list */
static int64_t fake_rate = 524288;

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

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 31 + 7);
}

/* The marker's MARKER_BYTES, starting 4096 - 1000 into it. */
static unsigned char *marker_start(void)
{
	return marker + 4096 - 1000;
}

static void set_regions(struct oomprof_go_region *r)
{
	memset(r, 0, sizeof(*r) * OOMPROF_GO_MAX_REGIONS);
	r[0].addr = (uintptr_t)marker_start();
	r[0].bytes = MARKER_BYTES;
	r[1].addr = UNMAPPED;
	r[1].bytes = 8;
	r[3].addr = (uintptr_t)&fake_rate;
	r[3].bytes = sizeof(fake_rate);
}

static void victim(int go_fd, int ready_fd, const char *cgroup)
{
	char path[512], c;
	FILE *f;
	size_t i;

	for (i = 0; i < MARKER_BYTES; i++)
		marker_start()[i] = pattern(i);
	/*
	 * Written, so mapped: the capture at the kill reads pages in place
	 * and never faults one in.
	 */
	*(volatile uint64_t *)&fake_mbuckets = 0;
	*(volatile int64_t *)&fake_rate = 524288;
	/*
	 * The harness protects itself with oom_score_adj -1000, inherited:
	 * a victim that kept it could not be killed and its cgroup's OOM
	 * would hang.
	 */
	f = fopen("/proc/self/oom_score_adj", "w");
	if (!f || fprintf(f, "0\n") < 0 || fclose(f))
		_exit(2);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
		_exit(3);
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(4);
	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		for (i = 0; i < (1 << 20); i += 4096)
			p[i] = 1;
	}
}

/* The region data at @data, as regions() set it, for @cap. */
static void check_data(const char *where, const struct oomprof_go_capture *cap,
		       const unsigned char *data)
{
	char what[128];
	size_t i, bad = 0;
	int64_t rate;

	snprintf(what, sizeof(what), "%s: regions 0 and 3 copied, 1 not", where);
	check(cap->regions_copied == (1u << 0 | 1u << 3), what, "regions_copied");
	snprintf(what, sizeof(what), "%s: the unmapped region failed with EFAULT", where);
	check(cap->region_error[1] == -EFAULT && !cap->region_error[0] &&
	      !cap->region_error[2] && !cap->region_error[3], what,
	      "region_error");
	snprintf(what, sizeof(what), "%s: regions_bytes is the 8-rounded sum", where);
	check(cap->regions_bytes == MARKER_BYTES + 8 + 8, what, "regions_bytes");
	for (i = 0; i < MARKER_BYTES; i++)
		bad += data[i] != pattern(i);
	snprintf(what, sizeof(what), "%s: the marker's bytes are the victim's", where);
	check(!bad, what, "marker differs");
	for (i = 0; i < 8; i++)
		bad += data[MARKER_BYTES + i] != 0;
	snprintf(what, sizeof(what), "%s: the failed region is zeros", where);
	check(!bad, what, "not zeros");
	memcpy(&rate, data + MARKER_BYTES + 8, 8);
	snprintf(what, sizeof(what), "%s: the rate word region holds 524288", where);
	check(rate == 524288, what, "rate differs");
}

int main(int argc, char **argv)
{
	static unsigned long long buf[1 << 17];	/* 1 MiB, 8-aligned */
	const size_t heads = sizeof(struct oomprof_oom_kill) +
			     sizeof(struct oomprof_go_capture);
	struct oomprof_register req;
	struct oomprof_dump dump;
	char path[64];
	int dev, mem_fd, go[2], ready[2], status, found = 0;
	char c;
	time_t until;
	pid_t child;

	if (argc != 2) {
		fprintf(stderr, "usage: regiontest CGROUP_DIR\n");
		return 2;
	}
	dev = open("/dev/oomprof", O_RDONLY | O_NONBLOCK);
	check(dev >= 0, "open /dev/oomprof as its reader", "open");
	if (dev < 0 || pipe(go) || pipe(ready))
		return 1;
	child = fork();
	if (child == 0) {
		close(go[1]);
		close(ready[0]);
		victim(go[0], ready[1], argv[1]);
	}
	close(go[0]);
	close(ready[1]);
	/* The child has written the marker once it is in the cgroup. */
	check(read(ready[0], &c, 1) == 1, "the victim is ready in its cgroup",
	      "it exited");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)child);
	mem_fd = open(path, O_RDONLY);
	check(mem_fd >= 0, "open the victim's /proc/PID/mem", "open");

	memset(&req, 0, sizeof(req));
	req.pid = child;
	req.mbuckets_addr = (uintptr_t)&fake_mbuckets;
	req.mem_profile_rate_addr = (uintptr_t)&fake_rate;
	req.mem_fd = mem_fd;
	set_regions(req.regions);
	req.regions[2].bytes = OOMPROF_GO_REGION_MAX + 1;
	req.regions[2].addr = (uintptr_t)marker;
	check(ioctl(dev, OOMPROF_IOC_REGISTER, &req) < 0 && errno == EINVAL,
	      "a region over OOMPROF_GO_REGION_MAX gives EINVAL", "accepted");
	set_regions(req.regions);
	req.regions[2].reserved = 1;
	check(ioctl(dev, OOMPROF_IOC_REGISTER, &req) < 0 && errno == EINVAL,
	      "a region with reserved set gives EINVAL", "accepted");
	set_regions(req.regions);
	check(!ioctl(dev, OOMPROF_IOC_REGISTER, &req),
	      "register the victim with three regions", "REGISTER");

	memset(&dump, 0, sizeof(dump));
	dump.pid = child;
	dump.mbuckets_addr = req.mbuckets_addr;
	dump.mem_profile_rate_addr = req.mem_profile_rate_addr;
	dump.mem_fd = mem_fd;
	set_regions(dump.regions);
	dump.buf = (uintptr_t)buf;
	dump.buf_size = MARKER_BYTES + 8;
	check(ioctl(dev, OOMPROF_IOC_DUMP, &dump) < 0 && errno == EINVAL,
	      "a dump buffer no larger than the region data gives EINVAL",
	      "accepted");
	dump.buf_size = sizeof(buf);
	memset(buf, 0xff, sizeof(buf));
	check(!ioctl(dev, OOMPROF_IOC_DUMP, &dump), "dump with the regions",
	      "DUMP");
	check(dump.cap.stop == OOMPROF_STOP_NONE && dump.cap.nbuckets == 0,
	      "dump: the empty bucket list is complete", "stop/nbuckets");
	check_data("dump", &dump.cap, (const unsigned char *)buf);

	check(write(go[1], "g", 1) == 1, "let the victim allocate", "write");
	until = time(NULL) + 30;
	while (!found && time(NULL) < until) {
		struct pollfd pfd = { .fd = dev, .events = POLLIN };
		const unsigned char *p = (const unsigned char *)buf;
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(dev, buf, sizeof(buf));
		while (n >= (ssize_t)sizeof(struct oomprof_record_header)) {
			const struct oomprof_oom_kill *k = (const void *)p;
			const struct oomprof_go_capture *cap =
				(const void *)(k + 1);
			size_t end;

			if (k->hdr.size < sizeof(k->hdr) || k->hdr.size > n)
				break;
			if (k->hdr.type == OOMPROF_REC_GO_HEAP &&
			    k->victim.tgid == (uint32_t)child) {
				found = 1;
				check(cap->stop == OOMPROF_STOP_NONE &&
				      cap->nbuckets == 0 &&
				      cap->bucket_bytes == 0,
				      "kill: the empty bucket list is complete",
				      "stop/nbuckets");
				end = k->ext_bytes ? k->ext_offset : k->hdr.size;
				check(end == heads + cap->regions_bytes,
				      "kill: the record's size accounts for the region data",
				      "size");
				check_data("kill", cap, (const unsigned char *)(cap + 1));
			}
			n -= k->hdr.size;
			p += k->hdr.size;
		}
	}
	check(found, "the victim's GO_HEAP record arrives", "none in 30 s");
	if (!found)
		kill(child, SIGKILL);	/* not left to hang the scenario */
	waitpid(child, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "the victim was killed", "not SIGKILL");
	return failures ? 1 : 0;
}
