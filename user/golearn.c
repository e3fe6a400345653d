// SPDX-License-Identifier: GPL-2.0
#include "golearn.h"
#include "golearn_priv.h"
#include "esc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Below the lowest non-canonical address of 5-level paging. */
#define USER_ADDR_MAX	(1ULL << 56)
#define HDR_BYTES	(OOMPROF_GO_BUCKET_HEADER_WORDS * 8)
#define MAX_STK		OOMPROF_GO_MAX_STACK
#define WINDOW		(256u << 10)
#define DEFAULT_MAX_BUCKETS 4000000u

struct gl_reg {
	uint64_t reg_id, mbuckets;
	pid_t pid;
	char comm[OOMPROF_COMM_LEN];
	uint64_t key[4];	/* its executable, for a shared trie */
	int keyed;
	int fd;			/* -1 once gone */
	struct golearn_state *st;
	/* A pass in progress: from the head down to stop_at. */
	int passing;
	uint64_t next, stop_at;
	/*
	 * The pass's buckets, in list order (newest first), are appended to
	 * st->b past st->nb until the pass commits. A loop is found with
	 * Brent's method (a saved address, compared with each new one, moved
	 * at powers of two): no memory, at most a few times the loop's
	 * length in steps.
	 */
	size_t nseg;
	uint64_t brent_saved;
	size_t brent_power, brent_lam;
	long long pass_start;	/* when the pass began */
	/*
	 * The process's private anonymous mappings as the pass found them in
	 * /proc/PID/maps (in address order): buckets are read only there.
	 */
	struct gl_range { uint64_t lo, hi; } *ranges;
	size_t nranges;
	int maps_reloaded;	/* once a pass, for a mapping made since */
	long long checked_ns;	/* last look at the head */
	int stopped;
	int said_big;		/* the last pass learned GOLEARN_LOG_MIN or more */
	char why[256];
	time_t gone_since;	/* 0: alive */
};

struct golearn {
	struct golearn_opts o;
	struct gl_reg *regs;
	size_t nregs, capregs, rr;
	size_t fds;
	_Atomic size_t used;
	int budget_hit, fds_said, tell_said;
	uint64_t k0, k1;
	struct gl_trie **tries;	/* by executable (key) */
	size_t ntries, captries;
	long long recheck_ns;	/* between two looks at a head pointer */
	/* The read window: @wlen bytes of @wfd at @wbase. */
	uint8_t *win;
	int wfd;
	uint64_t wbase;
	size_t wlen;
	unsigned long long buckets_read, preads, passes, tells;
};

/* ---- keyed hash: SipHash-1-3 of two words ---- */

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

/*
 * Keyed: the PCs and addresses are chosen by whoever owns the process, and
 * with a known hash they could all be put in one slot, making every insert
 * linear and a pass quadratic.
 */
static uint64_t hash2(uint64_t k0, uint64_t k1, uint64_t a, uint64_t b)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m[3] = { a, b, 16ULL << 56 };

	for (int i = 0; i < 3; i++) {
		v3 ^= m[i];
		SIPROUND;
		v0 ^= m[i];
	}
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void draw_key(uint64_t *k0, uint64_t *k1)
{
	uint64_t k[2] = { 0, 0 };

	/* Never block on the CRNG; AT_RANDOM is there from exec. */
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		const unsigned char *at = (const void *)getauxval(AT_RANDOM);
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		k[0] = (uint64_t)t.tv_nsec * 0x9e3779b97f4a7c15ULL;
		k[1] = (uint64_t)t.tv_sec ^ (uint64_t)getpid();
		if (at) {
			uint64_t a[2];

			memcpy(a, at, sizeof(a));
			k[0] ^= a[0];
			k[1] ^= a[1];
		}
	}
	*k0 = k[0];
	*k1 = k[1];
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---- memory accounting ---- */

/* Reserve @n bytes of the budget: 0, or -1 if it would go over. */
static int charge(struct golearn *g, size_t n)
{
	size_t cur = atomic_load(&g->used);

	do {
		if (cur + n < cur || cur + n > g->o.budget)
			return -1;
	} while (!atomic_compare_exchange_weak(&g->used, &cur, cur + n));
	return 0;
}

static void uncharge(_Atomic size_t *used, size_t n)
{
	atomic_fetch_sub(used, n);
}

/* Grow *@arr (elements of @sz) to hold @need, charging the difference. */
static int grow(struct golearn *g, void **arr, size_t *cap, size_t need,
		size_t sz, size_t *acct)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			return -1;
		ncap *= 2;
	}
	if (charge(g, (ncap - *cap) * sz))
		return -1;
	p = realloc(*arr, ncap * sz);
	if (!p) {
		uncharge(&g->used, (ncap - *cap) * sz);
		return -1;
	}
	if (acct)
		*acct += (ncap - *cap) * sz;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- the stack tries ---- */

static void trie_free(struct golearn *g, struct gl_trie *t)
{
	for (size_t i = 0; i < t->nretired; i++)
		free(t->retired[i]);
	free(t->retired);
	free(t->retired_bytes);
	free(t->nodes);
	free(t->wide);
	free(t->tab);
	uncharge(&g->used, t->bytes);
	free(t);
}

/* Retired arrays no taken state can still read: freed. */
static void trie_reap(struct golearn *g, struct gl_trie *t)
{
	if (!t->nretired || atomic_load(&t->readers))
		return;
	for (size_t i = 0; i < t->nretired; i++) {
		free(t->retired[i]);
		uncharge(&g->used, t->retired_bytes[i]);
		t->bytes -= t->retired_bytes[i];
	}
	t->nretired = 0;
}

/*
 * Grow a trie array read by taken states: realloc'd if none is held, else
 * copied, the old one retired until they are freed.
 */
static int trie_grow(struct golearn *g, struct gl_trie *t, void **arr,
		     size_t *cap, size_t need, size_t sz)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	void *p;

	trie_reap(g, t);
	if (need <= *cap)
		return 0;
	if (!atomic_load(&t->readers))
		return grow(g, arr, cap, need, sz, &t->bytes);
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / sz || charge(g, ncap * sz))
		return -1;
	if (t->nretired == t->capretired) {
		size_t c = t->capretired ? t->capretired * 2 : 8;
		void **r = realloc(t->retired, c * sizeof(*r));
		size_t *rb = r ? realloc(t->retired_bytes, c * sizeof(*rb)) :
				 NULL;

		if (r)
			t->retired = r;
		if (!rb) {
			uncharge(&g->used, ncap * sz);
			return -1;
		}
		t->retired_bytes = rb;
		t->capretired = c;
	}
	p = malloc(ncap * sz);
	if (!p) {
		uncharge(&g->used, ncap * sz);
		return -1;
	}
	memcpy(p, *arr, *cap * sz);
	t->retired[t->nretired] = *arr;
	t->retired_bytes[t->nretired++] = *cap * sz;
	t->bytes += ncap * sz;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int tab_resize(struct golearn *g, struct gl_trie *t, size_t cap)
{
	uint32_t *tab;

	if (charge(g, cap * sizeof(*tab)))
		return -1;
	tab = calloc(cap, sizeof(*tab));
	if (!tab) {
		uncharge(&g->used, cap * sizeof(*tab));
		return -1;
	}
	for (size_t i = 1; i < t->nnodes; i++) {
		const struct gl_node *n = &t->nodes[i];
		size_t h = hash2(g->k0, g->k1, gl_node_pc(t->pc_hi, t->wide, n),
				 gl_node_parent(n)) & (cap - 1);

		while (tab[h])
			h = (h + 1) & (cap - 1);
		tab[h] = (uint32_t)i;
	}
	uncharge(&g->used, t->tabcap * sizeof(*tab));
	t->bytes = t->bytes - t->tabcap * sizeof(*tab) + cap * sizeof(*tab);
	free(t->tab);
	t->tab = tab;
	t->tabcap = cap;
	return 0;
}

/* The node for @pc under @parent, made if new: its index, or 0 (memory). */
static uint32_t trie_child(struct golearn *g, struct gl_trie *t,
			   uint32_t parent, uint64_t pc)
{
	size_t h;

	if (!t->nnodes) {
		/* Node 0: the root. */
		if (trie_grow(g, t, (void **)&t->nodes, &t->capn, 1,
			      sizeof(*t->nodes)))
			return 0;
		t->nodes[0] = (struct gl_node){ 0 };
		t->nnodes = 1;
	}
	if ((t->nnodes + 1) * 2 > t->tabcap &&
	    tab_resize(g, t, t->tabcap ? t->tabcap * 2 : 1024))
		return 0;
	h = hash2(g->k0, g->k1, pc, parent) & (t->tabcap - 1);
	while (t->tab[h]) {
		const struct gl_node *n = &t->nodes[t->tab[h]];

		if (gl_node_parent(n) == parent &&
		    gl_node_pc(t->pc_hi, t->wide, n) == pc)
			return t->tab[h];
		h = (h + 1) & (t->tabcap - 1);
	}
	if (t->nnodes >= GL_WIDE ||
	    trie_grow(g, t, (void **)&t->nodes, &t->capn, t->nnodes + 1,
		      sizeof(*t->nodes)))
		return 0;
	if (!t->pc_hi_set) {
		t->pc_hi = pc >> 32;
		t->pc_hi_set = 1;
	}
	if (pc >> 32 == t->pc_hi) {
		t->nodes[t->nnodes] = (struct gl_node){
			.lo = (uint32_t)pc, .parent = parent,
		};
	} else {
		if (trie_grow(g, t, (void **)&t->wide, &t->capwide,
			      t->nwide + 1, sizeof(*t->wide)))
			return 0;
		t->wide[t->nwide] = pc;
		t->nodes[t->nnodes] = (struct gl_node){
			.lo = (uint32_t)t->nwide++, .parent = parent | GL_WIDE,
		};
	}
	t->tab[h] = (uint32_t)t->nnodes;
	return (uint32_t)t->nnodes++;
}

/* The trie for @key (NULL: a trie of its own), made if new; a reference. */
static struct gl_trie *trie_get(struct golearn *g, const uint64_t *key)
{
	struct gl_trie *t;

	for (size_t i = 0; key && i < g->ntries; i++) {
		t = g->tries[i];
		if (t->keyed && !memcmp(t->key, key, sizeof(t->key))) {
			atomic_fetch_add(&t->refs, 1);
			return t;
		}
	}
	if (g->ntries == g->captries) {
		size_t c = g->captries ? g->captries * 2 : 16;
		struct gl_trie **n = realloc(g->tries, c * sizeof(*n));

		if (!n)
			return NULL;
		g->tries = n;
		g->captries = c;
	}
	if (charge(g, sizeof(*t)))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		uncharge(&g->used, sizeof(*t));
		return NULL;
	}
	t->bytes = sizeof(*t);
	if (key) {
		memcpy(t->key, key, sizeof(t->key));
		t->keyed = 1;
	}
	atomic_store(&t->refs, 2);	/* the list's and the caller's */
	g->tries[g->ntries++] = t;
	return t;
}

/* Tries no state uses any more (only the list's reference): freed. */
static void tries_expire(struct golearn *g)
{
	for (size_t i = 0; i < g->ntries;) {
		struct gl_trie *t = g->tries[i];

		trie_reap(g, t);
		if (atomic_load(&t->refs) == 1) {
			trie_free(g, t);
			g->tries[i] = g->tries[--g->ntries];
		} else {
			i++;
		}
	}
}

static struct golearn_state *state_new(struct golearn *g, const uint64_t *key)
{
	struct golearn_state *s;

	if (charge(g, sizeof(*s)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		uncharge(&g->used, sizeof(*s));
		return NULL;
	}
	s->bytes = sizeof(*s);
	s->used = &g->used;
	s->trie = trie_get(g, key);
	if (!s->trie) {
		uncharge(&g->used, sizeof(*s));
		free(s);
		return NULL;
	}
	return s;
}

/* Any thread; the trie itself is freed by the learner (tries_expire). */
void golearn_state_free(struct golearn_state *s)
{
	if (!s)
		return;
	if (s->taken)
		atomic_fetch_sub(&s->trie->readers, 1);
	atomic_fetch_sub(&s->trie->refs, 1);
	uncharge(s->used, s->bytes);
	free(s->b);
	free(s);
}

size_t golearn_state_count(const struct golearn_state *s)
{
	return s ? s->nb : 0;
}

size_t golearn_state_pcs(const struct golearn_state *s)
{
	size_t n = 0;

	for (size_t i = 0; s && i < s->nb; i++)
		n += s->b[i].nstk;
	return n;
}

/* ---- registrations ---- */

struct golearn *golearn_new(const struct golearn_opts *o)
{
	struct golearn *g = calloc(1, sizeof(*g));
	struct rlimit rl;

	if (!g)
		return NULL;
	g->o = *o;
	if (!g->o.max_buckets)
		g->o.max_buckets = DEFAULT_MAX_BUCKETS;
	if (g->o.tick_ms <= 0)
		g->o.tick_ms = 40;
	if (g->o.recheck_ms <= 0)
		g->o.recheck_ms = 1000;
	g->recheck_ns = (long long)(g->o.recheck_ms * 1e6);
	if (!g->o.max_fds) {
		/* Half the soft limit: the rest is for everything else. */
		g->o.max_fds = 512;
		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY)
			g->o.max_fds = rl.rlim_cur / 2;
		if (g->o.max_fds > 16384)
			g->o.max_fds = 16384;
	}
	g->win = malloc(WINDOW);
	if (!g->win) {
		free(g);
		return NULL;
	}
	g->wfd = -1;
	draw_key(&g->k0, &g->k1);
	return g;
}

/* The pass ends: what it appended past st->nb is dropped. */
static void seg_free(struct golearn *g, struct gl_reg *r)
{
	(void)g;
	r->nseg = 0;
	r->passing = 0;
	free(r->ranges);
	r->ranges = NULL;
	r->nranges = 0;
}

static void reg_close(struct golearn *g, struct gl_reg *r)
{
	if (r->fd >= 0) {
		if (g->wfd == r->fd)
			g->wfd = -1;
		close(r->fd);
		r->fd = -1;
		g->fds--;
	}
	seg_free(g, r);
}

void golearn_free(struct golearn *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nregs; i++) {
		reg_close(g, &g->regs[i]);
		golearn_state_free(g->regs[i].st);
	}
	for (size_t i = 0; i < g->ntries; i++)
		trie_free(g, g->tries[i]);
	free(g->tries);
	free(g->regs);
	free(g->win);
	free(g);
}

static struct gl_reg *find(const struct golearn *g, uint64_t reg_id)
{
	for (size_t i = 0; i < g->nregs; i++)
		if (g->regs[i].reg_id == reg_id)
			return &g->regs[i];
	return NULL;
}

int golearn_add(struct golearn *g, uint64_t reg_id, pid_t pid,
		const char *comm, int mem_fd, uint64_t mbuckets_addr,
		const uint64_t *exe_key)
{
	struct gl_reg *r;

	if (!g || find(g, reg_id) || g->fds >= g->o.max_fds) {
		if (g && g->fds >= g->o.max_fds && !g->fds_said) {
			g->fds_said = 1;
			fprintf(stderr, "oomprof-read: not learning the heap-profile buckets of more Go processes: %zu /proc/PID/mem files held (the bound: half of RLIMIT_NOFILE, at most 16384); an OOM kill of the others copies their buckets whole, which a large list does not fit (raise LimitNOFILE=)\n",
				g->fds);
		}
		close(mem_fd);
		return -1;
	}
	if (g->nregs == g->capregs) {
		size_t cap = g->capregs ? g->capregs * 2 : 16;
		struct gl_reg *n = realloc(g->regs, cap * sizeof(*n));

		if (!n) {
			close(mem_fd);
			return -1;
		}
		g->regs = n;
		g->capregs = cap;
	}
	r = &g->regs[g->nregs++];
	memset(r, 0, sizeof(*r));
	r->reg_id = reg_id;
	r->pid = pid;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	r->fd = mem_fd;
	r->mbuckets = mbuckets_addr;
	r->checked_ns = -g->recheck_ns;
	if (exe_key) {
		memcpy(r->key, exe_key, sizeof(r->key));
		r->keyed = 1;
	}
	g->fds++;
	return 0;
}

void golearn_gone(struct golearn *g, uint64_t reg_id)
{
	struct gl_reg *r = g ? find(g, reg_id) : NULL;

	if (!r || r->gone_since)
		return;
	reg_close(g, r);
	r->gone_since = time(NULL);
}

static void reg_remove(struct golearn *g, size_t i)
{
	reg_close(g, &g->regs[i]);
	golearn_state_free(g->regs[i].st);
	g->regs[i] = g->regs[--g->nregs];
	if (g->rr > g->nregs)
		g->rr = 0;
}

void golearn_expire(struct golearn *g)
{
	time_t now = time(NULL);

	for (size_t i = 0; g && i < g->nregs;) {
		if (g->regs[i].gone_since &&
		    now - g->regs[i].gone_since > GOLEARN_GRACE_SECONDS)
			reg_remove(g, i);
		else
			i++;
	}
	if (g)
		tries_expire(g);
}

struct golearn_state *golearn_take(struct golearn *g, uint64_t reg_id)
{
	struct gl_reg *r = g ? find(g, reg_id) : NULL;
	struct golearn_state *s;

	if (!r)
		return NULL;
	s = r->st;
	r->st = NULL;
	if (s) {
		/* From now on the trie keeps these arrays for it. */
		s->taken = 1;
		atomic_fetch_add(&s->trie->readers, 1);
		s->nodes = s->trie->nodes;
		s->wide = s->trie->wide;
		s->pc_hi = s->trie->pc_hi;
	}
	/* Its kill is being handled: nothing more to learn or keep. */
	reg_remove(g, (size_t)(r - g->regs));
	return s;
}

int golearn_read(struct golearn *g, uint64_t reg_id, uint64_t addr,
		 void *buf, size_t len)
{
	struct gl_reg *r = g ? find(g, reg_id) : NULL;

	if (!r || r->fd < 0 || addr >= USER_ADDR_MAX)
		return -1;
	return pread(r->fd, buf, len, (off_t)addr) == (ssize_t)len ? 0 : -1;
}

void golearn_get_stats(const struct golearn *g, struct golearn_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->regs = g->nregs;
	st->fds = g->fds;
	st->bytes = atomic_load(&((struct golearn *)g)->used);
	st->buckets_read = g->buckets_read;
	st->preads = g->preads;
	st->passes = g->passes;
	st->tells = g->tells;
	st->budget_hit = g->budget_hit;
}

const char *golearn_why(const struct golearn *g, uint64_t reg_id)
{
	const struct gl_reg *r = find(g, reg_id);

	return r ? r->why : NULL;
}

size_t golearn_count(const struct golearn *g, uint64_t reg_id)
{
	const struct gl_reg *r = find(g, reg_id);

	return r && r->st ? r->st->nb : 0;
}

/* ---- learning ---- */

/* The process exited or exec'd: its exit or exec record follows. */
static void vanished(struct golearn *g, struct gl_reg *r)
{
	snprintf(r->why, sizeof(r->why), "its address space is gone (it exited or exec'd)");
	r->stopped = 1;
	seg_free(g, r);
}

/* Learning of @r ends: said once, with the cause. */
static void stop(struct golearn *g, struct gl_reg *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop(struct golearn *g, struct gl_reg *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->stopped = 1;
	seg_free(g, r);
	fprintf(stderr, "oomprof-read: stopped learning the heap-profile buckets of pid %d (%s): %s; its OOM kill copies whole every bucket not learned before (a large list may not fit the capture buffer)\n",
		(int)r->pid, esc(r->comm), esc(r->why));
}

/* Bounds /proc/PID/maps parsing: max_map_count is 65530 by default. */
#define MAX_RANGES	(1u << 20)

/*
 * Load @r's private anonymous mappings. Why: a bucket pointer is the
 * process's to choose, and a read of a file mapping whose file sits on
 * FUSE (or of a device) can wait on whoever serves it, forever. The Go
 * runtime's buckets (persistentalloc) are anonymous memory. 0, or -1
 * (gone, or out of memory).
 */
static int load_maps(struct gl_reg *r)
{
	char path[64], line[512];
	size_t cap = 0;
	FILE *f;

	free(r->ranges);
	r->ranges = NULL;
	r->nranges = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)r->pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off, ino;
		unsigned int maj, min;
		char perms[8], name[16] = "";
		int n;

		/* Lines longer than the buffer: the rest is a name; skipped. */
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		n = sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %15s", &lo, &hi,
			   perms, &off, &maj, &min, &ino, name);
		if (n < 7 || perms[0] != 'r' || perms[3] != 'p' || ino ||
		    (n == 8 && strcmp(name, "[heap]")))
			continue;
		if (r->nranges == cap) {
			struct gl_range *nr;

			if (cap >= MAX_RANGES)
				break;
			cap = cap ? cap * 2 : 256;
			nr = realloc(r->ranges, cap * sizeof(*nr));
			if (!nr) {
				fclose(f);
				return -1;
			}
			r->ranges = nr;
		}
		r->ranges[r->nranges++] = (struct gl_range){ lo, hi };
	}
	fclose(f);
	return 0;
}

/* The anonymous mapping holding [@addr, @addr + @len), or NULL. */
static const struct gl_range *anon_range(const struct gl_reg *r,
					 uint64_t addr, size_t len)
{
	size_t lo = 0, hi = r->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->ranges[mid].hi <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->nranges && r->ranges[lo].lo <= addr &&
	    addr + len <= r->ranges[lo].hi)
		return &r->ranges[lo];
	return NULL;
}

static int plausible(uint64_t a)
{
	return a && !(a & 7) && a < USER_ADDR_MAX;
}

/*
 * @len bytes of @r's memory at @addr, through the window: a pointer into
 * it, or NULL with errno. Buckets come from persistentalloc chunks, mostly
 * adjacent and walked downwards, so the window reaches far below @addr.
 */
static const uint8_t *fetch(struct golearn *g, struct gl_reg *r,
			    uint64_t addr, size_t len)
{
	uint64_t base, lo = 0, hi = USER_ADDR_MAX;
	ssize_t n;
	int eof = 1;

	if (g->wfd == r->fd && addr >= g->wbase &&
	    addr + len <= g->wbase + g->wlen)
		return g->win + (addr - g->wbase);
	g->wfd = -1;
	if (!g->o.no_maps) {
		const struct gl_range *m = anon_range(r, addr, len);

		if (!m && !r->maps_reloaded) {
			/* Mapped since the pass began? Looked at once more. */
			r->maps_reloaded = 1;
			if (load_maps(r)) {
				errno = ESRCH;
				return NULL;
			}
			m = anon_range(r, addr, len);
		}
		if (!m) {
			errno = EPERM;
			return NULL;
		}
		lo = m->lo;
		hi = m->hi;
	}
	/* Ending a page past the bucket's stack, reaching below. */
	base = (addr + len + 4095) & ~4095ULL;
	if (base > hi)
		base = hi;
	base = base - lo > WINDOW ? base - WINDOW : lo;
	for (int tries = 0; tries < 3; tries++) {
		size_t want = WINDOW;

		if (tries == 1)	/* unmapped below: from the bucket's page up */
			base = (addr & ~4095ULL) < lo ? lo : addr & ~4095ULL;
		if (tries == 2) {	/* unmapped above too: just the bucket */
			base = addr;
			want = len;
		}
		if (base + want > hi)
			want = (size_t)(hi - base);
		g->preads++;
		n = pread(r->fd, g->win, want, (off_t)base);
		if (n > 0 && addr >= base && addr + len <= base + (uint64_t)n) {
			g->wfd = r->fd;
			g->wbase = base;
			g->wlen = (size_t)n;
			return g->win + (addr - base);
		}
		if (n < 0 && errno != EIO && errno != EFAULT)
			return NULL;	/* ESRCH: gone; ... */
		eof &= n == 0;
	}
	/* /proc/PID/mem reads nothing once the address space is gone. */
	errno = eof ? ESRCH : EFAULT;
	return NULL;
}

static uint64_t word(const uint8_t *p, size_t i)
{
	uint64_t v;

	memcpy(&v, p + 8 * i, 8);
	return v;
}

static int seg_add(struct golearn *g, struct gl_reg *r,
		   const struct gl_bucket *b)
{
	struct golearn_state *s = r->st;

	if (grow(g, (void **)&s->b, &s->capb, s->nb + r->nseg + 1,
		 sizeof(*s->b), &s->bytes))
		return -1;
	s->b[s->nb + r->nseg++] = *b;
	return 0;
}

static void budget_spent(struct golearn *g, struct gl_reg *r)
{
	if (!g->budget_hit) {
		g->budget_hit = 1;
		fprintf(stderr, "oomprof-read: the memory for learned heap-profile buckets (%.1f MiB, --learn-memory) is spent: no more buckets are learned; OOM kills copy whole every bucket not learned (a large list may not fit the capture buffer)\n",
			(double)g->o.budget / (1 << 20));
	}
	snprintf(r->why, sizeof(r->why), "memory budget (--learn-memory) spent");
	r->stopped = 1;
	seg_free(g, r);
}

static int tell(struct golearn *g, const struct oomprof_learned *l)
{
	if (g->o.tell)
		return g->o.tell(g->o.tell_ctx, l);
	return ioctl(g->o.devfd, OOMPROF_IOC_LEARNED, l);
}

/* The segment reached what was known: it becomes the learned prefix. */
static void commit(struct golearn *g, struct gl_reg *r)
{
	struct golearn_state *s = r->st;
	struct oomprof_learned l = { .registration_id = r->reg_id };
	size_t n = r->nseg;

	/* List order to oldest first, in place. */
	for (size_t i = 0; i < n / 2; i++) {
		struct gl_bucket t = s->b[s->nb + i];

		s->b[s->nb + i] = s->b[s->nb + n - 1 - i];
		s->b[s->nb + n - 1 - i] = t;
	}
	s->nb += n;
	seg_free(g, r);
	g->passes++;
	l.known_head = s->b[s->nb - 1].addr;
	l.known_count = s->nb;
	if (tell(g, &l)) {
		int err = errno;

		if (err == ENOENT) {	/* the registration ended meanwhile */
			reg_close(g, r);
			if (!r->gone_since)
				r->gone_since = time(NULL);
		} else if (err == ENOTTY) {
			if (!g->tell_said)
				fprintf(stderr, "oomprof-read: the loaded oomprof module does not take learned prefixes (OOMPROF_IOC_LEARNED): load the module built with this oomprof-read; Go heaps are copied whole\n");
			g->tell_said = 1;
			r->stopped = 1;
			snprintf(r->why, sizeof(r->why), "module without OOMPROF_IOC_LEARNED");
		} else {
			stop(g, r, "the module refused the learned prefix of %zu buckets: %s",
			     s->nb, strerror(err));
		}
		return;
	}
	g->tells++;
	/*
	 * A big pass is said; so is the pass after a big one that catches
	 * up (however small), so that the last line gives the whole list's
	 * size once the program has stopped making buckets. Then quiet.
	 */
	if ((n >= GOLEARN_LOG_MIN || r->said_big) && !g->o.quiet)
		fprintf(stderr, "oomprof-read: learned %zu heap-profile buckets of pid %d (%s): %zu total, %.0f ms\n",
			n, (int)r->pid, esc(r->comm), s->nb,
			(double)(now_ns() - r->pass_start) / 1e6);
	r->said_big = n >= GOLEARN_LOG_MIN;
}

/* Start a pass if the head moved. 1: a pass runs; 0: nothing to do. */
static int start(struct golearn *g, struct gl_reg *r, long long now)
{
	uint64_t head = 0;
	ssize_t n;

	r->checked_ns = now;
	g->preads++;
	n = pread(r->fd, &head, sizeof(head), (off_t)r->mbuckets);
	if (n != (ssize_t)sizeof(head)) {
		if (n == 0 || (n < 0 && (errno == ESRCH || errno == ENOENT))) {
			vanished(g, r);
			return 0;
		}
		stop(g, r, "cannot read runtime.mbuckets at 0x%llx: %s",
		     (unsigned long long)r->mbuckets,
		     n < 0 ? strerror(errno) : "short read");
		return 0;
	}
	if (!r->st) {
		r->st = state_new(g, r->keyed ? r->key : NULL);
		if (!r->st) {
			budget_spent(g, r);
			return 0;
		}
	}
	r->stop_at = r->st->nb ? r->st->b[r->st->nb - 1].addr : 0;
	if (head == r->stop_at)
		return 0;
	if (!plausible(head)) {
		stop(g, r, "runtime.mbuckets holds 0x%llx, not a bucket address",
		     (unsigned long long)head);
		return 0;
	}
	/*
	 * The window may hold this process's memory from an earlier pass,
	 * read before the buckets now above the old head were made there
	 * (persistentalloc fills its chunks as it goes): read afresh.
	 */
	if (g->wfd == r->fd)
		g->wfd = -1;
	r->maps_reloaded = 0;
	if (!g->o.no_maps && load_maps(r)) {
		vanished(g, r);
		return 0;
	}
	r->passing = 1;
	r->next = head;
	r->nseg = 0;
	r->brent_saved = head;
	r->brent_power = 1;
	r->brent_lam = 0;
	r->pass_start = now;
	return 1;
}

/*
 * One bucket of @r's pass: 1 on (more to do), 0 when the pass ended
 * (committed or stopped).
 */
static int step(struct golearn *g, struct gl_reg *r)
{
	struct golearn_state *s = r->st;
	const uint8_t *h, *stk;
	struct gl_bucket b = { .addr = r->next };
	uint64_t nstk, allnext;
	uint32_t node = 0;

	if (!plausible(b.addr)) {
		stop(g, r, "bucket pointer 0x%llx is not an aligned user address",
		     (unsigned long long)b.addr);
		return 0;
	}
	if (r->nseg) {
		if (b.addr == r->brent_saved) {
			stop(g, r, "the bucket list loops (0x%llx again after %zu buckets)",
			     (unsigned long long)b.addr, r->nseg);
			return 0;
		}
		if (++r->brent_lam == r->brent_power) {
			r->brent_saved = b.addr;
			r->brent_power *= 2;
			r->brent_lam = 0;
		}
	}
	if (s->nb + r->nseg >= g->o.max_buckets) {
		stop(g, r, "more than %zu buckets", g->o.max_buckets);
		return 0;
	}
	h = fetch(g, r, b.addr, HDR_BYTES);
	if (!h && errno == ESRCH) {
		vanished(g, r);
		return 0;
	}
	if (!h && errno == EPERM) {
		stop(g, r, "bucket pointer 0x%llx is not in the process's anonymous memory (a file or device mapping, or unmapped)",
		     (unsigned long long)b.addr);
		return 0;
	}
	if (!h) {
		stop(g, r, "cannot read the bucket at 0x%llx: %s",
		     (unsigned long long)b.addr, strerror(errno));
		return 0;
	}
	allnext = word(h, 1);
	if (word(h, 2) != HEAPPROF_BUCKET_MEMORY) {
		stop(g, r, "bucket at 0x%llx has type %llu, not a memory bucket",
		     (unsigned long long)b.addr,
		     (unsigned long long)word(h, 2));
		return 0;
	}
	b.hash = word(h, 3);
	b.size = word(h, 4);
	nstk = word(h, 5);
	if (nstk > MAX_STK) {
		stop(g, r, "bucket at 0x%llx has %llu frames, more than the runtime's %d",
		     (unsigned long long)b.addr, (unsigned long long)nstk,
		     MAX_STK);
		return 0;
	}
	b.nstk = (uint32_t)nstk;
	stk = nstk ? fetch(g, r, b.addr + HDR_BYTES, nstk * 8) : h;
	if (!stk && errno == ESRCH) {
		vanished(g, r);
		return 0;
	}
	if (!stk && errno == EPERM) {
		stop(g, r, "the stack of the bucket at 0x%llx leaves the process's anonymous memory",
		     (unsigned long long)b.addr);
		return 0;
	}
	if (!stk) {
		stop(g, r, "cannot read the stack of the bucket at 0x%llx: %s",
		     (unsigned long long)b.addr, strerror(errno));
		return 0;
	}
	/* Outermost frame nearest the root: callers share the top nodes. */
	for (size_t i = nstk; i-- > 0;) {
		node = trie_child(g, s->trie, node, word(stk, i));
		if (!node) {
			budget_spent(g, r);
			return 0;
		}
	}
	b.leaf = node;
	if (seg_add(g, r, &b)) {
		budget_spent(g, r);
		return 0;
	}
	g->buckets_read++;
	if (r->stop_at && allnext == r->stop_at) {
		commit(g, r);
		return 0;
	}
	if (!allnext) {
		if (r->stop_at) {
			struct oomprof_learned forget = {
				.registration_id = r->reg_id,
			};

			stop(g, r, "the list ended without reaching 0x%llx, the head learned before: not a Go runtime's list",
			     (unsigned long long)r->stop_at);
			/* Its kill would only find the prefix mismatched. */
			tell(g, &forget);
			return 0;
		}
		commit(g, r);
		return 0;
	}
	r->next = allnext;
	return 1;
}

int golearn_tick(struct golearn *g)
{
	long long t0 = now_ns();
	long long end = t0 + (long long)(g->o.tick_ms * 1e6);
	int more = 0;

	if (!g || !g->nregs || !g->o.budget)
		return 0;	/* --learn-memory 0: fds held, nothing learned */
	for (size_t k = 0; k < g->nregs; k++) {
		size_t i = (g->rr + k) % g->nregs;
		struct gl_reg *r = &g->regs[i];
		long long now = now_ns();

		if (r->fd < 0 || r->stopped)
			continue;
		if (now >= end) {
			more |= r->passing;
			continue;
		}
		if (!r->passing) {
			if (now - r->checked_ns < g->recheck_ns ||
			    !start(g, r, now))
				continue;
		}
		/* The clock is read every 64 buckets. */
		for (unsigned int n = 1;; n++) {
			if (!step(g, r))
				break;
			if (!(n & 63) && now_ns() >= end) {
				more = 1;
				g->rr = i;	/* resumed first next tick */
				break;
			}
		}
	}
	return more;
}
