// SPDX-License-Identifier: GPL-2.0
#include "dump.h"
#include "device.h"
#include "discover.h"
#include "esc.h"
#include "gobin.h"
#include "goprofile.h"
#include "memstats.h"
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Grown while a dump says its buffer was too small, up to this. */
#define DUMP_MAX_BYTES (1024ULL << 20)

static const size_t heads =
	sizeof(struct oomprof_oom_kill) + sizeof(struct oomprof_go_capture);

/* The capture laid out as a GO_HEAP record, for goprofile_write. */
static void fill_record(struct oomprof_oom_kill *k, const struct goproc *p,
			const struct oomprof_dump *req)
{
	struct oomprof_go_capture *cap = (void *)(k + 1);
	struct timespec now;

	memset(k, 0, sizeof(*k));
	clock_gettime(CLOCK_REALTIME, &now);
	k->hdr.magic = OOMPROF_RECORD_MAGIC;
	k->hdr.version = OOMPROF_RECORD_VERSION;
	k->hdr.type = OOMPROF_REC_GO_HEAP;
	k->hdr.size = (__u32)(heads + req->cap.regions_bytes +
				     req->cap.bucket_bytes);
	k->hdr.flags = OOMPROF_KILL_GO_PROCESS;
	k->kill_realtime_ns = (unsigned long long)now.tv_sec * 1000000000ULL +
			      (unsigned long long)now.tv_nsec;
	k->victim.pid = k->victim.tgid = (__u32)p->pid;
	memcpy(k->victim.comm, p->comm, sizeof(k->victim.comm));
	*cap = req->cap;
	/* The module does not know it for a dump; the regions carry it. */
	cap->load_bias = p->bias;
}

/* OOMPROF_IOC_DUMP's errors (the uapi header), for people. */
static const char *dump_error(int err)
{
	switch (err) {
	case ESRCH:
		return "has exited";
	case ESTALE:
		return "it exec'd another program while oomprof-read inspected it: nothing was read; try again";
	case EBUSY:
		return "the module is running as many dumps as it allows at once: try again when they are done";
	case ENOMEM:
		return "the module could not allocate the dump buffer: free memory, or load the module with a smaller dump_max_mb";
	case EACCES:
	case EPERM:
		return "permission denied by the module";
	case ENOTTY:
		return "the module does not know this dump request (another version): install a matching module and oomprof-read";
	default:
		return strerror(err);
	}
}

static int dump_one(int fd, struct discover *d, pid_t pid, const char *dir)
{
	char why[4608], path[4096];
	struct oomprof_dump req;
	struct goproc p;
	size_t size = 8 << 20;
	unsigned char *buf = NULL;
	uint64_t mbuckets, rate;
	struct oomprof_dump prev;
	int mem_fd, ret = -1, have_prev = 0;
	char ms_comment[512] = "";
	struct gomemstats ms;
	unsigned int i;

	if (discover_inspect(d, pid, &p, &mem_fd, why, sizeof(why))) {
		fprintf(stderr, "oomprof-read: pid %d: %s\n", (int)pid, esc(why));
		return -1;
	}
	mbuckets = p.exe->mbuckets + p.bias;
	rate = p.exe->rate + p.bias;
	for (;;) {
		unsigned char *grown = realloc(buf, heads + size);

		if (!grown) {
			fprintf(stderr, "oomprof-read: pid %d (%s): cannot allocate %zu bytes\n",
				(int)pid, esc(p.comm), heads + size);
			goto out;
		}
		buf = grown;
		memset(&req, 0, sizeof(req));
		req.pid = (uint32_t)pid;
		req.start_time_ticks = p.start_ticks;
		req.mbuckets_addr = mbuckets;
		req.mem_profile_rate_addr = rate;
		req.buf = (uintptr_t)(buf + heads);
		req.buf_size = size;
		req.mem_fd = mem_fd;
		/* The runtime's memory statistics too (discover.c). */
		for (i = 0; p.exe->ms_ok && i < p.exe->ms.nregions &&
			    i < OOMPROF_GO_MAX_REGIONS; i++) {
			req.regions[i].addr = p.exe->ms.region[i].addr + p.bias;
			req.regions[i].bytes = p.exe->ms.region[i].bytes;
		}
		if (ioctl(fd, OOMPROF_IOC_DUMP, &req)) {
			int err = errno;

			/*
			 * A larger buffer the module could not have: the
			 * smaller dump before it stands, marked partial. The
			 * failed call wrote nothing into buf.
			 */
			if (have_prev && (err == ENOMEM || err == EBUSY)) {
				fprintf(stderr, "oomprof-read: pid %d (%s): a %zu-byte dump buffer failed (%s): keeping the partial dump made with a %zu-byte buffer\n",
					(int)pid, esc(p.comm), size, strerror(err),
					size / 2);
				req = prev;
				break;
			}
			fprintf(stderr, "oomprof-read: pid %d (%s): %s\n", (int)pid,
				esc(p.comm), dump_error(err));
			goto out;
		}
		if (req.cap.stop != OOMPROF_STOP_BUFFER_FULL ||
		    size * 2 > DUMP_MAX_BYTES)
			break;
		prev = req;
		have_prev = 1;
		size *= 2;
	}
	fill_record((struct oomprof_oom_kill *)buf, &p, &req);
	if (!p.exe->ms_ok)
		snprintf(why, sizeof(why), "%s", p.exe->ms_why);
	/* The record's copy: the region data follows it, not req.cap. */
	else if (!memstats_from_capture((const void *)(buf +
					sizeof(struct oomprof_oom_kill)),
					&p.exe->ms, &ms, why, sizeof(why)))
		memstats_comment(&ms, "at the dump", ms_comment,
				 sizeof(ms_comment));
	if (!ms_comment[0])
		fprintf(stderr, "oomprof-read: pid %d (%s): no Go memory statistics in its profile: %s\n",
			(int)pid, esc(p.comm), esc(why));
	{
		struct goprofile_exe exe = {
			.bin = p.exe->bin, .bias = p.bias, .path = p.exe->path,
			.comment = ms_comment[0] ? ms_comment : NULL,
		};

		if (goprofile_write((struct oomprof_oom_kill *)buf, &exe, 1, -1,
				    dir, path, sizeof(path), why, sizeof(why))) {
			fprintf(stderr, "oomprof-read: pid %d (%s): %s\n", (int)pid,
				esc(p.comm), esc(why));
			goto out;
		}
	}
	printf("%s\n", path);
	fprintf(stderr, "oomprof-read: pid %d (%s): %s (%llu buckets in %.1f ms%s%s)\n",
		(int)pid, esc(p.comm), esc(path),
		(unsigned long long)req.cap.nbuckets,
		(double)req.cap.duration_ns / 1e6,
		req.cap.stop == OOMPROF_STOP_NONE ? "" : "; PARTIAL: ",
		req.cap.stop == OOMPROF_STOP_NONE ? "" : record_stop_name(req.cap.stop));
	ret = 0;
out:
	free(buf);
	close(mem_fd);
	return ret;
}

int dump_pids(const char *device, const char *pids, const char *dir)
{
	struct discover d;
	char *copy = strdup(pids), *tok, *save = NULL;
	int fd, failed = 0;

	if (!copy)
		return 1;
	/* Write-only: ioctls only, beside a running oomprof-read daemon. */
	fd = device_open(device, O_WRONLY);
	if (fd < 0) {
		free(copy);
		return 1;
	}
	discover_init(&d, fd, 1);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;
		long pid = strtol(tok, &end, 10);

		if (*end || pid <= 0 || pid > 0x3fffffff) {
			fprintf(stderr, "oomprof-read: '%s' is not a pid\n", esc(tok));
			failed++;
			continue;
		}
		if (dump_one(fd, &d, (pid_t)pid, dir))
			failed++;
	}
	discover_free(&d);
	close(fd);
	free(copy);
	return failed;
}
