// SPDX-License-Identifier: GPL-2.0
/*
 * oomprof-read: the userspace side of oomprof. Reads records from
 * /dev/oomprof and appends one JSON object a line to DIR/events.jsonl for
 * every OOM kill, logging a line for people on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "discover.h"
#include "dump.h"
#include "events.h"
#include "gobin.h"
#include "goprofile.h"
#include "record.h"
#include "retention.h"

#define OOMPROF_READ_VERSION "0.1.0"
#define DEFAULT_DIR "/var/lib/oomprof"
#define READ_BUF_SIZE (64 * 1024)
/* The Go runtime's largest mean between samples (fastexprand). */
#define GO_MAX_SAMPLE_MEAN 0x7000000

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

struct reader {
	const char *device;
	const char *dir;
	char *events_path;
	int events_fd;
	int quiet;
	long long set_rate;	/* --enable-go-memprofile, 0: off */
	unsigned long long kills;
	unsigned long long profiles;
	unsigned long long lost;
	unsigned long long bad;
	struct discover disc;
	struct retention keep;
	int exec_events;		/* the module reports exec and exit */
	unsigned long long proc_lost;	/* its proc_events_lost, last seen */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: oomprof-read [-d DIR] [-q] [--enable-go-memprofile=RATE]\n"
"       oomprof-read --drain [-d DIR] [-q]\n"
"       oomprof-read -p PID[,PID...] [-d DIR]\n"
"       oomprof-read --stats\n"
"       oomprof-read --detach\n"
"\n"
"Records every OOM kill the oomprof kernel module reports through\n"
OOMPROF_DEVICE_PATH ": one JSON object a line in DIR/events.jsonl, and one\n"
"line for people on stderr.\n"
"\n"
"  -d, --dir DIR     where to write (default " DEFAULT_DIR ", with -p the\n"
"                    current directory); created if missing\n"
"  -p, --pid PIDS    write a heap profile of each live Go process now (as\n"
"                    /debug/pprof/heap would show it), print its path, exit\n"
"      --drain       read what the module has queued, write it, and exit\n"
"      --stats       print the module's counters as JSON and exit\n"
"      --detach      make the running reader save every queued record and\n"
"                    let go of the device, so the module can be unloaded\n"
"                    (modprobe -r oomprof runs this first); exit\n"
"      --device PATH the device (default " OOMPROF_DEVICE_PATH ")\n"
"      --max-files N keep at most N heap profiles in DIR, removing the oldest\n"
"                    (default 1000; 0: no limit)\n"
"      --max-bytes SIZE  and at most SIZE bytes of them (K, M, G; default 2G)\n"
"      --enable-go-memprofile=RATE\n"
"                    in each Go process it registers whose MemProfileRate is\n"
"                    0 (built without runtime/pprof: no heap profile), write\n"
"                    RATE (bytes between samples, 1 to 112M; 512K is Go's\n"
"                    default) so that its OOM kill has one. Only allocations\n"
"                    made from then on are sampled. Needs CAP_SYS_PTRACE\n"
"  -q, --quiet       no line on stderr per kill\n"
"  -h, --help        this text\n"
"  -V, --version     versions of this tool and of the record format\n"
"\n"
"Signals: SIGTERM or SIGINT stop after the records already read are\n"
"written; SIGHUP reopens DIR/events.jsonl (for log rotation).\n"
"Without --drain, a missing module is waited for (retried with backoff up\n"
"to 5 s), also when it is unloaded and loaded again.\n"
"Only one oomprof-read can read the device at a time; it needs root.\n"
"Events: each line has type \"oom_kill\" (time, pid, tgid, comm, uid,\n"
"cgroup, constraint, oom_cgroup, *_rss_kb, oom_score_adj, trigger,\n"
"parents, sigkill_after_ns, dropped, profile) or \"lost\" (dropped: how\n"
"many records the module could not keep). See README.md.\n");
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else
		stop_requested = 1;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: poll() must return so the loop sees the flag. */
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char *copy = strdup(dir);
	char *p;
	int ret = 0;

	if (!copy)
		return -1;
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdir(copy, 0750) && errno != EEXIST) {
				ret = -1;
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

static int open_events(struct reader *r)
{
	int fd = open(r->events_path,
		      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0) {
		fprintf(stderr, "oomprof-read: %s: %s — check that the directory is writable (-d DIR)\n",
			r->events_path, strerror(errno));
		return -1;
	}
	if (r->events_fd >= 0)
		close(r->events_fd);
	r->events_fd = fd;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The binary a capture is symbolized with: the one this oomprof-read
 * registered, or else (it was restarted since) the path and build ID the
 * registration left in the record, if that file is still the same binary.
 */
static struct gobin *find_exe(struct reader *r,
			      const struct oomprof_go_capture *cap,
			      struct goprofile_exe *exe, const char **note)
{
	const struct goproc *proc = discover_find(&r->disc, cap->registration_id);
	struct gobin *bin = NULL;
	char err[512];

	*note = "";
	if (proc && proc->exe && proc->exe->bin) {
		exe->bin = proc->exe->bin;
		exe->bias = proc->bias;
		exe->path = proc->exe->path;
		return NULL;
	}
	exe->bin = NULL;
	exe->path = NULL;
	if (!cap->exe_path[0] ||
	    gobin_open(cap->exe_path, &bin, err, sizeof(err))) {
		*note = " — unsymbolized: registered by an earlier oomprof-read and its binary is gone";
		return NULL;
	}
	if (strcmp(gobin_info(bin)->go_build_id, cap->build_id)) {
		*note = " — unsymbolized: its binary was replaced since (build ID differs)";
		gobin_close(bin);
		return NULL;
	}
	exe->bin = bin;
	exe->bias = cap->load_bias;
	exe->path = cap->exe_path;
	return bin;	/* the caller closes it */
}

/* A Go victim's capture: write its profile, or say why there is none. */
static void go_profile(struct reader *r, const struct oomprof_oom_kill *k,
		       char *path, size_t pathlen, char *why, size_t whylen)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);
	struct goprofile_exe exe;
	struct timespec t0, t1;
	const char *note;
	struct gobin *opened;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	opened = find_exe(r, cap, &exe, &note);
	rc = goprofile_write(k, &exe, 0, r->dir, path, pathlen, why, whylen);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (opened)
		gobin_close(opened);
	if (rc) {
		path[0] = '\0';
		fprintf(stderr, "oomprof-read: no heap profile for pid %u (%s): %s\n",
			k->victim.tgid, k->victim.comm, why);
		return;
	}
	r->profiles++;
	retention_apply(r->dir, &r->keep);
	fprintf(stderr, "oomprof-read: heap profile of pid %u (%s): %s (%s capture, %llu buckets in %.1f ms; written in %.1f ms)%s\n",
		k->victim.tgid, k->victim.comm, path,
		cap->stop == OOMPROF_STOP_NONE ? "complete" : "PARTIAL",
		(unsigned long long)cap->nbuckets,
		(double)cap->duration_ns / 1e6,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e6, note);
}

static int handle_record(struct reader *r,
			 const struct oomprof_record_header *hdr,
			 struct sbuf *line)
{
	char path[4096] = "", why[512] = "";

	/* Process events steer discovery; they are not OOM evidence. */
	if (hdr->type == OOMPROF_REC_PROC_EXEC ||
	    hdr->type == OOMPROF_REC_PROC_EXIT) {
		r->lost += hdr->lost;
		if (hdr->type == OOMPROF_REC_PROC_EXEC)
			discover_exec(&r->disc, (const void *)hdr);
		else
			discover_exit(&r->disc, (const void *)hdr);
		return 0;
	}
	if (hdr->type == OOMPROF_REC_GO_HEAP)
		go_profile(r, (const struct oomprof_oom_kill *)hdr, path,
			   sizeof(path), why, sizeof(why));
	else if (hdr->type == OOMPROF_REC_OOM_KILL &&
		 hdr->flags & OOMPROF_KILL_GO_PROCESS) {
		const struct oomprof_oom_kill *k = (const void *)hdr;

		snprintf(why, sizeof(why), "not captured: %s",
			 record_stop_name(k->capture_stop));
		fprintf(stderr, "oomprof-read: no heap profile for Go process %u (%s): %s\n",
			k->victim.tgid, k->victim.comm, why);
	}
	sbuf_reset(line);
	if (event_json(line, hdr, path[0] ? path : NULL, why[0] ? why : NULL))
		return 0;	/* a type from a newer module: skip it */
	sbuf_printf(line, "\n");
	if (line->failed) {
		fprintf(stderr, "oomprof-read: out of memory formatting record %llu\n",
			(unsigned long long)hdr->seq);
		return -1;
	}
	/* One write per line: O_APPEND keeps lines whole. */
	if (write_all(r->events_fd, line->p, line->len) ||
	    fdatasync(r->events_fd)) {
		fprintf(stderr, "oomprof-read: %s: %s — record %llu not saved\n",
			r->events_path, strerror(errno),
			(unsigned long long)hdr->seq);
		return -1;
	}
	if (hdr->type == OOMPROF_REC_OOM_KILL ||
	    hdr->type == OOMPROF_REC_GO_HEAP)
		r->kills++;
	r->lost += hdr->lost;
	if (!r->quiet) {
		sbuf_reset(line);
		event_summary(line, hdr);
		if (!line->failed)
			fprintf(stderr, "oomprof-read: %s\n", line->p);
	}
	return 0;
}

static int handle_buffer(struct reader *r, const unsigned char *buf,
			 size_t len, struct sbuf *line)
{
	struct record_cursor c = { .p = buf, .left = len };
	const struct oomprof_record_header *hdr;
	const char *why;
	enum record_status st;

	while ((st = record_next(&c, &hdr, &why)) == RECORD_OK) {
		if (handle_record(r, hdr, line))
			return -1;
	}
	if (st != RECORD_END) {
		/* Sizes can no longer be trusted: the rest of this read goes. */
		r->bad++;
		fprintf(stderr, "oomprof-read: skipped %zu bytes from the device: %s\n",
			c.left, why);
		if (st == RECORD_BAD_VERSION)
			return -1;
	}
	return 0;
}

static void warn_missing_probes(int fd)
{
	struct oomprof_stats st;

	if (device_stats(fd, &st))
		return;
	if (!(st.probes & OOMPROF_PROBE_SIGNAL_DELIVER))
		fprintf(stderr, "oomprof-read: warning: the module is not attached to signal_deliver on this kernel: records will not say when the victim took its SIGKILL\n");
	if (!(st.probes & OOMPROF_PROBE_OUT_OF_MEMORY))
		fprintf(stderr, "oomprof-read: warning: the module has no probe on out_of_memory on this kernel (CONFIG_KPROBES?): records will say constraint \"unknown\"\n");
}

/*
 * Open the device (the daemon waits for the module as long as it takes),
 * size the read buffer for its largest record, start discovery. 0; 1 on an
 * error (said); -1 when a stop was requested while waiting.
 */
static int connect_device(struct reader *r, int drain, int *fd,
			  unsigned long long **buf, size_t *buflen)
{
	struct oomprof_stats st;
	size_t want = READ_BUF_SIZE;

	if (drain)
		*fd = device_open(r->device, O_RDONLY | O_NONBLOCK);
	else
		*fd = device_open_wait(r->device, O_RDONLY | O_NONBLOCK,
				       &stop_requested);
	if (*fd < 0)
		return *fd == -2 ? -1 : 1;
	warn_missing_probes(*fd);
	/* A Go heap capture is one record: the buffer must hold the largest. */
	if (!device_stats(*fd, &st) && st.capture_buffer_size + 4096 > want)
		want = st.capture_buffer_size + 4096;
	if (!*buf || want != *buflen) {
		free(*buf);
		*buflen = want;
		/* malloc: aligned for records read in place */
		*buf = malloc(want);
		if (!*buf) {
			fprintf(stderr, "oomprof-read: cannot allocate a %zu-byte read buffer\n",
				want);
			close(*fd);
			*fd = -1;
			return 1;
		}
	}
	discover_init(&r->disc, *fd, r->quiet);
	r->disc.set_rate = r->set_rate;
	r->exec_events = 0;
	if (!device_stats(*fd, &st)) {
		r->exec_events = (st.probes & OOMPROF_PROBE_SCHED_EXEC) &&
				 (st.probes & OOMPROF_PROBE_SCHED_EXIT);
		r->proc_lost = st.proc_events_lost;
	}
	if (!drain) {
		/* Opened first: an exec during the scan is not missed. */
		discover_scan(&r->disc);
		if (!r->exec_events)
			fprintf(stderr, "oomprof-read: warning: the module has no sched_process_exec/exit probes on this kernel: Go programs are found by scanning /proc every second, and one OOM-killed within a second of its start may be missed\n");
	}
	return 0;
}

/*
 * The module detached its reader (OOMPROF_IOC_DETACH: every record is
 * read): let go of the device, so it can be unloaded, and wait for it to
 * come back. Registrations die with the module: discovery starts afresh.
 */
static int reconnect(struct reader *r, int *fd, unsigned long long **buf,
		     size_t *buflen)
{
	fprintf(stderr, "oomprof-read: %s: the module let its reader go (it is being unloaded); every record it held is saved\n",
		r->device);
	discover_free(&r->disc);
	close(*fd);
	*fd = -1;
	return connect_device(r, 0, fd, buf, buflen);
}

static int run(struct reader *r, int drain)
{
	struct sbuf line = { 0 };
	struct oomprof_stats st;
	unsigned long long *buf = NULL;
	size_t buflen = 0;
	time_t last_tick = 0;
	int fd = -1, ret = 0, rc;

	if (mkdir_p(r->dir)) {
		fprintf(stderr, "oomprof-read: cannot create %s: %s\n", r->dir,
			strerror(errno));
		return 1;
	}
	if (asprintf(&r->events_path, "%s/events.jsonl", r->dir) < 0)
		return 1;
	if (open_events(r))
		return 1;
	rc = connect_device(r, drain, &fd, &buf, &buflen);
	if (rc > 0)
		return 1;
	if (!rc && !drain)
		fprintf(stderr, "oomprof-read: reading %s, writing %s\n",
			r->device, r->events_path);

	while (!stop_requested) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		/*
		 * Once a second: rescan /proc if the module dropped process
		 * events (or cannot send them), forget long-gone processes.
		 */
		if (!drain && time(NULL) != last_tick) {
			int rescan = !r->exec_events;

			last_tick = time(NULL);
			if (r->exec_events && !device_stats(fd, &st) &&
			    st.proc_events_lost != r->proc_lost) {
				fprintf(stderr, "oomprof-read: the module dropped %llu process event(s) (exec burst): rescanning /proc\n",
					(unsigned long long)(st.proc_events_lost - r->proc_lost));
				r->proc_lost = st.proc_events_lost;
				rescan = 1;
			}
			if (rescan)
				discover_scan(&r->disc);
			else
				discover_expire(&r->disc);
		}

		if (reopen_requested) {
			reopen_requested = 0;
			if (open_events(r)) {
				ret = 1;
				break;
			}
		}
		n = read(fd, buf, buflen);
		if (n > 0) {
			if (handle_buffer(r, (unsigned char *)buf, (size_t)n,
					  &line)) {
				ret = 1;
				break;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENODEV && !drain) {
			rc = reconnect(r, &fd, &buf, &buflen);
			if (rc) {
				ret = rc > 0;
				break;
			}
			last_tick = 0;
			continue;
		}
		if (n < 0 && errno == ENODEV)
			break;	/* drained: the module let its reader go */
		if (n < 0 && errno != EAGAIN) {
			fprintf(stderr, "oomprof-read: reading %s: %s\n",
				r->device, strerror(errno));
			ret = 1;
			break;
		}
		if (drain)
			break;
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "oomprof-read: poll %s: %s\n",
				r->device, strerror(errno));
			ret = 1;
			break;
		}
	}
	discover_free(&r->disc);
	if (fd >= 0)
		close(fd);
	free(buf);
	if (r->events_fd >= 0)
		close(r->events_fd);
	sbuf_free(&line);
	fprintf(stderr, "oomprof-read: %s: %llu OOM kill(s) recorded, %llu heap profile(s) written, %llu record(s) lost in the module%s\n",
		drain ? "drained" : "stopped", r->kills, r->profiles, r->lost,
		r->bad ? ", some bytes from the device were malformed" : "");
	free(r->events_path);
	return ret;
}

static int print_stats(const char *device)
{
	struct oomprof_stats st;
	int fd = device_open(device, O_WRONLY);

	if (fd < 0)
		return 1;
	if (device_stats(fd, &st)) {
		close(fd);
		return 1;
	}
	close(fd);
	printf("{\"kills_seen\":%llu,\"dying_marked\":%llu,\"records_queued\":%llu,\"records_lost\":%llu,\"records_read\":%llu,\"sigkills_matched\":%llu,\"buffer_size\":%llu,\"buffer_used\":%llu,\"kill_slots\":%u,\"kill_slots_busy\":%u,\"registered\":%u,\"captures\":%llu,\"captures_dropped\":%llu,\"capture_buffers\":%u,\"capture_buffers_busy\":%u,\"capture_buffer_size\":%llu,\"execs_seen\":%llu,\"proc_events_lost\":%llu,\"registrations_added\":%llu,\"registrations_exited\":%llu,\"registrations_execd\":%llu,\"probes\":{\"mark_victim\":%s,\"signal_deliver\":%s,\"out_of_memory\":%s,\"sched_process_exec\":%s,\"sched_process_exit\":%s}}\n",
	       (unsigned long long)st.kills_seen,
	       (unsigned long long)st.dying_marked,
	       (unsigned long long)st.records_queued,
	       (unsigned long long)st.records_lost,
	       (unsigned long long)st.records_read,
	       (unsigned long long)st.sigkills_matched,
	       (unsigned long long)st.buffer_size,
	       (unsigned long long)st.buffer_used, st.kill_slots,
	       st.kill_slots_busy, st.registered,
	       (unsigned long long)st.captures,
	       (unsigned long long)st.captures_dropped, st.capture_buffers,
	       st.capture_buffers_busy,
	       (unsigned long long)st.capture_buffer_size,
	       (unsigned long long)st.execs_seen,
	       (unsigned long long)st.proc_events_lost,
	       (unsigned long long)st.registrations_added,
	       (unsigned long long)st.registrations_exited,
	       (unsigned long long)st.registrations_execd,
	       st.probes & OOMPROF_PROBE_MARK_VICTIM ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SIGNAL_DELIVER ? "true" : "false",
	       st.probes & OOMPROF_PROBE_OUT_OF_MEMORY ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SCHED_EXEC ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SCHED_EXIT ? "true" : "false");
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_DRAIN = 256, OPT_STATS, OPT_DEVICE, OPT_MAX_FILES,
	       OPT_MAX_BYTES, OPT_DETACH, OPT_ENABLE_MEMPROFILE };
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "drain", no_argument, NULL, OPT_DRAIN },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "max-files", required_argument, NULL, OPT_MAX_FILES },
		{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
		{ "enable-go-memprofile", required_argument, NULL,
		  OPT_ENABLE_MEMPROFILE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct reader r = {
		.device = OOMPROF_DEVICE_PATH,
		.dir = DEFAULT_DIR,
		.events_fd = -1,
		.keep = { .max_files = 1000, .max_bytes = 2ULL << 30 },
	};
	long long n;
	const char *pids = NULL;
	int drain = 0, stats = 0, detach = 0, dir_given = 0, c;

	while ((c = getopt_long(argc, argv, "d:p:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			r.dir = optarg;
			dir_given = 1;
			break;
		case 'p':
			pids = optarg;
			break;
		case OPT_DRAIN:
			drain = 1;
			break;
		case OPT_STATS:
			stats = 1;
			break;
		case OPT_DETACH:
			detach = 1;
			break;
		case OPT_DEVICE:
			r.device = optarg;
			break;
		case OPT_MAX_FILES:
			n = retention_parse_size(optarg);
			if (n < 0 || strpbrk(optarg, "KkMmGg")) {
				fprintf(stderr, "oomprof-read: --max-files '%s' is not a number\n",
					optarg);
				return 2;
			}
			r.keep.max_files = (size_t)n;
			break;
		case OPT_MAX_BYTES:
			n = retention_parse_size(optarg);
			if (n < 0) {
				fprintf(stderr, "oomprof-read: --max-bytes '%s' is not a size (e.g. 500M, 2G)\n",
					optarg);
				return 2;
			}
			r.keep.max_bytes = (unsigned long long)n;
			break;
		case OPT_ENABLE_MEMPROFILE:
			/* fastexprand (runtime/malloc.go) caps the mean there. */
			n = retention_parse_size(optarg);
			if (n < 1 || n > GO_MAX_SAMPLE_MEAN) {
				fprintf(stderr, "oomprof-read: --enable-go-memprofile '%s' is not a rate: give the average bytes between samples, 1 to %d (112M; the Go runtime samples no sparser than that); 512K is Go's default\n",
					optarg, GO_MAX_SAMPLE_MEAN);
				return 2;
			}
			r.set_rate = n;
			break;
		case 'q':
			r.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("oomprof-read %s (record version %d, ABI %d)\n",
			       OOMPROF_READ_VERSION, OOMPROF_RECORD_VERSION,
			       OOMPROF_ABI_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "oomprof-read: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (r.set_rate && (stats || pids || drain)) {
		fprintf(stderr, "oomprof-read: --enable-go-memprofile applies to the processes the daemon registers: drop --stats, -p or --drain\n");
		return 2;
	}
	if (stats)
		return print_stats(r.device);
	if (detach)
		return device_detach(r.device) ? 1 : 0;
	if (pids) {
		if (!dir_given)
			r.dir = ".";
		if (mkdir_p(r.dir)) {
			fprintf(stderr, "oomprof-read: cannot create %s: %s\n",
				r.dir, strerror(errno));
			return 1;
		}
		return dump_pids(r.device, pids, r.dir) ? 1 : 0;
	}
	if (install_signals()) {
		perror("oomprof-read: sigaction");
		return 1;
	}
	return run(&r, drain);
}
