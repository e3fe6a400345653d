// SPDX-License-Identifier: GPL-2.0
#include "show.h"
#include "esc.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"

size_t show_max_gz = SHOW_MAX_GZ, show_max_raw = SHOW_MAX_RAW;

/* ---- reading events.jsonl ------------------------------------------ */

struct lines {
	FILE *f;
	char *buf;		/* JSON_MAX_INPUT + 1 */
	size_t len;
	off_t off;		/* of the next line */
	off_t line_off;		/* of the line in buf */
	unsigned long long lineno;
};

/* The next line: 1, 2 if it was too long (skipped to its end), 0 at EOF. */
static int next_line(struct lines *l)
{
	int c, too_long = 0;

	l->len = 0;
	l->line_off = l->off;
	c = getc_unlocked(l->f);
	if (c == EOF)
		return 0;
	l->lineno++;
	for (; c != EOF && c != '\n'; c = getc_unlocked(l->f)) {
		l->off++;
		if (l->len < JSON_MAX_INPUT)
			l->buf[l->len++] = (char)c;
		else
			too_long = 1;
	}
	if (c == '\n')
		l->off++;
	l->buf[l->len] = '\0';
	return too_long ? 2 : 1;
}

struct kill_ref {
	off_t off;		/* its line */
	off_t prof_off;		/* its "profile" line, -1: none */
	unsigned long long seq, tgid, lineno;
	int pending;
};

struct scan {
	struct kill_ref *k;
	size_t n, cap;
	unsigned long long kills_all;	/* every oom_kill line */
	unsigned long long lost;	/* records "lost" lines count */
	unsigned long long bad;		/* lines skipped */
};

static void note_bad(struct scan *s, FILE *err, unsigned long long lineno,
		     const char *why)
{
	if (++s->bad <= SHOW_MAX_NOTES)
		fprintf(err, "oomprof-read: --show: line %llu skipped: %s\n",
			lineno, esc(why));
}

/* A "profile" line: the pending kill it ends (latest of that seq/tgid). */
static void match_profile(struct scan *s, const struct json_val *root,
			  off_t off)
{
	unsigned long long seq, tgid;
	size_t i, looked = 0;

	if (json_u64(json_get(root, "seq"), &seq) ||
	    json_u64(json_get(root, "tgid"), &tgid))
		return;
	/* At most 4 are written at a time: a short look back is enough. */
	for (i = s->n; i-- > 0 && looked < 256; looked++) {
		struct kill_ref *k = &s->k[i];

		if (k->pending && k->prof_off < 0 && k->seq == seq &&
		    k->tgid == tgid) {
			k->prof_off = off;
			return;
		}
	}
}

static int wanted(const struct show_opts *o, const struct json_val *root)
{
	unsigned long long pid, tgid;

	if (o->pid < 0)
		return 1;
	return (!json_u64(json_get(root, "tgid"), &tgid) &&
		tgid == (unsigned long long)o->pid) ||
	       (!json_u64(json_get(root, "pid"), &pid) &&
		pid == (unsigned long long)o->pid);
}

static int scan_file(const struct show_opts *o, struct lines *l,
		     struct scan *s, FILE *err)
{
	char why[128];
	int rc;

	while ((rc = next_line(l))) {
		struct json_doc d;
		const struct json_val *root;
		const char *type;

		if (rc == 2) {
			note_bad(s, err, l->lineno, "longer than 1 MiB");
			continue;
		}
		if (!l->len)
			continue;
		if (json_parse(&d, l->buf, l->len, why, sizeof(why))) {
			json_free(&d);
			note_bad(s, err, l->lineno, why);
			continue;
		}
		root = json_root(&d);
		type = json_str(json_get(root, "type"));
		if (!type) {
			note_bad(s, err, l->lineno, "not an object with a \"type\"");
		} else if (!strcmp(type, "oom_kill")) {
			s->kills_all++;
			if (wanted(o, root)) {
				struct kill_ref *k;

				if (s->n == s->cap) {
					size_t cap = s->cap ? 2 * s->cap : 64;

					k = realloc(s->k, cap * sizeof(*k));
					if (!k) {
						json_free(&d);
						fprintf(err, "oomprof-read: --show: out of memory\n");
						return -1;
					}
					s->k = k;
					s->cap = cap;
				}
				k = &s->k[s->n++];
				memset(k, 0, sizeof(*k));
				k->off = l->line_off;
				k->prof_off = -1;
				k->lineno = l->lineno;
				json_u64(json_get(root, "seq"), &k->seq);
				json_u64(json_get(root, "tgid"), &k->tgid);
				k->pending = json_true(json_get(root, "profile_pending"));
			}
		} else if (!strcmp(type, "profile")) {
			match_profile(s, root, l->line_off);
		} else if (!strcmp(type, "lost")) {
			unsigned long long n;

			if (!json_u64(json_get(root, "dropped"), &n))
				s->lost += n;
		}
		json_free(&d);
	}
	if (ferror(l->f)) {
		fprintf(err, "oomprof-read: --show: reading stopped: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* The line at @off, parsed. 0, or -1 (said). */
static int reread(struct lines *l, off_t off, struct json_doc *d, FILE *err)
{
	char why[128];

	if (fseeko(l->f, off, SEEK_SET)) {
		fprintf(err, "oomprof-read: --show: cannot seek: %s\n", strerror(errno));
		return -1;
	}
	l->off = off;
	if (next_line(l) != 1 || json_parse(d, l->buf, l->len, why, sizeof(why))) {
		json_free(d);
		fprintf(err, "oomprof-read: --show: the file changed while read (a line at byte %lld no longer parses)\n",
			(long long)off);
		return -1;
	}
	return 0;
}

/* ---- formatting ---------------------------------------------------- */

/* @v bytes for people: "812 B", "64.0 KiB", "2.93 GiB". */
static const char *iec(char *buf, size_t len, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int i = 0;

	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f B", v);
	else
		snprintf(buf, len, v < 10 ? "%.2f %s" : "%.1f %s", v, unit[i]);
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/*
 * One value for people: strings escaped, numbers as written, those whose
 * key says bytes or kB in binary units too.
 */
static void fmt_value(char *buf, size_t len, const char *key,
		      const struct json_val *v)
{
	unsigned long long n;
	char h[32];

	switch (v->type) {
	case JSON_NULL:
		snprintf(buf, len, "-");
		break;
	case JSON_BOOL:
		snprintf(buf, len, "%s", v->b ? "yes" : "no");
		break;
	case JSON_STRING:
		esc_into(buf, len, v->str);
		break;
	case JSON_NUMBER:
		if (key && !json_u64(v, &n) &&
		    (ends_with(key, "_bytes") || ends_with(key, "_kb")))
			snprintf(buf, len, "%s", iec(h, sizeof(h),
				 (double)n * (ends_with(key, "_kb") ? 1024 : 1)));
		else
			snprintf(buf, len, "%s", v->str);	/* JSON grammar: safe */
		break;
	case JSON_ARRAY:
		snprintf(buf, len, "[%u]", v->n);
		break;
	case JSON_OBJECT:
		snprintf(buf, len, "{%u}", v->n);
		break;
	}
}

/*
 * ---- the OOM domain and the ranked tasks ------------------------------
 * The kill line's "oom_domain" (the memcg at its limit and the machine's
 * memory at the kill) and "tasks" (the domain's processes ranked by the
 * OOM killer's badness), as user/events.c writes them.
 */
#define EVENTS_MAX 16	/* memory.events counters shown */

/* @key of @obj in binary units; @if_null for null (no limit), "?" if absent. */
static const char *bytes_of(char *buf, size_t len, const struct json_val *obj,
			    const char *key, const char *if_null)
{
	const struct json_val *v = obj ? json_get(obj, key) : NULL;
	unsigned long long n;

	if (v && json_is_null(v))
		snprintf(buf, len, "%s", if_null);
	else if (!v || json_u64(v, &n))
		snprintf(buf, len, "?");
	else
		iec(buf, len, (double)n);
	return buf;
}

/* A whole number of @obj as written (JSON's grammar: safe to print), or "?". */
static const char *num_of(const struct json_val *obj, const char *key)
{
	const struct json_val *v = obj ? json_get(obj, key) : NULL;

	return v && v->type == JSON_NUMBER ? v->str : "?";
}

static void show_domain(FILE *out, const struct json_val *dom)
{
	const struct json_val *m, *sys, *ev, *c;
	char a[32], b[32], c1[32], d[32], e[32], f[32], key[64];
	unsigned int n = 0;

	if (!dom || dom->type != JSON_OBJECT)
		return;
	m = json_get(dom, "memcg");
	if (m && m->type == JSON_OBJECT) {
		fprintf(out, "  %-12sin use %s of max %s (high %s), peak %s; swap %s of max %s\n",
			"memcg", bytes_of(a, sizeof(a), m, "usage_bytes", "?"),
			bytes_of(b, sizeof(b), m, "max_bytes", "none"),
			bytes_of(c1, sizeof(c1), m, "high_bytes", "none"),
			bytes_of(d, sizeof(d), m, "peak_bytes", "unknown"),
			bytes_of(e, sizeof(e), m, "swap_bytes", "unknown"),
			bytes_of(f, sizeof(f), m, "swap_max_bytes", "none"));
		ev = json_get(m, "events");
		if (ev && ev->type == JSON_OBJECT && ev->n) {
			fprintf(out, "  %-12s", "events");
			for (c = json_first(ev); c && n < EVENTS_MAX;
			     c = json_next(c), n++) {
				fmt_value(a, sizeof(a), NULL, c);
				fprintf(out, "%s%s %s", n ? ", " : "",
					esc_into(key, sizeof(key), c->key), a);
			}
			fprintf(out, "\n");
		}
	}
	sys = json_get(dom, "system");
	if (sys && sys->type == JSON_OBJECT)
		fprintf(out, "  %-12sRAM %s free, %s available, of %s; swap %s free of %s\n",
			"machine", bytes_of(a, sizeof(a), sys, "ram_free_bytes", "?"),
			bytes_of(b, sizeof(b), sys, "ram_available_bytes", "?"),
			bytes_of(c1, sizeof(c1), sys, "ram_total_bytes", "?"),
			bytes_of(d, sizeof(d), sys, "swap_free_bytes", "?"),
			bytes_of(e, sizeof(e), sys, "swap_total_bytes", "unknown"));
}

/* The sum of the *_rss_kb of task @t, in bytes; -1 if one is missing. */
static double rss_of(const struct json_val *t)
{
	static const char *const keys[] = {
		"anon_rss_kb", "file_rss_kb", "shmem_rss_kb",
	};
	unsigned long long n;
	double sum = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct json_val *v = json_get(t, keys[i]);

		if (!v || json_u64(v, &n))
			return -1;
		sum += (double)n * 1024;
	}
	return sum;
}

/* A kB value of task @t in binary units, "?" if missing. */
static const char *kb_of(char *buf, size_t len, const struct json_val *t,
			 const char *key)
{
	const struct json_val *v = json_get(t, key);
	unsigned long long n;

	if (!v || json_u64(v, &n))
		snprintf(buf, len, "?");
	else
		iec(buf, len, (double)n * 1024);
	return buf;
}

static void show_tasks(FILE *out, const struct json_val *k, unsigned int rows)
{
	const struct json_val *tasks = json_get(k, "tasks"), *t, *tr, *v;
	char rss[32], anon[32], file[32], shmem[32], swap[32], pgt[32];
	char comm[ESC_MAX], bad[32];
	unsigned long long walk_ns = 0;
	unsigned int r;

	if (!tasks || tasks->type != JSON_ARRAY)
		return;
	tr = json_get(k, "tasks_truncated");
	v = json_get(k, "tasks_walk_ns");
	if (v)
		json_u64(v, &walk_ns);
	fprintf(out, "  %-12s%u of the OOM domain's processes by the OOM killer's badness (%s walked in %.1f ms%s):\n",
		"ranked", tasks->n, num_of(k, "tasks_walked"),
		(double)walk_ns / 1e6,
		tr && tr->type == JSON_BOOL && tr->b ? ", cut short" : "");
	if (!tasks->n)
		return;
	fprintf(out, "    %7s %-16s %6s %5s %10s %10s %10s %10s %10s %10s %10s\n",
		"pid", "comm", "uid", "adj", "rss", "anon", "file", "shmem",
		"swap", "pgtables", "badness");
	for (t = json_first(tasks), r = 0; t && r < rows; t = json_next(t), r++) {
		const struct json_val *b = json_get(t, "badness");
		const struct json_val *vic = json_get(t, "victim");
		double sum = rss_of(t);

		if (sum >= 0)
			iec(rss, sizeof(rss), sum);
		else
			snprintf(rss, sizeof(rss), "?");
		if (b && json_is_null(b))
			snprintf(bad, sizeof(bad), "unkillable");
		else
			snprintf(bad, sizeof(bad), "%s", num_of(t, "badness"));
		v = json_get(t, "comm");
		esc_into(comm, sizeof(comm), v && v->type == JSON_STRING ? v->str : "?");
		fprintf(out, "    %7s %-16s %6s %5s %10s %10s %10s %10s %10s %10s %10s%s\n",
			num_of(t, "pid"), comm, num_of(t, "uid"),
			num_of(t, "oom_score_adj"), rss,
			kb_of(anon, sizeof(anon), t, "anon_rss_kb"),
			kb_of(file, sizeof(file), t, "file_rss_kb"),
			kb_of(shmem, sizeof(shmem), t, "shmem_rss_kb"),
			kb_of(swap, sizeof(swap), t, "swap_kb"),
			kb_of(pgt, sizeof(pgt), t, "pgtables_kb"), bad,
			vic && vic->type == JSON_BOOL && vic->b ? "  <- killed" : "");
	}
	if (tasks->n > rows)
		fprintf(out, "    ... %u more\n", tasks->n - rows);
}

/* ---- the profile's top allocation sites ------------------------------ */

/* measurement.Scale(v, "bytes", "minimum"): the largest unit v fills. */
static int auto_pow(long long v)
{
	double x = (double)(v < 0 ? -v : v);
	int i = 0;

	while (i < 5 && x / 1024 >= 1.0) {
		x /= 1024;
		i++;
	}
	return i;
}

void show_pprof_label(char *buf, size_t len, long long v, const char *unit,
		      int pow)
{
	static const char *const u[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double x = (double)(v < 0 ? -v : v);
	int i;

	if (!unit || strcmp(unit, "bytes")) {
		snprintf(buf, len, "%lld", v);
		return;
	}
	if (pow < 0 || pow > 5)
		pow = auto_pow(v);
	for (i = 0; i < pow; i++)
		x /= 1024;
	snprintf(buf, len, "%.2f", v < 0 ? -x : x);
	if (!strcmp(buf, "0.00") || !strcmp(buf, "-0.00")) {
		snprintf(buf, len, "0");
		return;
	}
	if (ends_with(buf, ".00"))
		buf[strlen(buf) - 3] = '\0';
	snprintf(buf + strlen(buf), len - strlen(buf), "%s", u[i]);
}

/* pprof's measurement.Percentage. */
static void pct(char *buf, size_t len, long long v, long long total)
{
	double r = total ? (double)(v < 0 ? -v : v) / (double)total * 100 : 0;

	if (r >= 99.95 && r <= 100.05)
		snprintf(buf, len, "  100%%");
	else if (r >= 1.0)
		snprintf(buf, len, "%5.2f%%", r);
	else
		snprintf(buf, len, "%5.2g%%", r);
}

struct id_idx {
	uint64_t id;
	size_t idx;
};

static int cmp_id(const void *a, const void *b)
{
	const struct id_idx *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static long find_id(const struct id_idx *t, size_t n, uint64_t id)
{
	struct id_idx key = { .id = id };
	const struct id_idx *hit = bsearch(&key, t, n, sizeof(*t), cmp_id);

	return hit ? (long)hit->idx : -1;
}

struct node {
	const char *name;
	uint64_t addr;		/* a location without lines: its address */
	long long flat, cum;
	size_t stamp;		/* last sample counted in cum, +1 */
	unsigned int kept;	/* rank in the top sites, +1; 0: not shown */
};

/* The node of line @k of location @li (its address's for none), or NULL. */
static struct node *line_node(const Perftools__Profiles__Location *loc,
			      size_t k, long li, const struct id_idx *fns,
			      size_t nfns, const size_t *fn_node,
			      const size_t *loc_node, struct node *nodes)
{
	long fi;

	if (!loc->n_line)
		return loc_node[li] == (size_t)-1 ? NULL : &nodes[loc_node[li]];
	fi = find_id(fns, nfns, loc->line[k]->function_id);
	return fi < 0 ? NULL : &nodes[fn_node[fi]];
}

/*
 * pprof's "(inline)" mark: a shown node all of whose callers among the
 * shown nodes reach it inlined (from the same location: not its last
 * line), "(partial-inline)" when only some do. pprof's graph.newGraph
 * walks each sample root first over the kept nodes, once per edge.
 */
static void mark_inline(const Perftools__Profiles__Profile *p, size_t si,
			const struct id_idx *locs, const struct id_idx *fns,
			const size_t *fn_node, const size_t *loc_node,
			struct node *nodes, struct show_top *t)
{
	enum { NONE, INL, NOINL };
	unsigned char edge[SHOW_TOP_N][SHOW_TOP_N] = { { 0 } };
	size_t seen[SHOW_TOP_N][SHOW_TOP_N] = { { 0 } };
	size_t i, j, k, c, q;

	for (i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		int parent = -1;

		if (s->n_value <= si || !s->value[si])
			continue;
		for (j = s->n_location_id; j-- > 0;) {
			long li = find_id(locs, p->n_location, s->location_id[j]);
			const Perftools__Profiles__Location *loc;
			size_t nl;

			if (li < 0)
				continue;
			loc = p->location[li];
			nl = loc->n_line ? loc->n_line : 1;
			for (k = nl; k-- > 0;) {
				struct node *n = line_node(loc, k, li, fns,
							   p->n_function,
							   fn_node, loc_node,
							   nodes);
				int me;

				if (!n || !n->kept)
					continue;
				me = (int)n->kept - 1;
				if (parent >= 0 && parent != me &&
				    seen[parent][me] != i + 1) {
					int inl = k != nl - 1;

					seen[parent][me] = i + 1;
					if (edge[parent][me] == NONE)
						edge[parent][me] = inl ? INL : NOINL;
					else if (!inl)
						edge[parent][me] = NOINL;
				}
				parent = me;
			}
		}
	}
	for (c = 0; c < t->nsites; c++) {
		int inl = 0, noinl = 0;

		for (q = 0; q < t->nsites; q++) {
			inl |= edge[q][c] == INL;
			noinl |= edge[q][c] == NOINL;
		}
		t->site[c].inline_label = !inl ? "" : noinl ? "(partial-inline)" :
					  "(inline)";
	}
}

struct name_idx {
	const char *name;
	size_t fn;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name_idx *)a)->name,
		      ((const struct name_idx *)b)->name);
}

static const char *printable(const struct node *n, char *buf, size_t len)
{
	if (n->name)
		return n->name;
	snprintf(buf, len, "%016llx", (unsigned long long)n->addr);
	return buf;
}

/* pprof's FlatNameOrder: flat, then name, then cum. */
static int cmp_node(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a;
	const struct node *y = *(const struct node *const *)b;
	long long fx = llabs(x->flat), fy = llabs(y->flat);
	char bx[24], by[24];
	int c;

	if (fx != fy)
		return fx > fy ? -1 : 1;
	c = strcmp(printable(x, bx, sizeof(bx)), printable(y, by, sizeof(by)));
	if (c)
		return c;
	if (llabs(x->cum) != llabs(y->cum))
		return llabs(x->cum) > llabs(y->cum) ? -1 : 1;
	return 0;
}

/*
 * pprof's selectOutputUnit: one unit for the whole table, that of the
 * smallest shown value (flat, else cum), or of 100 times it when the
 * total needs a larger unit and is over 100 times as large.
 */
static int output_unit(const struct show_top *t)
{
	long long min = 0, v;
	size_t i;
	int lo, hi;

	for (i = 0; i < t->nsites; i++) {
		v = llabs(t->site[i].flat) ? llabs(t->site[i].flat) : llabs(t->site[i].cum);
		if (v > 0 && (!min || v < min))
			min = v;
	}
	if (!min)
		min = t->total;
	lo = auto_pow(min);
	hi = auto_pow(t->total);
	if (lo != hi && min * 100 < t->total)
		lo = auto_pow(100 * min);
	return lo;
}

static const char *pstr(const Perftools__Profiles__Profile *p, int64_t i)
{
	return i >= 0 && (size_t)i < p->n_string_table ? p->string_table[i] : "";
}

static int top_of(const Perftools__Profiles__Profile *p, struct show_top *t,
		  char *why, size_t whylen)
{
	struct id_idx *locs = NULL, *fns = NULL;
	struct name_idx *names = NULL;
	size_t *fn_node = NULL, *loc_node = NULL, nnodes = 0, i, j, k, si;
	struct node *nodes = NULL, **order = NULL;
	const char *dst;
	long long cutoff, sum = 0;
	int rc = -1;

	if (!p->n_sample_type) {
		snprintf(why, whylen, "the profile has no sample types");
		return -1;
	}
	/* profile.SampleIndexByName(""): default_sample_type, else the last. */
	si = p->n_sample_type - 1;
	dst = p->default_sample_type ? pstr(p, p->default_sample_type) : "";
	if (*dst)
		for (i = 0; i < p->n_sample_type; i++)
			if (!strcmp(pstr(p, p->sample_type[i]->type), dst)) {
				si = i;
				break;
			}
	t->sample_type = strdup(pstr(p, p->sample_type[si]->type));
	t->unit = strdup(pstr(p, p->sample_type[si]->unit));
	locs = calloc(p->n_location + 1, sizeof(*locs));
	fns = calloc(p->n_function + 1, sizeof(*fns));
	names = calloc(p->n_function + 1, sizeof(*names));
	fn_node = calloc(p->n_function + 1, sizeof(*fn_node));
	loc_node = calloc(p->n_location + 1, sizeof(*loc_node));
	nodes = calloc(p->n_function + p->n_location + 1, sizeof(*nodes));
	order = calloc(p->n_function + p->n_location + 1, sizeof(*order));
	if (!t->sample_type || !t->unit || !locs || !fns || !names ||
	    !fn_node || !loc_node || !nodes || !order) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (i = 0; i < p->n_location; i++)
		locs[i] = (struct id_idx){ p->location[i]->id, i };
	qsort(locs, p->n_location, sizeof(*locs), cmp_id);
	for (i = 0; i < p->n_function; i++) {
		fns[i] = (struct id_idx){ p->function[i]->id, i };
		names[i] = (struct name_idx){ pstr(p, p->function[i]->name), i };
	}
	qsort(fns, p->n_function, sizeof(*fns), cmp_id);
	/* Functions of one name are one node, as pprof's -top shows them. */
	qsort(names, p->n_function, sizeof(*names), cmp_name);
	for (i = 0; i < p->n_function; i++) {
		if (!i || strcmp(names[i].name, names[i - 1].name))
			nodes[nnodes++].name = names[i].name;
		fn_node[names[i].fn] = nnodes - 1;
	}
	for (i = 0; i < p->n_location; i++)
		loc_node[i] = (size_t)-1;
	for (i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		long long v;
		int leaf = 1;

		if (s->n_value <= si)
			continue;
		v = s->value[si];
		t->total += llabs(v);
		for (j = 0; j < s->n_location_id; j++) {
			long li = find_id(locs, p->n_location, s->location_id[j]);
			const Perftools__Profiles__Location *loc;

			if (li < 0)
				continue;
			loc = p->location[li];
			for (k = 0; k < loc->n_line || (!k && !loc->n_line); k++) {
				struct node *n;

				if (loc->n_line) {
					long fi = find_id(fns, p->n_function,
							  loc->line[k]->function_id);

					if (fi < 0)
						continue;
					n = &nodes[fn_node[fi]];
				} else {
					if (loc_node[li] == (size_t)-1) {
						loc_node[li] = nnodes;
						nodes[nnodes++].addr = loc->address;
					}
					n = &nodes[loc_node[li]];
				}
				if (leaf)
					n->flat += v;
				leaf = 0;
				if (n->stamp != i + 1) {
					n->stamp = i + 1;
					n->cum += v;
				}
			}
		}
	}
	/* pprof drops nodes whose cum is under 0.5% (-nodefraction). */
	for (i = 0; i < nnodes; i++)
		sum += nodes[i].flat;
	cutoff = llabs((long long)((double)sum * 0.005));
	for (i = j = 0; i < nnodes; i++) {
		if (!nodes[i].flat && !nodes[i].cum)
			continue;	/* in no sample: pprof has no node */
		t->nodes++;
		if (llabs(nodes[i].cum) < cutoff)
			t->dropped++;
		else
			order[j++] = &nodes[i];
	}
	qsort(order, j, sizeof(*order), cmp_node);
	for (i = 0; i < j && i < SHOW_TOP_N; i++) {
		char buf[24];

		t->site[i].name = strdup(printable(order[i], buf, sizeof(buf)));
		if (!t->site[i].name) {
			snprintf(why, whylen, "out of memory");
			goto out;
		}
		t->site[i].flat = order[i]->flat;
		t->site[i].cum = order[i]->cum;
		t->site[i].inline_label = "";
		order[i]->kept = (unsigned int)i + 1;
		t->nsites++;
	}
	mark_inline(p, si, locs, fns, fn_node, loc_node, nodes, t);
	t->unit_pow = output_unit(t);
	rc = 0;
out:
	free(locs);
	free(fns);
	free(names);
	free(fn_node);
	free(loc_node);
	free(nodes);
	free(order);
	return rc;
}

int show_top_decode(const unsigned char *raw, size_t len, struct show_top *t,
		    char *why, size_t whylen)
{
	Perftools__Profiles__Profile *p;
	int rc;

	memset(t, 0, sizeof(*t));
	p = perftools__profiles__profile__unpack(NULL, len, raw);
	if (!p) {
		snprintf(why, whylen, "not a pprof profile (protobuf does not decode)");
		return -1;
	}
	rc = top_of(p, t, why, whylen);
	perftools__profiles__profile__free_unpacked(p, NULL);
	if (rc)
		show_top_free(t);
	return rc;
}

void show_top_free(struct show_top *t)
{
	size_t i;

	free(t->sample_type);
	free(t->unit);
	for (i = 0; i < t->nsites; i++)
		free(t->site[i].name);
	memset(t, 0, sizeof(*t));
}

/* All of a regular file, at most @cap bytes. */
static unsigned char *slurp(int fd, size_t cap, size_t *len, char *why,
			    size_t whylen)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		return NULL;
	}
	if ((unsigned long long)st.st_size > cap) {
		snprintf(why, whylen, "larger than %zu MiB", cap >> 20);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "read: %s", n ? strerror(errno) : "file shrank");
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	*len = got;
	return buf;
}

/* gunzip @gz, at most SHOW_MAX_RAW bytes out. */
static unsigned char *gunzip(const unsigned char *gz, size_t len,
			     size_t *outlen, char *why, size_t whylen)
{
	z_stream z;
	unsigned char *out = NULL, *grown;
	size_t cap = 0;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		snprintf(why, whylen, "zlib: cannot start");
		return NULL;
	}
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)len;
	while (rc != Z_STREAM_END) {
		if (z.total_out == cap) {
			if (cap >= show_max_raw) {
				snprintf(why, whylen, "more than %zu MiB uncompressed",
					 show_max_raw >> 20);
				goto fail;
			}
			cap = cap ? 2 * cap : 1 << 20;
			if (cap > show_max_raw)
				cap = show_max_raw;
			grown = realloc(out, cap);
			if (!grown) {
				snprintf(why, whylen, "out of memory");
				goto fail;
			}
			out = grown;
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			snprintf(why, whylen, "not gzip or cut short (%s)",
				 rc == Z_BUF_ERROR ? "truncated" : z.msg ? z.msg : "zlib error");
			goto fail;
		}
	}
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
fail:
	inflateEnd(&z);
	free(out);
	return NULL;
}

int show_profile_top(int dirfd, const char *name, struct show_top *t,
		     char *why, size_t whylen)
{
	unsigned char *gz, *raw;
	size_t gzlen = 0, rawlen = 0;
	int fd, rc;

	memset(t, 0, sizeof(*t));
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strchr(name, '/')) {
		snprintf(why, whylen, "not a file name in DIR");
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", errno == ELOOP ? "a symlink (not followed)" :
			 strerror(errno));
		return -1;
	}
	gz = slurp(fd, show_max_gz, &gzlen, why, whylen);
	close(fd);
	if (!gz)
		return -1;
	raw = gunzip(gz, gzlen, &rawlen, why, whylen);
	free(gz);
	if (!raw)
		return -1;
	rc = show_top_decode(raw, rawlen, t, why, whylen);
	free(raw);
	return rc;
}

/* ---- one kill ------------------------------------------------------ */

static const char *s_or(const struct json_val *v, const char *dflt)
{
	const char *s = json_str(v);

	return s ? esc(s) : dflt;
}

static void show_ident(FILE *out, const struct json_val *id)
{
	unsigned long long pid = 0, tgid = 0;

	json_u64(json_get(id, "pid"), &pid);
	json_u64(json_get(id, "tgid"), &tgid);
	fprintf(out, "%llu (%s)", pid, s_or(json_get(id, "comm"), "?"));
	if (tgid && tgid != pid)
		fprintf(out, " [thread of %llu]", tgid);
}

static void show_container(FILE *out, const struct json_val *c)
{
	const char *ns = json_str(json_get(c, "namespace"));
	const char *pod = json_str(json_get(c, "pod"));
	const char *name = json_str(json_get(c, "container"));
	const char *id = json_str(json_get(c, "id"));
	const char *uid = json_str(json_get(c, "pod_uid"));
	char idbuf[13];

	if (!c || c->type != JSON_OBJECT)
		return;
	fprintf(out, "  %-12s", "container");
	if (pod)
		fprintf(out, "pod %s/%s", ns ? esc(ns) : "?", esc(pod));
	else if (uid)
		fprintf(out, "pod uid %s", esc(uid));
	if (name)
		fprintf(out, "%scontainer %s", pod || uid ? ", " : "", esc(name));
	if (id) {
		/* Short ids, as docker and crictl print them. */
		snprintf(idbuf, sizeof(idbuf), "%s", id);
		fprintf(out, "%s%s %s", pod || uid || name ? ", " : "",
			s_or(json_get(c, "runtime"), "container"), esc(idbuf));
	}
	fprintf(out, " (%s driver", s_or(json_get(c, "driver"), "?"));
	if (json_str(json_get(c, "qos")))
		fprintf(out, ", qos %s", esc(json_str(json_get(c, "qos"))));
	if (pod && uid)
		fprintf(out, ", pod uid %s", esc(uid));
	if (json_true(json_get(c, "nested")))
		fprintf(out, ", in a cgroup below the container's");
	if (json_true(json_get(c, "truncated")))
		fprintf(out, ", path cut");
	fprintf(out, ")\n");
}

static void show_memory(FILE *out, const struct json_val *k)
{
	unsigned long long anon, file, shmem, pgt, vm;
	long long adj = 0;
	char a[32], b[32], c[32], d[32], e[32], f[32];

	json_i64(json_get(k, "oom_score_adj"), &adj);
	if (json_u64(json_get(k, "anon_rss_kb"), &anon) ||
	    json_u64(json_get(k, "file_rss_kb"), &file) ||
	    json_u64(json_get(k, "shmem_rss_kb"), &shmem) ||
	    json_u64(json_get(k, "pgtables_kb"), &pgt) ||
	    json_u64(json_get(k, "total_vm_kb"), &vm)) {
		fprintf(out, "  %-12snot read (the victim had no mm left); oom_score_adj %lld\n",
			"memory", adj);
		return;
	}
	fprintf(out, "  %-12sRSS %s = anon %s + file %s + shmem %s; page tables %s; virtual %s; oom_score_adj %lld\n",
		"memory", iec(a, sizeof(a), (double)(anon + file + shmem) * 1024),
		iec(b, sizeof(b), (double)anon * 1024),
		iec(c, sizeof(c), (double)file * 1024),
		iec(d, sizeof(d), (double)shmem * 1024),
		iec(e, sizeof(e), (double)pgt * 1024),
		iec(f, sizeof(f), (double)vm * 1024), adj);
}

static void show_go(FILE *out, const struct json_val *go)
{
	unsigned long long n, bytes = 0;
	long long after;
	const char *capture = json_str(json_get(go, "capture"));
	char h[32];

	if (!go || go->type != JSON_OBJECT)
		return;
	fprintf(out, "  %-12s", "go capture");
	if (!capture || !strcmp(capture, "none")) {
		fprintf(out, "none: %s\n", s_or(json_get(go, "stop"), "?"));
		return;
	}
	fprintf(out, "%s", esc(capture));
	if (strcmp(capture, "complete"))
		fprintf(out, " (stopped: %s)", s_or(json_get(go, "stop"), "?"));
	fprintf(out, ", %s path", s_or(json_get(go, "path"), "?"));
	if (json_true(json_get(go, "zero_filled")))
		fprintf(out, ", zero-filled pages seen");
	if (!json_u64(json_get(go, "buckets"), &n)) {
		json_u64(json_get(go, "bytes"), &bytes);
		fprintf(out, "; %llu buckets", n);
		if (!json_u64(json_get(go, "counted"), &n) && n)
			fprintf(out, " (%llu as counts of the learned list)", n);
		fprintf(out, ", %s copied", iec(h, sizeof(h), (double)bytes));
	}
	if (!json_u64(json_get(go, "capture_ns"), &n))
		fprintf(out, ", in %.3f ms", (double)n / 1e6);
	if (!json_i64(json_get(go, "capture_after_ns"), &after))
		fprintf(out, " starting %.3f ms after the kill", (double)after / 1e6);
	if (!json_u64(json_get(go, "mem_profile_rate"), &n))
		fprintf(out, "; MemProfileRate %llu", n);
	fprintf(out, "\n");
}

static void show_top(FILE *out, const struct show_top *t)
{
	char total[32], flat[32], cum[32], p1[16], p2[16], p3[16];
	long long sum = 0;
	size_t i;

	show_pprof_label(total, sizeof(total), t->total, t->unit, t->unit_pow);
	fprintf(out, "  top %zu allocation sites (%s, as go tool pprof -top shows them): %zu of %zu functions, total %s\n",
		t->nsites, esc(t->sample_type), t->nsites, t->nodes, total);
	fprintf(out, "    %10s %6s %6s %10s %6s\n", "flat", "flat%", "sum%", "cum", "cum%");
	for (i = 0; i < t->nsites; i++) {
		sum += t->site[i].flat;
		show_pprof_label(flat, sizeof(flat), t->site[i].flat, t->unit,
				 t->unit_pow);
		show_pprof_label(cum, sizeof(cum), t->site[i].cum, t->unit,
				 t->unit_pow);
		pct(p1, sizeof(p1), t->site[i].flat, t->total);
		pct(p2, sizeof(p2), sum, t->total);
		pct(p3, sizeof(p3), t->site[i].cum, t->total);
		fprintf(out, "    %10s %6s %6s %10s %6s  %s%s%s\n", flat, p1, p2,
			cum, p3, esc(t->site[i].name),
			*t->site[i].inline_label ? " " : "",
			t->site[i].inline_label);
	}
}

/*
 * A Go victim's runtime.ReadMemStats numbers at the kill ("go_memstats"),
 * or why there are none: what its RSS was made of, beside its profile.
 */
static void show_memstats(FILE *out, const struct json_val *k)
{
	static const char *const sizes[] = {
		"HeapInuse", "HeapIdle", "HeapReleased", "HeapAlloc",
		"StackInuse", "MSpanInuse", "GCSys", "OtherSys", "Sys",
		"NextGC",
	};
	const struct json_val *ms = json_get(k, "go_memstats");
	const char *err = json_str(json_get(k, "go_memstats_error"));
	unsigned long long v;
	const char *sep = "";
	char h[32];
	size_t i;

	if (!ms || ms->type != JSON_OBJECT) {
		if (err)
			fprintf(out, "  %-12snone: %s\n", "go memstats", esc(err));
		return;
	}
	fprintf(out, "  %-12s", "go memstats");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (json_u64(json_get(ms, sizes[i]), &v))
			continue;
		fprintf(out, "%s%s %s", sep, sizes[i],
			iec(h, sizeof(h), (double)v));
		sep = ", ";
	}
	if (!json_u64(json_get(ms, "NumGC"), &v))
		fprintf(out, "%sNumGC %llu", sep, v);
	fprintf(out, "\n");
}

/* The profile of a kill: from its line, or the "profile" line after it. */
static void show_profile(FILE *out, int dirfd, const struct json_val *kill,
			 const struct json_val *later)
{
	const struct json_val *src = later ? later : kill;
	const char *path = json_str(json_get(src, "profile"));
	const char *err = json_str(json_get(src, "profile_error"));
	const char *base, *dots;
	struct show_top t;
	char why[256];

	if (!path) {
		if (err)
			fprintf(out, "  %-12snone: %s\n", "profile", esc(err));
		return;
	}
	/* Written to a temporary name and renamed: whole if it is there. */
	fprintf(out, "  %-12s%s%s\n", "profile", esc(path),
		json_true(json_get(kill, "profile_pending")) && !later ?
		" (announced; no \"profile\" line yet: being written when the file was read)" : "");
	/* Only a file of DIR, by its name; never "..", never a symlink. */
	for (dots = strstr(path, ".."); dots; dots = strstr(dots + 1, ".."))
		if ((dots == path || dots[-1] == '/') &&
		    (dots[2] == '/' || !dots[2])) {
			fprintf(out, "  %-12snot read: the path has a \"..\" component\n", "");
			return;
		}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (show_profile_top(dirfd, base, &t, why, sizeof(why))) {
		fprintf(out, "  %-12snot read: %s in DIR: %s\n", "", esc(base), esc(why));
		return;
	}
	show_top(out, &t);
	show_top_free(&t);
}

/*
 * The kill line's "mappings" (the victim's memory by mapping): one line per
 * kind with its totals, then the largest mappings, as events.c writes them.
 */
static void show_maps(FILE *out, const struct json_val *m)
{
	const struct json_val *tot, *top, *c, *v;
	unsigned long long walk_ns = 0, after_ns = 0, count = 0;
	char a[32], b[32], d[32], kind[64], name[ESC_MAX];

	if (!m || m->type != JSON_OBJECT)
		return;
	json_u64(json_get(m, "walk_ns"), &walk_ns);
	json_u64(json_get(m, "walk_after_ns"), &after_ns);
	fprintf(out, "  %-12s%s walked %s in %.1f ms, %.1f ms after the kill (%s%s%s)\n",
		"mappings", num_of(m, "vmas"), s_or(json_get(m, "path"), "?"),
		(double)walk_ns / 1e6, (double)after_ns / 1e6,
		s_or(json_get(m, "walk"), "?"),
		json_true(json_get(m, "size_only")) ?
		", some counted by size only" : "",
		json_true(json_get(m, "names_truncated")) ?
		", some names cut" : "");
	tot = json_get(m, "totals");
	if (tot && tot->type == JSON_OBJECT) {
		for (c = json_first(tot); c; c = json_next(c)) {
			count = 0;
			json_u64(json_get(c, "count"), &count);
			fprintf(out, "    %-10s%s resident in %llu mapping%s of %s",
				esc_into(kind, sizeof(kind), c->key),
				bytes_of(a, sizeof(a), c, "resident_bytes", "?"),
				count, count == 1 ? "" : "s",
				bytes_of(b, sizeof(b), c, "size_bytes", "?"));
			v = json_get(c, "swap_bytes");
			if (v && !json_u64(v, &count) && count)
				fprintf(out, ", %s swapped",
					bytes_of(d, sizeof(d), c, "swap_bytes", "?"));
			fprintf(out, "\n");
		}
	}
	top = json_get(m, "top");
	if (!top || top->type != JSON_ARRAY || !top->n)
		return;
	fprintf(out, "    %-18s %10s %10s %10s %-8s %s\n", "start", "size",
		"resident", "swap", "kind", "name");
	for (c = json_first(top); c; c = json_next(c)) {
		v = json_get(c, "name");
		esc_into(name, sizeof(name), v && v->type == JSON_STRING ? v->str : "");
		/* As /proc/PID/maps names them. */
		v = json_get(c, "kind");
		if (!name[0] && json_str(v) && !strcmp(json_str(v), "heap"))
			snprintf(name, sizeof(name), "[heap]");
		if (!name[0] && json_str(v) && !strcmp(json_str(v), "stack"))
			snprintf(name, sizeof(name), "[stack]");
		fprintf(out, "    %-18s %10s %10s %10s %-8s %s%s\n",
			s_or(json_get(c, "start"), "?"),
			bytes_of(a, sizeof(a), c, "size_bytes", "?"),
			json_true(json_get(c, "size_only")) ? "?" :
			bytes_of(b, sizeof(b), c, "resident_bytes", "?"),
			json_true(json_get(c, "size_only")) ? "?" :
			bytes_of(d, sizeof(d), c, "swap_bytes", "?"),
			s_or(json_get(c, "kind"), "?"),
			json_true(json_get(c, "name_truncated")) ? "..." : "",
			name);
	}
}

static void show_kill(FILE *out, int dirfd, const struct json_val *k,
		      const struct json_val *later, size_t nth, size_t of)
{
	const struct json_val *p;
	unsigned long long u, pid = 0, tgid = 0, nspid = 0;
	const char *constraint = json_str(json_get(k, "constraint"));

	json_u64(json_get(k, "pid"), &pid);
	json_u64(json_get(k, "tgid"), &tgid);
	json_u64(json_get(k, "ns_pid"), &nspid);
	fprintf(out, "OOM kill %zu of %zu: %s", nth, of, s_or(json_get(k, "time"), "(no time)"));
	if (!json_u64(json_get(k, "seq"), &u))
		fprintf(out, " (record %llu)", u);
	fprintf(out, "\n  %-12spid %llu (%s)", "victim", tgid ? tgid : pid,
		s_or(json_get(k, "comm"), "?"));
	if (tgid && pid != tgid)
		fprintf(out, ", thread %llu", pid);
	if (!json_u64(json_get(k, "uid"), &u))
		fprintf(out, ", uid %llu", u);
	if (nspid && nspid != tgid)
		fprintf(out, ", pid %llu in its namespace", nspid);
	fprintf(out, "\n  %-12s%s%s\n", "cgroup", s_or(json_get(k, "cgroup"), "?"),
		json_true(json_get(k, "cgroup_truncated")) ? " (cut)" : "");
	show_container(out, json_get(k, "container"));
	fprintf(out, "  %-12s%s", "constraint", constraint ? esc(constraint) : "?");
	if (json_str(json_get(k, "oom_cgroup")))
		fprintf(out, ": OOM cgroup %s", esc(json_str(json_get(k, "oom_cgroup"))));
	if (!json_u64(json_get(k, "order"), &u))
		fprintf(out, " (allocation of order %llu, gfp %s)", u,
			s_or(json_get(k, "gfp_mask"), "?"));
	fprintf(out, "\n");
	show_memory(out, k);
	fprintf(out, "  %-12s", "trigger");
	show_ident(out, json_get(k, "trigger"));
	p = json_get(k, "parents");
	if (json_first(p)) {
		const struct json_val *e;

		fprintf(out, "\n  %-12s", "parents");
		for (e = json_first(p); e; e = json_next(e)) {
			show_ident(out, e);
			if (json_next(e))
				fprintf(out, " < ");
		}
		if (json_true(json_get(k, "parents_truncated")))
			fprintf(out, " < ...");
	}
	if (!json_u64(json_get(k, "sigkill_after_ns"), &u))
		fprintf(out, "\n  %-12staken %.3f ms after the kill\n", "SIGKILL",
			(double)u / 1e6);
	else
		fprintf(out, "\n  %-12snot seen (the victim may have been exiting already)\n",
			"SIGKILL");
	if (!json_u64(json_get(k, "dropped"), &u) && u)
		fprintf(out, "  %-12s%llu record(s) lost just before this one\n", "lost", u);
	show_domain(out, json_get(k, "oom_domain"));
	show_tasks(out, k, SHOW_TASK_ROWS);
	show_maps(out, json_get(k, "mappings"));
	show_go(out, json_get(k, "go"));
	show_memstats(out, k);
	show_profile(out, dirfd, k, later);
}

/* ---- the command --------------------------------------------------- */

int show_main(const struct show_opts *o, FILE *out, FILE *err)
{
	const char *path = o->path ? o->path : SHOW_DEFAULT_DIR;
	struct lines l = { 0 };
	struct scan s = { 0 };
	struct stat st;
	char *dir = NULL, *file = NULL, *slash;
	int dirfd = -1, fd, rc = 1;
	size_t first, i;

	if (stat(path, &st)) {
		fprintf(err, "oomprof-read: --show %s: %s (give oomprof-read's -d DIR or its events.jsonl)\n",
			esc(path), strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		dir = strdup(path);
		if (dir && asprintf(&file, "%s/events.jsonl", path) < 0)
			file = NULL;
	} else {
		file = strdup(path);
		dir = strdup(path);
		if (dir) {
			slash = strrchr(dir, '/');
			if (!slash)
				strcpy(dir, ".");
			else if (slash == dir)
				dir[1] = '\0';
			else
				*slash = '\0';
		}
	}
	l.buf = malloc(JSON_MAX_INPUT + 1);
	if (!dir || !file || !l.buf) {
		fprintf(err, "oomprof-read: --show: out of memory\n");
		goto out;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (dirfd < 0 || fd < 0) {
		fprintf(err, "oomprof-read: --show: cannot open %s: %s\n",
			esc(dirfd < 0 ? dir : file), strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(err, "oomprof-read: --show: %s is not a regular file\n", esc(file));
		close(fd);
		goto out;
	}
	l.f = fdopen(fd, "r");
	if (!l.f) {
		close(fd);
		fprintf(err, "oomprof-read: --show: %s\n", strerror(errno));
		goto out;
	}
	if (scan_file(o, &l, &s, err))
		goto out;
	if (s.bad > SHOW_MAX_NOTES)
		fprintf(err, "oomprof-read: --show: %llu more line(s) skipped\n",
			s.bad - SHOW_MAX_NOTES);
	first = o->last && s.n > o->last ? s.n - o->last : 0;
	fprintf(out, "%s: %llu OOM kill(s)", esc(file), s.kills_all);
	if (o->pid >= 0)
		fprintf(out, ", %zu of pid %lld", s.n, o->pid);
	if (s.lost)
		fprintf(out, ", %llu record(s) lost", s.lost);
	if (s.bad)
		fprintf(out, ", %llu line(s) unreadable", s.bad);
	if (s.n)
		fprintf(out, "; showing %s%zu\n", first ? "the last " : "", s.n - first);
	else
		fprintf(out, "; none to show\n");
	for (i = first; i < s.n; i++) {
		struct json_doc kd, pd;
		int have_p = 0;

		if (reread(&l, s.k[i].off, &kd, err))
			goto out;
		if (s.k[i].prof_off >= 0) {
			if (reread(&l, s.k[i].prof_off, &pd, err)) {
				json_free(&kd);
				goto out;
			}
			have_p = 1;
		}
		fprintf(out, "\n");
		show_kill(out, dirfd, json_root(&kd), have_p ? json_root(&pd) : NULL,
			  i + 1, s.n);
		json_free(&kd);
		if (have_p)
			json_free(&pd);
	}
	rc = 0;
out:
	if (l.f)
		fclose(l.f);
	if (dirfd >= 0)
		close(dirfd);
	free(l.buf);
	free(s.k);
	free(dir);
	free(file);
	return rc;
}
