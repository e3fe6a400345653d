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
#include "esc.h"
#include "events.h"
#include "evlog.h"
#include "gobin.h"
#include "golearn.h"
#include "goprofile.h"
#include "memstats.h"
#include "metrics.h"
#include "outdir.h"
#include "pwriter.h"
#include "record.h"
#include "retention.h"
#include "show.h"

#define OOMPROF_READ_VERSION "0.1.0"
#define DEFAULT_DIR "/var/lib/oomprof"
#define READ_BUF_SIZE (64 * 1024)
/*
 * The pause after a read of process events only (see run()): an exec
 * storm then costs one wake-up per pause; a kill record waits at most
 * this long, a capture buffer is freed at most this much later.
 */
#define PROC_EVENTS_PAUSE_MS 10
/* The Go runtime's largest mean between samples (fastexprand). */
#define GO_MAX_SAMPLE_MEAN 0x7000000

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reopen_requested;

struct reader {
	const char *device;
	const char *dir;
	int dirfd;			/* DIR, checked by outdir_open */
	struct evlog ev;		/* DIR/events.jsonl */
	int quiet;
	long long set_rate;	/* --enable-go-memprofile, 0: off */
	unsigned long long kills;
	unsigned long long profiles;
	unsigned long long lost;
	unsigned long long bad;
	unsigned long long unformatted;	/* records with no line: no memory */
	struct discover disc;
	struct retention keep;
	struct golearn *learn;		/* NULL: not learning */
	unsigned long long learn_budget;	/* --learn-memory */
	unsigned long long write_budget;	/* --write-memory */
	int exec_events;		/* the module reports exec and exit */
	unsigned long long proc_lost;	/* its proc_events_lost, last seen */
	struct pwriter pw;		/* large profiles, off this loop */
	const char *metrics_file;	/* --metrics, NULL: none */
	struct metrics met;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: oomprof-read [-d DIR] [-q] [--enable-go-memprofile=RATE]\n"
"       oomprof-read --drain [-d DIR] [-q]\n"
"       oomprof-read -p PID[,PID...] [-d DIR]\n"
"       oomprof-read --stats\n"
"       oomprof-read --show [DIR|FILE] [--last N] [--pid PID]\n"
"       oomprof-read --detach\n"
"\n"
"Records every OOM kill the oomprof kernel module reports through\n"
OOMPROF_DEVICE_PATH ": one JSON object a line in DIR/events.jsonl, and one\n"
"line for people on stderr.\n"
"\n"
"  -d, --dir DIR     where to write (default " DEFAULT_DIR ", with -p the\n"
"                    current directory); created (0700) if missing. Only\n"
"                    root may be able to write it: a DIR owned by another\n"
"                    user or writable by group or others is refused\n"
"                    (not with -p). Files are created 0600\n"
"  -p, --pid PIDS    write a heap profile of each live Go process now (as\n"
"                    /debug/pprof/heap would show it), print its path, exit\n"
"      --drain       read what the module has queued, write it, and exit\n"
"      --stats       print the module's counters as JSON and exit\n"
"      --show [DIR|FILE]  a report per OOM kill from DIR/events.jsonl (default\n"
"                    " DEFAULT_DIR ") or FILE, for people: victim, cgroup,\n"
"                    pod, memory, parents, Go capture and the top 10\n"
"                    allocation sites of its profile. Needs no module\n"
"      --last N      with --show: the last N kills (default 1; 0: all)\n"
"      --pid PID     with --show: every kill of PID (pid or tgid)\n"
"      --detach      make the running reader save every queued record and\n"
"                    let go of the device, so the module can be unloaded\n"
"                    (modprobe -r oomprof runs this first); exit\n"
"      --device PATH the device (default " OOMPROF_DEVICE_PATH ")\n"
"      --max-files N keep at most N heap profiles in DIR, removing the oldest\n"
"                    (default 1000; 0: no limit)\n"
"      --max-bytes SIZE  and at most SIZE bytes of them (K, M, G; default 2G)\n"
"      --learn-memory SIZE  memory for the Go bucket lists learned ahead of\n"
"                    an OOM kill (K, M, G; default 256M; 0: none, every\n"
"                    kill copies its buckets whole)\n"
"      --write-memory SIZE  memory for large heap profiles being built and\n"
"                    written, all together (K, M, G; default 256M; 0: no\n"
"                    bound); past it the next waits (one always runs)\n"
"      --enable-go-memprofile=RATE\n"
"                    in each Go process it registers whose MemProfileRate is\n"
"                    0 (built without runtime/pprof: no heap profile), write\n"
"                    RATE (bytes between samples, 1 to 112M; 512K is Go's\n"
"                    default) so that its OOM kill has one. Only allocations\n"
"                    made from then on are sampled. Needs CAP_SYS_PTRACE\n"
"      --metrics FILE  keep FILE a Prometheus text-format file (for\n"
"                    node_exporter's textfile collector: name it *.prom in\n"
"                    its directory, which must exist and only root may\n"
"                    write): OOM kills by cgroup, comm and constraint,\n"
"                    profiles, lost records, the module's counters.\n"
"                    Rewritten atomically after each kill (at most once a\n"
"                    second) and every 10 s\n"
"  -q, --quiet       no line on stderr per kill\n"
"  -h, --help        this text\n"
"  -V, --version     versions of this tool and of the record format\n"
"\n"
"Signals: SIGTERM or SIGINT stop after the records already read are\n"
"written (profiles being written are finished first); SIGHUP reopens\n"
"DIR/events.jsonl (for log rotation).\n"
"Without --drain, a missing module is waited for (retried with backoff up\n"
"to 5 s), also when it is unloaded and loaded again.\n"
"Only one oomprof-read can read the device at a time; it needs root.\n"
"Events: each line has type \"oom_kill\" (time, pid, tgid, comm, uid,\n"
"cgroup, constraint, oom_cgroup, *_rss_kb, oom_score_adj, trigger,\n"
"parents, sigkill_after_ns, dropped, profile) or \"lost\" (dropped: how\n"
"many records the module could not keep, or, with \"reason\", how many\n"
"this reader could not write: a full disk holds records in memory and\n"
"retries each second, up to 4096). A large heap profile is written on a\n"
"writer thread while later kills are recorded: its kill's line names the\n"
"path it will have, with \"profile_pending\":true, and a \"profile\" line\n"
"(same seq) follows once it is written (or says profile_error). See\n"
"README.md.\n");
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

/*
 * The runtime's memory statistics in @k's capture, read with the layout of
 * the executable it was registered for: this oomprof-read's registration,
 * or (restarted since) the file the record names if it is still the same
 * binary. 0, or -1 with a sentence in @why.
 */
static int go_memstats(struct reader *r, const struct oomprof_oom_kill *k,
		       struct gomemstats *ms, char *why, size_t whylen)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);
	const struct goproc *proc = discover_find(&r->disc,
						  cap->registration_id);
	struct gomemstats_layout *l;
	struct gobin *bin = NULL;
	char err[512];
	int rc;

	if (proc && proc->exe && proc->exe->bin) {
		if (!proc->exe->ms_ok) {
			snprintf(why, whylen, "%s", proc->exe->ms_why);
			return -1;
		}
		return memstats_from_capture(cap, &proc->exe->ms, ms, why,
					     whylen);
	}
	if (!cap->exe_path[0] ||
	    gobin_open(cap->exe_path, &bin, err, sizeof(err))) {
		snprintf(why, whylen, "registered by an earlier oomprof-read and its binary is gone: where the statistics are is not known");
		return -1;
	}
	l = malloc(sizeof(*l));
	if (strcmp(gobin_info(bin)->go_build_id, cap->build_id)) {
		snprintf(why, whylen, "registered by an earlier oomprof-read and its binary was replaced since (build ID differs)");
		rc = -1;
	} else if (!l) {
		snprintf(why, whylen, "out of memory");
		rc = -1;
	} else {
		rc = gomemstats_layout_find(bin, l, why, whylen);
		if (!rc)
			rc = memstats_from_capture(cap, l, ms, why, whylen);
	}
	free(l);
	gobin_close(bin);
	return rc;
}

/*
 * A Go victim's capture: write its profile, or say why there is none.
 * A large one goes to a writer thread (pwriter.h): 1 is returned, @path
 * holds the path it will have, and its own events line follows when it is
 * written (profile_done). Otherwise 0, written here.
 */
static int go_profile(struct reader *r, const struct oomprof_oom_kill *k,
		      const char *comment, char *path, size_t pathlen,
		      char *why, size_t whylen)
{
	const struct oomprof_go_capture *cap = (const void *)(k + 1);
	struct goprofile_exe exe;
	struct timespec t0, t1;
	const char *note;
	struct gobin *opened;
	/* What was learned of it: its counts resolve there; then freed. */
	struct golearn_state *learned = golearn_take(r->learn,
						     cap->registration_id);
	size_t charged = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	opened = find_exe(r, cap, &exe, &note);
	exe.comment = comment[0] ? comment : NULL;
	if (cap->nbuckets >= PWRITER_ASYNC_BUCKETS && pwriter_fd(&r->pw) >= 0) {
		double waited;

		if (opened)
			gobin_trim(opened);	/* all a copy needs */
		/*
		 * Within --write-memory: this waits for the jobs in flight to
		 * leave room (the module holds the records that come
		 * meanwhile).
		 */
		rc = pwriter_submit(&r->pw, k, exe.bin, exe.bias, exe.path,
				    note, exe.comment, learned, path, pathlen,
				    &waited);
		if (waited > 0)
			fprintf(stderr, "oomprof-read: heap profile of pid %u (%s): %llu buckets waited %.0f ms for the profiles being written to leave room within --write-memory %lluM\n",
				k->victim.tgid, esc(k->victim.comm),
				(unsigned long long)cap->nbuckets, waited,
				r->write_budget >> 20);
		if (!rc) {
			gobin_close(opened);
			fprintf(stderr, "oomprof-read: heap profile of pid %u (%s): %llu buckets, being written to %s on a writer thread\n",
				k->victim.tgid, esc(k->victim.comm),
				(unsigned long long)cap->nbuckets, esc(path));
			return 1;
		}
		path[0] = '\0';	/* refused (no memory): inline */
	}
	/*
	 * A large one written here counts against --write-memory like the
	 * writers' jobs: this waits until they leave room (the module holds
	 * the records that come meanwhile). Small ones, bounded by
	 * PWRITER_ASYNC_BUCKETS, never wait.
	 */
	if (cap->nbuckets >= PWRITER_ASYNC_BUCKETS) {
		charged = pwriter_estimate(k, NULL, learned, 0);
		pwriter_reserve(&r->pw, charged);
	}
	rc = goprofile_write_learned(k, &exe, learned, 0, r->dirfd, r->dir,
				     path, pathlen, why, whylen);
	pwriter_release(&r->pw, charged);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	golearn_state_free(learned);

	if (opened)
		gobin_close(opened);
	if (rc) {
		path[0] = '\0';
		fprintf(stderr, "oomprof-read: no heap profile for pid %u (%s): %s\n",
			k->victim.tgid, esc(k->victim.comm), esc(why));
		metrics_profile_failed(&r->met, METRICS_FAIL_WRITE, 0);
		return 0;
	}
	r->profiles++;
	metrics_profile(&r->met, cap->stop != OOMPROF_STOP_NONE);
	retention_apply(r->dirfd, r->dir, &r->keep);
	fprintf(stderr, "oomprof-read: heap profile of pid %u (%s): %s (%s capture, %llu buckets in %.1f ms; written in %.1f ms)%s\n",
		k->victim.tgid, esc(k->victim.comm), esc(path),
		cap->stop == OOMPROF_STOP_NONE ? "complete" : "PARTIAL",
		(unsigned long long)cap->nbuckets,
		(double)cap->duration_ns / 1e6,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e6, note);
	return 0;
}

/*
 * A profile a writer thread finished: its events line ("type":"profile",
 * after the kill's own line, which announced the path with
 * "profile_pending":true), the count, retention, the log line.
 */
static void profile_done(void *ctx, const struct pwriter_done *d)
{
	const struct oomprof_go_capture *cap = (const void *)(d->rec + 1);
	struct reader *r = ctx;
	struct sbuf line = { 0 };

	if (d->rc) {
		fprintf(stderr, "oomprof-read: no heap profile for pid %u (%s) after all (events.jsonl announced %s): %s\n",
			d->rec->victim.tgid, esc(d->rec->victim.comm),
			esc(d->planned), esc(d->why));
		metrics_profile_failed(&r->met, METRICS_FAIL_WRITE, 0);
	} else {
		r->profiles++;
		metrics_profile(&r->met, cap->stop != OOMPROF_STOP_NONE);
		retention_apply(r->dirfd, r->dir, &r->keep);
		fprintf(stderr, "oomprof-read: heap profile of pid %u (%s): %s (%s capture, %llu buckets in %.1f ms; written in %.1f ms on a writer thread)%s\n",
			d->rec->victim.tgid, esc(d->rec->victim.comm),
			esc(d->path),
			cap->stop == OOMPROF_STOP_NONE ? "complete" : "PARTIAL",
			(unsigned long long)cap->nbuckets,
			(double)cap->duration_ns / 1e6, d->ms, d->note);
	}
	pwriter_done_json(&line, d);
	sbuf_printf(&line, "\n");
	if (line.failed) {
		r->unformatted++;
		fprintf(stderr, "oomprof-read: out of memory formatting the profile line of record %llu: it is not in " EVLOG_NAME "\n",
			(unsigned long long)d->rec->hdr.seq);
	} else {
		evlog_append(&r->ev, line.p, line.len);
	}
	sbuf_free(&line);
}

static int handle_record(struct reader *r,
			 const struct oomprof_record_header *hdr,
			 struct sbuf *line)
{
	char path[4096] = "", why[512] = "";
	char ms_why[512] = "", ms_comment[512] = "";
	struct gomemstats ms;
	int pending = 0, ms_rc = -1;

	/* Process events steer discovery; they are not OOM evidence. */
	if (hdr->type == OOMPROF_REC_PROC_EXEC ||
	    hdr->type == OOMPROF_REC_PROC_EXIT) {
		r->lost += hdr->lost;
		metrics_lost(&r->met, hdr->lost);
		if (hdr->type == OOMPROF_REC_PROC_EXEC)
			discover_exec(&r->disc, (const void *)hdr);
		else
			discover_exit(&r->disc, (const void *)hdr);
		return 0;
	}
	if (hdr->type == OOMPROF_REC_GO_HEAP) {
		const struct oomprof_oom_kill *k = (const void *)hdr;

		ms_rc = go_memstats(r, k, &ms, ms_why, sizeof(ms_why));
		if (!ms_rc)
			memstats_comment(&ms, "at kill", ms_comment,
					 sizeof(ms_comment));
		else
			fprintf(stderr, "oomprof-read: no Go memory statistics for pid %u (%s): %s\n",
				k->victim.tgid, esc(k->victim.comm),
				esc(ms_why));
		pending = go_profile(r, k, ms_comment, path, sizeof(path), why,
				     sizeof(why));
	}
	else if (hdr->type == OOMPROF_REC_OOM_KILL &&
		 hdr->flags & OOMPROF_KILL_GO_PROCESS) {
		const struct oomprof_oom_kill *k = (const void *)hdr;

		snprintf(why, sizeof(why), "not captured: %s",
			 record_stop_name(k->capture_stop));
		fprintf(stderr, "oomprof-read: no heap profile for Go process %u (%s): %s\n",
			k->victim.tgid, esc(k->victim.comm), esc(why));
		metrics_profile_failed(&r->met,
					       METRICS_FAIL_NOT_CAPTURED,
					       k->capture_stop);
	}
	sbuf_reset(line);
	if (event_json(line, hdr, path[0] ? path : NULL, why[0] ? why : NULL))
		return 0;	/* a type from a newer module: skip it */
	if (hdr->type == OOMPROF_REC_GO_HEAP)
		memstats_json_field(line, ms_rc ? NULL : &ms, ms_why);
	if (pending)
		pwriter_mark_pending(line);
	sbuf_printf(line, "\n");
	if (line->failed) {
		r->unformatted++;
		fprintf(stderr, "oomprof-read: out of memory formatting record %llu: it is not in " EVLOG_NAME "\n",
			(unsigned long long)hdr->seq);
		return 0;
	}
	/* Written whole, or held and retried: never half a line. */
	evlog_append(&r->ev, line->p, line->len);
	if (hdr->type == OOMPROF_REC_OOM_KILL ||
	    hdr->type == OOMPROF_REC_GO_HEAP) {
		r->kills++;
		metrics_kill(&r->met, (const void *)hdr);
	}
	r->lost += hdr->lost;
	metrics_lost(&r->met, hdr->lost);
	if (!r->quiet) {
		sbuf_reset(line);
		event_summary(line, hdr);
		/* event_summary escapes what the record's sender chose. */
		if (!line->failed)
			fprintf(stderr, "oomprof-read: %s\n", line->p);
	}
	return 0;
}

/* *@evidence: set if a record other than a process event was read. */
static int handle_buffer(struct reader *r, const unsigned char *buf,
			 size_t len, struct sbuf *line, int *evidence)
{
	struct record_cursor c = { .p = buf, .left = len };
	const struct oomprof_record_header *hdr;
	const char *why;
	enum record_status st;

	while ((st = record_next(&c, &hdr, &why)) == RECORD_OK) {
		if (hdr->type != OOMPROF_REC_PROC_EXEC &&
		    hdr->type != OOMPROF_REC_PROC_EXIT)
			*evidence = 1;
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
	if (!device_stats(*fd, &st) && st.capture_buffer_size + OOMPROF_READ_MIN > want)
		want = st.capture_buffer_size + OOMPROF_READ_MIN;
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
	if (!drain) {
		struct golearn_opts lo = {
			.budget = (size_t)r->learn_budget,
			.quiet = r->quiet,
			.devfd = *fd,
		};

		r->learn = golearn_new(&lo);
		r->disc.learn = r->learn;
	}
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
	/* The module forgot every learned prefix with the file. */
	golearn_free(r->learn);
	r->learn = NULL;
	discover_free(&r->disc);
	close(*fd);
	*fd = -1;
	return connect_device(r, 0, fd, buf, buflen);
}

/*
 * --metrics: rewrite the file when it is due (a kill not in it yet, at
 * most once a second; else every METRICS_INTERVAL_S), or now (@force),
 * with the module's counters as they are.
 */
static void metrics_refresh(struct reader *r, int fd, int force)
{
	struct oomprof_stats st;
	struct timespec now;

	if (!r->met.on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && !metrics_due(&r->met, now.tv_sec))
		return;
	metrics_write(&r->met, fd >= 0 && !device_stats(fd, &st) ? &st : NULL,
		      now.tv_sec);
}

static int run(struct reader *r, int drain)
{
	struct sbuf line = { 0 };
	struct oomprof_stats st;
	unsigned long long *buf = NULL;
	size_t buflen = 0;
	time_t last_tick = 0;
	int fd = -1, ret = 0, rc, learning;

	char why[8192];
	unsigned long long unsaved;

	r->dirfd = outdir_open(r->dir, why, sizeof(why));
	if (r->dirfd < 0) {
		fprintf(stderr, "oomprof-read: -d: %s\n", esc(why));
		return 1;
	}
	if (r->metrics_file &&
	    metrics_open(&r->met, r->metrics_file, METRICS_MAX_SERIES, why,
			 sizeof(why))) {
		fprintf(stderr, "oomprof-read: --metrics: %s\n", esc(why));
		close(r->dirfd);
		return 1;
	}
	if (evlog_open(&r->ev, r->dirfd, r->dir)) {
		metrics_close(&r->met);
		close(r->dirfd);
		return 1;
	}
	pwriter_init(&r->pw, r->dirfd, r->dir);
	pwriter_set_budget(&r->pw, (size_t)r->write_budget);
	rc = connect_device(r, drain, &fd, &buf, &buflen);
	if (rc > 0) {
		pwriter_finish(&r->pw, NULL, NULL);
		metrics_close(&r->met);
		evlog_close(&r->ev);
		close(r->dirfd);
		return 1;
	}
	if (!rc && !drain)
		fprintf(stderr, "oomprof-read: reading %s, writing %s/" EVLOG_NAME "\n",
			r->device, esc(r->dir));

	while (!stop_requested) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = pwriter_fd(&r->pw), .events = POLLIN },
		};
		ssize_t n;

		/* Profiles the writer threads finished: their lines. */
		pwriter_collect(&r->pw, profile_done, r);
		metrics_refresh(r, fd, 0);

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
			golearn_expire(r->learn);
			/* Lines the file could not take: retried each second. */
			evlog_flush(&r->ev);
		}

		if (reopen_requested) {
			reopen_requested = 0;
			evlog_reopen(&r->ev);
		}
		n = read(fd, buf, buflen);
		if (n > 0) {
			int evidence = 0;

			if (handle_buffer(r, (unsigned char *)buf, (size_t)n,
					  &line, &evidence)) {
				ret = 1;
				break;
			}
			/*
			 * Only process events: the next ones are read together
			 * after a pause, so that a machine exec'ing thousands
			 * of programs a second costs this reader a wake-up per
			 * pause, not one per exec. A kill record that arrives
			 * meanwhile waits at most that long.
			 */
			if (!evidence && !drain)
				nanosleep(&(struct timespec){
					.tv_nsec = PROC_EVENTS_PAUSE_MS * 1000000L },
					NULL);
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
		/*
		 * Bucket lists are learned in slices of bounded work, with a
		 * pause as long between them: records are read within one
		 * slice, and learning takes at most half a CPU.
		 */
		learning = r->learn && golearn_tick(r->learn);
		if (poll(pfd, 2, learning ? 40 : 1000) < 0 && errno != EINTR) {
			fprintf(stderr, "oomprof-read: poll %s: %s\n",
				r->device, strerror(errno));
			ret = 1;
			break;
		}
	}
	/*
	 * Stop, drain or error: the profiles being written are finished
	 * (before the learner goes: they may read its stacks).
	 */
	pwriter_finish(&r->pw, profile_done, r);
	/* The last counts, then a stop: nothing held is lost. */
	metrics_refresh(r, fd, 1);
	metrics_close(&r->met);
	golearn_free(r->learn);
	r->learn = NULL;
	discover_free(&r->disc);
	if (fd >= 0)
		close(fd);
	free(buf);
	unsaved = evlog_close(&r->ev) + r->unformatted;
	close(r->dirfd);
	sbuf_free(&line);
	fprintf(stderr, "oomprof-read: %s: %llu OOM kill(s) recorded, %llu heap profile(s) written, %llu record(s) lost in the module, %llu not written to " EVLOG_NAME "%s\n",
		drain ? "drained" : "stopped", r->kills, r->profiles, r->lost,
		unsaved,
		r->bad ? ", some bytes from the device were malformed" : "");
	return ret || unsaved;
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
	printf("{\"kills_seen\":%llu,\"dying_marked\":%llu,\"records_queued\":%llu,\"records_lost\":%llu,\"records_read\":%llu,\"sigkills_matched\":%llu,\"buffer_size\":%llu,\"buffer_used\":%llu,\"kill_slots\":%u,\"kill_slots_busy\":%u,\"registered\":%u,\"captures\":%llu,\"captures_dropped\":%llu,\"capture_buffers\":%u,\"capture_buffers_busy\":%u,\"capture_buffer_size\":%llu,\"execs_seen\":%llu,\"proc_events_lost\":%llu,\"registrations_added\":%llu,\"registrations_exited\":%llu,\"registrations_execd\":%llu,\"reserved_bytes\":%llu,\"captures_counted\":%llu,\"probes\":{\"mark_victim\":%s,\"signal_deliver\":%s,\"out_of_memory\":%s,\"sched_process_exec\":%s,\"sched_process_exit\":%s}}\n",
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
	       (unsigned long long)st.reserved_bytes,
	       (unsigned long long)st.captures_counted,
	       st.probes & OOMPROF_PROBE_MARK_VICTIM ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SIGNAL_DELIVER ? "true" : "false",
	       st.probes & OOMPROF_PROBE_OUT_OF_MEMORY ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SCHED_EXEC ? "true" : "false",
	       st.probes & OOMPROF_PROBE_SCHED_EXIT ? "true" : "false");
	return 0;
}

/*
 * -p's list, checked before anything is opened: a usage error, not a
 * failed dump. 0, or -1 said on stderr.
 */
static int check_pids(const char *pids)
{
	const char *s = pids;

	if (!*pids) {
		fprintf(stderr, "oomprof-read: -p needs the pid of a Go process: -p PID[,PID...]\n");
		return -1;
	}
	for (;;) {
		size_t len = strcspn(s, ","), keep;
		char tok[32], *end = tok;
		long pid = 0;

		keep = len < sizeof(tok) ? len : sizeof(tok) - 1;
		memcpy(tok, s, keep);
		tok[keep] = '\0';
		if (len == keep && tok[0] >= '0' && tok[0] <= '9')
			pid = strtol(tok, &end, 10);
		/* pid_max is at most 2^22 (PID_MAX_LIMIT). */
		if (*end || pid <= 0 || pid > 0x3fffffff) {
			fprintf(stderr, "oomprof-read: -p '%s': '%s%s' is not a pid (-p PID[,PID...])\n",
				esc(pids), esc(tok), len == keep ? "" : "...");
			return -1;
		}
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* A SIZE of --learn-memory or --write-memory; -1 said on stderr. */
static int memory_option(const char *opt, const char *arg, const char *zero,
			 unsigned long long *out)
{
	long long n = retention_parse_size(arg);

	if (n < 0) {
		fprintf(stderr, "oomprof-read: %s '%s' is not a size (e.g. 256M, 1G; 0: %s)\n",
			opt, esc(arg), zero);
		return -1;
	}
	*out = (unsigned long long)n;
	return 0;
}

/* A whole number from @min to @max for --last/--pid: 0, or -1 said on stderr. */
static int show_number(const char *opt, const char *s, long long min,
		       long long max, const char *what, long long *out)
{
	char *end;

	errno = 0;
	*out = s[0] >= '0' && s[0] <= '9' ? strtoll(s, &end, 10) : -1;
	if (*out < min || errno || *end || *out > max) {
		fprintf(stderr, "oomprof-read: %s '%s' is not a %s\n", opt, esc(s),
			what);
		return -1;
	}
	return 0;
}

/*
 * --show: reads files only (the module and device are not needed).
 * [DIR|FILE] is its one argument (or -d DIR).
 */
static int show_command(int argc, char **argv, const char *last,
			const char *pid, const char *dir)
{
	struct show_opts o = { .path = dir, .last = 1, .pid = -1 };
	long long n;

	if (optind < argc)
		o.path = argv[optind++];
	if (optind < argc || (dir && o.path != dir)) {
		fprintf(stderr, "oomprof-read: --show takes one DIR or events.jsonl file, got '%s' too\n",
			esc(optind < argc ? argv[optind] : dir));
		return 2;
	}
	if (pid) {
		if (show_number("--pid", pid, 1, 0x3fffffff, "pid", &n))
			return 2;
		o.pid = n;
		o.last = 0;	/* every kill of that pid, unless --last */
	}
	if (last) {
		if (show_number("--last", last, 0, 1LL << 40,
				"number of kills (0: all)", &n))
			return 2;
		o.last = (unsigned long long)n;
	}
	return show_main(&o, stdout, stderr);
}

int main(int argc, char **argv)
{
	enum { OPT_DRAIN = 256, OPT_METRICS, OPT_STATS, OPT_DEVICE, OPT_MAX_FILES,
	       OPT_MAX_BYTES, OPT_DETACH, OPT_ENABLE_MEMPROFILE,
	       OPT_LEARN_MEMORY, OPT_WRITE_MEMORY, OPT_SHOW, OPT_LAST };
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "drain", no_argument, NULL, OPT_DRAIN },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "show", no_argument, NULL, OPT_SHOW },
		{ "last", required_argument, NULL, OPT_LAST },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "max-files", required_argument, NULL, OPT_MAX_FILES },
		{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
		{ "enable-go-memprofile", required_argument, NULL,
		  OPT_ENABLE_MEMPROFILE },
		{ "learn-memory", required_argument, NULL, OPT_LEARN_MEMORY },
		{ "write-memory", required_argument, NULL, OPT_WRITE_MEMORY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct reader r = {
		.device = OOMPROF_DEVICE_PATH,
		.dir = DEFAULT_DIR,
		.dirfd = -1,
		.keep = { .max_files = 1000, .max_bytes = 2ULL << 30 },
		.learn_budget = GOLEARN_DEFAULT_BUDGET,
		.write_budget = 256ull << 20,
	};
	long long n;
	const char *pids = NULL;
	int drain = 0, stats = 0, detach = 0, dir_given = 0, show = 0, c;
	const char *last = NULL;

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
		case OPT_SHOW:
			show = 1;
			break;
		case OPT_LAST:
			last = optarg;
			break;
		case OPT_METRICS:
			r.metrics_file = optarg;
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
				fprintf(stderr, "oomprof-read: --max-files '%s' is not a number of files (0: no limit)\n",
					esc(optarg));
				return 2;
			}
			r.keep.max_files = (size_t)n;
			break;
		case OPT_MAX_BYTES:
			n = retention_parse_size(optarg);
			if (n == RETENTION_TOO_LARGE) {
				fprintf(stderr, "oomprof-read: --max-bytes '%s' is too large: at most %lluG (0: no limit)\n",
					esc(optarg), RETENTION_MAX_SIZE >> 30);
				return 2;
			}
			if (n < 0) {
				fprintf(stderr, "oomprof-read: --max-bytes '%s' is not a size (e.g. 500M, 2G; 0: no limit)\n",
					esc(optarg));
				return 2;
			}
			r.keep.max_bytes = (unsigned long long)n;
			break;
		case OPT_ENABLE_MEMPROFILE:
			/* fastexprand (runtime/malloc.go) caps the mean there. */
			n = retention_parse_size(optarg);
			if (n < 1 || n > GO_MAX_SAMPLE_MEAN) {
				fprintf(stderr, "oomprof-read: --enable-go-memprofile '%s' is not a rate: give the average bytes between samples, 1 to %d (112M; the Go runtime samples no sparser than that); 512K is Go's default\n",
					esc(optarg), GO_MAX_SAMPLE_MEAN);
				return 2;
			}
			r.set_rate = n;
			break;
		case OPT_LEARN_MEMORY:
			if (memory_option("--learn-memory", optarg,
					  "learn nothing", &r.learn_budget))
				return 2;
			break;
		case OPT_WRITE_MEMORY:
			if (memory_option("--write-memory", optarg, "no bound",
					  &r.write_budget))
				return 2;
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
	if (show && (stats || drain || detach || r.metrics_file || r.set_rate)) {
		fprintf(stderr, "oomprof-read: --show only reads files: drop --stats, --drain, --detach, --metrics or --enable-go-memprofile\n");
		return 2;
	}
	if (show)
		return show_command(argc, argv, last, pids,
				    dir_given ? r.dir : NULL);
	if (last) {
		fprintf(stderr, "oomprof-read: --last goes with --show\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "oomprof-read: unexpected argument '%s'\n",
			esc(argv[optind]));
		usage(stderr);
		return 2;
	}
	if (pids && check_pids(pids))
		return 2;
	if (r.set_rate && (stats || pids || drain)) {
		fprintf(stderr, "oomprof-read: --enable-go-memprofile applies to the processes the daemon registers: drop --stats, -p or --drain\n");
		return 2;
	}
	if (r.metrics_file && (stats || pids || detach)) {
		fprintf(stderr, "oomprof-read: --metrics is written by the reader (the daemon, or --drain): drop --stats, -p or --detach\n");
		return 2;
	}
	if (stats)
		return print_stats(r.device);
	if (detach)
		return device_detach(r.device) ? 1 : 0;
	if (pids) {
		if (!dir_given)
			r.dir = ".";
		if (outdir_create(r.dir)) {
			fprintf(stderr, "oomprof-read: cannot create %s: %s\n",
				esc(r.dir), strerror(errno));
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
