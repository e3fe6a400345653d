// SPDX-License-Identifier: GPL-2.0
#include "metrics.h"
#include "container.h"
#include "esc.h"
#include "outdir.h"
#include "record.h"
#include "sbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* In the order of enum metrics_label. */
static const char *const label_names[METRICS_NLABELS] = {
	[METRICS_L_CGROUP] = "cgroup",
	[METRICS_L_COMM] = "comm",
	[METRICS_L_CONSTRAINT] = "constraint",
	[METRICS_L_NAMESPACE] = "namespace",
	[METRICS_L_POD] = "pod",
	[METRICS_L_CONTAINER] = "container",
};

/*
 * The series kills past the cap go to. Every real series has a cgroup
 * starting with '/' and a constraint from a fixed set, so no name a user
 * picks can make a real series equal to it.
 */
#define OTHER "other"

struct metrics_series {
	unsigned long long kills;
	unsigned int hash;
	char *v[METRICS_NLABELS];
};

void metrics_label_value(char *out, size_t cap, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = 0;

	while (*s) {
		size_t n = *s < 0x80 ? 1 : utf8_seq_len(s);

		if (n) {
			if (len + n >= cap)
				break;
			memcpy(out + len, s, n);
			len += n;
			s += n;
		} else {
			if (len + 3 >= cap)
				break;
			memcpy(out + len, "\xef\xbf\xbd", 3);	/* U+FFFD */
			len += 3;
			s++;
		}
	}
	out[len] = '\0';
}

void metrics_escape_label(struct sbuf *b, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\\\"\n");

		if (n)
			sbuf_printf(b, "%.*s", (int)n, s);
		s += n;
		if (!*s)
			break;
		sbuf_printf(b, "\\%c", *s == '\n' ? 'n' : *s);
		s++;
	}
}

void metrics_kill_labels(struct metrics_labels *l,
			 const struct oomprof_oom_kill *k)
{
	struct container_info ci;
	struct container_names names;
	const char *cg = "/";

	/*
	 * The OOM's domain: the memcg at its limit, or for a global (cpuset,
	 * mempolicy) OOM the whole machine, "/". A memcg OOM whose path the
	 * module could not give is "unknown" (no '/': not a real path).
	 */
	if (k->constraint == OOMPROF_CONSTRAINT_MEMCG)
		cg = k->oom_cgroup[0] == '/' ? k->oom_cgroup : "unknown";
	metrics_label_value(l->v[METRICS_L_CGROUP], METRICS_LABEL_MAX, cg);
	metrics_label_value(l->v[METRICS_L_COMM], METRICS_LABEL_MAX,
			    k->victim.comm);
	metrics_label_value(l->v[METRICS_L_CONSTRAINT], METRICS_LABEL_MAX,
			    record_constraint_name(k->constraint));
	/*
	 * Namespace, pod and container of the victim's own cgroup (also in
	 * a global OOM): the kubelet's names where it has them, else the
	 * pod's UID and the container's id; "" where it is no container.
	 */
	l->v[METRICS_L_NAMESPACE][0] = '\0';
	l->v[METRICS_L_POD][0] = '\0';
	l->v[METRICS_L_CONTAINER][0] = '\0';
	if (container_attribute(k->victim_cgroup, sizeof(k->victim_cgroup),
				k->hdr.flags & OOMPROF_KILL_CGROUP_TRUNCATED,
				&ci)) {
		struct kubelet_names *kn = kubelet_names_default();

		if (!kn || !container_names_lookup(kn, &ci, &names))
			memset(&names, 0, sizeof(names));
		metrics_label_value(l->v[METRICS_L_NAMESPACE], METRICS_LABEL_MAX,
				    names.namespace_);
		metrics_label_value(l->v[METRICS_L_POD], METRICS_LABEL_MAX,
				    names.pod[0] ? names.pod : ci.pod_uid);
		metrics_label_value(l->v[METRICS_L_CONTAINER], METRICS_LABEL_MAX,
				    names.container[0] ? names.container : ci.id);
	}
}

/* FNV-1a over the values, each with its NUL. */
static unsigned int hash_labels(const struct metrics_labels *l)
{
	unsigned int h = 2166136261u;
	int i;

	for (i = 0; i < METRICS_NLABELS; i++) {
		const unsigned char *s = (const unsigned char *)l->v[i];

		do {
			h ^= *s;
			h *= 16777619u;
		} while (*s++);
	}
	return h;
}

static int same(const struct metrics_series *s, const struct metrics_labels *l)
{
	int i;

	for (i = 0; i < METRICS_NLABELS; i++)
		if (strcmp(s->v[i], l->v[i]))
			return 0;
	return 1;
}

static void split(const char *file, char **dir, char **name)
{
	const char *slash = strrchr(file, '/');

	*dir = NULL;
	*name = NULL;
	if (!slash) {
		*dir = strdup(".");
		*name = strdup(file);
	} else {
		*dir = slash == file ? strdup("/") :
			strndup(file, (size_t)(slash - file));
		*name = strdup(slash + 1);
	}
}

/* Everything metrics_open() took, whether or not it got to the end. */
static void metrics_release(struct metrics *m)
{
	size_t i;
	int j;

	for (i = 0; i < m->nseries; i++) {
		for (j = 0; j < METRICS_NLABELS; j++)
			free(m->order[i]->v[j]);
		free(m->order[i]);
	}
	free(m->table);
	free(m->order);
	free(m->dir);
	free(m->name);
	free(m->tmpname);
	if (m->dirfd >= 0)
		close(m->dirfd);
	memset(m, 0, sizeof(*m));
	m->dirfd = -1;
}

int metrics_open(struct metrics *m, const char *file, size_t max_series,
		 char *why, size_t whylen)
{
	struct stat st;
	size_t tlen;

	memset(m, 0, sizeof(*m));
	m->dirfd = -1;
	m->max_series = max_series ? max_series : 1;
	split(file, &m->dir, &m->name);
	if (!m->dir || !m->name)
		goto nomem;
	if (!*m->name || !strcmp(m->name, ".") || !strcmp(m->name, "..")) {
		snprintf(why, whylen, "'%s' names no file: give --metrics DIR/NAME.prom (node_exporter's textfile collector reads *.prom)",
			 file);
		goto fail;
	}
	tlen = strlen(m->name) + sizeof(".tmp") + 1;
	if (tlen - 1 > 255) {	/* NAME_MAX, without the NUL */
		snprintf(why, whylen, "%s: the file name is too long (at most 250 bytes: a temporary file named .NAME.tmp is written beside it)",
			 file);
		goto fail;
	}
	m->tmpname = malloc(tlen);
	if (!m->tmpname)
		goto nomem;
	snprintf(m->tmpname, tlen, ".%s.tmp", m->name);
	/* Not made here: it is node_exporter's directory, with its modes. */
	if (stat(m->dir, &st) || !S_ISDIR(st.st_mode)) {
		int err = errno;

		if (!stat(m->dir, &st))
			err = ENOTDIR;
		snprintf(why, whylen, "%s: %s: give a directory that exists (node_exporter's --collector.textfile.directory), writable by root only",
			 m->dir, strerror(err));
		goto fail;
	}
	m->dirfd = outdir_open(m->dir, why, whylen);
	if (m->dirfd < 0)
		goto fail;
	m->table_size = 2 * m->max_series;
	m->table = calloc(m->table_size, sizeof(*m->table));
	m->order = calloc(m->max_series, sizeof(*m->order));
	if (!m->table || !m->order)
		goto nomem;
	m->on = 1;
	return 0;
nomem:
	snprintf(why, whylen, "%s: out of memory", file);
fail:
	metrics_release(m);
	return -1;
}

void metrics_kill(struct metrics *m, const struct oomprof_oom_kill *k)
{
	struct metrics_labels l;
	struct metrics_series *s;
	unsigned int h;
	size_t i;
	int j;

	if (!m->on)
		return;
	m->kills++;
	m->dirty = 1;
	metrics_kill_labels(&l, k);
	h = hash_labels(&l);
	/* At most max_series entries in twice the slots: always a hole. */
	for (i = h % m->table_size; (s = m->table[i]); i = (i + 1) % m->table_size) {
		if (s->hash == h && same(s, &l)) {
			s->kills++;
			return;
		}
	}
	if (m->nseries >= m->max_series)
		goto fold;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fold;
	for (j = 0; j < METRICS_NLABELS; j++) {
		s->v[j] = strdup(l.v[j]);
		if (!s->v[j]) {
			while (j--)
				free(s->v[j]);
			free(s);
			goto fold;
		}
	}
	s->hash = h;
	s->kills = 1;
	m->table[i] = s;
	m->order[m->nseries++] = s;
	return;
fold:
	m->folded++;
}

void metrics_lost(struct metrics *m, unsigned long long n)
{
	if (m->on)
		m->records_lost += n;
}

void metrics_profile(struct metrics *m, int partial)
{
	if (!m->on)
		return;
	if (partial)
		m->profiles_partial++;
	else
		m->profiles_complete++;
}

void metrics_profile_failed(struct metrics *m, enum metrics_fail why,
			    unsigned int stop)
{
	if (!m->on)
		return;
	if (why == METRICS_FAIL_WRITE)
		m->profiles_failed[METRICS_FAIL_WRITE_IDX]++;
	else
		m->profiles_failed[stop < METRICS_STOP_OTHER ? stop :
				   METRICS_STOP_OTHER]++;
}

int metrics_due(const struct metrics *m, time_t now)
{
	if (!m->on)
		return 0;
	if (m->writes + m->write_errors &&
	    now - m->last_write < METRICS_MIN_GAP_S)
		return 0;
	return m->dirty || m->err || !(m->writes + m->write_errors) ||
	       now - m->last_write >= METRICS_INTERVAL_S;
}

static void family(struct sbuf *b, const char *name, const char *type,
		   const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(struct sbuf *b, const char *name, const char *type,
		   const char *help, unsigned long long v)
{
	family(b, name, type, help);
	sbuf_printf(b, "%s %llu\n", name, v);
}

/* The module's counters (oomprof_stats), as the module names them. */
#define STAT(field, type, metric, help) \
	{ offsetof(struct oomprof_stats, field), \
	  sizeof(((struct oomprof_stats *)0)->field), type, metric, help }

static const struct {
	size_t off, size;
	const char *type, *name, *help;
} module_stats[] = {
	STAT(kills_seen, "counter", "oomprof_module_kills_seen_total",
	     "OOM kills the module saw (mark_victim of a task not yet dying), since it was loaded."),
	STAT(dying_marked, "counter", "oomprof_module_dying_marked_total",
	     "mark_victim calls on a task already dying: not kills, no record."),
	STAT(records_queued, "counter", "oomprof_module_records_queued_total",
	     "Records the module queued for the reader."),
	STAT(records_lost, "counter", "oomprof_module_records_lost_total",
	     "Records the module lost: buffer full or no kill slot free."),
	STAT(records_read, "counter", "oomprof_module_records_read_total",
	     "Records the reader took from the module."),
	STAT(sigkills_matched, "counter", "oomprof_module_sigkills_matched_total",
	     "Victims seen taking their SIGKILL (signal_deliver)."),
	STAT(captures, "counter", "oomprof_module_captures_total",
	     "Go heap captures published."),
	STAT(captures_dropped, "counter", "oomprof_module_captures_dropped_total",
	     "Registered Go victims not captured."),
	STAT(captures_counted, "counter", "oomprof_module_captures_counted_total",
	     "Captures that used a learned bucket-list prefix."),
	STAT(execs_seen, "counter", "oomprof_module_execs_seen_total",
	     "execve() calls the module saw."),
	STAT(proc_events_lost, "counter", "oomprof_module_proc_events_lost_total",
	     "Process exec/exit events the module dropped (the reader rescans /proc)."),
	STAT(registrations_added, "counter", "oomprof_module_registrations_added_total",
	     "Go processes registered."),
	STAT(registrations_exited, "counter", "oomprof_module_registrations_exited_total",
	     "Registrations ended by the process's exit."),
	STAT(registrations_execd, "counter", "oomprof_module_registrations_execd_total",
	     "Registrations ended by the process's exec."),
	STAT(registered, "gauge", "oomprof_module_registered",
	     "Go processes registered now."),
	STAT(buffer_size, "gauge", "oomprof_module_buffer_bytes",
	     "Size of the module's record buffer."),
	STAT(buffer_used, "gauge", "oomprof_module_buffer_used_bytes",
	     "Bytes of records queued and not yet read."),
	STAT(kill_slots, "gauge", "oomprof_module_kill_slots",
	     "Kill slots (module parameter kill_slots)."),
	STAT(kill_slots_busy, "gauge", "oomprof_module_kill_slots_busy",
	     "Kills waiting for their victim's SIGKILL."),
	STAT(capture_buffers, "gauge", "oomprof_module_capture_buffers",
	     "Go capture buffers (module parameter capture_buffers)."),
	STAT(capture_buffers_busy, "gauge", "oomprof_module_capture_buffers_busy",
	     "Go capture buffers in use."),
	STAT(capture_buffer_size, "gauge", "oomprof_module_capture_buffer_bytes",
	     "Size of each Go capture buffer."),
	STAT(reserved_bytes, "gauge", "oomprof_module_reserved_bytes",
	     "Memory the module allocated at load."),
};

static const struct {
	unsigned int bit;
	const char *name;
} probes[] = {
	{ OOMPROF_PROBE_MARK_VICTIM, "mark_victim" },
	{ OOMPROF_PROBE_SIGNAL_DELIVER, "signal_deliver" },
	{ OOMPROF_PROBE_OUT_OF_MEMORY, "out_of_memory" },
	{ OOMPROF_PROBE_SCHED_EXEC, "sched_process_exec" },
	{ OOMPROF_PROBE_SCHED_EXIT, "sched_process_exit" },
};

static unsigned long long stat_value(const struct oomprof_stats *st, size_t i)
{
	const char *p = (const char *)st + module_stats[i].off;
	__u32 v32;
	__u64 v64;

	if (module_stats[i].size == sizeof(v32)) {
		memcpy(&v32, p, sizeof(v32));
		return v32;
	}
	memcpy(&v64, p, sizeof(v64));
	return v64;
}

static void kill_sample(struct sbuf *b, char *const v[METRICS_NLABELS],
			unsigned long long n)
{
	int i;

	sbuf_printf(b, "oomprof_oom_kills_total{");
	for (i = 0; i < METRICS_NLABELS; i++) {
		sbuf_printf(b, "%s%s=\"", i ? "," : "", label_names[i]);
		metrics_escape_label(b, v[i]);
		sbuf_printf(b, "\"");
	}
	sbuf_printf(b, "} %llu\n", n);
}

void metrics_format(struct metrics *m, struct sbuf *b)
{
	/* enum oomprof_capture_stop, as label values (record.c: for people) */
	static const char *const fail_names[METRICS_NREASONS] = {
		[OOMPROF_STOP_NONE] = "not_captured",
		[OOMPROF_STOP_MAX_BUCKETS] = "max_buckets",
		[OOMPROF_STOP_BUFFER_FULL] = "buffer_full",
		[OOMPROF_STOP_TIMEOUT] = "timeout",
		[OOMPROF_STOP_CYCLE] = "cycle",
		[OOMPROF_STOP_BAD_POINTER] = "bad_pointer",
		[OOMPROF_STOP_BAD_TYPE] = "bad_type",
		[OOMPROF_STOP_BAD_NSTK] = "bad_nstk",
		[OOMPROF_STOP_READ_FAULT] = "read_fault",
		[OOMPROF_STOP_NO_MM] = "no_mm",
		[OOMPROF_STOP_NO_BUFFER] = "no_buffer",
		[OOMPROF_STOP_EXEC] = "exec",
		[OOMPROF_STOP_EXITING] = "exiting",
		[OOMPROF_STOP_NOT_64BIT] = "not_64bit",
		[OOMPROF_STOP_IO_MAPPING] = "io_mapping",
		[OOMPROF_STOP_MM_BUSY] = "mm_busy",
		[OOMPROF_STOP_LEARNED_MISMATCH] = "learned_mismatch",
		[METRICS_STOP_OTHER] = "other_stop",
		[METRICS_FAIL_WRITE_IDX] = "write_failed",
	};
	char *other[METRICS_NLABELS];
	size_t i;

	family(b, "oomprof_oom_kills_total", "counter",
	       "OOM kills oomprof-read recorded since it started, by the OOM's cgroup (\"/\" for a global OOM), the victim's comm and the constraint. Past "
	       "the series limit, kills count in the series whose labels are all \"other\".");
	for (i = 0; i < m->nseries; i++)
		kill_sample(b, m->order[i]->v, m->order[i]->kills);
	if (m->folded) {
		for (i = 0; i < METRICS_NLABELS; i++)
			other[i] = OTHER;
		kill_sample(b, other, m->folded);
	}
	sample(b, "oomprof_oom_kill_series", "gauge",
	       "Distinct label sets of oomprof_oom_kills_total kept (at most oomprof_oom_kill_series_limit; the rest count as \"other\").",
	       m->nseries);
	sample(b, "oomprof_oom_kill_series_limit", "gauge",
	       "The most label sets of oomprof_oom_kills_total kept.",
	       m->max_series);
	family(b, "oomprof_profiles_written_total", "counter",
	       "Go heap profiles written, by whether the capture was complete or cut short.");
	sbuf_printf(b, "oomprof_profiles_written_total{capture=\"complete\"} %llu\n",
		    m->profiles_complete);
	sbuf_printf(b, "oomprof_profiles_written_total{capture=\"partial\"} %llu\n",
		    m->profiles_partial);
	family(b, "oomprof_profiles_failed_total", "counter",
	       "Go victims without a heap profile: why the module made no capture (its capture stop: no_buffer, exiting, no_mm, ...), or write_failed: captured, the profile could not be written.");
	for (i = 0; i < METRICS_NREASONS; i++)
		sbuf_printf(b, "oomprof_profiles_failed_total{reason=\"%s\"} %llu\n",
			    fail_names[i], m->profiles_failed[i]);
	sample(b, "oomprof_records_lost_total", "counter",
	       "Records the module reported lost in the stream oomprof-read read (buffer full, no kill slot), since it started.",
	       m->records_lost);
	sample(b, "oomprof_metrics_write_errors_total", "counter",
	       "Rewrites of this file that failed (the counts were kept and written later).",
	       m->write_errors);
	sample(b, "oomprof_module_up", "gauge",
	       "1 if the module answered OOMPROF_IOC_GET_STATS at this rewrite; its oomprof_module_* metrics are present only then.",
	       (unsigned long long)m->have_stats);
	if (!m->have_stats)
		return;
	for (i = 0; i < sizeof(module_stats) / sizeof(module_stats[0]); i++)
		sample(b, module_stats[i].name, module_stats[i].type,
		       module_stats[i].help, stat_value(&m->st, i));
	family(b, "oomprof_module_probe_attached", "gauge",
	       "1 if the module is attached to this probe on this kernel.");
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		sbuf_printf(b, "oomprof_module_probe_attached{probe=\"%s\"} %d\n",
			    probes[i].name, !!(m->st.probes & probes[i].bit));
}

/* A failure of @step: said once per (step, errno), then quiet. */
static int failed(struct metrics *m, const char *step, int err)
{
	if (m->err != err || m->err_step != step)
		fprintf(stderr, "oomprof-read: --metrics %s/%s: %s: %s — the counts are kept in memory and the file is rewritten each second until it works%s\n",
			esc(m->dir), esc(m->name), step, strerror(err),
			err == ENOSPC || err == EDQUOT || err == EFBIG ?
			"; free space there" : "");
	m->err = err;
	m->err_step = step;
	m->write_errors++;
	return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int metrics_write(struct metrics *m, const struct oomprof_stats *st,
		  time_t now)
{
	struct sbuf b = { 0 };
	int fd, err, retried = 0;
	const char *step;

	if (!m->on)
		return 0;
	m->last_write = now;
	m->have_stats = !!st;
	if (st)
		m->st = *st;
	metrics_format(m, &b);
	if (b.failed) {
		sbuf_free(&b);
		return failed(m, "formatting", ENOMEM);
	}
again:
	step = "creating its temporary file";
	fd = openat(m->dirfd, m->tmpname,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST && !retried) {
		/* Left by a write cut short (the directory is root's only). */
		retried = 1;
		if (!unlinkat(m->dirfd, m->tmpname, 0))
			goto again;
	}
	if (fd < 0)
		goto fail;
	step = "writing";
	/* node_exporter, another user, reads it; umask must not hide it. */
	if (fchmod(fd, 0644) || write_all(fd, b.p, b.len))
		goto fail_fd;
	step = "syncing";
	if (fsync(fd))
		goto fail_fd;
	step = "closing";
	if (close(fd)) {
		fd = -1;
		goto fail_unlink;
	}
	fd = -1;
	step = "renaming its temporary file over it";
	if (renameat(m->dirfd, m->tmpname, m->dirfd, m->name))
		goto fail_unlink;
	/* The rename itself is durable once the directory is. */
	fsync(m->dirfd);
	sbuf_free(&b);
	if (m->err)
		fprintf(stderr, "oomprof-read: --metrics %s/%s: written again (%s had failed: %s); no count was lost\n",
			esc(m->dir), esc(m->name), m->err_step,
			strerror(m->err));
	m->err = 0;
	m->err_step = NULL;
	m->dirty = 0;
	m->writes++;
	return 0;
fail_fd:
	err = errno;
	close(fd);
	errno = err;
fail_unlink:
	err = errno;
	unlinkat(m->dirfd, m->tmpname, 0);
	errno = err;
fail:
	err = errno;
	sbuf_free(&b);
	return failed(m, step, err);
}

void metrics_close(struct metrics *m)
{
	if (m->on)
		metrics_release(m);
}
